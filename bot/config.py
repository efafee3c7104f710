"""Settings read from the environment and a .env file."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/afterview.db"
TELEGRAM_API_URL = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    """Everything the bot can be told from outside; .env.example documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str = Field(default="", repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    telegram_base_url: str = TELEGRAM_API_URL
    telegram_base_file_url: str = ""
    log_level: str = "INFO"
    default_language: str = "en"
    default_timezone: str = "UTC"
    nudge_sweep_seconds: float = 30.0
    # how long a replica holds the nudges it claimed; a process that died frees them after it
    nudge_claim_seconds: float = 300.0
    persistence_flush_seconds: float = 2.0
    conversation_timeout_seconds: float = 6 * 3600
    # how many updates of different users and chats are handled at the same time; most of a
    # handler's time is spent waiting for Telegram's 30 messages a second, so this covers a
    # burst Telegram takes some twenty seconds to answer (the database pool bounds the rest)
    max_concurrent_updates: int = Field(default=512, ge=1)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded from: derived from the API URL unless set on its own."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        base = self.telegram_base_url
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base.rstrip("/") + "/file/bot"

    def sqlite_path(self) -> Path | None:
        """The SQLite file behind DATABASE_URL, if it is one, so its folder can be created."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            rest = self.database_url[len(prefix) :]
            if rest and rest != ":memory:":
                return Path(rest)
        return None
