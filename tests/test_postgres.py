"""On PostgreSQL: migrations, a conversation, and two replicas sending each nudge exactly once."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.clock import MovableClock
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.nudges.dispatcher import Dispatcher
from bot.runtime import Runtime
from fakeapi.running import RunningBot
from tests.dbfaults import free_port, fresh_schema, required_postgres_binaries
from tests.flows import say, seed_waiting_members


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free local port, removed afterwards."""
    binaries = required_postgres_binaries()
    folder = Path(tempfile.mkdtemp(prefix="afterview-pg-"))
    data = folder / "data"
    port = free_port()
    # initdb refuses to run as root: run the server as the postgres user when we are root
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
        folder.chmod(0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    run = lambda *args: subprocess.run(  # noqa: E731
        [*prefix, *args], check=True, capture_output=True, timeout=120
    )
    run(str(binaries / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(folder / "log"),
        "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off",
        "start",
    )
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def pg_bot(postgres_url: str, tmp_path: Path) -> AsyncIterator[RunningBot]:
    await fresh_schema(postgres_url)
    running = RunningBot(tmp_path / "unused.db", database_url=postgres_url)
    await running.start()
    try:
        yield running
        await running.fake.settle()
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def test_migrations_and_a_conversation_on_postgres(pg_bot: RunningBot) -> None:
    ana = pg_bot.fake.add_user("Ana")
    assert "Which time zone are you in?" in await say(pg_bot, ana, "/start")
    assert "Europe/Berlin" in await say(pg_bot, ana, "Berlin")
    await pg_bot.restart()
    assert "Europe/Berlin" in await say(pg_bot, ana, "/help")


async def test_two_replicas_send_each_nudge_exactly_once(pg_bot: RunningBot) -> None:
    people = await seed_waiting_members(pg_bot, 60, "Replica Ltd")
    now = pg_bot.clock.now()

    # a second replica: its own engine and dispatcher, the same database and Bot API
    assert pg_bot.application is not None
    settings: Settings = pg_bot.runtime.settings
    other = Runtime(settings=settings, clock=MovableClock(now))
    other.engine = make_engine(settings.database_url)
    other.sessionmaker = make_sessionmaker(other.engine)
    replica = Dispatcher(other, pg_bot.application.bot)
    try:
        sent = await asyncio.gather(pg_bot.runtime.dispatcher.sweep(), replica.sweep())
    finally:
        await other.engine.dispose()
    await pg_bot.fake.settle()
    assert sum(sent) == 60
    for person in people:
        nudges = [m for m in person.messages if "Replica Ltd" in m.plain]
        assert len(nudges) == 1, f"{person!r} got {len(nudges)} nudges"
