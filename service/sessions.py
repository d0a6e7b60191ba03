"""Browser sessions: a person signs in once with a key; the browser keeps an opaque,
HttpOnly, SameSite cookie. Sessions live in the server process and end with it.

A browser that has not signed in gets a session without a key, so that the sign-in form
itself carries a CSRF token; signing in replaces it with a new session (a fixed session id
never gains a key)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time

SESSION_SECONDS = 8 * 3600
#: Sessions without a key (a sign-in form shown, nothing more) last less long.
ANONYMOUS_SECONDS = 3600
#: At most this many sessions are kept; the oldest go first (a flood of anonymous visits).
MAX_SESSIONS = 20_000


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # id -> (expires, presented key or None, csrf token)
        self._by_id: dict[str, tuple[float, str | None, str]] = {}

    def open(self, presented_key: str | None) -> tuple[str, str]:
        """A new session for ``presented_key`` (``None``: not signed in): its id and CSRF token."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        lifetime = SESSION_SECONDS if presented_key else ANONYMOUS_SECONDS
        with self._lock:
            if len(self._by_id) >= MAX_SESSIONS:
                self._prune()
            self._by_id[session_id] = (time.monotonic() + lifetime, presented_key, csrf)
        return session_id, csrf

    def _prune(self) -> None:
        now = time.monotonic()
        for sid in [sid for sid, entry in self._by_id.items() if entry[0] < now]:
            del self._by_id[sid]
        while len(self._by_id) >= MAX_SESSIONS:  # dicts keep insertion order: the oldest first
            del self._by_id[next(iter(self._by_id))]

    def _entry(self, session_id: str | None) -> tuple[float, str | None, str] | None:
        if not session_id:
            return None
        with self._lock:
            entry = self._by_id.get(session_id)
            if entry and entry[0] < time.monotonic():
                del self._by_id[session_id]
                return None
            return entry

    def exists(self, session_id: str | None) -> bool:
        return self._entry(session_id) is not None

    def key_for(self, session_id: str | None) -> str | None:
        entry = self._entry(session_id)
        return entry[1] if entry else None

    def csrf_for(self, session_id: str | None) -> str | None:
        entry = self._entry(session_id)
        return entry[2] if entry else None

    def csrf_ok(self, session_id: str | None, token: str | None) -> bool:
        """Whether ``token`` is this session's CSRF token (compared in constant time)."""
        expected = self.csrf_for(session_id)
        return bool(expected and token) and hmac.compare_digest(expected.encode(), token.encode())

    def close(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)
