"""End to end on PostgreSQL: the database away for five seconds, during a conversation and
during a dispatch. The user is asked politely to try again, nothing is half-saved, and the
dispatcher carries on by itself once the server is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.dbfaults import ThrowawayPostgres, fresh_schema
from tests.flows import say, seed_waiting_members

OUTAGE = 5.0


@pytest.fixture
async def pg_bot(postgres: ThrowawayPostgres, tmp_path: Path) -> AsyncIterator[RunningBot]:
    await fresh_schema(postgres.url)
    running = RunningBot(tmp_path / "unused.db", database_url=postgres.url)
    await running.start()
    assert running.application is not None and running.application.job_queue is not None
    for job in running.application.job_queue.jobs():
        # the test sweeps by hand, so it knows when the server is away
        job.schedule_removal()
    try:
        yield running
        await running.fake.settle()
        running.fake.assert_no_refusals()
    finally:
        await running.close()


@pytest.mark.timeout(120)
async def test_a_conversation_meets_the_outage_politely_and_nothing_is_half_saved(
    pg_bot: RunningBot, postgres: ThrowawayPostgres
) -> None:
    ana = pg_bot.fake.add_user("Ana", language_code="es")
    await say(pg_bot, ana, "/start")
    await say(pg_bot, ana, "Berlin")
    outage = asyncio.create_task(postgres.outage(OUTAGE))
    await asyncio.sleep(1.0)
    shown = await say(pg_bot, ana, "/goal 5")
    # in her language, and nothing that claims a save
    assert "Inténtalo de nuevo" in shown or "inténtalo de nuevo" in shown
    await outage
    assert (await stored_user(pg_bot, ana.id)).weekly_goal is None
    # back: the same request works, once
    await say(pg_bot, ana, "/goal 5")
    assert (await stored_user(pg_bot, ana.id)).weekly_goal == 5


@pytest.mark.timeout(120)
async def test_the_dispatcher_resumes_by_itself_after_the_outage(
    pg_bot: RunningBot, postgres: ThrowawayPostgres
) -> None:
    people = await seed_waiting_members(pg_bot, 20, "Outage Ltd")
    outage = asyncio.create_task(postgres.outage(OUTAGE))
    await asyncio.sleep(1.0)
    dispatcher = pg_bot.runtime.dispatcher
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises while it is down
        await dispatcher.sweep()
    await outage
    assert not dispatcher.busy
    await pg_bot.sweep()
    for person in people:
        nudges = [m for m in person.messages if "Outage Ltd" in m.plain]
        assert len(nudges) == 1, f"{person!r} got {len(nudges)} nudges"
