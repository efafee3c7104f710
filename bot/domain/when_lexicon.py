"""The words of the date reader: text folded, cut into tokens, matched to known phrases."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from bot.domain import when_phrases as phrases
from bot.domain import when_words as words

LANGUAGES = ("en", "es", "de", "fr", "pt_BR", "ru", "uk")


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


def fold(text: str) -> str:
    # apostrophes first: NFKC would turn an acute accent used as one into a combining mark
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "word" or "sym"
    text: str
    glued: bool  # nothing but the previous token right before it


def tokenize(folded: str) -> list[Token] | None:
    folded = _DOTTED_MERIDIEM.sub(r"\1m", folded)
    folded = _WORD_HYPHEN.sub(" ", folded)
    tokens: list[Token] = []
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
        tokens.append(Token(kind, text, glued))
        glued = True
    return tokens


# --- the vocabulary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sense:
    kind: str
    number: int = 0
    label: str = ""


Lexicon = dict[tuple[str, ...], frozenset[Sense]]


def language_of(language: str) -> str:
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
        tokens = tokenize(fold(spelling))
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
def vocabulary(language: str) -> Lexicon:
    table: dict[tuple[str, ...], set[Sense]] = {}

    def add(phrases: Iterable[str], sense: Sense, lang: str) -> None:
        for phrase in phrases:
            for key in _phrase_keys(phrase, lang):
                table.setdefault(key, set()).add(sense)

    for lang in dict.fromkeys(("en", language)):
        days, months = _cldr_names(lang)
        for name, weekday in [*days, *words.EXTRA_WEEKDAYS.get(lang, {}).items()]:
            add([name], Sense("weekday", weekday), lang)
        for name, month in [*months, *words.EXTRA_MONTHS.get(lang, {}).items()]:
            add([name], Sense("month", month), lang)
        for phrase, offset in words.RELATIVE_DAYS.get(lang, {}).items():
            add([phrase], Sense("relative", offset), lang)
        for phrase, (offset, part) in words.RELATIVE_DAY_PARTS.get(lang, {}).items():
            add([phrase], Sense("relative_part", offset, part), lang)
        for phrase, label in words.WEEKDAY_MODIFIERS.get(lang, {}).items():
            add([phrase], Sense("modifier", label=label), lang)
        for phrase, label in words.MERIDIEM.get(lang, {}).items():
            add([phrase], Sense("meridiem", label=label), lang)
        for phrase, part in words.DAY_PARTS.get(lang, {}).items():
            add([phrase], Sense("part", label=part), lang)
        for phrase, size in words.DAY_UNITS.get(lang, {}).items():
            add([phrase], Sense("unit", size), lang)
        for phrase, sign in words.SHIFT_BEFORE.get(lang, {}).items():
            add([phrase], Sense("shift_before", sign), lang)
        for phrase, sign in words.SHIFT_AFTER.get(lang, {}).items():
            add([phrase], Sense("shift_after", sign), lang)
        for phrase, minutes in words.CLOCK_BEFORE.get(lang, {}).items():
            add([phrase], Sense("clock_before", minutes), lang)
        for phrase, minutes in words.CLOCK_AFTER.get(lang, {}).items():
            add([phrase], Sense("clock_after", minutes), lang)
        add(words.AT_WORDS.get(lang, ()), Sense("at"), lang)
        add(words.FILLERS.get(lang, ()), Sense("filler"), lang)
        add(words.HOUR_WORDS.get(lang, ()), Sense("hour_word"), lang)
        add(words.MINUTE_WORDS.get(lang, ()), Sense("minute_word"), lang)
        add(words.NOON_WORDS.get(lang, ()), Sense("noon"), lang)
        add(words.ORDINAL_SUFFIXES.get(lang, ()), Sense("ordinal"), lang)
        add(phrases.NOW_WORDS.get(lang, ()), Sense("now"), lang)
        for phrase, minutes in phrases.TIME_UNITS.get(lang, {}).items():
            add([phrase], Sense("time_unit", minutes), lang)
        add(phrases.ONE_WORDS.get(lang, ()), Sense("one"), lang)
        for phrase, weeks in phrases.WEEK_PHRASES.get(lang, {}).items():
            add([phrase], Sense("week", weeks), lang)
        # an article before a day number makes it the day of a month; elsewhere it says nothing
        add(phrases.DAY_ARTICLES.get(lang, ()), Sense("article"), lang)
        add(phrases.DAY_ARTICLES.get(lang, ()), Sense("filler"), lang)
        add(phrases.DEADLINE_WORDS.get(lang, ()), Sense("filler"), lang)
    return {key: frozenset(senses) for key, senses in table.items()}


@functools.cache
def longest_phrase(language: str) -> int:
    return max(len(key) for key in vocabulary(language))


@functools.cache
def is_month_first(language: str, region: str | None = None) -> bool:
    """Whether people write 11/25 rather than 25/11: the user's country decides when known
    (English in London is day first), else the language."""
    locale = Locale.parse(language)
    if region and region.isalpha() and len(region) == 2:
        base = language.partition("_")[0]
        for tag in (f"{base}_{region.upper()}", f"und_{region.upper()}"):
            try:
                locale = Locale.parse(tag)
                break
            except (UnknownLocaleError, ValueError):
                continue
    pattern = str(locale.date_formats["short"].pattern)
    return pattern.find("M") < pattern.find("d")


# --- lexemes: numbers grouped, words matched to phrases ----------------------------------


@dataclass(frozen=True)
class Lex:
    kind: str  # "num", "words" or "sym"
    parts: tuple[str, ...]
    glued: bool
    sep: str = ""
    dotted: bool = False  # a number with a dot after it: "25." or "25.11."
    senses: frozenset[Sense] = frozenset()

    def sense(self, kind: str) -> Sense | None:
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


def _number(tokens: list[Token], i: int) -> tuple[Lex, int]:
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
    dotted = j < len(tokens) and tokens[j] == Token("sym", ".", glued=True)
    if dotted:
        j += 1
    return Lex("num", tuple(parts), tokens[i].glued, sep, dotted), j


def lexemes(tokens: list[Token], language: str) -> list[Lex] | None:
    table = vocabulary(language)
    longest = longest_phrase(language)
    out: list[Lex] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "num":
            lex, i = _number(tokens, i)
            out.append(lex)
            continue
        if token.kind == "sym":
            out.append(Lex("sym", (token.text,), token.glued))
            i += 1
            continue
        found: Lex | None = None
        for size in range(min(longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            if any(t.kind != "word" for t in window):
                continue
            key = tuple(t.text for t in window)
            senses = table.get(key)
            if senses:
                found = Lex("words", key, token.glued, senses=senses)
                i += size
                break
        if found is None:
            return None
        out.append(found)
    return out
