"""Unit tests of the week arithmetic, the goal typed by hand, the /stats figures and the chart."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.charts import ChartTexts, render_weekly_chart
from bot.domain.progress import (
    Activity,
    FollowUp,
    GoalProblem,
    figures,
    local_week,
    parse_goal,
    week_bounds,
    week_progress,
    weekly_series,
)

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# Tuesday 24 November 2026, 12:00 UTC
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        (" 12 ", 12),
        ("10 a week", 10),
        ("1", 1),
        ("100", 100),
        ("٧", 7),  # Arabic-Indic digits are digits too
        ("0", GoalProblem.OUT_OF_RANGE),
        ("101", GoalProblem.OUT_OF_RANGE),
        ("-3", GoalProblem.OUT_OF_RANGE),
        ("−3", GoalProblem.OUT_OF_RANGE),
        ("99999999999999999999999", GoalProblem.OUT_OF_RANGE),
        ("9" * 4000, GoalProblem.OUT_OF_RANGE),
        ("007", 7),
        ("2.5", GoalProblem.NOT_A_NUMBER),
        ("2,5", GoalProblem.NOT_A_NUMBER),
        ("2 or 3", GoalProblem.NOT_A_NUMBER),
        ("many", GoalProblem.NOT_A_NUMBER),
        ("", GoalProblem.NOT_A_NUMBER),
    ],
)
def test_parse_goal(text: str, expected: int | GoalProblem) -> None:
    assert parse_goal(text) == expected


def test_the_week_starts_on_monday_midnight_in_the_users_zone() -> None:
    # Monday 00:30 in Tokyo is still Sunday in UTC
    monday_in_tokyo = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    assert local_week(monday_in_tokyo, TOKYO) == date(2026, 11, 23)
    assert local_week(monday_in_tokyo, UTC) == date(2026, 11, 16)
    start, end = week_bounds(NOW, BERLIN)
    assert start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    # Sunday late evening in Los Angeles is Monday in UTC: still last week there
    sunday_night = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert local_week(sunday_night, LOS_ANGELES) == date(2026, 11, 23)


def test_a_week_across_a_clock_change_is_seven_local_days() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026: that week has 169 hours
    start, end = week_bounds(datetime(2026, 10, 21, 12, 0, tzinfo=UTC), BERLIN)
    assert start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=169)


def test_week_progress_counts_this_local_week_only() -> None:
    start, _ = week_bounds(NOW, BERLIN)
    applied = [
        start - timedelta(minutes=1),  # Sunday night: last week
        start,  # the first moment of the week
        NOW - timedelta(hours=1),
        NOW,
    ]
    progress = week_progress(applied, 3, NOW, BERLIN)
    assert (progress.applications, progress.goal, progress.met, progress.left) == (3, 3, True, 0)
    assert progress.week_of == date(2026, 11, 23)
    short = week_progress(applied, 5, NOW, BERLIN)
    assert (short.met, short.left) == (False, 2)
    none = week_progress(applied, None, NOW, BERLIN)
    assert (none.has_goal, none.met, none.left) == (False, False, 0)
    # a goal out of range (a hand-edited row, say) counts as no goal rather than a wrong one
    assert week_progress(applied, 0, NOW, BERLIN).goal is None


def _activity() -> Activity:
    start, _ = week_bounds(NOW, BERLIN)
    return Activity(
        applications=[NOW, NOW - timedelta(days=1), start - timedelta(days=3)],
        interviews=[NOW - timedelta(hours=5), start - timedelta(days=10)],
        upcoming_interviews=1,
        follow_ups=[
            FollowUp(due_at=NOW + timedelta(days=1), done_at=NOW),  # on time
            FollowUp(due_at=NOW - timedelta(hours=2), done_at=NOW - timedelta(hours=1)),  # late
            FollowUp(due_at=start - timedelta(days=5), done_at=start - timedelta(days=6)),
        ],
        references_told=[NOW, start - timedelta(days=20)],
        outcomes=[("offer", NOW), ("rejected", start - timedelta(days=2)), ("rejected", NOW)],
        waiting=1,
    )


def test_figures_of_this_week_and_of_all_time() -> None:
    activity = _activity()
    start, end = week_bounds(NOW, BERLIN)
    week = figures(activity, start, end)
    assert (week.applications, week.interviews, week.references_told) == (2, 1, 1)
    assert (week.follow_ups, week.follow_ups_on_time) == (2, 1)
    assert week.outcomes == {"offer": 1, "rejected": 1}
    total = figures(activity)
    assert (total.applications, total.interviews, total.references_told) == (3, 2, 2)
    assert (total.follow_ups, total.follow_ups_on_time) == (3, 2)
    assert list(total.outcomes.items()) == [("offer", 1), ("rejected", 2)]
    assert not activity.empty
    assert Activity().empty


def test_weekly_series_puts_each_moment_in_its_local_week() -> None:
    activity = _activity()
    series = weekly_series(activity, NOW, BERLIN, weeks=8)
    assert series.weeks[-1] == date(2026, 11, 23)
    assert series.weeks[0] == date(2026, 10, 5)
    assert series.applications == (0, 0, 0, 0, 0, 0, 1, 2)
    assert series.interviews == (0, 0, 0, 0, 0, 1, 0, 1)
    assert series.follow_ups == (0, 0, 0, 0, 0, 0, 1, 2)
    old = Activity(applications=[NOW - timedelta(weeks=9)])
    assert weekly_series(old, NOW, BERLIN).empty


def test_the_chart_is_a_png_of_the_promised_size() -> None:
    from matplotlib.image import imread

    series = weekly_series(_activity(), NOW, BERLIN)
    texts = ChartTexts(
        title="Последние 8 недель",
        applications="Отклики",
        interviews="Собеседования",
        follow_ups="Письма",
        week_labels=tuple(str(w) for w in series.weeks),
        goal="Цель: 5",
    )
    data = render_weekly_chart(series, texts, goal=5)
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (800, 1200)
    # not a blank canvas: the bars are drawn in colour
    assert pixels.std() > 0.05
    with pytest.raises(ValueError):
        render_weekly_chart(series, ChartTexts("t", "a", "i", "f", ("one",)))
