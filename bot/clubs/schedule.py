"""When a club's weekly check-in falls, in the club's zone and across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.domain.zones import is_known_zone, zone_info

WEEK = timedelta(days=7)


def club_zone(name: str | None) -> tzinfo:
    """The club's zone; a club no one has set one for runs on UTC."""
    if not name:
        return UTC
    # a fixed offset such as "UTC+05:30" (what a zone lookup gives for one) is not an IANA name
    return zone_info(name) if is_known_zone(name) else UTC


def _at(day_local: datetime, hour: int, tz: tzinfo) -> datetime:
    """The UTC moment of ``hour``:00 on that local day. zoneinfo reads a wall time skipped by a
    spring-forward change with the offset before it, so 02:00 that day becomes 03:00 (never
    dropped), and an hour that comes twice in autumn is its first occurrence."""
    return datetime.combine(day_local.date(), time(hour), tzinfo=tz).astimezone(UTC)


def next_checkin(after: datetime, weekday: int, hour: int, tz: tzinfo) -> datetime:
    """The first check-in strictly after ``after`` (UTC): weekday (Monday 0) at hour, local."""
    local = after.astimezone(tz)
    days = (weekday - local.weekday()) % 7
    for extra in (0, 7, 14):
        day = local + timedelta(days=days + extra)
        moment = _at(day, hour, tz)
        if moment > after:
            return moment
    raise AssertionError("a weekly moment always comes within two weeks")


def previous_checkin(at_or_before: datetime, weekday: int, hour: int, tz: tzinfo) -> datetime:
    """The last check-in moment at or before ``at_or_before`` (UTC)."""
    local = at_or_before.astimezone(tz)
    days = (local.weekday() - weekday) % 7
    for extra in (0, 7, 14):
        moment = _at(local - timedelta(days=days + extra), hour, tz)
        if moment <= at_or_before:
            return moment
    raise AssertionError("a weekly moment always came within two weeks")


def current_period(now: datetime, weekday: int, hour: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The club's week that ``now`` is in: from the last check-in moment to the next."""
    return previous_checkin(now, weekday, hour, tz), next_checkin(now, weekday, hour, tz)
