"""The database-fault helpers do what they say: SQLite really locked, PostgreSQL restarted."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db.engine import make_engine
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.dbfaults import (
    SqliteWriterLock,
    ThrowawayPostgres,
    lock_sqlite_for,
)
from tests.flows import say


async def _sqlite_with_a_table(path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE note (body TEXT)")
    await engine.dispose()


async def test_a_write_waits_out_a_short_lock(tmp_path: Path) -> None:
    database = tmp_path / "locked.db"
    await _sqlite_with_a_table(database)
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        released = await lock_sqlite_for(database, 0.5)
        began = time.monotonic()
        # the bot's connections wait up to their busy timeout (ten seconds) for the writer
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO note VALUES ('after the lock')"))
        waited = time.monotonic() - began
        await released
        assert waited >= 0.4
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM note"))).scalars().all()
        assert rows == ["after the lock"]
    finally:
        await engine.dispose()


async def test_a_write_fails_when_the_lock_outlasts_its_busy_timeout(tmp_path: Path) -> None:
    database = tmp_path / "locked.db"
    await _sqlite_with_a_table(database)
    impatient = sqlite3.connect(database, timeout=0.1, isolation_level=None)
    try:
        async with SqliteWriterLock(database) as lock:
            assert lock.held
            began = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                impatient.execute("INSERT INTO note VALUES ('during the lock')")
            assert 0.05 <= time.monotonic() - began < 2.0
            # another writer, not a dead file: under WAL, reading goes on
            assert impatient.execute("SELECT count(*) FROM note").fetchone() == (0,)
        assert not lock.held
        impatient.execute("INSERT INTO note VALUES ('after the lock')")
        assert impatient.execute("SELECT count(*) FROM note").fetchone() == (1,)
    finally:
        impatient.close()


async def test_the_bot_waits_for_a_locked_database(bot: RunningBot) -> None:
    released = await lock_sqlite_for(bot.database, 0.6)
    ana = bot.fake.add_user("Ana")
    began = time.monotonic()
    assert "Which time zone are you in?" in await say(bot, ana, "/start")
    assert time.monotonic() - began >= 0.5
    await released
    assert (await stored_user(bot, ana.id)).first_name == "Ana"


async def test_postgres_down_then_back(postgres: ThrowawayPostgres) -> None:
    engine = make_engine(postgres.url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP TABLE IF EXISTS note")
            await connection.exec_driver_sql("CREATE TABLE note (body TEXT)")
            await connection.exec_driver_sql("INSERT INTO note VALUES ('before')")
        held = await engine.connect()
        await asyncio.to_thread(postgres.stop)
        # down: the open connection is broken and a new one is refused
        with pytest.raises(DBAPIError):
            await held.execute(text("SELECT 1"))
        await held.close()
        with pytest.raises((DBAPIError, OSError)):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        await asyncio.to_thread(postgres.start)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM note"))).scalars().all()
        assert rows == ["before"]
    finally:
        await engine.dispose()


async def test_postgres_outage_breaks_pooled_connections(postgres: ThrowawayPostgres) -> None:
    engine = make_engine(postgres.url)
    try:
        async with engine.connect() as connection:
            before = (await connection.execute(text("SELECT pg_postmaster_start_time()"))).scalar()
        await postgres.outage(0.2)
        # the pool's connection died with the server; pre-ping replaces it with a working one
        async with engine.connect() as connection:
            after = (await connection.execute(text("SELECT pg_postmaster_start_time()"))).scalar()
        assert after is not None and before is not None and after > before
    finally:
        await engine.dispose()


def test_missing_postgres_fails_the_run_unless_skipped_on_purpose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests import dbfaults

    monkeypatch.setattr(dbfaults, "postgres_binaries", lambda: None)
    monkeypatch.delenv(dbfaults.SKIP_POSTGRES, raising=False)
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        dbfaults.required_postgres_binaries()
    monkeypatch.setenv(dbfaults.SKIP_POSTGRES, "1")
    with pytest.raises(pytest.skip.Exception):
        dbfaults.required_postgres_binaries()
