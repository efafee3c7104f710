"""Reading what a user types for "when was the interview" into a local day and optional time."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum

from babel import Locale

from bot.domain import when_words as words

MAX_WHEN_TEXT = 100
LANGUAGES = ("en", "es", "de", "fr", "pt_BR", "ru", "uk")


@dataclass(frozen=True)
class ParsedWhen:
    """A local calendar day and, when the user gave one, a wall-clock time."""

    day: date
    at: time | None


class WhenError(Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_DATE = "not_a_date"
    TOO_FAR = "too_far"


_QUICK_DAYS = {"today": 0, "yesterday": -1}


def quick_day(kind: str, now_local: datetime) -> ParsedWhen:
    """The day behind a "today" / "yesterday" button, with no time."""
    if kind not in _QUICK_DAYS:
        raise ValueError(f"unknown quick day: {kind!r}")
    return ParsedWhen(now_local.date() + timedelta(days=_QUICK_DAYS[kind]), None)


# --- folding and tokens -------------------------------------------------------------------

_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼʹ`´′＇", "'"))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—−", "-"))
# "3 p.m." and "3 a. m." become "3 pm" / "3 am" before tokens are cut
_DOTTED_MERIDIEM = re.compile(r"(?<![^\W\d_])([ap])\.\s?m\b\.?")
# "avant-hier", "terça-feira": a hyphen inside words is a space, one between digits is a date
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_TOKEN = re.compile(
    r"(?P<num>[0-9]+)"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)*|@)"
    r"|(?P<sym>[.:/'-])"
    r"|(?P<gap>[\s,;!?]+)"
    r"|(?P<bad>.)",
    re.DOTALL,
)


def _fold(text: str) -> str:
    # apostrophes first: NFKC would turn an acute accent used as one into a combining mark
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "word" or "sym"
    text: str
    glued: bool  # nothing but the previous token right before it


def _tokenize(folded: str) -> list[_Token] | None:
    folded = _DOTTED_MERIDIEM.sub(r"\1m", folded)
    folded = _WORD_HYPHEN.sub(" ", folded)
    tokens: list[_Token] = []
    glued = False
    for match in _TOKEN.finditer(folded):
        kind = match.lastgroup or "bad"
        if kind == "bad":
            return None
        if kind == "gap":
            glued = False
            continue
        text = match.group()
        # the dot of an abbreviation ("Di.", "nov.") says nothing
        if kind == "sym" and text == "." and glued and tokens and tokens[-1].kind == "word":
            continue
        tokens.append(_Token(kind, text, glued))
        glued = True
    return tokens


# --- the vocabulary ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Sense:
    kind: str
    number: int = 0
    label: str = ""


_Lexicon = dict[tuple[str, ...], frozenset[_Sense]]


def _language(language: str) -> str:
    code = language.replace("-", "_")
    for known in LANGUAGES:
        if known.casefold() == code.casefold():
            return known
    return "en"


def _phrase_keys(phrase: str, language: str) -> set[tuple[str, ...]]:
    spellings = {phrase}
    if language == "de":
        # Germans without an umlaut key write "naechsten", "uebermorgen"
        spellings.add(phrase.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
    keys: set[tuple[str, ...]] = set()
    for spelling in spellings:
        tokens = _tokenize(_fold(spelling))
        if not tokens or any(token.kind != "word" for token in tokens):
            continue
        key = tuple(token.text for token in tokens)
        keys.add(key)
        # "aujourdhui", "пятниця": the apostrophe is often left out
        keys.add(tuple(word.replace("'", "") for word in key))
    return keys


def _cldr_names(language: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    locale = Locale.parse(language)
    days: list[tuple[str, int]] = []
    months: list[tuple[str, int]] = []
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            days += [(str(name), int(n)) for n, name in locale.days[context][width].items()]
            months += [(str(name), int(n)) for n, name in locale.months[context][width].items()]
    return days, months


@functools.cache
def _lexicon(language: str) -> _Lexicon:
    table: dict[tuple[str, ...], set[_Sense]] = {}

    def add(phrases: Iterable[str], sense: _Sense, lang: str) -> None:
        for phrase in phrases:
            for key in _phrase_keys(phrase, lang):
                table.setdefault(key, set()).add(sense)

    for lang in dict.fromkeys(("en", language)):
        days, months = _cldr_names(lang)
        for name, weekday in [*days, *words.EXTRA_WEEKDAYS.get(lang, {}).items()]:
            add([name], _Sense("weekday", weekday), lang)
        for name, month in [*months, *words.EXTRA_MONTHS.get(lang, {}).items()]:
            add([name], _Sense("month", month), lang)
        for phrase, offset in words.RELATIVE_DAYS.get(lang, {}).items():
            add([phrase], _Sense("relative", offset), lang)
        for phrase, (offset, part) in words.RELATIVE_DAY_PARTS.get(lang, {}).items():
            add([phrase], _Sense("relative_part", offset, part), lang)
        for phrase, label in words.WEEKDAY_MODIFIERS.get(lang, {}).items():
            add([phrase], _Sense("modifier", label=label), lang)
        for phrase, label in words.MERIDIEM.get(lang, {}).items():
            add([phrase], _Sense("meridiem", label=label), lang)
        for phrase, part in words.DAY_PARTS.get(lang, {}).items():
            add([phrase], _Sense("part", label=part), lang)
        for phrase, size in words.DAY_UNITS.get(lang, {}).items():
            add([phrase], _Sense("unit", size), lang)
        for phrase, sign in words.SHIFT_BEFORE.get(lang, {}).items():
            add([phrase], _Sense("shift_before", sign), lang)
        for phrase, sign in words.SHIFT_AFTER.get(lang, {}).items():
            add([phrase], _Sense("shift_after", sign), lang)
        add(words.AT_WORDS.get(lang, ()), _Sense("at"), lang)
        add(words.FILLERS.get(lang, ()), _Sense("filler"), lang)
        add(words.HOUR_WORDS.get(lang, ()), _Sense("hour_word"), lang)
        add(words.MINUTE_WORDS.get(lang, ()), _Sense("minute_word"), lang)
        add(words.NOON_WORDS.get(lang, ()), _Sense("noon"), lang)
        add(words.ORDINAL_SUFFIXES.get(lang, ()), _Sense("ordinal"), lang)
    return {key: frozenset(senses) for key, senses in table.items()}


@functools.cache
def _longest_phrase(language: str) -> int:
    return max(len(key) for key in _lexicon(language))


@functools.cache
def _month_first(language: str) -> bool:
    """Whether the locale writes 11/25 rather than 25/11."""
    pattern = str(Locale.parse(language).date_formats["short"].pattern)
    return pattern.find("M") < pattern.find("d")


# --- lexemes: numbers grouped, words matched to phrases ----------------------------------


@dataclass(frozen=True)
class _Lex:
    kind: str  # "num", "words" or "sym"
    parts: tuple[str, ...]
    glued: bool
    sep: str = ""
    dotted: bool = False  # a number with a dot after it: "25." or "25.11."
    senses: frozenset[_Sense] = frozenset()

    def sense(self, kind: str) -> _Sense | None:
        for sense in self.senses:
            if sense.kind == kind:
                return sense
        return None

    def has(self, *kinds: str) -> bool:
        return any(sense.kind in kinds for sense in self.senses)

    @property
    def small_number(self) -> bool:
        """A single number of one or two digits: a day of the month or an hour."""
        return self.kind == "num" and len(self.parts) == 1 and len(self.parts[0]) <= 2

    @property
    def year(self) -> bool:
        return self.kind == "num" and len(self.parts) == 1 and len(self.parts[0]) == 4


def _number(tokens: list[_Token], i: int) -> tuple[_Lex, int]:
    """Digits joined by one kind of separator, written without spaces: 25.11.2026, 15:00."""
    parts = [tokens[i].text]
    sep = ""
    j = i + 1
    while (
        len(parts) < 3
        and j + 1 < len(tokens)
        and tokens[j].kind == "sym"
        and tokens[j].text in ".:/-"
        and tokens[j].glued
        and tokens[j + 1].kind == "num"
        and tokens[j + 1].glued
        and sep in ("", tokens[j].text)
    ):
        sep = tokens[j].text
        parts.append(tokens[j + 1].text)
        j += 2
    dotted = j < len(tokens) and tokens[j] == _Token("sym", ".", glued=True)
    if dotted:
        j += 1
    return _Lex("num", tuple(parts), tokens[i].glued, sep, dotted), j


def _lex(tokens: list[_Token], language: str) -> list[_Lex] | None:
    lexicon = _lexicon(language)
    longest = _longest_phrase(language)
    out: list[_Lex] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "num":
            lex, i = _number(tokens, i)
            out.append(lex)
            continue
        if token.kind == "sym":
            out.append(_Lex("sym", (token.text,), token.glued))
            i += 1
            continue
        found: _Lex | None = None
        for size in range(min(longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            if any(t.kind != "word" for t in window):
                continue
            key = tuple(t.text for t in window)
            senses = lexicon.get(key)
            if senses:
                found = _Lex("words", key, token.glued, senses=senses)
                i += size
                break
        if found is None:
            return None
        out.append(found)
    return out


# --- the grammar ---------------------------------------------------------------------------


class _Reject(Exception):
    """The text has the shape of a date or time, but not a valid one."""


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    meridiem: str | None = None
    padded: bool = False  # "07:30": a leading zero means the 24-hour clock was meant
    bare: bool = False  # an hour alone, no minutes


@dataclass
class _Found:
    days: list[date] = field(default_factory=list)
    weekdays: list[tuple[int, str]] = field(default_factory=list)
    clocks: list[_Clock] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # 15.30 or 10.11: time or date
    parts: list[str] = field(default_factory=list)


def _nearest(day: int, month: int, today: date) -> date | None:
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


def _calendar_day(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _nearest(day, month, today)
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


def _clock_fits(hour: str, minute: str) -> bool:
    return len(hour) <= 2 and len(minute) == 2 and int(hour) <= 23 and int(minute) <= 59


def _make_clock(hour: str, minute: str | None, meridiem: str | None = None) -> _Clock:
    return _Clock(
        int(hour),
        int(minute) if minute is not None else 0,
        meridiem,
        padded=len(hour) == 2 and hour.startswith("0"),
        bare=minute is None,
    )


class _Parser:
    def __init__(self, lexes: list[_Lex], today: date, month_first: bool) -> None:
        self.lexes = lexes
        self.today = today
        self.month_first = month_first
        self.found = _Found()

    def at(self, i: int) -> _Lex:
        if 0 <= i < len(self.lexes):
            return self.lexes[i]
        return _Lex("end", (), False)

    def run(self) -> _Found | None:
        rules = (
            self._shift,
            self._time,
            self._at_time,
            self._numeric_date,
            self._day_month,
            self._month_day,
            self._weekday,
            self._relative,
            self._part,
            self._filler,
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

    # "3 days ago", "hace 2 días", "через 2 дня"
    def _shift(self, i: int) -> int | None:
        lex = self.at(i)
        before = lex.sense("shift_before")
        if before is not None:
            count, unit = self.at(i + 1), self.at(i + 2).sense("unit")
            sign, end = before.number, i + 3
        else:
            after = self.at(i + 2).sense("shift_after")
            count, unit = lex, self.at(i + 1).sense("unit")
            if after is None:
                return None
            sign, end = after.number, i + 3
        if unit is None or count.kind != "num" or len(count.parts) != 1:
            return None
        if len(count.parts[0]) > 4:
            raise _Reject
        try:
            self._add_day(self.today + timedelta(days=sign * int(count.parts[0]) * unit.number))
        except OverflowError as error:
            raise _Reject from error
        return end

    def _clock_at(self, i: int) -> tuple[_Clock, int] | None:
        """A time that says itself it is one: 15:00, 3:30pm, 3 pm, 14h30, 15 Uhr, 15.30 Uhr."""
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
            return _make_clock(hour, minute, meridiem.label if meridiem else None), end
        if not lex.small_number:
            return None
        meridiem = nxt.sense("meridiem")
        if meridiem is not None:
            return _make_clock(lex.parts[0], None, meridiem.label), i + 2
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
        return _make_clock(lex.parts[0], minutes), end

    def _time(self, i: int) -> int | None:
        if self.at(i).has("noon"):
            self.found.clocks.append(_Clock(12, 0, "pm"))
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
            self.found.clocks.append(_make_clock(nxt.parts[0], None))
            return i + 2
        if nxt.kind == "num" and len(nxt.parts) == 2 and nxt.sep == "." and not nxt.dotted:
            if not _clock_fits(*nxt.parts):
                raise _Reject
            self.found.clocks.append(_make_clock(*nxt.parts))
            return i + 2
        return None

    # 2026-11-25, 25.11.2026, 25.11.26, 11/25, 25.11
    def _numeric_date(self, i: int) -> int | None:
        lex = self.at(i)
        if lex.kind != "num" or len(lex.parts) == 1 or lex.sep == ":":
            return None
        parts = lex.parts
        if len(parts) == 3 and len(parts[0]) == 4:
            self._add_day(_calendar_day(int(parts[2]), int(parts[1]), parts[0], self.today))
            return i + 1
        if any(len(part) > 2 for part in parts[:2]):
            raise _Reject
        year = parts[2] if len(parts) == 3 else None
        first, second = int(parts[0]), int(parts[1])
        if lex.sep == ".":
            if len(parts) == 2 and not lex.dotted and _clock_fits(parts[0], parts[1]):
                if 1 <= second <= 12 and 1 <= first <= 31:
                    self.found.pairs.append((parts[0], parts[1]))
                else:
                    self.found.clocks.append(_make_clock(parts[0], parts[1]))
                return i + 1
            self._add_day(_calendar_day(first, second, year, self.today))
            return i + 1
        if lex.sep == "-" and len(parts) == 2:
            # "14-16" is more likely a span of hours than a date
            raise _Reject
        day, month = (second, first) if self.month_first else (first, second)
        found = _calendar_day(day, month, year, self.today)
        if found is None:
            # 25/11 in an M/d locale: only one reading is a real date, so it is the one meant
            found = _calendar_day(month, day, year, self.today)
        self._add_day(found)
        return i + 1

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
        self._add_day(_calendar_day(int(lex.parts[0]), month.number, year, self.today))
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
        self._add_day(_calendar_day(int(day.parts[0]), month.number, year, self.today))
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


# --- settling what was found -------------------------------------------------------------

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


def _wall_clock(clock: _Clock, part: str | None) -> time | None:
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
        # a bare 3 is 15:00: interviews rarely happen at 3 at night
        if 1 <= hour <= 7 and not clock.padded:
            hour += 12
    return time(hour, clock.minute)


def _weekday_day(weekday: int, modifier: str, today: date) -> date:
    if modifier == "next":
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if modifier == "last":
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if modifier == "this":
        return today + timedelta(days=weekday - today.weekday())
    # a bare weekday is the latest one, today included: people log interviews they just had
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _year_away(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:
        return today.replace(year=today.year + years, day=28)


def _settle(found: _Found, today: date) -> ParsedWhen | WhenError:
    days = list(found.days)
    clocks = list(found.clocks)
    for first, second in found.pairs:
        # 10.11 is a date unless a date is already given, then it is a time
        if days or found.weekdays:
            clocks.append(_make_clock(first, second))
            continue
        day = _calendar_day(int(first), int(second), None, today)
        if day is None:
            return WhenError.NOT_A_DATE
        days.append(day)
    if len(found.weekdays) > 1:
        return WhenError.NOT_A_DATE
    if found.weekdays:
        weekday, modifier = found.weekdays[0]
        if not days:
            days.append(_weekday_day(weekday, modifier, today))
        elif modifier or any(day.weekday() != weekday for day in days):
            # "Tuesday 25.11" when the 25th is a Wednesday: better to ask than to pick one
            return WhenError.NOT_A_DATE
    if not days or len(set(days)) > 1 or len(clocks) > 1 or len(set(found.parts)) > 1:
        return WhenError.NOT_A_DATE
    day = days[0]
    at = None
    if clocks:
        at = _wall_clock(clocks[0], found.parts[0] if found.parts else None)
        if at is None:
            return WhenError.NOT_A_DATE
    if not _year_away(today, -1) <= day <= _year_away(today, 1):
        return WhenError.TOO_FAR
    return ParsedWhen(day, at)


def parse_when(text: str, now_local: datetime, language: str) -> ParsedWhen | WhenError:
    """Read a day and an optional time; anything not fully understood is NOT_A_DATE."""
    stripped = text.strip()
    if not stripped:
        return WhenError.EMPTY
    if len(stripped) > MAX_WHEN_TEXT:
        return WhenError.TOO_LONG
    language = _language(language)
    tokens = _tokenize(_fold(stripped))
    if not tokens:
        return WhenError.NOT_A_DATE
    lexes = _lex(tokens, language)
    if lexes is None:
        return WhenError.NOT_A_DATE
    today = now_local.date()
    try:
        found = _Parser(lexes, today, _month_first(language)).run()
    except _Reject:
        return WhenError.NOT_A_DATE
    if found is None:
        return WhenError.NOT_A_DATE
    return _settle(found, today)
