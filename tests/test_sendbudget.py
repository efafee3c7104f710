"""The send budget replicas share on PostgreSQL: a group's limit holds across two replicas, a
killed replica's slots stop counting, and SQLite shares nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import sendbudget
from bot.db.engine import make_engine
from bot.db.migrate import upgrade_to_head
from bot.sendbudget import Limit, SharedBudget, scopes_for
from tests.dbfaults import ThrowawayPostgres

GROUP = -1001234567890


@pytest.fixture
async def engines(postgres: ThrowawayPostgres) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one database, as two replicas have."""
    first, second = make_engine(postgres.url), make_engine(postgres.url)
    async with first.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        await connection.exec_driver_sql("CREATE SCHEMA public")
    await upgrade_to_head(first)
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


def test_a_group_draws_on_its_own_budget_and_the_overall_one() -> None:
    assert [scope for scope, _ in scopes_for(GROUP)] == [f"chat:{GROUP}", "all"]
    assert [scope for scope, _ in scopes_for("@club")] == ["chat:@club", "all"]
    assert [scope for scope, _ in scopes_for(42)] == ["all"]


async def test_two_replicas_together_keep_a_groups_limit(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram's 20 a minute, scaled down so the test waits seconds rather than a minute
    monkeypatch.setattr(sendbudget, "GROUP", Limit(3, 1.5))
    first, second = (SharedBudget(lambda e=e: e) for e in engines)  # type: ignore[misc]
    freed_at: list[float] = []
    for budget in (first, second, first):
        slots = await budget.take(GROUP)
        assert len(slots) == 2
        await budget.free(slots)
        freed_at.append(time.monotonic())
    # a fourth, from either replica, waits until the first one's period has passed
    slots = await second.take(GROUP)
    assert time.monotonic() >= freed_at[0] + 1.5 - 0.05
    assert second.waits > 0
    await second.free(slots)
    # a private chat is not held up by the group's budget
    started = time.monotonic()
    await first.free(await first.take(42))
    assert time.monotonic() - started < 1.5


async def test_a_killed_replicas_slots_stop_counting(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sendbudget, "OVERALL", Limit(2, 1.0))
    monkeypatch.setattr(sendbudget, "STALE_AFTER", 2.0)
    dead, living = (SharedBudget(lambda e=e: e) for e in engines)  # type: ignore[misc]
    # the dead replica took every slot and never came back to free them
    await dead.take(42)
    await dead.take(43)
    taken_at = time.monotonic()
    slots = await asyncio.wait_for(living.take(44), timeout=30)
    assert time.monotonic() >= taken_at + 2.0 - 0.05
    await living.free(slots)


async def test_sqlite_shares_nothing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    try:
        budget = SharedBudget(lambda: engine)
        assert await budget.take(GROUP) == []
        assert await SharedBudget(lambda: None).take(GROUP) == []
    finally:
        await engine.dispose()


async def test_a_process_serves_its_waiting_requests_in_order_and_asks_once_per_slot(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sendbudget, "OVERALL", Limit(2, 0.5))
    budget = SharedBudget(lambda: engines[0])
    served: list[int] = []

    async def send(chat: int) -> None:
        slots = await budget.take(chat)
        served.append(chat)
        await budget.free(slots)

    chats = list(range(1, 9))
    tasks = []
    for chat in chats:
        tasks.append(asyncio.create_task(send(chat)))
        await asyncio.sleep(0.01)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    assert served == chats
    # only the head of the queue asks the database again: about one wait per slot waited for,
    # where every waiter polling on its own would ask several times each
    assert budget.waits <= 2 * (len(chats) - 2)


async def test_a_group_at_its_limit_holds_up_no_one_else_in_the_process(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sendbudget, "GROUP", Limit(1, 5.0))
    budget = SharedBudget(lambda: engines[0])
    await budget.free(await budget.take(GROUP))
    waiting = asyncio.create_task(budget.take(GROUP))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    started = time.monotonic()
    await budget.free(await budget.take(42))
    assert time.monotonic() - started < 2.0
    assert not waiting.done()
    await budget.free(await asyncio.wait_for(waiting, timeout=30))
