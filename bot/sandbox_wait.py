"""Reading the sandbox's :wait argument: a duration (2d, 3h30m) or a moment (until monday 9:00)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from bot.domain.when import ParsedWhen, WhenChoice, parse_when

# a day given without a time means the morning, when nudges usually arrive
DEFAULT_HOUR = time(9, 0)
LONGEST_WAIT = timedelta(days=366)

_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), timedelta(seconds=1)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_WHOLE = re.compile(r"(?:\s*\d+(?:\.\d+)?\s*[a-z]+\s*(?:,|and)?)+")


@dataclass(frozen=True)
class WaitProblem:
    """Why a :wait argument could not be used, in words for the sandbox user."""

    message: str


def parse_duration(text: str) -> timedelta | WaitProblem:
    """``30m``, ``2h``, ``2d``, ``1w``, ``1d 12h`` or ``2 days``; at most a year, more than 0."""
    folded = text.strip().lower()
    if not folded:
        return WaitProblem("How long? For example :wait 2d, :wait 3h or :wait until monday 9:00.")
    if not _WHOLE.fullmatch(folded):
        return WaitProblem(
            f"I could not read “{text.strip()}” as a duration; try 30m, 2h, 2d or 1w."
        )
    total = timedelta()
    for amount, unit in _PART.findall(folded):
        step = _UNITS.get(unit)
        if step is None:
            return WaitProblem(f"I don't know the unit “{unit}”; use m, h, d or w.")
        total += step * float(amount)
    if total <= timedelta():
        return WaitProblem("That is no time at all; nothing to wait for.")
    if total > LONGEST_WAIT:
        return WaitProblem("Please wait at most a year at a time.")
    return total


def parse_until(text: str, now: datetime, zone: tzinfo) -> datetime | WaitProblem:
    """The next moment matching ``text`` (monday 9:00, tomorrow, 1.12 14:00, 9am) in ``zone``.

    The bot's own date reader is reused, looking ahead: "tuesday 7:00" is the coming
    Tuesday at seven in the morning. A moment already past is retried as "next ..." (today's
    weekday) and a bare time as "tomorrow ..."; of two readings of 1/12 the locale's comes
    first, and "next week" is its Monday.
    """
    wanted = text.strip()
    if not wanted:
        return WaitProblem("Until when? For example :wait until monday 9:00.")
    local_now = now.astimezone(zone)
    understood = False
    for candidate in (wanted, f"next {wanted}", f"tomorrow {wanted}"):
        parsed = parse_when(candidate, local_now, "en", "future")
        if isinstance(parsed, WhenChoice):
            parsed = parsed.readings[0]
        if not isinstance(parsed, ParsedWhen):
            continue
        understood = True
        moment = datetime.combine(parsed.day, parsed.at or DEFAULT_HOUR, tzinfo=zone)
        if moment > now:
            if moment - now > LONGEST_WAIT:
                return WaitProblem("Please wait at most a year at a time.")
            return moment
    if understood:
        return WaitProblem(f"“{wanted}” is not in the future; time only moves forward here.")
    return WaitProblem(
        f"I could not read “{wanted}” as a moment; try monday 9:00, tomorrow 8am or 1.12 14:00."
    )
