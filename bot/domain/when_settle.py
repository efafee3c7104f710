"""Settling what the date reader found into one day and time, a choice to ask, or an error."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from bot.domain.when_types import Direction, ParsedWhen, WhenChoice, WhenError


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    meridiem: str | None = None
    padded: bool = False  # "07:30": a leading zero means the 24-hour clock was meant
    bare: bool = False  # an hour alone, no minutes
    # "halb 11", "quarter past 10": minutes from the hour named, once its half of the day is known
    offset: int = 0


@dataclass
class Found:
    days: list[date] = field(default_factory=list)
    weekdays: list[tuple[int, str]] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # 15.30 or 10.11: time or date
    parts: list[str] = field(default_factory=list)
    month_days: list[int] = field(default_factory=list)  # "the 5th": a day of some month
    loose: list[str] = field(default_factory=list)  # a lone number: an hour, once a day is known
    moments: list[datetime] = field(default_factory=list)  # "now", "in 2 hours"
    weeks: list[int] = field(default_factory=list)  # "next week": weeks from this one
    # "12/11": the date as the user's locale reads it, and the other reading
    swapped: list[tuple[date, date]] = field(default_factory=list)


def nearest(day: int, month: int, today: date) -> date | None:
    """The date with this day and month nearest to today, from last year to next year."""
    candidates: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda c: (abs((c - today).days), c > today))


def calendar_day(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return nearest(day, month, today)
    if len(year) == 2:
        full = 2000 + int(year)
    elif len(year) == 4:
        full = int(year)
    else:
        return None
    try:
        return date(full, month, day)
    except ValueError:
        return None


def clock_fits(hour: str, minute: str) -> bool:
    return len(hour) <= 2 and len(minute) == 2 and int(hour) <= 23 and int(minute) <= 59


def make_clock(
    hour: str, minute: str | None, meridiem: str | None = None, offset: int = 0
) -> Clock:
    return Clock(
        int(hour),
        int(minute) if minute is not None else 0,
        meridiem,
        padded=len(hour) == 2 and hour.startswith("0"),
        bare=minute is None,
        offset=offset,
    )


# how an hour of the 12-hour dial reads in each part of the day; hours not listed are
# contradictions ("9 in the evening" is 21, "2 in the afternoon" 14, "12 in the morning" is
# too unclear to take). "Night" stops at midnight: "last night at 2" is already the next
# calendar day, and which one the user means is a guess.
_PART_HOURS: dict[str, dict[int, int]] = {
    "morning": {h: h for h in range(1, 12)},
    "afternoon": {12: 12, **{h: h + 12 for h in range(1, 8)}},
    "evening": {h: h + 12 for h in range(4, 12)},
    "night": {h: h + 12 for h in range(6, 12)},
    "early": {12: 0, **{h: h for h in range(1, 7)}},
}


def _wall_clock(clock: Clock, part: str | None) -> time | None:
    hour = clock.hour
    if not 0 <= clock.minute <= 59:
        return None
    if clock.meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if clock.meridiem == "pm" else 0)
        if part is not None and hour not in _PART_HOURS[part].values():
            return None
    elif part is not None:
        hours = _PART_HOURS[part]
        if 1 <= hour <= 12:
            if hour not in hours:
                return None
            hour = hours[hour]
        elif hour not in hours.values() or (hour == 0 and clock.bare):
            return None
    else:
        if hour > 23 or (hour == 0 and clock.bare):
            return None
        # A bare "at 3" is 15:00: interviews rarely happen at 3 at night. Only a bare hour is
        # guessed at: "7:00" is written on a 24-hour dial and means the morning, as written.
        if clock.bare and 1 <= hour <= 6 and not clock.padded:
            hour += 12
    # "halb 1" is 12:30 and "quarter to 12" 11:45; nothing goes back past midnight or on past it
    minutes = hour * 60 + clock.minute + clock.offset
    if not 0 <= minutes < 24 * 60:
        return None
    return time(minutes // 60, minutes % 60)


def _weekday_day(weekday: int, modifier: str, today: date, direction: Direction) -> date:
    if modifier == "next":
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if modifier == "last":
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if modifier == "this":
        return today + timedelta(days=weekday - today.weekday())
    back = today - timedelta(days=(today.weekday() - weekday) % 7)
    ahead = today + timedelta(days=(weekday - today.weekday()) % 7)
    if direction == "past":
        return back
    if direction == "future":
        return ahead
    # seven is odd, so one of the two is always strictly nearer (or both are today)
    return back if today - back < ahead - today else ahead


def _month_day(number: int, today: date, direction: Direction) -> date | None:
    """The 5th: this month's, or the one before or after, as the direction says."""
    candidates: list[date] = []
    year, month = today.year, today.month
    for step in range(-2, 3):
        y, m = divmod(year * 12 + month - 1 + step, 12)
        if 1 <= number <= calendar.monthrange(y, m + 1)[1]:
            candidates.append(date(y, m + 1, number))
    if direction == "past":
        candidates = [c for c in candidates if c <= today]
        return max(candidates, default=None)
    if direction == "future":
        candidates = [c for c in candidates if c >= today]
        return min(candidates, default=None)
    return min(candidates, key=lambda c: (abs((c - today).days), c > today), default=None)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def year_away(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:
        return today.replace(year=today.year + years, day=28)


def _in_range(day: date, today: date) -> WhenError | None:
    if day < year_away(today, -1):
        return WhenError.LONG_AGO
    if day > year_away(today, 1):
        return WhenError.FAR_AHEAD
    return None


def _one(found: Found, now: datetime, direction: Direction) -> ParsedWhen | WhenChoice | WhenError:
    today = now.date()
    days = list(found.days)
    clocks = list(found.clocks)
    for first, second in found.pairs:
        # 10.11 is a date unless a date is already given, then it is a time
        if days or found.weekdays or found.month_days or found.weeks:
            clocks.append(make_clock(first, second))
            continue
        day = calendar_day(int(first), int(second), None, today)
        if day is None:
            return WhenError.NOT_A_DATE
        days.append(day)
    for number in found.month_days:
        found_day = _month_day(number, today, direction)
        if found_day is None:
            return WhenError.NOT_A_DATE
        days.append(found_day)
    if len(found.moments) > 1 or (found.moments and (days or found.weekdays or clocks)):
        return WhenError.NOT_A_DATE
    if found.moments:
        if found.loose or found.parts or found.weeks:
            return WhenError.NOT_A_DATE
        moment = found.moments[0]
        return _checked(ParsedWhen(moment.date(), moment.time().replace(second=0)), today)
    if len(found.weekdays) > 1 or len(found.weeks) > 1:
        return WhenError.NOT_A_DATE
    if found.weeks and days:
        return WhenError.NOT_A_DATE
    if found.weekdays:
        weekday, modifier = found.weekdays[0]
        if found.weeks:
            if modifier:
                return WhenError.NOT_A_DATE
            # "Tuesday next week"
            days.append(_monday(today) + timedelta(days=7 * found.weeks[0] + weekday))
        elif not days:
            days.append(_weekday_day(weekday, modifier, today, direction))
        elif modifier or any(day.weekday() != weekday for day in days):
            # "Tuesday 25.11" when the 25th is a Wednesday: better to ask than to pick one
            return WhenError.NOT_A_DATE
    # a lone number next to a day is its hour: "tomorrow 7", "gestern 15"
    if len(found.loose) > 1 or (found.loose and (clocks or not (days or found.weeks))):
        return WhenError.NOT_A_DATE
    clocks += [make_clock(number, None) for number in found.loose]
    if len(set(days)) > 1 or len(clocks) > 1 or len(set(found.parts)) > 1:
        return WhenError.NOT_A_DATE
    at = None
    if clocks:
        at = _wall_clock(clocks[0], found.parts[0] if found.parts else None)
        if at is None:
            return WhenError.NOT_A_DATE
    if found.weeks and not days:
        # "next week" names no day: the handler offers the working days of that week
        monday = _monday(today) + timedelta(days=7 * found.weeks[0])
        workdays = tuple(ParsedWhen(monday + timedelta(days=n), at) for n in range(5))
        return WhenChoice(workdays, "week")
    if not days:
        if at is None:
            return WhenError.NOT_A_DATE
        # a time alone ("3pm", "noon") is today's
        days.append(today)
    return _checked(ParsedWhen(days[0], at), today)


def _checked(parsed: ParsedWhen, today: date) -> ParsedWhen | WhenError:
    return _in_range(parsed.day, today) or parsed


def _fits(parsed: ParsedWhen, today: date, direction: Direction) -> bool:
    if direction == "past":
        return parsed.day <= today
    if direction == "future":
        return parsed.day >= today
    return True


def settle(
    found: Found, now: datetime, direction: Direction
) -> ParsedWhen | WhenChoice | WhenError:
    """One reading, or both readings of a numeric date whose order is unclear."""
    if len(found.swapped) > 1:
        return WhenError.NOT_A_DATE
    first = _one(found, now, direction)
    if not found.swapped:
        return first
    primary, other = found.swapped[0]
    alternative = replace(found, days=[other if d == primary else d for d in found.days])
    second = _one(alternative, now, direction)
    readings = [r for r in (first, second) if isinstance(r, ParsedWhen)]
    if not readings:
        return first
    fitting = [r for r in readings if _fits(r, now.date(), direction)] or readings
    if len(fitting) == 1:
        return fitting[0]
    return WhenChoice(tuple(fitting), "order")
