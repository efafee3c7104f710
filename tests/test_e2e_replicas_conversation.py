"""End to end: two replicas of the bot on one database take turns with a user's conversation.

Each replica is a whole application (its own engine, memory and jobs) against the same fake Bot
API; only one polls at a time, as a load balancer would hand each update to one replica. A
conversation begun on one continues on the other at the right step with the draft so far, one
cancelled or lapsed on one is over on the other, and a replica killed with SIGKILL loses nothing
that was answered.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings
from bot.db.models import ConversationRecord, Interview, UserDataRecord
from bot.lifecycle import start_application, stop_application
from bot.runtime import Runtime, runtime_of
from fakeapi.running import RunningBot
from fakeapi.server import FakeTelegram, FakeUser
from tests.dbfaults import ThrowawayPostgres, fresh_schema
from tests.flows import forge_tap, press, say

COMPANY_QUESTION = "Which company was the interview with?"
ROLE_QUESTION = "What is the role?"
WHEN_QUESTION = "When is or was the interview?"
NOT_UNDERSTOOD = "not sure what to do with that"


class Replica:
    """Another process of the bot: its own application on the given settings, polling only
    while it is the one serving."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.application: Application[Any, Any, Any, Any, Any, Any] = build_application(
            settings, clock=clock
        )
        self._in_flight = 0
        original = self.application.process_update

        async def counted(update: object) -> None:
            self._in_flight += 1
            try:
                await original(update)
            finally:
                self._in_flight -= 1

        self.application.process_update = counted  # type: ignore[method-assign]

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.application)

    def busy(self) -> bool:
        return self._in_flight > 0 or not self.application.update_queue.empty()

    async def start(self) -> None:
        await start_application(self.application)

    async def stop(self) -> None:
        await stop_application(self.application)


async def pause(application: Application[Any, Any, Any, Any, Any, Any] | None) -> None:
    assert application is not None and application.updater is not None
    if application.updater.running:
        await application.updater.stop()


async def serve(application: Application[Any, Any, Any, Any, Any, Any] | None) -> None:
    assert application is not None and application.updater is not None
    if not application.updater.running:
        await application.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )


class Pair:
    """Replica A (a RunningBot, which owns the fake Bot API and the clock) and replica B."""

    def __init__(self, a: RunningBot, b: Replica) -> None:
        self.a = a
        self.b = b

    async def on_a(self) -> None:
        await pause(self.b.application)
        await serve(self.a.application)

    async def on_b(self) -> None:
        await pause(self.a.application)
        await serve(self.b.application)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One database for both replicas: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    cluster: ThrowawayPostgres = request.getfixturevalue("postgres")
    await fresh_schema(cluster.url)
    return cluster.url


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    async with open_pair(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}") as opened:
        yield opened


@asynccontextmanager
async def open_pair(tmp_path: Path, database_url: str) -> AsyncIterator[Pair]:
    """Both replicas started on one database, neither polling yet."""
    a = RunningBot(tmp_path / "unused.db", database_url=database_url)
    await a.start()
    await pause(a.application)
    b = Replica(a.settings(), clock=a.clock)
    await b.start()
    await pause(b.application)
    a.fake.busy_probe = lambda: a.busy() or b.busy()
    try:
        yield Pair(a, b)
        await a.fake.settle()
        a.fake.assert_no_refusals()
    finally:
        await b.stop()
        await a.close()


async def stored(runtime: Runtime, user: FakeUser) -> tuple[list[str], dict[str, Any]]:
    """The conversations the database holds open for the user, and their stored data."""
    async with runtime.session() as session:
        names = await session.scalars(
            select(ConversationRecord.name).where(ConversationRecord.key.contains(str(user.id)))
        )
        row = await session.get(UserDataRecord, user.id)
        return list(names.all()), dict(row.data) if row is not None else {}


