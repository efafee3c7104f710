"""What each member of a club did in one club week: the counts every member's board line shows,
and the companies, roles and outcomes that only a member who shares them lets the club see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Interview, Reference, ReferenceWarning, Task, User
from bot.domain.plan import CHECK_IN, THANK_YOU
from bot.domain.progress import valid_goal

# follow-ups whose on-time sending the board counts: thank-yous and the polite check-in
FOLLOW_UP_KINDS = (THANK_YOU, CHECK_IN)


@dataclass
class MemberWeek:
    """One member's week. The lists hold (company, role) or (company, outcome) pairs and are
    only for members who share them with the club: the caller decides whether to show them."""

    user_id: int
    name: str
    goal: int | None = None
    applications: int = 0
    interviews: int = 0
    follow_ups_on_time: int = 0
    references_told: int = 0
    offers: int = 0
    applied_to: list[tuple[str, str]] = field(default_factory=list)
    interviewed_at: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reached_goal(self) -> bool:
        return self.goal is not None and self.applications >= self.goal

    @property
    def anything(self) -> bool:
        return bool(
            self.applications or self.interviews or self.follow_ups_on_time or self.references_told
        )


async def club_week(
    session: AsyncSession,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[int, MemberWeek]:
    """Every member's week from ``start`` to ``end`` (interviews only once they have happened,
    so the board never counts tomorrow's interview as done), in a handful of grouped queries
    whatever the club's size."""
    if not user_ids:
        return {}
    ids = list(user_ids)
    weeks: dict[int, MemberWeek] = {}
    for user_id, name, goal in await session.execute(
        select(User.id, User.first_name, User.weekly_goal).where(User.id.in_(ids))
    ):
        weeks[user_id] = MemberWeek(user_id, name, goal if valid_goal(goal) else None)

    for user_id, company, role in await session.execute(
        select(Application.user_id, Application.company, Application.role)
        .where(
            Application.user_id.in_(ids),
            Application.applied_at >= start,
            Application.applied_at < end,
        )
        .order_by(Application.applied_at, Application.id)
    ):
        week = weeks.get(user_id)
        if week is not None:
            week.applications += 1
            week.applied_to.append((company, role))

    held_until = min(end, now)
    for user_id, company, role in await session.execute(
        select(Interview.user_id, Interview.company, Interview.role)
        .where(
            Interview.user_id.in_(ids),
            Interview.scheduled_at >= start,
            Interview.scheduled_at < held_until,
            Interview.outcome != "withdrawn",
        )
        .order_by(Interview.scheduled_at, Interview.id)
    ):
        week = weeks.get(user_id)
        if week is not None:
            week.interviews += 1
            week.interviewed_at.append((company, role))

    for user_id, company, outcome in await session.execute(
        select(Interview.user_id, Interview.company, Interview.outcome)
        .where(
            Interview.user_id.in_(ids),
            Interview.outcome.in_(("offer", "next_round", "rejected")),
            Interview.outcome_at >= start,
            Interview.outcome_at < end,
        )
        .order_by(Interview.outcome_at, Interview.id)
    ):
        week = weeks.get(user_id)
        if week is not None:
            week.outcomes.append((company, outcome))
            if outcome == "offer":
                week.offers += 1

    for user_id, count in await session.execute(
        select(Task.user_id, func.count())
        .where(
            Task.user_id.in_(ids),
            Task.kind.in_(FOLLOW_UP_KINDS),
            Task.state == "done",
            Task.done_at >= start,
            Task.done_at < end,
            Task.done_at <= Task.due_at,
        )
        .group_by(Task.user_id)
    ):
        if user_id in weeks:
            weeks[user_id].follow_ups_on_time = int(count)

    for user_id, count in await session.execute(
        select(Reference.user_id, func.count(func.distinct(ReferenceWarning.reference_id)))
        .join(ReferenceWarning, ReferenceWarning.reference_id == Reference.id)
        .where(
            Reference.user_id.in_(ids),
            ReferenceWarning.warned_at >= start,
            ReferenceWarning.warned_at < end,
        )
        .group_by(Reference.user_id)
    ):
        if user_id in weeks:
            weeks[user_id].references_told = int(count)
    return weeks
