"""Fixtures: the real bot running against the local fake of the Bot API, with a movable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import User
from fakeapi.running import RunningBot
from tests.dbfaults import ThrowawayPostgres, required_postgres_binaries


@pytest.fixture
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot, started; the test fails if the bot made any request Telegram would refuse.

    Marked `swept_by_hand`, a test gets a bot whose nudges go out only when it sweeps, so it
    can count them."""
    running = RunningBot(tmp_path / "afterview.db")
    await running.start()
    if request.node.get_closest_marker("swept_by_hand") is not None:
        assert running.application is not None and running.application.job_queue is not None
        for job in running.application.job_queue.get_jobs_by_name("nudge-sweep"):
            job.schedule_removal()
    try:
        yield running
        await running.fake.settle()
        running.fake.assert_no_refusals()
    finally:
        await running.close()


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    """A throwaway PostgreSQL cluster for a test module; CI fails, not skips, without binaries."""
    cluster = ThrowawayPostgres(required_postgres_binaries())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


async def stored_user(bot: RunningBot, user_id: int) -> User:
    async with bot.runtime.session() as session:
        user = await session.scalar(select(User).where(User.id == user_id))
    assert user is not None
    return user
