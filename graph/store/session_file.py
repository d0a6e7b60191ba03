"""The embedded store's browser sessions (SPEC §7), in a small SQLite file of their own beside
the store's file: ``tular.db.sessions`` keeps the secret that signs the session cookies and the
sessions signed out before their cookies would have expired.

Not a table in the store's file, for two reasons: the store's write lock is SQLite's own lock on
that file, which a big import holds for minutes (a sign-out would wait for it, or fail), and a
commit to that file moves ``PRAGMA data_version`` in every other process — the store's version,
which keys every cached answer. This file has a lock of its own, held for one short statement
at a time, and the store's version never sees it.

Made with mode 0600 (it holds the secret). One connection per call (about 0.1 ms): none
outlives the store or crosses threads."""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import StoreUnavailable, said

SUFFIX = ".sessions"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS secret (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ended_session (session_id TEXT PRIMARY KEY, until REAL NOT NULL)",
)
#: A statement waits at most this long for another process's (one-statement) write.
BUSY_SECONDS = 5.0


def path_for(store_path: Path) -> Path:
    """The sessions file of the store file ``store_path``."""
    return store_path.with_name(store_path.name + SUFFIX)


@contextmanager
def _connection(store_path: Path) -> Iterator[sqlite3.Connection]:
    path = path_for(store_path)
    try:
        if not path.exists():
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite gives -wal/-shm the same mode
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
    except (OSError, sqlite3.Error) as exc:
        raise said(StoreUnavailable, N_("error.sessions_cannot_open"), {"path": str(path), "reason": str(exc)}) from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for a sign-out
        for statement in SCHEMA:
            conn.execute(statement)  # a read when the table is there: no lock taken
        yield conn
    except sqlite3.Error as exc:
        raise said(StoreUnavailable, N_("error.sessions_failed"), {"path": str(path), "reason": str(exc)}) from exc
    finally:
        conn.close()


def secret(store_path: Path) -> bytes:
    """The signing secret, made by the first process that asks."""
    with _connection(store_path) as conn:
        conn.execute("INSERT OR IGNORE INTO secret(name, value) VALUES ('session', ?)", (secrets.token_bytes(32),))
        return bytes(conn.execute("SELECT value FROM secret WHERE name = 'session'").fetchone()[0])


def end(store_path: Path, session_id: str, until: datetime) -> None:
    """Record a sign-out; drop the records of sessions that have expired anyway."""
    with _connection(store_path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT OR REPLACE INTO ended_session(session_id, until) VALUES (?, ?)",
                         (session_id, until.timestamp()))
            conn.execute("DELETE FROM ended_session WHERE until < ?", (time.time(),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def ended(store_path: Path, session_id: str) -> bool:
    with _connection(store_path) as conn:
        return conn.execute("SELECT 1 FROM ended_session WHERE session_id = ?", (session_id,)).fetchone() is not None

