"""The real bot started against the fake Bot API, as the tests and the sandbox run it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.clock import MovableClock
from bot.config import Settings
from bot.lifecycle import start_application, stop_application
from bot.runtime import Runtime, runtime_of
from fakeapi.faults import FaultPlan
from fakeapi.server import FakeTelegram

TEST_TOKEN = "123456789:AAFakeTokenForTheLocalBotApi_xxxxxxxx"


class RunningBot:
    """A fake Bot API, a movable clock and the real application, started and restarted together."""

    def __init__(
        self,
        database: Path,
        start: datetime | None = None,
        latency: float = 0.0,
        enforce_rate_limits: bool = True,
        client_timeout: float | None = None,
        settle: bool = False,
        **settings: Any,
    ) -> None:
        self.clock = MovableClock(start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        self.fake = FakeTelegram(
            token=TEST_TOKEN,
            clock=self.clock.now,
            latency=latency,
            enforce_rate_limits=enforce_rate_limits,
        )
        self.database = database
        # how long the bot waits for an answer before TimedOut; None keeps PTB's five seconds
        self.client_timeout = client_timeout
        # as `python -m bot run` does once started (bot.app.settle_memory); the benchmarks ask
        # for it, the tests, which start hundreds of bots in one process, do not
        self.settle = settle
        self.settings_overrides = settings
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._fake_started = False
        self._in_flight = 0

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
    def faults(self) -> FaultPlan:
        """The fake Bot API's faults on demand (see fakeapi.faults)."""
        return self.fake.faults

    @property
    def runtime(self) -> Runtime:
        assert self.application is not None
        return runtime_of(self.application)

    async def start(self) -> None:
        if not self._fake_started:
            await self.fake.start()
            self._fake_started = True
        application = build_application(self.settings(), clock=self.clock, settle=self.settle)
        if self.client_timeout is not None:
            _shorten_timeouts(application.bot, self.client_timeout)
        self.application = application
        self._count_updates_in_flight(application)
        self.fake.busy_probe = self.busy
        await start_application(application)

    def _count_updates_in_flight(
        self, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> None:
        original = application.process_update

        async def counted(update: object) -> None:
            self._in_flight += 1
            try:
                await original(update)
            finally:
                self._in_flight -= 1

        # the instance attribute shadows the method, so the application's loop calls this one
        application.process_update = counted  # type: ignore[method-assign]

    def busy(self) -> bool:
        """Whether the bot still has updates to handle, or a nudge or club sweep under way."""
        application = self.application
        if application is None:
            return False
        if self._in_flight or not application.update_queue.empty():
            return True
        club_sweep = self.runtime.club_sweep
        if club_sweep is not None and club_sweep.busy:
            return True
        lapses = self.runtime.lapses
        if lapses is not None and lapses.busy:
            return True
        dispatcher = self.runtime.dispatcher
        return dispatcher is not None and dispatcher.busy

    async def sweep(self) -> int:
        """End the conversations that have lapsed on the clock, then run the nudge dispatcher,
        as their jobs would, and wait for the bot to settle; returns the nudges sent."""
        assert self.application is not None
        # steps still in memory are stored first, each with the moment it was taken
        await self.application.update_persistence()
        assert self.runtime.lapses is not None and self.runtime.dispatcher is not None
        await self.runtime.lapses.run()
        sent = await self.runtime.dispatcher.sweep()
        await self.fake.settle()
        return sent

    async def club_sweep(self) -> int:
        """Run the club sweep now, as its job would (check-ins, reminders, then the outbox),
        and wait for the bot to settle; returns how many check-ins it queued."""
        assert self.runtime.club_sweep is not None
        queued = await self.runtime.club_sweep.run()
        await self.fake.settle()
        return queued

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


def _shorten_timeouts(bot: Bot, seconds: float) -> None:
    """Make the bot's requests (not its long poll) give up after ``seconds``.

    The settings have no request timeout, and a test of hung requests should not wait PTB's
    default five seconds for each; PTB offers no setter, so this reaches into HTTPXRequest.
    """
    request = bot.request
    if not isinstance(request, HTTPXRequest):
        raise TypeError(f"expected PTB's HTTPXRequest, got {type(request).__name__}")
    pool = request._client.timeout.pool
    timeout = httpx.Timeout(seconds, pool=pool)
    request._client.timeout = timeout
    # used if the client is built again after a shutdown
    request._client_kwargs["timeout"] = timeout