async def interviews(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.session() as session:
        rows = await session.execute(select(Interview.company, Interview.role))
        return [(company, role) for company, role in rows]


async def test_a_log_begun_on_one_replica_continues_on_the_other_at_each_step(
    tmp_path: Path, database_url: str
) -> None:
    async with open_pair(tmp_path, database_url) as pair:
        a = pair.a
        ana = a.fake.add_user("Ana")
        await pair.on_a()
        await say(a, ana, "/timezone Europe/Berlin")
        assert COMPANY_QUESTION in await say(a, ana, "/log")
        # every answer lands on the other replica than the question before it
        await pair.on_b()
        assert ROLE_QUESTION in await say(a, ana, "Acme")
        await pair.on_a()
        assert WHEN_QUESTION in await say(a, ana, "Analyst")
        await pair.on_b()
        await press(a, ana, "Today")
        await pair.on_a()
        await press(a, ana, "Earlier today, time unknown")
        await pair.on_b()
        await press(a, ana, "Phone")
        await pair.on_a()
        await press(a, ana, "I don't have their names")
        await pair.on_b()
        await press(a, ana, "Within a week")
        await pair.on_a()
        summary = await press(a, ana, "Not sure")
        # the draft so far came along: what was typed on A and on B
        assert "Acme" in summary and "Analyst" in summary
        card = next(m for m in reversed(ana.messages) if m.find_button("✅ Save") is not None)
        save = str((card.find_button("✅ Save") or {})["callback_data"])
        await pair.on_b()
        await press(a, ana, "✅ Save")
        assert await interviews(a.runtime) == [("Acme", "Analyst")]
        assert await stored(a.runtime, ana) == ([], {})
        # the Save button tapped again (a client that still shows it) on the first replica
        # finds nothing left to save
        await pair.on_a()
        await forge_tap(a, ana, card, save)
        assert await interviews(a.runtime) == [("Acme", "Analyst")]


async def test_a_log_cancelled_on_one_replica_is_not_resumed_on_the_other(pair: Pair) -> None:
    a = pair.a
    ana = a.fake.add_user("Ana")
    await pair.on_a()
    await say(a, ana, "/timezone Europe/Berlin")
    await say(a, ana, "/log")
    assert ROLE_QUESTION in await say(a, ana, "Acme")
    await pair.on_b()
    assert "Stopped. I did not save that interview." in await say(a, ana, "/cancel")
    await pair.on_a()
    shown = await say(a, ana, "Analyst")
    assert NOT_UNDERSTOOD in shown and WHEN_QUESTION not in shown
    assert await stored(a.runtime, ana) == ([], {})
    assert await interviews(a.runtime) == []


async def test_a_log_lapsed_by_one_replica_is_over_on_the_other(pair: Pair) -> None:
    a, b = pair.a, pair.b
    timeout = timedelta(seconds=a.runtime.settings.conversation_timeout_seconds)
    ana = a.fake.add_user("Ana")
    await pair.on_b()
    await say(a, ana, "/timezone Europe/Berlin")
    await say(a, ana, "/log")
    assert ROLE_QUESTION in await say(a, ana, "Slow Corp")

    a.clock.advance(timeout + timedelta(minutes=1))
    # replica A sweeps, though it never saw this conversation
    assert await a.runtime.lapses.run() == 1
    assert await b.runtime.lapses.run() == 0
    await a.fake.settle()
    farewell = "We did not finish logging the interview at Slow Corp"
    assert sum(farewell in m.plain for m in ana.messages) == 1
    assert await stored(a.runtime, ana) == ([], {})

    # B, which asked the question, no longer takes an answer for it
    shown = await say(a, ana, "Engineer")
    assert NOT_UNDERSTOOD in shown and WHEN_QUESTION not in shown


async def test_memory_is_only_a_cache_forgotten_when_idle(pair: Pair) -> None:
    a = pair.a
    ana = a.fake.add_user("Ana")
    await pair.on_a()
    await say(a, ana, "/timezone Europe/Berlin")
    await say(a, ana, "/log")
    await say(a, ana, "Acme")
    application = a.application
    assert application is not None and "draft" in application.user_data[ana.id]
    # a quarter of an hour idle: the periodic flush forgets the user here...
    a.clock.advance(timedelta(minutes=16))
    await application.update_persistence()
    assert ana.id not in application.user_data
    # ...and their next answer still finds its question and the draft, in the database
    assert WHEN_QUESTION in await say(a, ana, "Analyst")
    names, data = await stored(a.runtime, ana)
    assert names == ["log"]
    assert (data["draft"]["company"], data["draft"]["role"]) == ("Acme", "Analyst")


# --- a replica killed ---------------------------------------------------------------------

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"


async def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds}s for {what}")
        await asyncio.sleep(0.05)


