"""Browser sessions: a person signs in once with a key; the browser keeps an opaque,
HttpOnly, SameSite cookie. Sessions live in the server process and end with it."""

from __future__ import annotations

import secrets
import threading
import time

SESSION_SECONDS = 8 * 3600


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, tuple[float, str, str]] = {}  # id -> (expires, presented key, csrf token)

    def open(self, presented_key: str) -> tuple[str, str]:
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self._lock:
            self._by_id[session_id] = (time.monotonic() + SESSION_SECONDS, presented_key, csrf)
        return session_id, csrf

    def _entry(self, session_id: str | None) -> tuple[float, str, str] | None:
        if not session_id:
            return None
        with self._lock:
            entry = self._by_id.get(session_id)
            if entry and entry[0] < time.monotonic():
                del self._by_id[session_id]
                return None
            return entry

    def key_for(self, session_id: str | None) -> str | None:
        entry = self._entry(session_id)
        return entry[1] if entry else None

    def csrf_for(self, session_id: str | None) -> str | None:
        entry = self._entry(session_id)
        return entry[2] if entry else None

    def close(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)
