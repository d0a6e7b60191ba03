"""Settings from the environment (``TULAR_`` prefix) or a ``.env`` file."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite:///tular.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TULAR_", env_file=".env", extra="ignore")

    db: str = DEFAULT_DB
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    tz: str = "Asia/Jakarta"
    public_read: bool = False
    max_upload_mb: int = 50
    #: Seconds a writer waits for the store-wide write lock before giving up (SPEC §3).
    lock_wait: float = 8.0

    def today(self) -> date:
        """Today in the office's time zone (WIB unless ``TULAR_TZ`` says otherwise)."""
        return datetime.now(ZoneInfo(self.tz)).date()
