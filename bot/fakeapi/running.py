"""The real bot started against the fake Bot API, as the tests and the sandbox run it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.clock import MovableClock
from bot.config import Settings
from bot.fakeapi.server import FakeTelegram
from bot.lifecycle import start_application, stop_application
from bot.runtime import Runtime, runtime_of

TEST_TOKEN = "123456789:AAFakeTokenForTheLocalBotApi_xxxxxxxx"


class RunningBot:
    """A fake Bot API, a movable clock and the real application, started and restarted together."""

    def __init__(self, database: Path, start: datetime | None = None,
                 latency: float = 0.0, enforce_rate_limits: bool = True,
                 **settings: Any) -> None:
        self.clock = MovableClock(start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        self.fake = FakeTelegram(
            token=TEST_TOKEN, clock=self.clock.now, latency=latency,
            enforce_rate_limits=enforce_rate_limits,
        )
        self.database = database
        self.settings_overrides = settings
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._fake_started = False

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "bot_token": TEST_TOKEN,
            "database_url": f"sqlite+aiosqlite:///{self.database}",
            "telegram_base_url": self.fake.base_url,
            "telegram_base_file_url": self.fake.base_file_url,
            "default_timezone": "UTC",
            "default_language": "en",
            "persistence_flush_seconds": 0.2,
        }
        values.update(self.settings_overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    @property
    def runtime(self) -> Runtime:
        assert self.application is not None
        return runtime_of(self.application)

    async def start(self) -> None:
        if not self._fake_started:
            await self.fake.start()
            self._fake_started = True
        self.application = build_application(self.settings(), clock=self.clock)
        await start_application(self.application)

    async def stop(self) -> None:
        if self.application is not None:
            await stop_application(self.application)
            self.application = None

    async def restart(self) -> None:
        """Stop the bot the way a deploy does and start a fresh one on the same database."""
        await self.fake.settle()
        await self.stop()
        await self.start()

    async def close(self) -> None:
        await self.stop()
        await self.fake.stop()
