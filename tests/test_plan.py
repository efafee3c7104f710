"""The nudge plan: business days, local wall-clock times across DST, and the tasks an interview
calls for, pinned with concrete dates and checked with property tests."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.interviews import FEELINGS, OUTCOMES
from bot.domain.plan import (
    BEFORE_YOU_LEAVE,
    CHECK_IN,
    COURTESY,
    REFERENCES,
    THANK_REFERENCES,
    THANK_YOU,
    WAITING,
    InterviewFacts,
    PlannedTask,
    Prefs,
    add_business_days,
    at_local,
    end_of_day,
    is_business_day,
    keep_applying_next,
    plan_interview,
    thank_you_due,
    within_waking_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: tzinfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall-clock time as an aware datetime in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def of_kind(tasks: list[PlannedTask], kind: str) -> list[PlannedTask]:
    return [t for t in tasks if t.kind == kind]


def only(tasks: list[PlannedTask], kind: str) -> PlannedTask:
    found = of_kind(tasks, kind)
    assert len(found) == 1, (kind, tasks)
    return found[0]


def kinds(tasks: list[PlannedTask]) -> set[str]:
    return {t.kind for t in tasks}


def past(facts: InterviewFacts, prefs: Prefs) -> list[PlannedTask]:
    """The plan a week after the interview."""
    return plan_interview(facts, prefs, facts.scheduled_at + timedelta(days=7))


# ---------------------------------------------------------------- business days


def test_weekends_are_not_business_days() -> None:
    assert is_business_day(date(2026, 11, 27), None)  # Friday
    assert not is_business_day(date(2026, 11, 28), None)  # Saturday
    assert not is_business_day(date(2026, 11, 29), None)  # Sunday
    assert is_business_day(date(2026, 11, 30), None)  # Monday


def test_public_holidays_count_only_when_the_country_is_known() -> None:
    assert is_business_day(date(2026, 12, 25), None)
    assert not is_business_day(date(2026, 12, 25), "DE")
    assert not is_business_day(date(2026, 11, 26), "US")  # Thanksgiving
    assert is_business_day(date(2026, 11, 26), "DE")
    # a country the holidays package does not know only loses its weekends
    assert is_business_day(date(2026, 12, 25), "ZZ")
    assert not is_business_day(date(2026, 12, 26), "ZZ")
    # a lower-case code still finds the country's holidays
    assert not is_business_day(date(2026, 12, 25), "de")


def test_the_countrys_own_weekend() -> None:
    # Israel rests on Friday and Saturday and works on Sunday
    assert not is_business_day(date(2026, 11, 27), "IL")  # Friday
    assert is_business_day(date(2026, 11, 29), "IL")  # Sunday
    assert add_business_days(date(2026, 11, 26), 2, "IL") == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 26), 1, "IL") == date(2026, 11, 29)
    # Russia works on some Saturdays to bridge holidays: Saturday 2025-11-01 is one
    assert is_business_day(date(2025, 11, 1), "RU")
    assert not is_business_day(date(2025, 11, 1), None)
    assert not is_business_day(date(2025, 11, 4), "RU")  # Unity Day


def test_add_business_days() -> None:
    thursday = date(2026, 11, 26)
    assert add_business_days(thursday, 0, None) == thursday
    assert add_business_days(thursday, 1, None) == date(2026, 11, 27)
    assert add_business_days(thursday, 2, None) == date(2026, 11, 30)
    # from a Saturday, Monday is the first business day after it
    assert add_business_days(date(2026, 11, 28), 1, None) == date(2026, 11, 30)
    # across the German Christmas holidays and the new year
    assert add_business_days(date(2026, 12, 24), 1, "DE") == date(2026, 12, 28)
    assert add_business_days(date(2026, 12, 31), 1, "DE") == date(2027, 1, 4)
    assert add_business_days(date(2026, 12, 31), 1, None) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("interview_day", "country", "due_day"),
    [
        (date(2026, 11, 26), None, date(2026, 11, 30)),  # Thursday -> Monday
        (date(2026, 11, 27), None, date(2026, 12, 1)),  # Friday -> Tuesday
        (date(2026, 11, 28), None, date(2026, 12, 1)),  # Saturday -> Tuesday
        (date(2026, 11, 29), None, date(2026, 12, 1)),  # Sunday -> Tuesday
        (date(2026, 11, 25), None, date(2026, 11, 27)),  # Wednesday -> Friday
        (date(2026, 11, 25), "US", date(2026, 11, 30)),  # Thanksgiving skipped
        (date(2026, 11, 25), "DE", date(2026, 11, 27)),  # not a holiday there
        (date(2026, 12, 23), None, date(2026, 12, 25)),
        (date(2026, 12, 23), "DE", date(2026, 12, 28)),  # 25th and 26th skipped
        (date(2026, 12, 24), "DE", date(2026, 12, 29)),
    ],
)
def test_thank_you_due_day(interview_day: date, country: str | None, due_day: date) -> None:
    assert thank_you_due(interview_day, Prefs(tz=BERLIN, country=country)) == due_day


# ---------------------------------------------------------------- local wall-clock times


def test_at_local_is_the_wall_clock_hour_in_the_zone() -> None:
    prefs = Prefs(tz=BERLIN)
    assert at_local(date(2026, 1, 15), 9, prefs) == utc(2026, 1, 15, 8)
    assert at_local(date(2026, 7, 15), 9, prefs) == utc(2026, 7, 15, 7)
    assert at_local(date(2026, 7, 15), 9, Prefs(tz=KOLKATA), minute=30) == utc(2026, 7, 15, 4)
    fixed = Prefs(tz=timezone(timedelta(hours=-5)))
    assert at_local(date(2026, 7, 15), 9, fixed) == utc(2026, 7, 15, 14)
    assert at_local(date(2026, 7, 15), 9, prefs).tzinfo is UTC


@pytest.mark.parametrize(
    ("tz", "day", "hour", "minute", "expected", "local_hour"),
    [
        # spring forward: the skipped hour moves forward to a real instant
        (BERLIN, date(2026, 3, 29), 2, 30, utc(2026, 3, 29, 1, 30), 3),
        (NEW_YORK, date(2026, 3, 8), 2, 30, utc(2026, 3, 8, 7, 30), 3),
        # fall back: the repeated hour is its first occurrence, every time
        (BERLIN, date(2026, 10, 25), 2, 30, utc(2026, 10, 25, 0, 30), 2),
        (NEW_YORK, date(2026, 11, 1), 1, 30, utc(2026, 11, 1, 5, 30), 1),
    ],
)
def test_at_local_across_dst_changes(
    tz: ZoneInfo, day: date, hour: int, minute: int, expected: datetime, local_hour: int
) -> None:
    prefs = Prefs(tz=tz)
    moment = at_local(day, hour, prefs, minute=minute)
    assert moment == expected
    assert moment == at_local(day, hour, prefs, minute=minute)
    back = moment.astimezone(tz)
    assert (back.date(), back.hour, back.minute) == (day, local_hour, minute)
    # a real instant: going to local time and back changes nothing
    assert back.astimezone(UTC) == moment


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (BERLIN, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_nine_oclock_stays_nine_oclock_on_dst_days(tz: ZoneInfo, day: date) -> None:
    prefs = Prefs(tz=tz)
    for offset in range(-2, 3):
        moment = at_local(day + timedelta(days=offset), 9, prefs).astimezone(tz)
        assert (moment.hour, moment.minute) == (9, 0)


def test_end_of_day_is_the_next_local_midnight() -> None:
    prefs = Prefs(tz=BERLIN)
    assert end_of_day(date(2026, 11, 30), prefs) == utc(2026, 11, 30, 23)
    # a 23-hour day and a 25-hour day
    assert end_of_day(date(2026, 3, 29), prefs) == utc(2026, 3, 29, 22)
    assert end_of_day(date(2026, 10, 25), prefs) == utc(2026, 10, 25, 23)
    assert end_of_day(date(2026, 11, 30), Prefs(tz=KOLKATA)) == utc(2026, 11, 30, 18, 30)
    # Chile springs forward at midnight: the day ends when the next one really starts
    santiago = ZoneInfo("America/Santiago")
    end = end_of_day(date(2026, 9, 5), Prefs(tz=santiago))
    assert (end - timedelta(microseconds=1)).astimezone(santiago).date() == date(2026, 9, 5)
    assert end.astimezone(santiago).date() == date(2026, 9, 6)


def test_within_waking_hours() -> None:
    prefs = Prefs(tz=BERLIN, nudge_hour=9, quiet_hour=21)
    assert within_waking_hours(local(BERLIN, 2026, 11, 27, 6), prefs) == local(
        BERLIN, 2026, 11, 27, 9
    )
    assert within_waking_hours(local(BERLIN, 2026, 11, 27, 12, 5), prefs) == local(
        BERLIN, 2026, 11, 27, 12, 5
    )
    assert within_waking_hours(local(BERLIN, 2026, 11, 27, 21), prefs) == local(
        BERLIN, 2026, 11, 28, 9
    )
    # the night before the clocks go back: the next morning is 09:00 in winter time
    assert within_waking_hours(local(BERLIN, 2026, 10, 24, 23), prefs) == utc(2026, 10, 25, 8)


def test_keep_applying_stays_at_the_nudge_hour_across_dst() -> None:
    prefs = Prefs(tz=BERLIN, keep_applying_days=3)
    last = local(BERLIN, 2026, 10, 23, 9)
    assert keep_applying_next(last, last, prefs) == utc(2026, 10, 26, 8)
    last = local(BERLIN, 2026, 3, 27, 9)
    assert keep_applying_next(last, last, prefs) == utc(2026, 3, 30, 7)
    # with no earlier nudge it counts from now, and never less than a day
    now = local(BERLIN, 2026, 11, 27, 15)
    assert keep_applying_next(None, now, Prefs(tz=BERLIN, keep_applying_days=0)) == local(
        BERLIN, 2026, 11, 28, 9
    )


# ---------------------------------------------------------------- thank-yous


def test_thursday_interview_in_berlin() -> None:
    facts = InterviewFacts(local(BERLIN, 2026, 11, 26, 14), interviewer_ids=(7,))
    task = only(past(facts, Prefs(tz=BERLIN)), THANK_YOU)
    assert task.interviewer_id == 7
    assert task.due_at == local(BERLIN, 2026, 12, 1, 0)  # end of Monday 30th
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 27, 9)  # Friday 09:00


def test_friday_interview_is_due_tuesday_and_nudged_monday() -> None:
    facts = InterviewFacts(local(BERLIN, 2026, 11, 27, 16))
    task = only(past(facts, Prefs(tz=BERLIN)), THANK_YOU)
    assert task.due_at == local(BERLIN, 2026, 12, 2, 0)  # end of Tuesday 1st
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 30, 9)


def test_one_thank_you_per_interviewer_and_a_generic_one_without_names() -> None:
    facts = InterviewFacts(local(BERLIN, 2026, 11, 26, 14), interviewer_ids=(3, 5, 8))
    tasks = of_kind(past(facts, Prefs(tz=BERLIN)), THANK_YOU)
    assert [t.interviewer_id for t in tasks] == [3, 5, 8]
    assert len({t.key for t in tasks}) == 3
    generic = of_kind(past(InterviewFacts(facts.scheduled_at), Prefs(tz=BERLIN)), THANK_YOU)
    assert [t.interviewer_id for t in generic] == [None]


def test_german_christmas_is_skipped_when_the_country_is_de() -> None:
    facts = InterviewFacts(local(BERLIN, 2026, 12, 23, 10))
    with_de = only(past(facts, Prefs(tz=BERLIN, country="DE")), THANK_YOU)
    assert with_de.first_nudge_at == local(BERLIN, 2026, 12, 24, 9)
    assert with_de.due_at == local(BERLIN, 2026, 12, 29, 0)  # end of Monday 28th
    unknown = only(past(facts, Prefs(tz=BERLIN)), THANK_YOU)
    assert unknown.due_at == local(BERLIN, 2026, 12, 26, 0)  # end of Friday 25th

    christmas_eve = InterviewFacts(local(BERLIN, 2026, 12, 24, 10))
    task = only(past(christmas_eve, Prefs(tz=BERLIN, country="DE")), THANK_YOU)
    assert task.first_nudge_at == local(BERLIN, 2026, 12, 28, 9)
    assert task.due_at == local(BERLIN, 2026, 12, 30, 0)


def test_thanksgiving_is_skipped_when_the_country_is_us() -> None:
    facts = InterviewFacts(local(NEW_YORK, 2026, 11, 25, 11))
    us = only(past(facts, Prefs(tz=NEW_YORK, country="US")), THANK_YOU)
    assert us.first_nudge_at == local(NEW_YORK, 2026, 11, 27, 9)
    assert us.due_at == local(NEW_YORK, 2026, 12, 1, 0)  # end of Monday 30th
    unknown = only(past(facts, Prefs(tz=NEW_YORK)), THANK_YOU)
    assert unknown.first_nudge_at == local(NEW_YORK, 2026, 11, 26, 9)
    assert unknown.due_at == local(NEW_YORK, 2026, 11, 28, 0)


def test_the_interview_day_is_the_users_local_day() -> None:
    # Thursday 20:00 UTC is already Friday 01:30 in Kolkata
    facts = InterviewFacts(utc(2026, 11, 26, 20))
    task = only(past(facts, Prefs(tz=KOLKATA)), THANK_YOU)
    assert task.first_nudge_at == utc(2026, 11, 30, 3, 30)  # Monday 09:00 IST
    assert task.due_at == utc(2026, 12, 1, 18, 30)  # end of Tuesday IST
    # in UTC the same interview is on Thursday
    task = only(past(facts, Prefs(tz=UTC)), THANK_YOU)
    assert task.first_nudge_at == utc(2026, 11, 27, 9)
    assert task.due_at == utc(2026, 12, 1)


def test_a_fixed_utc_offset_zone() -> None:
    minus_five = timezone(timedelta(hours=-5))
    # Friday 23:30 at UTC-5 is Saturday in UTC; the plan follows the user's Friday
    facts = InterviewFacts(utc(2026, 11, 28, 4, 30))
    task = only(past(facts, Prefs(tz=minus_five)), THANK_YOU)
    assert task.first_nudge_at == utc(2026, 11, 30, 14)
    assert task.due_at == utc(2026, 12, 2, 5)


@pytest.mark.parametrize(
    ("tz", "interview", "first_nudge", "due"),
    [
        # Berlin springs forward on Sunday 2026-03-29
        (BERLIN, (2026, 3, 26, 10), utc(2026, 3, 27, 8), utc(2026, 3, 30, 22)),
        (BERLIN, (2026, 3, 27, 10), utc(2026, 3, 30, 7), utc(2026, 3, 31, 22)),
        # and falls back on Sunday 2026-10-25
        (BERLIN, (2026, 10, 23, 10), utc(2026, 10, 26, 8), utc(2026, 10, 27, 23)),
        # New York springs forward on Sunday 2026-03-08 and falls back on 2026-11-01
        (NEW_YORK, (2026, 3, 6, 10), utc(2026, 3, 9, 13), utc(2026, 3, 11, 4)),
        (NEW_YORK, (2026, 10, 30, 10), utc(2026, 11, 2, 14), utc(2026, 11, 4, 5)),
    ],
)
def test_thank_you_across_dst_weeks(
    tz: ZoneInfo, interview: tuple[int, int, int, int], first_nudge: datetime, due: datetime
) -> None:
    task = only(past(InterviewFacts(local(tz, *interview)), Prefs(tz=tz)), THANK_YOU)
    assert task.first_nudge_at == first_nudge
    assert task.due_at == due
    assert task.first_nudge_at.astimezone(tz).time() == time(9)


def test_a_weekend_interview_on_the_night_the_clocks_change() -> None:
    # Sunday 2026-03-29 02:30 does not exist in Berlin; a 01:30 interview still plans normally
    facts = InterviewFacts(local(BERLIN, 2026, 3, 29, 1, 30))
    task = only(past(facts, Prefs(tz=BERLIN)), THANK_YOU)
    assert task.first_nudge_at == local(BERLIN, 2026, 3, 30, 9)
    assert task.due_at == local(BERLIN, 2026, 4, 1, 0)


# ---------------------------------------------------------------- check-ins


def test_check_in_the_business_day_after_the_time_frame() -> None:
    facts = InterviewFacts(
        local(BERLIN, 2026, 11, 26, 14),
        response_by=date(2026, 12, 11),  # a Friday
    )
    task = only(past(facts, Prefs(tz=BERLIN)), CHECK_IN)
    assert task.first_nudge_at == local(BERLIN, 2026, 12, 14, 9)
    assert task.due_at == local(BERLIN, 2026, 12, 15, 0)
    # over Christmas in Germany
    facts = InterviewFacts(local(BERLIN, 2026, 12, 10, 14), response_by=date(2026, 12, 24))
    task = only(past(facts, Prefs(tz=BERLIN, country="DE")), CHECK_IN)
    assert task.first_nudge_at == local(BERLIN, 2026, 12, 28, 9)


def test_no_check_in_without_a_time_frame_or_once_there_is_an_answer() -> None:
    scheduled = local(BERLIN, 2026, 11, 26, 14)
    assert not of_kind(past(InterviewFacts(scheduled), Prefs(tz=BERLIN)), CHECK_IN)
    for outcome in ("next_round", "ghosted", "offer", "rejected", "withdrawn"):
        facts = InterviewFacts(scheduled, outcome=outcome, response_by=date(2026, 12, 11))
        assert not of_kind(past(facts, Prefs(tz=BERLIN)), CHECK_IN), outcome


def test_check_in_never_before_the_interview() -> None:
    # a time frame that ends before the interview (a typo) checks in after the interview
    facts = InterviewFacts(local(BERLIN, 2026, 11, 26, 14), response_by=date(2026, 11, 20))
    task = only(past(facts, Prefs(tz=BERLIN)), CHECK_IN)
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 27, 9)
    assert task.due_at > facts.scheduled_at


# ---------------------------------------------------------------- references


def test_references_heads_up_after_a_good_interview() -> None:
    facts = InterviewFacts(local(BERLIN, 2026, 11, 26, 14), feeling="good")
    task = only(past(facts, Prefs(tz=BERLIN)), REFERENCES)
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 27, 9)
    assert task.due_at == local(BERLIN, 2026, 12, 1, 0)
    next_round = InterviewFacts(facts.scheduled_at, feeling="good", outcome="next_round")
    assert of_kind(past(next_round, Prefs(tz=BERLIN)), REFERENCES)


def test_references_for_an_upcoming_interview_wait_for_it_to_start() -> None:
    scheduled = local(BERLIN, 2026, 11, 26, 14)
    now = local(BERLIN, 2026, 11, 24, 12)
    task = only(
        plan_interview(InterviewFacts(scheduled, feeling="good"), Prefs(tz=BERLIN), now), REFERENCES
    )
    assert task.first_nudge_at == scheduled
    assert task.due_at == local(BERLIN, 2026, 11, 28, 0)
    early = local(BERLIN, 2026, 11, 26, 8)
    task = only(
        plan_interview(InterviewFacts(early, feeling="good"), Prefs(tz=BERLIN), now), REFERENCES
    )
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 26, 9)


def test_references_for_a_late_upcoming_interview_respect_quiet_hours() -> None:
    scheduled = local(BERLIN, 2026, 11, 26, 22)
    now = local(BERLIN, 2026, 11, 24, 12)
    task = only(
        plan_interview(InterviewFacts(scheduled, feeling="good"), Prefs(tz=BERLIN), now), REFERENCES
    )
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 27, 9)
    assert task.first_nudge_at >= scheduled


def test_no_references_heads_up_unless_confident_and_waiting() -> None:
    scheduled = local(BERLIN, 2026, 11, 26, 14)
    for feeling in ("unsure", "unlikely"):
        assert not of_kind(
            past(InterviewFacts(scheduled, feeling=feeling), Prefs(tz=BERLIN)), REFERENCES
        )
    for outcome in ("offer", "rejected", "ghosted", "withdrawn"):
        facts = InterviewFacts(scheduled, feeling="good", outcome=outcome)
        assert not of_kind(past(facts, Prefs(tz=BERLIN)), REFERENCES), outcome


# ---------------------------------------------------------------- before you leave


def byl(
    hour: int, minute: int = 0, prefs: Prefs | None = None, now: datetime | None = None
) -> PlannedTask:
    scheduled = local(BERLIN, 2026, 11, 26, hour, minute)
    when = now or local(BERLIN, 2026, 11, 24, 12)
    return only(
        plan_interview(InterviewFacts(scheduled), prefs or Prefs(tz=BERLIN), when), BEFORE_YOU_LEAVE
    )


def test_before_you_leave_on_the_morning_at_the_nudge_hour() -> None:
    task = byl(14)
    assert task.first_nudge_at == local(BERLIN, 2026, 11, 26, 9)
    assert task.due_at == local(BERLIN, 2026, 11, 26, 14)


def test_before_you_leave_at_least_an_hour_before() -> None:
    assert byl(9, 30).first_nudge_at == local(BERLIN, 2026, 11, 26, 8, 30)
    assert byl(8).first_nudge_at == local(BERLIN, 2026, 11, 26, 7)
    # an hour before 07:30 is 06:30: earlier than 07:00 because it has to be
    assert byl(7, 30).first_nudge_at == local(BERLIN, 2026, 11, 26, 6, 30)
    assert byl(6).first_nudge_at == local(BERLIN, 2026, 11, 26, 5)


def test_before_you_leave_not_before_seven_for_an_early_bird() -> None:
    early = Prefs(tz=BERLIN, nudge_hour=6)
    assert byl(10, prefs=early).first_nudge_at == local(BERLIN, 2026, 11, 26, 7)
    assert byl(7, 45, prefs=early).first_nudge_at == local(BERLIN, 2026, 11, 26, 6, 45)


def test_before_you_leave_logged_on_the_morning_itself() -> None:
    now = local(BERLIN, 2026, 11, 26, 10, 15)
    assert byl(11, now=now).first_nudge_at == now
    assert byl(10, 30, now=now).first_nudge_at == now


def test_before_you_leave_only_for_an_upcoming_interview_awaiting_its_day() -> None:
    scheduled = local(BERLIN, 2026, 11, 26, 14)
    assert not of_kind(past(InterviewFacts(scheduled), Prefs(tz=BERLIN)), BEFORE_YOU_LEAVE)
    now = local(BERLIN, 2026, 11, 24, 12)
    for outcome in ("next_round", "withdrawn", "rejected", "offer"):
        tasks = plan_interview(InterviewFacts(scheduled, outcome=outcome), Prefs(tz=BERLIN), now)
        assert not of_kind(tasks, BEFORE_YOU_LEAVE), outcome


def test_before_you_leave_on_a_dst_morning() -> None:
    # Sunday 2026-03-29 in Berlin: 09:00 is summer time already
    scheduled = local(BERLIN, 2026, 3, 29, 11)
    task = only(
        plan_interview(InterviewFacts(scheduled), Prefs(tz=BERLIN), local(BERLIN, 2026, 3, 27, 12)),
        BEFORE_YOU_LEAVE,
    )
    assert task.first_nudge_at == utc(2026, 3, 29, 7)


# ---------------------------------------------------------------- outcomes


SCHEDULED = local(BERLIN, 2026, 11, 26, 14)
LATER = local(BERLIN, 2026, 12, 3, 15)


def test_withdrawn_plans_nothing() -> None:
    facts = InterviewFacts(
        SCHEDULED,
        outcome="withdrawn",
        feeling="good",
        response_by=date(2026, 12, 11),
        interviewer_ids=(1, 2),
    )
    assert plan_interview(facts, Prefs(tz=BERLIN), LATER) == []
    assert plan_interview(facts, Prefs(tz=BERLIN), SCHEDULED - timedelta(days=1)) == []


def test_rejected_replaces_the_thank_yous_with_a_courtesy_note() -> None:
    facts = InterviewFacts(
        SCHEDULED,
        outcome="rejected",
        outcome_at=LATER,
        feeling="good",
        response_by=date(2026, 12, 11),
        interviewer_ids=(1, 2),
    )
    tasks = plan_interview(facts, Prefs(tz=BERLIN), LATER)
    assert kinds(tasks) == {COURTESY}
    courtesy = only(tasks, COURTESY)
    assert courtesy.first_nudge_at == LATER
    assert courtesy.due_at == local(BERLIN, 2026, 12, 8, 0)  # end of Monday 7th


def test_a_rejection_late_at_night_is_nudged_the_next_morning() -> None:
    at_night = local(BERLIN, 2026, 12, 3, 23, 30)
    facts = InterviewFacts(SCHEDULED, outcome="rejected", outcome_at=at_night)
    courtesy = only(plan_interview(facts, Prefs(tz=BERLIN), at_night), COURTESY)
    assert courtesy.first_nudge_at == local(BERLIN, 2026, 12, 4, 9)


def test_offer_withdraws_the_thank_yous_and_thanks_the_references() -> None:
    facts = InterviewFacts(
        SCHEDULED,
        outcome="offer",
        outcome_at=LATER,
        feeling="good",
        response_by=date(2026, 12, 11),
        interviewer_ids=(4,),
    )
    tasks = plan_interview(facts, Prefs(tz=BERLIN), LATER)
    assert kinds(tasks) == {THANK_REFERENCES}
    thanks = only(tasks, THANK_REFERENCES)
    assert thanks.first_nudge_at == LATER
    assert thanks.due_at == local(BERLIN, 2026, 12, 9, 0)  # end of Tuesday 8th


def test_next_round_and_ghosted_plan_no_check_in() -> None:
    facts = InterviewFacts(
        SCHEDULED,
        outcome="next_round",
        feeling="good",
        response_by=date(2026, 12, 1),
        interviewer_ids=(4,),
    )
    assert kinds(plan_interview(facts, Prefs(tz=BERLIN), LATER)) == {THANK_YOU, REFERENCES}
    facts = InterviewFacts(
        SCHEDULED, outcome="ghosted", feeling="good", response_by=date(2026, 12, 1)
    )
    assert kinds(plan_interview(facts, Prefs(tz=BERLIN), LATER)) == set()


def test_an_answer_before_the_interview_is_never_due_before_it() -> None:
    # the company cancels a week ahead: nothing the plan asks for is due before the interview
    now = SCHEDULED - timedelta(days=7)
    for outcome in ("rejected", "offer"):
        facts = InterviewFacts(SCHEDULED, outcome=outcome, outcome_at=now)
        tasks = plan_interview(facts, Prefs(tz=BERLIN), now)
        assert tasks
        for task in tasks:
            assert task.due_at > SCHEDULED, task


# ---------------------------------------------------------------- properties

ZONES: list[tzinfo] = [
    *(
        ZoneInfo(name)
        for name in (
            "UTC",
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Madrid",
            "Europe/Kyiv",
            "Europe/Moscow",
            "Europe/London",
            "America/New_York",
            "America/Los_Angeles",
            "America/Sao_Paulo",
            "America/Santiago",
            "America/St_Johns",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Asia/Tokyo",
            "Asia/Tehran",
            "Africa/Casablanca",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
        )
    ),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-3)),
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-11)),
]
COUNTRIES = [None, "DE", "US", "FR", "BR", "UA", "ES", "RU"]
WINDOW_KINDS = (THANK_YOU, CHECK_IN, REFERENCES, "no_answer")


@functools.cache
def _reference_holidays(country: str) -> Any:
    return holidays.country_holidays(country, years=range(2024, 2031))


def days_off(day: date, country: str | None) -> bool:
    """An independent rule: the weekend (unless decreed a working day) and public holidays."""
    if country is None:
        return day.isoweekday() in (6, 7)
    calendar = _reference_holidays(country)
    if day in calendar:
        return True
    return day.weekday() in calendar.weekend and day not in calendar.weekend_workdays


def nth_business_day_after(day: date, n: int, country: str | None) -> date:
    found: list[date] = []
    candidate = day
    while len(found) < n:
        candidate = candidate + timedelta(days=1)
        if not days_off(candidate, country):
            found.append(candidate)
    return found[-1]


@st.composite
def cases(draw: st.DrawFn) -> tuple[InterviewFacts, Prefs, datetime]:
    scheduled = draw(
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31, 23, 59))
    ).replace(tzinfo=UTC)
    tz = draw(st.sampled_from(ZONES))
    nudge_hour = draw(st.integers(6, 12))
    prefs = Prefs(
        tz=tz,
        country=draw(st.sampled_from(COUNTRIES)),
        nudge_hour=nudge_hour,
        quiet_hour=draw(st.integers(max(nudge_hour + 1, 18), 24)),
    )
    now = scheduled + timedelta(minutes=draw(st.integers(-40 * 24 * 60, 60 * 24 * 60)))
    outcome_at = draw(
        st.none() | st.integers(0, 30 * 24 * 60).map(lambda m: now - timedelta(minutes=m))
    )
    local_day = scheduled.astimezone(tz).date()
    response_by = draw(st.none() | st.integers(-5, 60).map(lambda d: local_day + timedelta(days=d)))
    count = draw(st.integers(0, 5))
    ids = tuple(draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True)))
    facts = InterviewFacts(
        scheduled_at=scheduled,
        outcome=draw(st.sampled_from(OUTCOMES)),
        outcome_at=outcome_at,
        feeling=draw(st.sampled_from(FEELINGS)),
        response_by=response_by,
        interviewer_ids=ids,
    )
    return facts, prefs, now


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_nothing_is_due_before_the_interview(case: tuple[InterviewFacts, Prefs, datetime]) -> None:
    facts, prefs, now = case
    for task in plan_interview(facts, prefs, now):
        assert task.due_at.tzinfo is not None
        if task.kind == BEFORE_YOU_LEAVE:
            # due when the interview starts, nudged before it
            assert task.due_at == facts.scheduled_at
            assert task.first_nudge_at <= facts.scheduled_at
        else:
            assert task.due_at > facts.scheduled_at, task
        if task.kind in WINDOW_KINDS:
            assert task.first_nudge_at >= facts.scheduled_at, task


@PROPERTY
@given(cases())
def test_thank_you_due_exactly_two_business_days_later(
    case: tuple[InterviewFacts, Prefs, datetime],
) -> None:
    facts, prefs, now = case
    thank_yous = of_kind(plan_interview(facts, prefs, now), THANK_YOU)
    if facts.outcome not in WAITING:
        assert not thank_yous
        return
    assert thank_yous
    interview_day = facts.scheduled_at.astimezone(prefs.tz).date()
    due_day = nth_business_day_after(interview_day, 2, prefs.country)
    next_day = nth_business_day_after(interview_day, 1, prefs.country)
    for task in thank_yous:
        last_moment = (task.due_at - timedelta(microseconds=1)).astimezone(prefs.tz)
        assert last_moment.date() == due_day
        assert task.due_at.astimezone(prefs.tz).date() == due_day + timedelta(days=1)
        first = task.first_nudge_at.astimezone(prefs.tz)
        assert (first.date(), first.time()) == (next_day, time(prefs.nudge_hour))


@PROPERTY
@given(cases())
def test_nudges_after_an_interview_come_in_waking_hours(
    case: tuple[InterviewFacts, Prefs, datetime],
) -> None:
    facts, prefs, now = case
    if facts.scheduled_at > now:
        now = facts.scheduled_at + (facts.scheduled_at - now)
        facts = InterviewFacts(
            facts.scheduled_at,
            facts.outcome,
            facts.outcome_at and min(facts.outcome_at, now),
            facts.feeling,
            facts.response_by,
            facts.interviewer_ids,
        )
    for task in plan_interview(facts, prefs, now):
        first = task.first_nudge_at.astimezone(prefs.tz)
        assert prefs.nudge_hour <= first.hour < prefs.quiet_hour, task
        if task.kind in WINDOW_KINDS:
            assert first.time() == time(prefs.nudge_hour), task
            assert is_business_day(first.date(), prefs.country)
        else:
            # courtesy and thanking references: as soon as the answer came, at a waking hour
            answer = max(now, facts.outcome_at or now)
            assert task.first_nudge_at >= answer
            assert task.first_nudge_at <= answer + timedelta(days=1, hours=1)


@PROPERTY
@given(cases())
def test_one_thank_you_per_interviewer(case: tuple[InterviewFacts, Prefs, datetime]) -> None:
    facts, prefs, now = case
    tasks = plan_interview(facts, prefs, now)
    keys = [t.key for t in tasks]
    assert len(keys) == len(set(keys))
    if facts.outcome not in WAITING:
        return
    people = [t.interviewer_id for t in of_kind(tasks, THANK_YOU)]
    wanted: list[int | None] = [*facts.interviewer_ids] or [None]
    assert people == wanted


@PROPERTY
@given(cases())
def test_withdrawn_yields_nothing(case: tuple[InterviewFacts, Prefs, datetime]) -> None:
    facts, prefs, now = case
    withdrawn = InterviewFacts(
        facts.scheduled_at,
        "withdrawn",
        facts.outcome_at,
        facts.feeling,
        facts.response_by,
        facts.interviewer_ids,
    )
    assert plan_interview(withdrawn, prefs, now) == []


@PROPERTY
@given(cases())
def test_the_plan_is_deterministic(case: tuple[InterviewFacts, Prefs, datetime]) -> None:
    facts, prefs, now = case
    first = plan_interview(facts, prefs, now)
    again = plan_interview(
        InterviewFacts(**vars(facts)), Prefs(**vars(prefs)), now.astimezone(prefs.tz)
    )
    assert first == again
    for task in first:
        assert task.due_at.utcoffset() == timedelta(0)
        assert task.first_nudge_at.utcoffset() == timedelta(0)


@PROPERTY
@given(cases())
def test_the_outcome_decides_which_tasks_exist(
    case: tuple[InterviewFacts, Prefs, datetime],
) -> None:
    facts, prefs, now = case
    found = kinds(plan_interview(facts, prefs, now))
    outcome = facts.outcome
    assert (CHECK_IN in found) == (outcome == "awaiting" and facts.response_by is not None)
    assert (REFERENCES in found) == (
        outcome in ("awaiting", "next_round") and facts.feeling == "good"
    )
    assert (COURTESY in found) == (outcome == "rejected")
    assert (THANK_YOU in found) == (outcome in WAITING)
    assert (THANK_REFERENCES in found) == (outcome == "offer")
    assert (BEFORE_YOU_LEAVE in found) == (outcome == "awaiting" and facts.scheduled_at > now)


@PROPERTY
@given(cases())
def test_before_you_leave_is_on_the_morning_and_before_the_start(
    case: tuple[InterviewFacts, Prefs, datetime],
) -> None:
    facts, prefs, now = case
    tasks = of_kind(plan_interview(facts, prefs, now), BEFORE_YOU_LEAVE)
    if not tasks:
        return
    nudge = tasks[0].first_nudge_at
    start = facts.scheduled_at
    assert now <= nudge <= start
    if nudge > now:
        # at least an hour before, never later than the nudge hour
        assert nudge <= start - timedelta(hours=1)
        day = start.astimezone(prefs.tz).date()
        seven = at_local(day, 7, prefs)
        assert nudge <= max(at_local(day, prefs.nudge_hour, prefs), seven)
        if nudge < seven:
            # earlier than 07:00 only when 07:00 would be too close to the start
            assert seven > start - timedelta(hours=1)
            assert nudge == start - timedelta(hours=1)


@PROPERTY
@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    tz=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_at_local_is_a_real_deterministic_instant(
    day: date, tz: tzinfo, hour: int, minute: int
) -> None:
    prefs = Prefs(tz=tz)
    moment = at_local(day, hour, prefs, minute=minute)
    assert moment == at_local(day, hour, prefs, minute=minute)
    assert moment.utcoffset() == timedelta(0)
    back = moment.astimezone(tz)
    assert back.astimezone(UTC) == moment
    wanted = datetime.combine(day, time(hour, minute))
    shown = back.replace(tzinfo=None)
    before = wanted.replace(tzinfo=tz).utcoffset()
    after = wanted.replace(tzinfo=tz, fold=1).utcoffset()
    assert before is not None and after is not None
    if before < after:
        # skipped by the clocks going forward: the same distance later on the wall clock
        assert shown == wanted + (after - before)
    else:
        # shown as asked; when the clocks go back, the first of the two occurrences
        assert shown == wanted
        assert moment == wanted.replace(tzinfo=tz).astimezone(UTC)
        assert moment <= wanted.replace(tzinfo=tz, fold=1).astimezone(UTC)
