"""Browser sessions (SPEC §7 "A server, not a process"): signed cookies, checked against the store.

A person signs in once with a key; the browser then holds an HttpOnly, SameSite cookie signed
with the store's session secret (itsdangerous; HMAC-SHA256 with a key derived per use): a new random
session id, the id of the key it signed in with and when — never the key. Each request checks
the signature and the age here, then asks the store in one look-up whether the key is still
valid and the session not signed out (:meth:`GraphStore.session_key`). So every worker process
honours the cookie, before and after a restart, and ``tular keys revoke`` or signing out ends it
in every worker from the next request on. Signing in writes nothing; signing out writes the
session id to the store's list of ended sessions — outside the data write lock and without
moving the store's version (SPEC §3), in a short transaction of its own.

A visitor who has not signed in gets a signed cookie with a random session id and nothing else;
the forms' CSRF token is a keyed hash of that id, checked against the cookie the form comes back
with. Nothing is kept for them anywhere, in the store or in memory: any number of anonymous
visits cannot push a signed-in session out.

The secret is made by ``tular init`` and kept in the store (read once per process), or given
as ``TULAR_SECRET_KEY`` — the same for every process, either way."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from itsdangerous import BadData, Signer, URLSafeTimedSerializer

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError
from tular.graph.model.records import ApiKey
from tular.graph.store import GraphStore
from tular.service.language import said

#: A cookie is honoured this long after it was made (signing in); then the person signs in again.
SESSION_SECONDS = 8 * 3600
#: A ``TULAR_SECRET_KEY`` shorter than this is refused.
MIN_SECRET_CHARS = 32
#: Longer cookies are not ours: not even looked at.
MAX_COOKIE_CHARS = 400


@dataclass(frozen=True)
class Session:
    """What a session cookie says, once its signature and age are checked."""

    id: str
    #: The key it signed in with; None: not signed in (a cookie for the forms' CSRF token only).
    key_id: str | None
    #: When the cookie was made (seconds since the epoch).
    issued: float

    @property
    def until(self) -> datetime:
        """When the cookie stops being honoured anyway."""
        return datetime.fromtimestamp(self.issued + SESSION_SECONDS, timezone.utc)


class Sessions:
    def __init__(self, secret_key: str | None = None) -> None:
        if secret_key is not None and len(secret_key) < MIN_SECRET_CHARS:
            raise said(UsageError, N_("problem.secret_too_short"),
                       {"length": len(secret_key), "least": MIN_SECRET_CHARS})
        self._given = secret_key.encode() if secret_key else None
        self._signers: tuple[URLSafeTimedSerializer, Signer] | None = None
        self._lock = threading.Lock()

    def _signing(self, store: GraphStore) -> tuple[URLSafeTimedSerializer, Signer]:
        """The cookie serializer and the CSRF signer (keys derived from the secret, read once)."""
        signers = self._signers
        if signers is None:
            with self._lock:
                if self._signers is None:
                    secret = self._given or store.session_secret()
                    self._signers = (URLSafeTimedSerializer(secret, salt="tular.session",
                                                            signer_kwargs={"digest_method": hashlib.sha256}),
                                     Signer(secret, salt="tular.csrf", digest_method=hashlib.sha256))
                signers = self._signers
        return signers

    def open(self, store: GraphStore, key: ApiKey | None) -> tuple[Session, str]:
        """A new session (a new random id) signed in with ``key`` (None: not signed in), and
        the cookie that carries it. Nothing is written."""
        cookies, _ = self._signing(store)
        session = Session(secrets.token_urlsafe(24), key.key_id if key else None, int(time.time()))
        return session, cookies.dumps({"s": session.id, "k": session.key_id})

    def read(self, store: GraphStore, cookie: str | None) -> Session | None:
        """The session of ``cookie`` if this server signed it and it has not expired (not yet
        checked against the store: see :meth:`key`)."""
        if not cookie or len(cookie) > MAX_COOKIE_CHARS:
            return None
        cookies, _ = self._signing(store)
        try:
            data, signed_at = cookies.loads(cookie, max_age=SESSION_SECONDS, return_timestamp=True)
        except BadData:  # another secret, tampered with, expired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str) \
                or not isinstance(data.get("k"), (str, type(None))):
            return None
        return Session(data["s"], data["k"], signed_at.timestamp())

    def key(self, store: GraphStore, session: Session | None) -> ApiKey | None:
        """The key a signed-in session stands for, as the store has it now: None when the
        session is not signed in, was signed out, or its key was revoked (one look-up)."""
        if session is None or session.key_id is None:
            return None
        return store.session_key(session.id, session.key_id)

    def csrf(self, store: GraphStore, session: Session) -> str:
        """The CSRF token of ``session``'s forms: a keyed hash of its id."""
        _, signer = self._signing(store)
        return signer.get_signature(session.id).decode()

    def csrf_ok(self, store: GraphStore, session: Session | None, token: str | None) -> bool:
        """Whether ``token`` is ``session``'s CSRF token (compared in constant time)."""
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf(store, session).encode(), token.encode())

    def close(self, store: GraphStore, session: Session) -> None:
        """Sign out: ``session`` ends in every worker process from the next request on."""
        if session.key_id is not None:
            store.end_session(session.id, session.until)
