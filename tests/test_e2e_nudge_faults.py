"""End to end: nudges under Telegram's failures — none lost, none sent after it stopped being
due, and a repeat only where an answer was lost (the README's delivery sentence)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.db.models import Task
from fakeapi.faults import Fault
from fakeapi.running import RunningBot
from tests.flows import seed_waiting_members

pytestmark = pytest.mark.swept_by_hand


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot with a one-second client timeout and no background sweep."""
    bot = RunningBot(tmp_path / "afterview.db", client_timeout=1.0)
    await bot.start()
    assert bot.application is not None and bot.application.job_queue is not None
    for job in bot.application.job_queue.get_jobs_by_name("nudge-sweep"):
        job.schedule_removal()
    try:
        yield bot
        await bot.fake.settle()
        bot.fake.assert_no_refusals()
    finally:
        await bot.close()


def received(bot: RunningBot, user_ids: list[int]) -> Counter[int]:
    """How many nudge messages each user has in their chat."""
    return Counter(
        {uid: len([m for m in bot.fake.messages(uid) if "Acme" in m.plain]) for uid in user_ids}
    )


async def test_a_task_done_after_the_claim_is_not_sent(running: RunningBot) -> None:
    people = await seed_waiting_members(running, 2, "Acme")
    dispatcher = running.runtime.dispatcher
    token, claimed = await dispatcher._claim()
    assert set(claimed) == {p.id for p in people}
    # the first person taps Done on everything between the claim and the send
    async with running.runtime.session() as session, session.begin():
        await session.execute(
            update(Task)
            .where(Task.user_id == people[0].id)
            .values(state="done", next_nudge_at=None, claim_token=None, claimed_until=None)
        )
    await dispatcher._deliver(token, claimed)
    await running.fake.settle()
    assert received(running, [p.id for p in people]) == {people[0].id: 0, people[1].id: 1}
    async with running.runtime.session() as session:
        states = set(
            (await session.scalars(select(Task.state).where(Task.user_id == people[0].id))).all()
        )
    assert states == {"done"}


async def test_unavailable_telegram_loses_nothing_and_repeats_nothing(
    running: RunningBot,
) -> None:
    people = await seed_waiting_members(running, 1000, "Acme")
    ids = [p.id for p in people]
    # a fifth of the sends are answered 500 (not performed)
    running.faults.add(Fault.SERVER_ERROR, method="sendMessage", share=0.2, seed=7)
    await running.sweep()
    for _ in range(3):
        running.clock.advance(timedelta(minutes=6))
        await running.sweep()
    assert running.faults.fired
    assert received(running, ids) == dict.fromkeys(ids, 1)


@pytest.mark.parametrize("kind", [Fault.HANG, Fault.DROP])
async def test_a_send_that_was_not_performed_arrives_once(running: RunningBot, kind: Fault) -> None:
    people = await seed_waiting_members(running, 3, "Acme")
    ids = [p.id for p in people]
    running.faults.add(kind, method="sendMessage", chat_id=ids[1], times=1)
    await running.sweep()
    running.clock.advance(timedelta(minutes=11))
    await running.sweep()
    assert received(running, ids) == dict.fromkeys(ids, 1)


@pytest.mark.parametrize("kind", [Fault.DELIVERED_HANG, Fault.DELIVERED_DROP])
async def test_a_lost_answer_repeats_that_nudge_at_most_once(
    running: RunningBot, kind: Fault
) -> None:
    people = await seed_waiting_members(running, 3, "Acme")
    ids = [p.id for p in people]
    running.faults.add(kind, method="sendMessage", chat_id=ids[1], times=1)
    await running.sweep()
    # not again at once: only after the pause
    await running.sweep()
    assert received(running, ids)[ids[1]] == 1
    running.clock.advance(timedelta(minutes=11))
    await running.sweep()
    for _ in range(3):
        running.clock.advance(timedelta(minutes=30))
        await running.sweep()
    counts = received(running, ids)
    assert counts[ids[0]] == counts[ids[2]] == 1
    assert counts[ids[1]] == 2
    # recorded as sent like everyone else's: nothing is left to go out a third time
    assert await task_states(running, ids[1]) == await task_states(running, ids[0])


async def task_states(bot: RunningBot, user_id: int) -> list[tuple[str, str]]:
    async with bot.runtime.session() as session:
        rows = await session.execute(
            select(Task.kind, Task.state).where(Task.user_id == user_id).order_by(Task.id)
        )
        return [(kind, state) for kind, state in rows]


@pytest.mark.timeout(180)
async def test_a_long_429_mid_dispatch_is_waited_out_and_loses_nothing(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one send at a time: with several in flight, those already on their way when the 429
    # comes are refused too, and the fake cannot tell them from a bot that did not wait
    monkeypatch.setattr("bot.nudges.dispatcher.CONCURRENCY", 1)
    people = await seed_waiting_members(running, 40, "Acme")
    ids = [p.id for p in people]
    # after ten sends, Telegram asks for 30 seconds of quiet: any request before then is
    # refused again (and counted as a refusal, which fails the test)
    running.faults.add(Fault.FLOOD, method="sendMessage", after=10, times=1, retry_after=30)
    started = asyncio.get_running_loop().time()
    await running.sweep()
    assert asyncio.get_running_loop().time() - started >= 30
    assert [f.kind for f in running.faults.fired] == [Fault.FLOOD]
    assert received(running, ids) == dict.fromkeys(ids, 1)
