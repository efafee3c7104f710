"""Loads what the weekly goal and /stats count from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Interview, ReferenceWarning, Task, User
from bot.domain.plan import KEEP_APPLYING, THANK_YOU
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


async def keep_applying_progress(
    session: AsyncSession, task: Task, now: datetime, tz: tzinfo
) -> tuple[WeekProgress | None, WeekProgress | None]:
    """For a keep-applying reminder: this week's progress, and last week's when it ended short
    of the goal and this is the first reminder of the new week (once, and kindly)."""
    user = await session.get(User, task.user_id)
    if user is None:
        return None, None
    progress = await progress_this_week(session, user, now, tz)
    if progress.goal is None:
        return progress, None
    # the week the reminder went out in (or goes out now), so a re-drawn message reads the same
    sent_at = task.last_nudged_at or now
    week_began, _end = week_bounds(sent_at, tz)
    earlier = await session.scalar(
        select(func.max(Task.last_nudged_at)).where(
            Task.user_id == user.id,
            Task.kind == KEEP_APPLYING,
            Task.id != task.id,
            Task.last_nudged_at < sent_at,
        )
    )
    if earlier is not None and earlier.tzinfo is None:
        # an aggregate comes back without the column's type on SQLite
        earlier = earlier.replace(tzinfo=UTC)
    if earlier is None or earlier >= week_began:
        # not the first reminder of this week, or the very first one: nothing to look back on
        return progress, None
    last_week = await progress_this_week(session, user, week_began - timedelta(days=1), tz)
    return progress, last_week if not last_week.met else None