async def _answered(fake: FakeTelegram, user: FakeUser, text: str) -> str:
    """Send a message to a bot that runs in another process; wait for its new message."""
    count = len(user.messages)
    await user.send(text)
    await _until(lambda: len(user.messages) > count, 60.0, f"an answer to {text!r}")
    await fake.settle()
    return "\n".join(m.plain for m in user.messages[count:])


def _draft_in_file(database: Path, user_id: int) -> dict[str, Any]:
    import json
    import sqlite3

    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT data FROM user_data_records WHERE user_id = ?", (user_id,)
        ).fetchone()
    if row is None:
        return {}
    draft = json.loads(row[0]).get("draft")
    return draft if isinstance(draft, dict) else {}


@pytest.mark.timeout(180)
async def test_a_replica_killed_mid_conversation_loses_nothing_answered(tmp_path: Path) -> None:
    database = tmp_path / "killed.db"
    log = tmp_path / "replica-a.log"
    async with FakeTelegram(token=TOKEN) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=fake.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            # a flush that would come far too late: only what each update writes counts
            PERSISTENCE_FLUSH_SECONDS="3600",
            LOG_LEVEL="WARNING",
        )
        ana = fake.add_user("Ana")
        with log.open("ab") as out:
            replica_a = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
            )
        try:
            await _answered(fake, ana, "/timezone Europe/Berlin")
            assert COMPANY_QUESTION in await _answered(fake, ana, "/log")
            assert ROLE_QUESTION in await _answered(fake, ana, "Acme")
            assert WHEN_QUESTION in await _answered(fake, ana, "Analyst")
            # stored as the step ends, not on a flush
            await _until(
                lambda: _draft_in_file(database, ana.id).get("role") == "Analyst",
                10.0,
                "the answered step in the database",
            )
        finally:
            replica_a.send_signal(signal.SIGKILL)
            await replica_a.wait()

        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            bot_token=TOKEN,
            database_url=f"sqlite+aiosqlite:///{database}",
            telegram_base_url=fake.base_url,
            default_timezone="UTC",
        )
        replica_b = Replica(settings)
        fake.busy_probe = replica_b.busy
        await replica_b.start()
        try:
            for label in ("Today", "Earlier today, time unknown", "Phone"):
                await _tap(fake, ana, label)
            await _tap(fake, ana, "I don't have their names")
            await _tap(fake, ana, "Within a week")
            summary = await _tap(fake, ana, "Not sure")
            assert "Acme" in summary and "Analyst" in summary
            await _tap(fake, ana, "✅ Save")
            assert await interviews(replica_b.runtime) == [("Acme", "Analyst")]
            fake.assert_no_refusals()
        finally:
            await replica_b.stop()


async def _tap(fake: FakeTelegram, user: FakeUser, label: str) -> str:
    message = next(
        m
        for m in reversed(user.messages)
        if not m.deleted and any(label == text for row in m.buttons for text in row)
    )
    before = {m.message_id: m.text for m in user.messages}
    await user.tap(message, label)
    await fake.settle()
    return "\n".join(m.plain for m in user.messages if before.get(m.message_id) != m.text)


async def test_a_lapse_waits_for_a_step_under_way_and_then_spares_the_conversation(
    bot: RunningBot,
) -> None:
    """The sweep meets an answer being handled: it waits for the answer's write (the user's
    lock), sees a newer step in the database, and ends nothing."""
    assert bot.application is not None and bot.application.job_queue is not None
    for job in bot.application.job_queue.get_jobs_by_name("conversation-lapses"):
        job.schedule_removal()  # this test sweeps by hand, at the moment it chooses
    timeout = timedelta(seconds=bot.runtime.settings.conversation_timeout_seconds)
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Europe/Berlin")
    await say(bot, ana, "/log")
    await say(bot, ana, "Acme")
    bot.clock.advance(timeout + timedelta(minutes=1))

    # every reply now takes a while, so the answer is still being handled when the sweep runs
    bot.fake.latency = 0.3
    count = len(ana.messages)
    await ana.send("Analyst")
    application = bot.application
    await _until(
        lambda: bot.busy() and application.update_queue.empty(), 10.0, "the answer in hand"
    )
    assert await bot.runtime.lapses.run() == 0
    await bot.fake.settle()
    bot.fake.latency = 0.0
    shown = "\n".join(m.plain for m in ana.messages[count:])
    assert WHEN_QUESTION in shown and "We did not finish" not in shown
    names, data = await stored(bot.runtime, ana)
    assert names == ["log"] and data["draft"]["role"] == "Analyst"
