"""Babel catalogs, the user's language and zone, and formatting of dates and numbers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from babel import Locale
from babel.dates import (
    format_date,
    format_time,
    format_timedelta,
    get_timezone_location,
)
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

# Where compiled catalogs are looked for, in order: the package's own (an installed wheel; setup.py
# compiles them there), then the source tree's, where `make` compiles them (a checkout, an
# editable install).
LOCALES_DIRS: tuple[Path, ...] = (
    Path(__file__).resolve().parent / "locales",
    Path(__file__).resolve().parent.parent / "locales",
)
DOMAIN = "messages"

# Catalog codes the bot ships, in the order the language menu shows them.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "de", "fr", "pt_BR", "ru", "uk")

# A pattern that ends in an abbreviation with its own full stop, like Russian "y 'г'.":
# such a date cannot end a sentence without a doubled stop, and reads as well without it.
_YEAR_ABBREVIATION = re.compile(r"[\s\u202f\u00a0]*'[^']+'\.$")
# Beyond this many days, weeks and months say more than a count of days.
_COUNTED_DAYS = 13


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where the user is known."""
    return message


def normalize_language(code: str | None) -> str | None:
    """Map a Telegram language_code (IETF, like 'pt-BR') to a shipped catalog, keeping regions."""
    if not code:
        return None
    code = code.replace("-", "_").strip()
    if not code:
        return None
    parts = code.split("_")
    lang = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 else ""
    if region and f"{lang}_{region}" in SUPPORTED_LANGUAGES:
        return f"{lang}_{region}"
    if lang in SUPPORTED_LANGUAGES:
        return lang
    # a region we do not ship still beats English for a reader of that language
    for shipped in SUPPORTED_LANGUAGES:
        if shipped.split("_")[0] == lang:
            return shipped
    return None


def pick_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The user's own choice, else Telegram's setting, else the default."""
    for candidate in (chosen, telegram_code):
        found = normalize_language(candidate)
        if found:
            return found
    return normalize_language(default) or "en"


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language; English text when none is compiled."""
    if language == "en":
        return NullTranslations()
    for directory in LOCALES_DIRS:
        loaded = Translations.load(str(directory), [language], DOMAIN)
        if isinstance(loaded, Translations):
            return loaded
    return NullTranslations()


def language_name(language: str) -> str:
    """A language's name in that language, as a menu item: "Deutsch", "Português (Brasil)"."""
    name = language_in_text(language)
    return name[:1].upper() + name[1:]


def language_in_text(language: str) -> str:
    """A language's name as written inside a sentence of that language: "русский", "Deutsch"."""
    return Locale.parse(language).get_display_name(language) or language


@functools.cache
def date_pattern(language: str, length: str) -> str:
    """The locale's date pattern of this length, without a closing abbreviated year."""
    pattern = str(Locale.parse(language).date_formats[length].pattern)
    return _YEAR_ABBREVIATION.sub("", pattern)


def zone_city(name: str, language: str) -> str | None:
    """The city that names an IANA zone, in the given language (CLDR's exemplar city)."""
    if "/" not in name or name.startswith("Etc/"):
        return None
    try:
        city = get_timezone_location(name, locale=language, return_city=True)
    except LookupError:
        return None
    return city or None


@dataclass(frozen=True)
class Translator:
    """Everything needed to speak to one person: catalog, locale and time zone."""

    language: str
    tz: tzinfo

    @property
    def catalog(self) -> NullTranslations:
        return translations(self.language)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return str(self.catalog.pgettext(context, message))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def date(self, day: date, length: str = "long") -> str:
        """A calendar date in the user's words: 'November 25, 2026', '25 ноября 2026'."""
        return format_date(day, date_pattern(self.language, length), locale=self.locale)

    def day(self, moment: datetime) -> str:
        """A weekday and date in the user's zone: 'Wednesday, November 25, 2026'."""
        return self.date(self.local(moment).date(), "full")

    def day_and_time(self, moment: datetime) -> str:
        """'Wednesday, 25 November 2026, 15:00' in the user's words and zone."""
        local = self.local(moment)
        return self.gettext("{day}, {time}").format(
            day=self.date(local.date(), "full"),
            time=format_time(local, "short", tzinfo=self.tz, locale=self.locale),
        )

    def time(self, moment: datetime) -> str:
        return format_time(moment, "short", tzinfo=self.tz, locale=self.locale)

    def relative(self, delta: timedelta) -> str:
        """'in 2 days' or '3 hours ago'."""
        return format_timedelta(delta, granularity="minute", add_direction=True, locale=self.locale)

    def relative_day(self, moment: datetime, now: datetime) -> str:
        """The moment's day seen from now's, in the user's zone: 'tomorrow', 'in 3 days'."""
        days = (self.local(moment).date() - self.local(now).date()).days
        word = _day_word(self.locale, days)
        if word:
            return word
        if abs(days) <= _COUNTED_DAYS:
            # a count of calendar days, not a rounded span: 6 days is not "in 1 week"
            return format_timedelta(
                timedelta(days=days),
                granularity="day",
                threshold=_COUNTED_DAYS + 1,
                add_direction=True,
                locale=self.locale,
            )
        return format_timedelta(
            timedelta(days=days), granularity="day", add_direction=True, locale=self.locale
        )

    def until(self, moment: datetime, now: datetime) -> str:
        """How far off a moment is: hours on its own day ('in 3 hours'), else days ('tomorrow')."""
        if self.local(moment).date() == self.local(now).date():
            return self.relative(moment - now)
        return self.relative_day(moment, now)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)


def _day_word(locale: Locale, days: int) -> str | None:
    """CLDR's own word for a day near today ("tomorrow", "pasado mañana"), where it has one."""
    try:
        words = locale._data["date_fields"]["day"]["relative"]
    except (KeyError, TypeError):
        return None
    word = words.get(days)
    return str(word) if word else None
