"""A user's references as the rest of the bot needs them: listing, and who was told when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview, Reference, ReferenceWarning


async def list_references(session: AsyncSession, user_id: int) -> Sequence[Reference]:
    """The user's references in the order they were added."""
    return (
        await session.scalars(
            select(Reference).where(Reference.user_id == user_id).order_by(Reference.id)
        )
    ).all()


async def find_reference(
    session: AsyncSession, user_id: int, reference_id: int | None
) -> Reference | None:
    """The reference if it exists and belongs to this user; None for anyone else's."""
    if reference_id is None:
        return None
    return await session.scalar(
        select(Reference).where(Reference.id == reference_id, Reference.user_id == user_id)
    )


async def mark_told(
    session: AsyncSession, user_id: int, reference_id: int, interview_id: int, at: datetime
) -> bool:
    """Note that the reference was given a heads-up for the interview; both must be the
    user's. Telling them twice keeps the first time. False when either is not theirs."""
    reference = await find_reference(session, user_id, reference_id)
    interview = await session.scalar(
        select(Interview).where(Interview.id == interview_id, Interview.user_id == user_id)
    )
    if reference is None or interview is None:
        return False
    known = await session.scalar(
        select(ReferenceWarning).where(
            ReferenceWarning.reference_id == reference_id,
            ReferenceWarning.interview_id == interview_id,
        )
    )
    if known is None:
        session.add(
            ReferenceWarning(reference_id=reference_id, interview_id=interview_id, warned_at=at)
        )
        await session.flush()
    return True


async def unmark_told(
    session: AsyncSession, user_id: int, reference_id: int, interview_id: int
) -> None:
    """Undo a mark made by mistake; nothing happens for someone else's reference."""
    if await find_reference(session, user_id, reference_id) is None:
        return
    await session.execute(
        delete(ReferenceWarning).where(
            ReferenceWarning.reference_id == reference_id,
            ReferenceWarning.interview_id == interview_id,
        )
    )


async def told_for(session: AsyncSession, user_id: int, interview_id: int) -> Sequence[Reference]:
    """The user's references who were told about this interview, in the order they were added."""
    return (
        await session.scalars(
            select(Reference)
            .join(ReferenceWarning, ReferenceWarning.reference_id == Reference.id)
            .where(Reference.user_id == user_id, ReferenceWarning.interview_id == interview_id)
            .order_by(Reference.id)
        )
    ).all()
