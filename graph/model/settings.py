"""Settings from the environment (``TULAR_`` prefix) or a ``.env`` file.

Values given to ``Settings(...)`` come first, then a ``TULAR_`` variable of the environment
(its name in any case: ``TULAR_DB``, ``tular_db``), then one of the ``.env`` file in the
working directory (read by python-dotenv), then the defaults; pydantic checks and converts
them (``"true"``/``"1"``/``"yes"`` for a flag, digits for a number). Read in a few lines rather
than through pydantic-settings, whose import alone costs every command more than its own
work on a small store (SPEC §9: no heavy import a command does not use).
"""

from __future__ import annotations

import getpass
import os
import socket
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_DB = "sqlite:///tular.db"
#: ``tular serve`` hands its settings to the server's worker processes in this variable (JSON).
SERVE_SETTINGS_ENV = "TULAR_SERVE_SETTINGS"
ENV_PREFIX, ENV_FILE = "TULAR_", ".env"


def environment() -> dict[str, str]:
    """The ``TULAR_`` variables of the ``.env`` file and of the environment (which wins), by
    field name: ``TULAR_NEO4J_USER`` → ``neo4j_user``."""
    sources: list[dict[str, str | None]] = [dict(os.environ)]
    if Path(ENV_FILE).is_file():
        from dotenv import dotenv_values

        sources.insert(0, dotenv_values(ENV_FILE))
    return {name[len(ENV_PREFIX):].lower(): value for source in sources for name, value in source.items()
            if value is not None and name.upper().startswith(ENV_PREFIX)}


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    db: str = DEFAULT_DB
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    tz: str = "Asia/Jakarta"
    #: The language of what tular tells (SPEC §11) when the caller does not choose: id or en.
    lang: Literal["id", "en"] = "id"
    public_read: bool = False
    #: Largest upload (the files of one import through the API or the web page), in MiB; the
    #: body of any other request may carry 1 MiB. Both are refused before they are read.
    max_upload_mb: int = 50
    #: Failed sign-ins (the web form) and failed API keys one client address may make in any
    #: minute before it is answered 429 (Retry-After) until the oldest is a minute old. Counted
    #: per worker process: with `tular serve --workers N` a client may fail N times as often.
    signin_failures_per_minute: int = 10
    key_failures_per_minute: int = 30
    #: Seconds a writer waits for the store-wide write lock before giving up (SPEC §3).
    lock_wait: float = 8.0
    #: Records (the backup's and the store's together) up to which a restore into Neo4j runs
    #: in one transaction; a larger one first writes a safety backup and marks the store
    #: "restore in progress" (SPEC §3). City scale (13,000 IKM, 20,000 teachings) fits.
    restore_one_transaction_max: int = 250_000
    #: Signs the browsers' session cookies (SPEC §7), the same in every worker and server
    #: process; unset, the secret that ``tular init`` made and keeps in the store is used.
    secret_key: str | None = Field(default=None, repr=False)
    #: Send every cookie with ``Secure`` (only over HTTPS), also when the request came over
    #: plain HTTP (a TLS proxy that does not send X-Forwarded-Proto; see ``serve --proxy-headers``).
    secure_cookies: bool = False
    #: The language (``id`` or ``en``) of the command line's output and help and of the API's
    #: answers when the caller names none (SPEC §11: ``--lang`` or ``?lang=`` >
    #: ``Accept-Language`` > ``TULAR_LANG`` > ``id``); anything else counts as ``id``.
    lang: str = "id"

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        return {**environment(), **given} if isinstance(given, dict) else given

    def today(self) -> date:
        """Today in the office's time zone (WIB unless ``TULAR_TZ`` says otherwise)."""
        return datetime.now(ZoneInfo(self.tz)).date()


def this_process() -> str:
    """Who is writing, for messages and marks another person reads: ``user@host (pid N)``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"
