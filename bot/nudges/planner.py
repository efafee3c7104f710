"""Reconciles an interview's planned tasks with the task rows in the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Interview, Task, User
from bot.domain.plan import (
    BEFORE_YOU_LEAVE,
    DEBRIEF,
    KEEP_APPLYING,
    WAITING,
    InterviewFacts,
    PlannedTask,
    Prefs,
    keep_applying_next,
    plan_interview,
)
from bot.domain.zones import zone_info

OPEN_STATES = ("pending", "sent", "snoozed")
FINISHED_STATES = ("done", "skipped")


def prefs_of(user: User, default_zone: str = "UTC") -> Prefs:
    return Prefs(
        tz=zone_info(user.timezone or default_zone),
        country=user.country,
        nudge_hour=user.nudge_hour,
        quiet_hour=user.quiet_hour,
        keep_applying_days=user.keep_applying_days,
    )


def facts_of(interview: Interview) -> InterviewFacts:
    return InterviewFacts(
        scheduled_at=interview.scheduled_at,
        outcome=interview.outcome,
        outcome_at=interview.outcome_at,
        feeling=interview.feeling,
        response_by=interview.response_by,
        interviewer_ids=tuple(p.id for p in interview.interviewers),
        time_known=interview.time_known,
    )


async def with_offers(
    session: AsyncSession, interview: Interview, facts: InterviewFacts
) -> InterviewFacts:
    """The facts with what the user's other interviews add: an offer there, one accepted."""
    offers = (
        await session.execute(
            select(Interview.id, Interview.outcome_at, Interview.offer_accepted_at).where(
                Interview.user_id == interview.user_id,
                Interview.outcome == "offer",
                Interview.id != interview.id,
            )
        )
    ).all()
    accepted = [at for _id, _when, at in offers if at is not None]
    open_offers = [when or at for _id, when, at in offers]
    return replace(
        facts,
        offer_elsewhere_at=max((t for t in open_offers if t is not None), default=None),
        accepted_elsewhere_at=min(accepted, default=None),
        accepted=interview.outcome == "offer" and interview.offer_accepted_at is not None,
    )


async def replan_all_interviews(
    session: AsyncSession, user: User, now: datetime, default_zone: str = "UTC"
) -> None:
    """Re-plan every interview of a user after news that concerns them all (an offer, an
    acceptance), without restarting the keep-applying count."""
    interviews = (
        await session.scalars(
            select(Interview)
            .where(Interview.user_id == user.id)
            .options(selectinload(Interview.interviewers))
        )
    ).all()
    for interview in interviews:
        await replan_interview(session, user, interview, now, default_zone)


def _release(row: Task) -> None:
    # a nudge in flight for this row must not write over what changed here (see dispatcher)
    row.claim_token = None
    row.claimed_until = None


def _apply(row: Task, planned: PlannedTask, now: datetime) -> None:
    moved = row.due_at != planned.due_at
    if moved:
        row.due_at = planned.due_at
    if moved and (row.kind == BEFORE_YOU_LEAVE or planned.first_nudge_at > now):
        # a moved interview (or answer date) starts the task's timing again: a reminder
        # already sent, snoozed or counted for the old date must not go out on that date's
        # schedule (a "how did it go?" before the interview, a thank-you before the meeting)
        row.state = "pending"
        row.nudges_sent = 0
        row.done_at = None
        row.done_via = None
    if row.state in ("pending", "cancelled") or (row.state == "sent" and row.nudges_sent == 0):
        row.next_nudge_at = planned.first_nudge_at
    _release(row)
    row.updated_at = now


async def replan_user(
    session: AsyncSession, user: User, now: datetime, default_zone: str = "UTC"
) -> None:
    """Re-plan every interview of a user, after their zone or reminder settings changed."""
    await replan_all_interviews(session, user, now, default_zone)
    await replan_keep_applying(session, user, now, default_zone, reschedule=True)


async def replan_interview(
    session: AsyncSession,
    user: User,
    interview: Interview,
    now: datetime,
    default_zone: str = "UTC",
) -> None:
    """Create the tasks the interview now calls for, cancel the ones it no longer does."""
    prefs = prefs_of(user, default_zone)
    rows = (await session.scalars(select(Task).where(Task.interview_id == interview.id))).all()
    skipped = any(row.kind == DEBRIEF and row.state == "skipped" for row in rows)
    facts = await with_offers(
        session, interview, replace(facts_of(interview), debrief_skipped=skipped)
    )
    planned = {t.key: t for t in plan_interview(facts, prefs, now)}
    seen: set[tuple[str, int | None, int]] = set()
    for row in rows:
        key = (row.kind, row.interviewer_id, row.cycle)
        seen.add(key)
        wanted = planned.get(key)
        reminded = row.kind == BEFORE_YOU_LEAVE and row.done_via == "nudged"
        if row.state in FINISHED_STATES and not (reminded and wanted is not None):
            continue
        if wanted is None:
            if row.state != "cancelled":
                row.state = "cancelled"
                row.next_nudge_at = None
                _release(row)
                row.updated_at = now
            continue
        if row.state == "cancelled":
            row.state = "pending"
            row.nudges_sent = 0
        _apply(row, wanted, now)
    for key, wanted in planned.items():
        if key in seen:
            continue
        session.add(
            Task(
                user_id=user.id,
                interview_id=interview.id,
                interviewer_id=wanted.interviewer_id,
                kind=wanted.kind,
                cycle=wanted.cycle,
                state="pending",
                due_at=wanted.due_at,
                next_nudge_at=wanted.first_nudge_at,
                created_at=now,
                updated_at=now,
            )
        )
    await session.flush()
    await replan_keep_applying(session, user, now, default_zone)


