"""The weekly check-in moment in the club's zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.clubs.schedule import club_zone, current_period, next_checkin, previous_checkin

BERLIN = ZoneInfo("Europe/Berlin")


def test_monday_evening_in_berlin_winter_and_summer() -> None:
    winter = next_checkin(datetime(2026, 12, 2, 12, tzinfo=UTC), 0, 18, BERLIN)
    assert winter == datetime(2026, 12, 7, 17, tzinfo=UTC)
    summer = next_checkin(datetime(2026, 7, 1, 12, tzinfo=UTC), 0, 18, BERLIN)
    assert summer == datetime(2026, 7, 6, 16, tzinfo=UTC)


def test_the_week_across_the_spring_change_is_an_hour_shorter() -> None:
    start, end = current_period(datetime(2026, 3, 26, 12, tzinfo=UTC), 0, 18, BERLIN)
    assert start == datetime(2026, 3, 23, 17, tzinfo=UTC)
    assert end == datetime(2026, 3, 30, 16, tzinfo=UTC)
    assert end - start == timedelta(days=7, hours=-1)


def test_an_hour_skipped_by_the_change_comes_an_hour_later() -> None:
    # Sunday 29 March 2026, 02:00 does not exist in Berlin: the check-in is at 03:00 local
    moment = next_checkin(datetime(2026, 3, 27, 12, tzinfo=UTC), 6, 2, BERLIN)
    assert moment == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert moment.astimezone(BERLIN).hour == 3


def test_exactly_at_the_moment_is_the_start_of_the_next_week() -> None:
    at = datetime(2026, 12, 7, 17, tzinfo=UTC)
    assert previous_checkin(at, 0, 18, BERLIN) == at
    assert next_checkin(at, 0, 18, BERLIN) == at + timedelta(days=7)


def test_an_unknown_or_missing_zone_is_utc() -> None:
    assert club_zone(None) is UTC
    assert club_zone("Mars/Olympus") is UTC


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    st.integers(0, 6),
    st.integers(0, 23),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
)
def test_now_is_always_inside_its_week(naive: datetime, weekday: int, hour: int, zone: str) -> None:
    now = naive.replace(tzinfo=UTC)
    tz = ZoneInfo(zone)
    start, end = current_period(now, weekday, hour, tz)
    assert start <= now < end
    assert timedelta(days=6, hours=22) <= end - start <= timedelta(days=7, hours=2)
    assert end.astimezone(tz).weekday() == weekday


def test_a_fixed_offset_zone_is_kept() -> None:
    zone = club_zone("UTC+05:30")
    moment = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert moment.astimezone(zone).utcoffset() == timedelta(hours=5, minutes=30)
