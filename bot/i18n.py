"""Babel catalogs, the user's language and zone, and formatting of dates and numbers."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

# Catalog codes the bot ships, in the order the language menu shows them.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "de", "fr", "pt_BR", "ru", "uk")


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
    loaded = Translations.load(str(LOCALES_DIR), [language], DOMAIN)
    return loaded


def language_name(language: str) -> str:
    """A language's name in that language ("Deutsch", "Português (Brasil)")."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


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

    def date_time(self, moment: datetime, fmt: str = "medium") -> str:
        """Date and time in the user's zone: 'Nov 25, 2026, 3:00 PM'."""
        return format_datetime(moment, fmt, tzinfo=self.tz, locale=self.locale)

    def day(self, moment: datetime) -> str:
        """A weekday and date in the user's zone: 'Wednesday, November 25, 2026'."""
        return format_date(self.local(moment).date(), "full", locale=self.locale)

    def day_and_time(self, moment: datetime) -> str:
        """'Wednesday, 25 November 2026, 15:00' in the user's words and zone."""
        local = self.local(moment)
        return self.gettext("{day}, {time}").format(
            day=format_date(local.date(), "full", locale=self.locale),
            time=format_time(local, "short", tzinfo=self.tz, locale=self.locale),
        )

    def time(self, moment: datetime) -> str:
        return format_time(moment, "short", tzinfo=self.tz, locale=self.locale)

    def relative(self, delta: timedelta) -> str:
        """'in 2 days' or '3 hours ago'."""
        return format_timedelta(delta, granularity="minute", add_direction=True, locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)
