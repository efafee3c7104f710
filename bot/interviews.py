"""A user's interviews as the handlers need them: one found by id, for its owner only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Interview


async def find_interview(
    session: AsyncSession, user_id: int, interview_id: int | None
) -> Interview | None:
    """The interview with its interviewers if it exists and belongs to this user; None for
    anyone else's, so a forged id in callback data finds nothing."""
    if interview_id is None:
        return None
    return await session.scalar(
        select(Interview)
        .where(Interview.id == interview_id, Interview.user_id == user_id)
        .options(selectinload(Interview.interviewers))
    )
