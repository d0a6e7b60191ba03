"""API keys: created once and shown once, stored as a slow salted hash (scrypt), checked in
constant time. A key reads ``tular_<key_id>_<secret>``; the id finds the stored hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import Forbidden, StoreUnavailable, Unauthorized, UsageError, said
from tular.graph.model.records import ROLES, ApiKey, Role
from tular.graph.store.base import GraphStore
from tular.graph.store.shared_read import Turns

PREFIX = "tular"
#: scrypt cost: about 50 ms per check on this machine kind; a verified key is kept (see _Cache).
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
#: How many verified keys a process keeps (the least recently used goes first).
CACHE_KEYS = 1024
#: What a key with an unknown key id is checked against: it costs the same scrypt as a known id
#: with a wrong secret, so that the time of a refusal does not tell which key ids exist.
_NO_SALT, _NO_HASH = secrets.token_hex(16), "0" * 64


def _hash(secret: str, salt: str) -> str:
    return hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), **SCRYPT).hex()


def create_key(store: GraphStore, role: str, name: str) -> tuple[str, ApiKey]:
    """A new key: the plaintext (to show once) and what is stored."""
    if role not in ROLES:
        raise said(UsageError, N_("error.unknown_role"), {"role": role, "roles": ", ".join(ROLES)})
    key_id, secret, salt = secrets.token_hex(4), secrets.token_urlsafe(24), secrets.token_hex(16)
    stored = ApiKey(key_id=key_id, name=name, role=role, salt=salt, hash=_hash(secret, salt),
                    created_at=datetime.now(timezone.utc).replace(microsecond=0))
    store.save_api_key(stored)
    return f"{PREFIX}_{key_id}_{secret}", stored


def revoke_key(store: GraphStore, key_id: str) -> ApiKey:
    with store.writing():
        found = store.api_keys(key_id)
        if not found:
            raise said(UsageError, N_("error.no_api_key"), {"key_id": key_id})
        revoked = found[0].model_copy(update={"revoked_at": datetime.now(timezone.utc).replace(microsecond=0)})
        store.save_api_key(revoked)
    _cache.clear()
    return revoked


class _Cache:
    """Keys this process verified, by the digest of what was presented, so that a request pays
    for scrypt only the first time a key is presented, not every time: each use reads the key
    again by id whenever the store has changed (:func:`_still_valid`), so a revocation or a
    replaced key holds from the next request on. Kept for good (up to :data:`CACHE_KEYS`),
    not for a while: a key forgotten after a minute made every client of a busy server pay
    for scrypt at the same moment, every minute. The first check of a key is made once, while
    the other requests presenting it at that moment wait for it (:attr:`checking`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, ApiKey] = OrderedDict()
        self.checking = Turns()  # one check at a time per presented key

    def get(self, digest: str) -> ApiKey | None:
        with self._lock:
            key = self._entries.get(digest)
            if key is not None:
                self._entries.move_to_end(digest)
            return key

    def put(self, digest: str, key: ApiKey) -> None:
        with self._lock:
            self._entries[digest] = key
            self._entries.move_to_end(digest)
            while len(self._entries) > CACHE_KEYS:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _Cache()


def _digest(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


def recently_verified(presented: str) -> ApiKey | None:
    """The stored key for ``presented`` if this process has verified it (no scrypt, no store);
    ``None`` otherwise."""
    return _cache.get(_digest(presented))


def verify(store: GraphStore, presented: str | None) -> ApiKey:
    """The stored key for ``presented``; :class:`Unauthorized` for anything else."""
    if not presented:
        raise said(Unauthorized, N_("problem.key_needed"))
    digest = _digest(presented)
    if (kept := _kept(store, digest)) is not None:
        return kept
    with _cache.checking.turn(digest):
        # checked meanwhile by the request this one waited for, else checked now
        return _kept(store, digest) or _checked(store, presented, digest)


def _kept(store: GraphStore, digest: str) -> ApiKey | None:
    """The key kept for ``digest`` when it still holds (:func:`_still_valid`)."""
    cached = _cache.get(digest)
    return cached if cached is not None and _still_valid(store, cached) else None


def _checked(store: GraphStore, presented: str, digest: str) -> ApiKey:
    """``presented`` checked against the stored hash (scrypt), kept when it holds."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise said(Unauthorized, N_("error.not_an_api_key"))
    version = store.version()  # read first: a revocation after it moves it on
    found = store.api_keys(parts[1])
    salt, expected = (found[0].salt, found[0].hash) if found else (_NO_SALT, _NO_HASH)
    matches = hmac.compare_digest(_hash(parts[2], salt), expected)  # scrypt for an unknown id too
    if not found or not matches:
        raise said(Unauthorized, N_("error.unknown_api_key"))
    if found[0].revoked_at is not None:
        raise said(Unauthorized, N_("error.revoked_api_key"))
    _cache.put(digest, found[0])
    _versions[found[0].key_id] = version
    return found[0]


def _still_valid(store: GraphStore, cached: ApiKey) -> bool:
    """A key this process verified lately, read again (by id, no scrypt) when the store has
    changed since: a revocation by any process or worker moves the store's version, so it
    holds from the next request on everywhere."""
    try:
        version = store.version()
        if _versions.get(cached.key_id) == version:
            return True
        found = store.api_keys(cached.key_id)
    except StoreUnavailable:  # nothing can be read or written meanwhile: the key as it was
        return True
    if found and found[0].hash == cached.hash and found[0].revoked_at is None:
        _versions[cached.key_id] = version
        return True
    _cache.clear()  # revoked (or replaced): verified afresh, and refused
    return False


#: The store version at which each cached key was last found valid.
_versions: dict[str, str] = {}


def require(key: ApiKey, role: Role) -> None:
    if ROLES.index(key.role) < ROLES.index(role):
        raise said(Forbidden, N_("error.role_needed"), {"role": role, "key_id": key.key_id, "name": key.name, "has": key.role})


def who(key: ApiKey | None) -> str:
    """How a write is attributed in the batch log."""
    return f"api key {key.key_id} ({key.name}, {key.role})" if key else "anonymous"
