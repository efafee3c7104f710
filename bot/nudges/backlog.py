"""How far behind the nudges are: what /metrics reports as the dispatch lag."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Task, User
from bot.nudges.messages import OPEN_STATES


async def backlog(session: AsyncSession, now: datetime) -> tuple[int, float]:
    """How many tasks are due for a nudge now, and how late the oldest is, in seconds (0 when
    none is): the tasks the dispatcher would claim, whether or not a replica holds them now."""
    count, oldest = (
        await session.execute(
            select(func.count(Task.id), func.min(Task.next_nudge_at))
            .join(User, User.id == Task.user_id)
            .where(
                Task.state.in_(OPEN_STATES),
                Task.next_nudge_at <= now,
                User.reachable.is_(True),
                User.paused.is_(False),
            )
        )
    ).one()
    if oldest is None:
        return int(count), 0.0
    if oldest.tzinfo is None:
        # an aggregate comes back without the column's type on SQLite
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), max((now - oldest).total_seconds(), 0.0)
