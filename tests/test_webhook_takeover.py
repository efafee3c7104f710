"""An update the webhook answered 200 is Telegram's no longer: a replica killed before handling it
must not lose it. Replica A (a real process) takes Ana's update and is killed with SIGKILL while
handling it; replica B takes it over once A's hold has lapsed, and handles it, in order with the
update Ana sends next."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot, Update

from bot.clock import MovableClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import alembic_config
from bot.runtime import Runtime
from bot.web.metrics import CountingApplication
from bot.web.received import LEASE, ReceivedUpdates
from fakeapi.faults import Fault
from fakeapi.server import FakeTelegram, FakeUser
from tests.dbfaults import free_port
from tests.test_e2e_concurrency import until
from tests.test_e2e_replicas_conversation import Replica
from tests.webhookbot import PUBLIC_ORIGIN, SECRET, WEBHOOK_URL, origin_of

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
GREETING = "Hi Ana!"


def _unhandled(database: Path) -> list[int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT update_id FROM received_updates WHERE handled_at IS NULL"
        ).fetchall()
    return [row[0] for row in rows]


@dataclass
class Killed:
    fake: FakeTelegram
    database: Path
    ana: FakeUser
    b: Replica
    clock: MovableClock


@asynccontextmanager
async def _held_by_a_killed_replica(tmp_path: Path) -> AsyncIterator[Killed]:
    """Replica A (a process) takes Ana's /start, hangs on its reply and is killed; replica B
    (in this process, its clock movable) serves the same database."""
    database = tmp_path / "takeover.db"
    port = free_port()
    async with FakeTelegram(token=TOKEN) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=fake.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
            LOG_LEVEL="WARNING",
        )
        fake.webhooks.route(PUBLIC_ORIGIN, f"http://127.0.0.1:{port}")
        ana = fake.add_user("Ana")
        with (tmp_path / "replica-a.log").open("ab") as out:
            replica_a = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
            )
        try:
            await until(lambda: fake.webhooks.url == WEBHOOK_URL, "replica A's setWebhook")
            # A's greeting never gets through: A is killed while it waits for it
            hang = fake.faults.add(Fault.HANG, method="sendMessage", chat_id=ana.id)
            await ana.send("/start")
            await until(lambda: hang.fired == 1, "replica A handling the /start")
        finally:
            replica_a.send_signal(signal.SIGKILL)
            await replica_a.wait()
        assert not ana.messages
        assert len(_unhandled(database)) == 1

        clock = MovableClock(datetime.now(UTC))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            bot_token=TOKEN,
            database_url=f"sqlite+aiosqlite:///{database}",
            telegram_base_url=fake.base_url,
            default_timezone="UTC",
            webhook_url=WEBHOOK_URL,
            webhook_secret=SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=0,
        )
        b = Replica(settings, clock=clock)
        fake.busy_probe = b.busy
        await b.start()
        application = b.application
        assert isinstance(application, CountingApplication) and application.web is not None
        application.web.received.renew_every = 0.1
        # the load balancer now sends everything to B
        fake.webhooks.route(PUBLIC_ORIGIN, origin_of(application))
        try:
            yield Killed(fake, database, ana, b, clock)
            fake.assert_no_refusals()
        finally:
            await b.stop()


@pytest.mark.timeout(120)
async def test_an_update_a_killed_replica_held_is_handled_by_another(tmp_path: Path) -> None:
    async with _held_by_a_killed_replica(tmp_path) as killed:
        # still A's while its hold runs: B leaves it alone
        await asyncio.sleep(0.5)
        assert not killed.ana.messages
        killed.clock.advance(LEASE + timedelta(seconds=1))
        await until(lambda: bool(killed.ana.messages), "the greeting from replica B")
        await killed.fake.settle()
        assert GREETING in killed.ana.messages[0].plain
        assert sum(GREETING in m.plain for m in killed.ana.messages) == 1
        assert _unhandled(killed.database) == []


@pytest.mark.timeout(120)
async def test_the_next_update_on_another_replica_takes_the_held_one_first(
    tmp_path: Path,
) -> None:
    async with _held_by_a_killed_replica(tmp_path) as killed:
        ana = killed.ana
        await ana.send("/help")
        # B waits for the /start A holds, rather than answering /help out of turn
        await until(lambda: len(killed.fake.webhooks.attempts) >= 2, "the /help posted")
        await asyncio.sleep(0.5)
        assert not ana.messages
        killed.clock.advance(LEASE + timedelta(seconds=1))
        await until(lambda: any("What I can do" in m.plain for m in ana.messages), "the help")
        await killed.fake.settle()
        texts = [m.plain for m in ana.messages]
        assert GREETING in texts[0]
        assert sum(GREETING in text for text in texts) == 1
        assert "What I can do" in texts[-1]
        assert _unhandled(killed.database) == []


# --- marking an update handled while the database is away --------------------------------


def _runtime(engine: AsyncEngine, clock: MovableClock) -> Runtime:
    settings = Settings(_env_file=None, bot_token=TOKEN)  # type: ignore[call-arg]
    return Runtime(settings=settings, clock=clock, engine=engine)


async def test_an_update_handled_while_the_database_was_away_is_never_handled_again(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'marks.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
        clock = MovableClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        bot = Bot(TOKEN)
        a = ReceivedUpdates(_runtime(engine, clock), bot, lambda: None)
        b = ReceivedUpdates(_runtime(engine, clock), bot, lambda: None)
        body = {
            "update_id": 41,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": 7, "type": "private"},
                "from": {"id": 7, "is_bot": False, "first_name": "Ana"},
                "text": "Acme",
            },
        }
        assert await a.first_time(41, 7, json.dumps(body))
        update = Update.de_json(body, bot)
        assert update is not None

        # handled; then the database refuses the mark
        original = a._mark_handled

        async def refused(ids: list[int]) -> None:
            raise OSError("the database went away")

        a._mark_handled = refused  # type: ignore[method-assign]
        await a.turn_done(update)
        a._mark_handled = original  # type: ignore[method-assign]

        # A keeps its hold while it tries again, and the next try marks it
        a.renew_every = 0.01
        keeper = asyncio.create_task(a.keep(lambda: 100, lambda _: asyncio.sleep(0)))
        await until(lambda: not a.in_hand, "the mark on the next renewal")
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        clock.advance(LEASE + timedelta(seconds=1))
        # so no replica takes it over to handle it a second time
        assert await b.lapsed(100) == []
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT handled_at, payload FROM received_updates WHERE update_id = 41")
                )
            ).one()
        assert row.handled_at is not None and row.payload is None
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
