"""The connection pool serves the oldest work first, and hands a returned connection over so
that nobody asking later can take it in between (bot/db/pool.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from bot.db.engine import make_engine
from bot.db.pool import OldestFirstPool, OldestFirstQueue, since_update_arrived, work_since
from bot.updates import OrderedUpdateProcessor
from tests.test_updates import message, submit


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    # one connection, so every other request waits for it
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}",
        poolclass=OldestFirstPool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=5,
    )
    yield engine
    await engine.dispose()


def waiting(engine: AsyncEngine) -> int:
    pool = engine.sync_engine.pool
    assert isinstance(pool, OldestFirstPool)
    return int(pool._pool.waiting)  # type: ignore[attr-defined]


async def until(condition: object, what: str) -> None:
    for _ in range(500):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def use(engine: AsyncEngine, name: str, served: list[str]) -> None:
    async with engine.connect() as connection:
        served.append(name)
        await connection.execute(text("SELECT 1"))


async def test_the_engine_of_a_file_database_serves_the_oldest_first(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        assert isinstance(engine.sync_engine.pool, OldestFirstPool)
    finally:
        await engine.dispose()


async def test_a_returned_connection_goes_to_the_update_that_arrived_first(
    engine: AsyncEngine,
) -> None:
    served: list[str] = []
    holder: AsyncConnection = await engine.connect()
    await holder.execute(text("SELECT 1"))
    arrived = asyncio.Event()

    async def older() -> None:
        # arrives first, but asks for a connection only after the younger one did
        since_update_arrived()
        arrived.set()
        await until(lambda: waiting(engine) == 1, "the younger update waiting")
        await use(engine, "older", served)

    async def younger() -> None:
        await arrived.wait()
        await asyncio.sleep(0.01)
        since_update_arrived()
        await use(engine, "younger", served)

    tasks = [asyncio.ensure_future(older()), asyncio.ensure_future(younger())]
    await until(lambda: waiting(engine) == 2, "both waiting")
    await holder.close()
    await asyncio.gather(*tasks)
    # first come, first served would have served the younger one first
    assert served == ["older", "younger"]


async def test_nobody_asking_later_takes_a_connection_handed_to_a_waiter(
    engine: AsyncEngine,
) -> None:
    served: list[str] = []
    holder = await engine.connect()
    await holder.execute(text("SELECT 1"))
    waiter = asyncio.ensure_future(use(engine, "waiter", served))
    await until(lambda: waiting(engine) == 1, "the waiter waiting")
    # the connection comes back, and in the same turn of the loop someone new asks: with
    # SQLAlchemy's own queue the newcomer takes it and the waiter goes to the back of the line
    await holder.close()
    newcomer = asyncio.ensure_future(use(engine, "newcomer", served))
    await asyncio.gather(waiter, newcomer)
    assert served == ["waiter", "newcomer"]


async def test_a_waiter_cancelled_after_the_hand_over_passes_the_connection_on() -> None:
    queue: OldestFirstQueue[str] = OldestFirstQueue(1)
    # SQLAlchemy asks the queue from inside its greenlet, as here
    first = asyncio.ensure_future(greenlet_spawn(queue.get, True, None))
    await until(lambda: queue.waiting == 1, "the first waiting")
    second = asyncio.ensure_future(greenlet_spawn(queue.get, True, None))
    await until(lambda: queue.waiting == 2, "the second waiting")
    # handed to the first waiter, which is cancelled before it runs again
    queue.put("connection")
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    # the one connection is not lost: the second waiter has it
    assert await asyncio.wait_for(second, 5) == "connection"
    queue.put("connection")
    assert queue.qsize() == 1 and await greenlet_spawn(queue.get, False) == "connection"


async def test_a_request_that_waits_too_long_gets_the_pools_time_out(tmp_path: Path) -> None:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}",
        poolclass=OldestFirstPool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.2,
    )
    try:
        holder = await engine.connect()
        await holder.execute(text("SELECT 1"))
        with pytest.raises(PoolTimeout):
            await use(engine, "late", [])
        await holder.close()
        # the timed-out request left nothing behind: the connection serves the next one
        served: list[str] = []
        await asyncio.wait_for(use(engine, "next", served), 5)
        assert served == ["next"]
    finally:
        await engine.dispose()


async def test_each_update_counts_from_its_arrival_at_the_processor() -> None:
    processor = OrderedUpdateProcessor(4)
    seen: dict[str, float | None] = {}
    outside = work_since()

    async def handler(name: str) -> None:
        seen[name] = work_since()

    # as PTB hands them over: each update in its own task
    await submit(processor, message(1), handler("a"))
    await submit(processor, message(2), handler("b"))
    a, b = seen["a"], seen["b"]
    assert a is not None and b is not None and a <= b
    # the mark belongs to the update's task, not to whoever handed it over
    assert work_since() is outside
