"""Reading what a user types for "when was the interview" into a local day and optional time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.when_lexicon import (
    LANGUAGES,
    Lex,
    fold,
    is_month_first,
    language_of,
    lexemes,
    tokenize,
)
from bot.domain.when_settle import (
    Clock,
    Found,
    calendar_day,
    clock_fits,
    make_clock,
    settle,
)
from bot.domain.when_types import Direction, ParsedWhen, WhenChoice, WhenError

__all__ = [
    "LANGUAGES",
    "MAX_WHEN_TEXT",
    "Direction",
    "ParsedWhen",
    "WhenChoice",
    "WhenError",
    "parse_when",
    "quick_day",
]

MAX_WHEN_TEXT = 100

_QUICK_DAYS = {"today": 0, "yesterday": -1}


def quick_day(kind: str, now_local: datetime) -> ParsedWhen:
    """The day behind a "today" / "yesterday" button, with no time."""
    if kind not in _QUICK_DAYS:
        raise ValueError(f"unknown quick day: {kind!r}")
    return ParsedWhen(now_local.date() + timedelta(days=_QUICK_DAYS[kind]), None)


# --- the grammar ---------------------------------------------------------------------------


class _Reject(Exception):
    """The text has the shape of a date or time, but not a valid one."""


class _Parser:
    def __init__(self, lexes: list[Lex], now: datetime, month_first: bool) -> None:
        self.lexes = lexes
        self.now = now.replace(second=0, microsecond=0)
        self.today = now.date()
        self.month_first = month_first
        self.found = Found()

    def at(self, i: int) -> Lex:
        if 0 <= i < len(self.lexes):
            return self.lexes[i]
        return Lex("end", (), False)

    def run(self) -> Found | None:
        rules = (
            self._shift,
            self._now,
            self._time,
            self._at_time,
            self._numeric_date,
            self._article_day,
            self._day_month,
            self._ordinal_day,
            self._month_day,
            self._weekday,
            self._week,
            self._relative,
            self._part,
            self._filler,
            self._loose,
        )
        i = 0
        while i < len(self.lexes):
            for rule in rules:
                j = rule(i)
                if j is not None:
                    i = j
                    break
            else:
                return None
        return self.found

    def _add_day(self, day: date | None) -> None:
        if day is None:
            raise _Reject
        self.found.days.append(day)

    def _joiner(self, i: int) -> bool:
        """A small word allowed inside a written date: "25 de noviembre de 2026"."""
        lex = self.at(i)
        return lex.has("filler") and not lex.has("at")

    def _after_ordinal(self, i: int) -> int:
        lex = self.at(i)
        if lex.glued and lex.has("ordinal"):
            return i + 1
        if lex.kind == "sym" and lex.parts == ("-",) and lex.glued:
            suffix = self.at(i + 1)
            if suffix.glued and suffix.has("ordinal"):
                return i + 2
        return i

    def _year_at(self, i: int) -> tuple[str | None, int]:
        if self.at(i).year:
            return self.at(i).parts[0], i + 1
        if self._joiner(i) and self.at(i + 1).year:
            return self.at(i + 1).parts[0], i + 2
        return None, i

    def _unit_at(self, i: int) -> tuple[str, int] | None:
        """A unit of "in 2 days" as ("days", n) or ("minutes", n)."""
        lex = self.at(i)
        days, minutes = lex.sense("unit"), lex.sense("time_unit")
        if days is not None:
            return "days", days.number
        if minutes is not None:
            return "minutes", minutes.number
        return None

    def _count_at(self, i: int) -> tuple[int, int] | None:
        """The number of units and where the unit starts: "2 hours", "an hour", "через час"."""
        lex = self.at(i)
        if lex.kind == "num" and len(lex.parts) == 1:
            if len(lex.parts[0]) > 4:
                raise _Reject
            return int(lex.parts[0]), i + 1
        if lex.has("one") and self._unit_at(i + 1) is not None:
            return 1, i + 1
        if self._unit_at(i) is not None:
            return 1, i
        return None

    # "3 days ago", "hace 2 días", "через 2 дня", "in 2 hours", "vor 30 Minuten", "через час"
    def _shift(self, i: int) -> int | None:
        lex = self.at(i)
        before = lex.sense("shift_before")
        if before is not None:
            counted = self._count_at(i + 1)
            if counted is None:
                return None
            count, unit_at = counted
            sign, end = before.number, unit_at + 1
        else:
            counted = self._count_at(i)
            if counted is None or counted[1] == i:
                return None
            count, unit_at = counted
            after = self.at(unit_at + 1).sense("shift_after")
            if after is None:
                return None
            sign, end = after.number, unit_at + 2
        unit = self._unit_at(unit_at)
        if unit is None:
            return None
        kind, size = unit
        try:
            if kind == "days":
                self._add_day(self.today + timedelta(days=sign * count * size))
            else:
                self.found.moments.append(self.now + timedelta(minutes=sign * count * size))
        except OverflowError as error:
            raise _Reject from error
        return end

    def _now(self, i: int) -> int | None:
        if not self.at(i).has("now"):
            return None
        self.found.moments.append(self.now)
        return i + 1

    def _said_clock_at(self, i: int) -> tuple[Clock, int] | None:
        """A time said around an hour: "halb 11", "quarter to 11", "10 y media", "10h et quart"."""
        lex = self.at(i)
        before = lex.sense("clock_before")
        if before is not None:
            hour = self.at(i + 1)
            if not hour.small_number:
                return None
            end = i + 2 if not self.at(i + 2).has("hour_word") else i + 3
            meridiem = self.at(end).sense("meridiem")
            label = meridiem.label if meridiem is not None else None
            return make_clock(hour.parts[0], None, label, before.number), end + bool(meridiem)
        if not lex.small_number:
            return None
        j = i + 2 if self.at(i + 1).has("hour_word") else i + 1
        after = self.at(j).sense("clock_after")
        if after is None:
            return None
        return make_clock(lex.parts[0], None, offset=after.number), j + 1

    def _clock_at(self, i: int) -> tuple[Clock, int] | None:
        """A time that says itself it is one: 15:00, 3:30pm, 3 pm, 14h30, 15 Uhr, 15.30 Uhr."""
        said = self._said_clock_at(i)
        if said is not None:
            return said
        lex, nxt = self.at(i), self.at(i + 1)
        if lex.kind != "num":
            return None
        if len(lex.parts) == 2 and lex.sep in (":", ".") and not lex.dotted:
            hour, minute = lex.parts
            if len(hour) > 2 or len(minute) != 2:
                return None
            if lex.sep == "." and not nxt.has("meridiem", "hour_word"):
                return None
            meridiem = nxt.sense("meridiem")
            end = i + 2 if nxt.has("meridiem", "hour_word") else i + 1
            return make_clock(hour, minute, meridiem.label if meridiem else None), end
        if not lex.small_number:
            return None
        meridiem = nxt.sense("meridiem")
        if meridiem is not None:
            return make_clock(lex.parts[0], None, meridiem.label), i + 2
        if not nxt.has("hour_word"):
            return None
        minutes: str | None = None
        end = i + 2
        after = self.at(end)
        if (
            after.kind == "num"
            and len(after.parts) == 1
            and len(after.parts[0]) == 2
            and not self.at(end + 1).has("month", "ordinal")
        ):
            minutes, end = after.parts[0], end + 1
            if self.at(end).has("minute_word"):
                end += 1
        return make_clock(lex.parts[0], minutes), end

    def _time(self, i: int) -> int | None:
        if self.at(i).has("noon"):
            self.found.clocks.append(Clock(12, 0, "pm"))
            return i + 1
        clock = self._clock_at(i)
        if clock is None:
            return None
        self.found.clocks.append(clock[0])
        return clock[1]

    # "at 9", "a las 15:00", "um 9", "в 15.30"
    def _at_time(self, i: int) -> int | None:
        if not self.at(i).has("at"):
            return None
        clock = self._clock_at(i + 1)
        if clock is not None:
            self.found.clocks.append(clock[0])
            return clock[1]
        nxt = self.at(i + 1)
        if nxt.small_number and not self.at(i + 2).has("month", "ordinal", "unit"):
            self.found.clocks.append(make_clock(nxt.parts[0], None))
            return i + 2
        if nxt.kind == "num" and len(nxt.parts) == 2 and nxt.sep == "." and not nxt.dotted:
            if not clock_fits(*nxt.parts):
                raise _Reject
            self.found.clocks.append(make_clock(*nxt.parts))
            return i + 2
        return None

    # 2026-11-25, 25.11.2026, 25.11.26, 11/25, 25.11
    def _numeric_date(self, i: int) -> int | None:
        lex = self.at(i)
        if lex.kind != "num" or len(lex.parts) == 1 or lex.sep == ":":
            return None
        parts = lex.parts
        if len(parts) == 3 and len(parts[0]) == 4:
            self._add_day(calendar_day(int(parts[2]), int(parts[1]), parts[0], self.today))
            return i + 1
        if any(len(part) > 2 for part in parts[:2]):
            raise _Reject
        year = parts[2] if len(parts) == 3 else None
        first, second = int(parts[0]), int(parts[1])
        if lex.sep == ".":
            if len(parts) == 2 and not lex.dotted and clock_fits(parts[0], parts[1]):
                if 1 <= second <= 12 and 1 <= first <= 31:
                    self.found.pairs.append((parts[0], parts[1]))
                else:
                    self.found.clocks.append(make_clock(parts[0], parts[1]))
                return i + 1
            self._add_day(calendar_day(first, second, year, self.today))
            return i + 1
        if lex.sep == "-" and len(parts) == 2:
            # "14-16" is more likely a span of hours than a date
            raise _Reject
        day, month = (second, first) if self.month_first else (first, second)
        found = calendar_day(day, month, year, self.today)
        other = calendar_day(month, day, year, self.today)
        if found is None:
            # 25/11 in an M/d locale: only one reading is a real date, so it is the one meant
            found = other
        elif other is not None and other != found:
            # 12/11 is two real dates a month apart: the caller asks which one was meant
            self.found.swapped.append((found, other))
        self._add_day(found)
        return i + 1

    # "the 5th", "el 5", "le 5", "dia 5", "am 5." (but "the 5th of May" is a whole date)
    def _article_day(self, i: int) -> int | None:
        if not self.at(i).has("article"):
            return None
        number = self.at(i + 1)
        if not number.small_number:
            return None
        end = self._after_ordinal(i + 2)
        after = self.at(end)
        if after.has("month", "meridiem", "hour_word", "unit", "time_unit") or (
            self._joiner(end) and self.at(end + 1).has("month")
        ):
            return None
        self.found.month_days.append(int(number.parts[0]))
        return end

    # "5th", "1er", "5-го" with no month after them
    def _ordinal_day(self, i: int) -> int | None:
        lex = self.at(i)
        if not lex.small_number:
            return None
        end = self._after_ordinal(i + 1)
        if end == i + 1:
            return None
        self.found.month_days.append(int(lex.parts[0]))
        return end

    # "25 November", "25. November 2026", "25 de noviembre", "25-го ноября", "the 25th of May"
    def _day_month(self, i: int) -> int | None:
        lex = self.at(i)
        if not lex.small_number:
            return None
        j = self._after_ordinal(i + 1)
        if self._joiner(j) and self.at(j + 1).has("month"):
            j += 1
        month = self.at(j).sense("month")
        if month is None:
            return None
        year, end = self._year_at(j + 1)
        self._add_day(calendar_day(int(lex.parts[0]), month.number, year, self.today))
        return end

    # "November 25", "Nov 25th, 2026"
    def _month_day(self, i: int) -> int | None:
        lex = self.at(i)
        month = lex.sense("month")
        # Spanish "mar" (and French "mar." next to English "Mar") is Tuesday or March: before a
        # day number either could be meant, so it is read as the weekday or not at all
        if month is None or lex.has("weekday"):
            return None
        j = i + 1
        if self._joiner(j) and self.at(j + 1).small_number:
            j += 1
        day = self.at(j)
        if not day.small_number:
            return None
        after = self._after_ordinal(j + 1)
        if after == j + 1 and self.at(after).has("meridiem", "hour_word", "unit"):
            return None
        year, end = self._year_at(after)
        self._add_day(calendar_day(int(day.parts[0]), month.number, year, self.today))
        return end

    # "tuesday", "next Tuesday", "el martes que viene", "в прошлую пятницу"
    def _weekday(self, i: int) -> int | None:
        lex = self.at(i)
        modifier = lex.sense("modifier")
        if modifier is not None:
            weekday = self.at(i + 1).sense("weekday")
            if weekday is None:
                return None
            self.found.weekdays.append((weekday.number, modifier.label))
            return i + 2
        weekday = lex.sense("weekday")
        if weekday is None:
            return None
        after = self.at(i + 1).sense("modifier")
        self.found.weekdays.append((weekday.number, after.label if after else ""))
        return i + 2 if after else i + 1

    # "next week", "la semana que viene", "на следующей неделе"
    def _week(self, i: int) -> int | None:
        week = self.at(i).sense("week")
        if week is None:
            return None
        self.found.weeks.append(week.number)
        return i + 1

    def _relative(self, i: int) -> int | None:
        lex = self.at(i)
        both = lex.sense("relative_part")
        if both is not None:
            self._add_day(self.today + timedelta(days=both.number))
            self.found.parts.append(both.label)
            return i + 1
        relative = lex.sense("relative")
        if relative is None:
            return None
        self._add_day(self.today + timedelta(days=relative.number))
        return i + 1

    def _part(self, i: int) -> int | None:
        part = self.at(i).sense("part")
        if part is None:
            return None
        self.found.parts.append(part.label)
        return i + 1

    def _filler(self, i: int) -> int | None:
        return i + 1 if self.at(i).has("filler") else None

    # "tomorrow 7": a number left over is an hour, if the rest names a day (settled later)
    def _loose(self, i: int) -> int | None:
        lex = self.at(i)
        if not lex.small_number:
            return None
        self.found.loose.append(lex.parts[0])
        return i + 1


def parse_when(
    text: str,
    now_local: datetime,
    language: str,
    direction: Direction = "past",
    region: str | None = None,
) -> ParsedWhen | WhenChoice | WhenError:
    """Read a day and an optional time; anything not fully understood is NOT_A_DATE.

    ``direction`` says where a bare weekday or day of the month points; ``region`` (the
    user's country, when known) decides whether 12/11 is read day or month first.

    The project reads dates itself rather than through a general library (dateparser was
    tried): a guess it cannot stand behind must come back as a question or an error, never as
    a confident wrong date, and every word it knows is listed in when_words/when_phrases.
    """
    stripped = text.strip()
    if not stripped:
        return WhenError.EMPTY
    if len(stripped) > MAX_WHEN_TEXT:
        return WhenError.TOO_LONG
    language = language_of(language)
    tokens = tokenize(fold(stripped))
    if not tokens:
        return WhenError.NOT_A_DATE
    lexes = lexemes(tokens, language)
    if lexes is None:
        return WhenError.NOT_A_DATE
    try:
        found = _Parser(lexes, now_local, is_month_first(language, region)).run()
    except _Reject:
        return WhenError.NOT_A_DATE
    if found is None:
        return WhenError.NOT_A_DATE
    return settle(found, now_local, direction)
