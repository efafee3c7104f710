"""Weeks in the user's zone, the weekly goal, and the figures of /stats: pure arithmetic."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum

GOAL_MIN = 1
GOAL_MAX = 100
# the numbers offered as buttons; any other from GOAL_MIN to GOAL_MAX can be typed
GOAL_CHOICES: tuple[int, ...] = (3, 5, 10, 15, 20)
CHART_WEEKS = 8
# the answers an interview can end with, in the order /stats lists them
FINAL_OUTCOMES: tuple[str, ...] = ("offer", "next_round", "rejected", "withdrawn", "ghosted")


class GoalProblem(Enum):
    """Why a typed goal was not taken."""

    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"


# a sign glued to the digits, so "-3" reads as minus three and not as three
_NUMBER = re.compile(r"[-−–]?\d+(?:[.,]\d+)?")


def parse_goal(text: str) -> int | GoalProblem:
    """A goal typed in a message: one whole number from 1 to 100, words around it allowed
    ("5", "10 a week"); anything vaguer ("2 or 3", "many", "2.5") is not guessed at."""
    found = _NUMBER.findall(text)
    if len(found) != 1:
        return GoalProblem.NOT_A_NUMBER
    token = found[0]
    if "." in token or "," in token:
        return GoalProblem.NOT_A_NUMBER
    negative = token[0] in "-−–"
    digits = token.lstrip("-−–")
    if len(digits.lstrip("0")) > 3:
        # far out of range, and never handed to int(), which refuses thousands of digits
        return GoalProblem.OUT_OF_RANGE
    # int() reads any script's decimal digits ("٥", "५"), as people type them
    value = int(digits)
    if negative or not GOAL_MIN <= value <= GOAL_MAX:
        return GoalProblem.OUT_OF_RANGE
    return value


def valid_goal(value: int | None) -> bool:
    return value is not None and GOAL_MIN <= value <= GOAL_MAX


def local_week(moment: datetime, tz: tzinfo) -> date:
    """The Monday of the week a moment falls in, on the user's calendar."""
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def week_start(monday: date, tz: tzinfo) -> datetime:
    """Midnight at the start of a local Monday, as UTC."""
    # round-tripping through UTC settles a midnight that DST skips or repeats
    return datetime.combine(monday, time(0, 0), tzinfo=tz).astimezone(UTC)


def week_bounds(moment: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC start and end (exclusive) of the user's week around a moment."""
    monday = local_week(moment, tz)
    return week_start(monday, tz), week_start(monday + timedelta(days=7), tz)


@dataclass(frozen=True)
class WeekProgress:
    """Applications this week against the user's weekly goal."""

    week_of: date
    applications: int
    goal: int | None

    @property
    def has_goal(self) -> bool:
        return self.goal is not None

    @property
    def met(self) -> bool:
        return self.goal is not None and self.applications >= self.goal

    @property
    def left(self) -> int:
        """How many more applications reach the goal (0 when met or when there is none)."""
        if self.goal is None:
            return 0
        return max(0, self.goal - self.applications)


def week_progress(
    applied_at: Iterable[datetime], goal: int | None, now: datetime, tz: tzinfo
) -> WeekProgress:
    """How many applications fall in the user's current week, and whether the goal is met."""
    start, end = week_bounds(now, tz)
    count = sum(1 for moment in applied_at if start <= moment < end)
    return WeekProgress(local_week(now, tz), count, goal if valid_goal(goal) else None)


@dataclass(frozen=True)
class FollowUp:
    """A thank-you task the user marked done: when it was due and when they sent it."""

    due_at: datetime
    done_at: datetime

    @property
    def on_time(self) -> bool:
        return self.done_at <= self.due_at


@dataclass(frozen=True)
class Activity:
    """Everything /stats counts, as moments in UTC; loaded from the database by the caller."""

    applications: Sequence[datetime] = ()
    # interviews that have taken place (upcoming ones are counted apart)
    interviews: Sequence[datetime] = ()
    upcoming_interviews: int = 0
    follow_ups: Sequence[FollowUp] = ()
    references_told: Sequence[datetime] = ()
    # (outcome, when it was recorded) for interviews that have an answer
    outcomes: Sequence[tuple[str, datetime]] = ()
    waiting: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.applications
            or self.interviews
            or self.upcoming_interviews
            or self.follow_ups
            or self.references_told
            or self.outcomes
        )


@dataclass(frozen=True)
class Figures:
    """The counts of one period (a week, or all time)."""

    applications: int = 0
    interviews: int = 0
    follow_ups: int = 0
    follow_ups_on_time: int = 0
    references_told: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment < end)


def figures(
    activity: Activity, start: datetime | None = None, end: datetime | None = None
) -> Figures:
    """The counts between two moments (UTC, end exclusive); None leaves that side open."""
    follow_ups = [f for f in activity.follow_ups if _within(f.done_at, start, end)]
    outcomes = Counter(kind for kind, moment in activity.outcomes if _within(moment, start, end))
    return Figures(
        applications=sum(1 for m in activity.applications if _within(m, start, end)),
        interviews=sum(1 for m in activity.interviews if _within(m, start, end)),
        follow_ups=len(follow_ups),
        follow_ups_on_time=sum(1 for f in follow_ups if f.on_time),
        references_told=sum(1 for m in activity.references_told if _within(m, start, end)),
        outcomes={kind: outcomes[kind] for kind in FINAL_OUTCOMES if outcomes[kind]},
    )


@dataclass(frozen=True)
class WeeklySeries:
    """Per-week counts for the chart, oldest week first."""

    weeks: tuple[date, ...]
    applications: tuple[int, ...]
    interviews: tuple[int, ...]
    follow_ups: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not any(self.applications + self.interviews + self.follow_ups)


def weekly_series(
    activity: Activity, now: datetime, tz: tzinfo, weeks: int = CHART_WEEKS
) -> WeeklySeries:
    """The last `weeks` weeks of the user's calendar, this one included."""
    this_monday = local_week(now, tz)
    mondays = tuple(this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1))
    index = {monday: n for n, monday in enumerate(mondays)}

    def count(moments: Iterable[datetime]) -> tuple[int, ...]:
        totals = [0] * weeks
        for moment in moments:
            slot = index.get(local_week(moment, tz))
            if slot is not None:
                totals[slot] += 1
        return tuple(totals)

    return WeeklySeries(
        weeks=mondays,
        applications=count(activity.applications),
        interviews=count(activity.interviews),
        follow_ups=count(f.done_at for f in activity.follow_ups),
    )
