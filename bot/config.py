"""Settings read from the environment and a .env file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/afterview.db"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
# what Telegram accepts as a webhook's secret_token (setWebhook)
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# the only ports Telegram posts webhooks to
WEBHOOK_PORTS = (443, 80, 88, 8443)
# the paths the bot's own HTTP server keeps for itself
RESERVED_PATHS = ("/healthz", "/metrics")


class Settings(BaseSettings):
    """Everything the bot can be told from outside; .env.example documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str = Field(default="", repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    telegram_base_url: str = TELEGRAM_API_URL
    telegram_base_file_url: str = ""
    log_level: str = "INFO"
    # "json": one JSON object per line, for a log collector; "text": for people reading a terminal
    log_format: Literal["text", "json"] = "text"
    default_language: str = "en"
    default_timezone: str = "UTC"
    nudge_sweep_seconds: float = 30.0
    # how long a replica holds the nudges it claimed; a process that died frees them after it
    nudge_claim_seconds: float = 300.0
    persistence_flush_seconds: float = 2.0
    conversation_timeout_seconds: float = 6 * 3600
    # webhook mode: set WEBHOOK_URL and the bot serves updates over HTTP instead of polling
    webhook_url: str = ""
    webhook_secret: str = Field(default="", repr=False, validate_default=True)
    webhook_listen: str = "0.0.0.0"
    # 0 takes any free port (the tests do)
    webhook_port: int = Field(default=8080, ge=0, le=65535)
    # Telegram's updates are a few kilobytes; a body past this is refused unread
    webhook_max_body: int = Field(default=1024 * 1024, ge=1024)
    # updates taken and not yet handled past which the webhook answers 503: Telegram keeps the
    # rest (for up to a day) and posts them again, so a flood never piles up in memory
    webhook_max_pending: int = Field(default=10_000, ge=1)
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

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("Telegram posts only to an https:// URL with a host name")
        try:
            port = parts.port or 443
        except ValueError as exc:
            raise ValueError("its port is not a number") from exc
        if port not in WEBHOOK_PORTS:
            raise ValueError("Telegram posts webhooks only to ports 443, 80, 88 and 8443")
        if (parts.path.rstrip("/") or "/") in RESERVED_PATHS:
            raise ValueError("its path must not be /healthz or /metrics, which the bot serves")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str, info: ValidationInfo) -> str:
        if value and not WEBHOOK_SECRET_PATTERN.fullmatch(value):
            raise ValueError("it must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        if not value and info.data.get("webhook_url"):
            raise ValueError(
                "it is required when WEBHOOK_URL is set (1 to 256 characters of A-Z, a-z, 0-9, "
                "_ and -)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded from: derived from the API URL unless set on its own."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        base = self.telegram_base_url
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base.rstrip("/") + "/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts updates to: WEBHOOK_URL's own, since a proxy in front
        usually passes it on unchanged."""
        return urlsplit(self.webhook_url).path.rstrip("/") or "/"

    def sqlite_path(self) -> Path | None:
        """The SQLite file behind DATABASE_URL, if it is one, so its folder can be created."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            rest = self.database_url[len(prefix) :]
            if rest and rest != ":memory:":
                return Path(rest)
        return None
