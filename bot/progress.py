"""Loads what the weekly goal and /stats count from the database."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Interview, ReferenceWarning, Task, User
from bot.domain.plan import THANK_YOU
from bot.domain.progress import (
    FINAL_OUTCOMES,
    Activity,
    FollowUp,
    WeekProgress,
    local_week,
    valid_goal,
    week_bounds,
)


async def progress_this_week(
    session: AsyncSession, user: User, now: datetime, tz: tzinfo
) -> WeekProgress:
    """Applications since Monday in the user's zone, against their weekly goal.

    For /applied ("3 of 5 this week") and the keep-applying nudge: pass the user's zone."""
    start, end = week_bounds(now, tz)
    count = await session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.user_id == user.id,
            Application.applied_at >= start,
            Application.applied_at < end,
        )
    )
    goal = user.weekly_goal if valid_goal(user.weekly_goal) else None
    return WeekProgress(local_week(now, tz), int(count or 0), goal)


async def load_activity(session: AsyncSession, user_id: int, now: datetime) -> Activity:
    """Every moment /stats counts for one user."""
    applications = list(
        await session.scalars(select(Application.applied_at).where(Application.user_id == user_id))
    )
    rows = (
        await session.execute(
            select(
                Interview.scheduled_at,
                Interview.outcome,
                Interview.outcome_at,
                Interview.updated_at,
            ).where(Interview.user_id == user_id)
        )
    ).all()
    held = [row.scheduled_at for row in rows if row.scheduled_at <= now]
    upcoming = sum(1 for row in rows if row.scheduled_at > now and row.outcome != "withdrawn")
    # an answer recorded before outcome_at was kept counts from the row's last change
    outcomes = [
        (row.outcome, row.outcome_at or row.updated_at)
        for row in rows
        if row.outcome in FINAL_OUTCOMES
    ]
    waiting = sum(1 for row in rows if row.outcome == "awaiting" and row.scheduled_at <= now)
    follow_ups = [
        FollowUp(due_at=row.due_at, done_at=row.done_at)
        for row in (
            await session.execute(
                select(Task.due_at, Task.done_at).where(
                    Task.user_id == user_id,
                    Task.kind == THANK_YOU,
                    Task.state == "done",
                    Task.done_at.is_not(None),
                )
            )
        ).all()
    ]
    told = list(
        await session.scalars(
            select(ReferenceWarning.warned_at)
            .join(Interview, Interview.id == ReferenceWarning.interview_id)
            .where(Interview.user_id == user_id)
        )
    )
    return Activity(
        applications=applications,
        interviews=held,
        upcoming_interviews=upcoming,
        follow_ups=follow_ups,
        references_told=told,
        outcomes=outcomes,
        waiting=waiting,
    )