async def replan_keep_applying(
    session: AsyncSession,
    user: User,
    now: datetime,
    default_zone: str = "UTC",
    reschedule: bool = False,
) -> None:
    """One open 'keep applying' task while any interview waits for an answer, the first one
    counted from the first interview that has taken place; none when the user stopped them."""
    waiting = (
        await session.scalars(
            select(Interview.scheduled_at).where(
                Interview.user_id == user.id,
                Interview.outcome.in_(WAITING),
            )
        )
    ).all()
    open_task = await session.scalar(
        select(Task).where(
            Task.user_id == user.id,
            Task.kind == KEEP_APPLYING,
            Task.state.in_(OPEN_STATES),
        )
    )
    # a job accepted: no more reminders to keep applying
    accepted = await session.scalar(
        select(Interview.id)
        .where(Interview.user_id == user.id, Interview.offer_accepted_at.is_not(None))
        .limit(1)
    )
    if not waiting or user.keep_applying_days <= 0 or accepted is not None:
        if open_task is not None:
            open_task.state = "cancelled"
            open_task.next_nudge_at = None
            _release(open_task)
            open_task.updated_at = now
        return
    last = await session.scalar(
        select(Task)
        .where(
            Task.user_id == user.id,
            Task.kind == KEEP_APPLYING,
            Task.state.not_in(OPEN_STATES),
            Task.last_nudged_at.is_not(None),
        )
        .order_by(Task.cycle.desc())
        .limit(1)
    )
    prefs = prefs_of(user, default_zone)
    # before any reminder went out, the count starts when the first interview has happened
    # (the moment it was logged, for one logged afterwards): telling someone to keep applying
    # while they wait makes no sense before there is anything to wait for
    anchor = max(min(waiting), open_task.created_at if open_task else now)
    start = last.last_nudged_at if last is not None else anchor
    due = keep_applying_next(start, now, prefs)
    if open_task is not None:
        if (reschedule or last is None) and open_task.nudges_sent == 0:
            # the interval or the first interview changed: count again
            open_task.due_at = due
            open_task.next_nudge_at = max(due, now)
            _release(open_task)
            open_task.updated_at = now
        return
    cycle = await session.scalar(
        select(Task.cycle)
        .where(Task.user_id == user.id, Task.kind == KEEP_APPLYING)
        .order_by(Task.cycle.desc())
        .limit(1)
    )
    session.add(
        Task(
            user_id=user.id,
            kind=KEEP_APPLYING,
            cycle=(cycle + 1) if cycle is not None else 0,
            state="pending",
            due_at=due,
            next_nudge_at=max(due, now),
            created_at=now,
            updated_at=now,
        )
    )


async def first_nudges(
    session: AsyncSession,
    user: User,
    tasks: Sequence[Task],
    now: datetime,
    default_zone: str = "UTC",
) -> dict[int, datetime]:
    """When each task's first nudge is planned, by task id: a task is due from then on,
    whatever the dispatcher's bundling did to its next nudge since."""
    prefs = prefs_of(user, default_zone)
    interview_ids = {t.interview_id for t in tasks if t.interview_id is not None}
    firsts: dict[tuple[int, tuple[str, int | None, int]], datetime] = {}
    if interview_ids:
        interviews = (
            await session.scalars(
                select(Interview)
                .where(Interview.id.in_(interview_ids))
                .options(selectinload(Interview.interviewers))
            )
        ).all()
        skipped = set(
            (
                await session.scalars(
                    select(Task.interview_id).where(
                        Task.interview_id.in_(interview_ids),
                        Task.kind == DEBRIEF,
                        Task.state == "skipped",
                    )
                )
            ).all()
        )
        for interview in interviews:
            facts = replace(facts_of(interview), debrief_skipped=interview.id in skipped)
            facts = await with_offers(session, interview, facts)
            for planned in plan_interview(facts, prefs, now):
                firsts[(interview.id, planned.key)] = planned.first_nudge_at
    found: dict[int, datetime] = {}
    for task in tasks:
        if task.interview_id is None:
            # a keep-applying reminder is first sent when it falls due
            found[task.id] = task.due_at
            continue
        first = firsts.get((task.interview_id, (task.kind, task.interviewer_id, task.cycle)))
        if first is not None:
            found[task.id] = first
    return found
