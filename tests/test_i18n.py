"""Unit tests for the language helpers: days said in words, dates, zone and language names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.zones import zone_label
from bot.i18n import SUPPORTED_LANGUAGES, Translator, language_in_text, language_name

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday


def _tr(language: str, zone: str = "UTC") -> Translator:
    return Translator(language, ZoneInfo(zone))


@pytest.mark.parametrize(
    ("language", "yesterday", "today", "tomorrow"),
    [
        ("en", "yesterday", "today", "tomorrow"),
        ("es", "ayer", "hoy", "mañana"),
        ("de", "gestern", "heute", "morgen"),
        ("fr", "hier", "aujourd’hui", "demain"),
        ("pt_BR", "ontem", "hoje", "amanhã"),
        ("ru", "вчера", "сегодня", "завтра"),
        ("uk", "учора", "сьогодні", "завтра"),
    ],
)
def test_near_days_have_their_own_words(
    language: str, yesterday: str, today: str, tomorrow: str
) -> None:
    tr = _tr(language)
    assert tr.relative_day(NOW - timedelta(days=1), NOW) == yesterday
    assert tr.relative_day(NOW + timedelta(hours=5), NOW) == today
    assert tr.relative_day(NOW + timedelta(days=1), NOW) == tomorrow


def test_days_are_counted_on_the_calendar_not_by_hours() -> None:
    tr = _tr("en")
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    # half an hour later is already tomorrow; 47 hours later is two days on
    assert tr.relative_day(late + timedelta(minutes=30), late) == "tomorrow"
    assert tr.relative_day(NOW + timedelta(hours=47), NOW) == "in 2 days"


def test_days_are_counted_in_the_users_zone() -> None:
    # 08:00 UTC Monday is 21:00 Monday in Auckland; 12:00 UTC is already Tuesday there
    tr = _tr("en", "Pacific/Auckland")
    assert tr.relative_day(NOW + timedelta(hours=4), NOW) == "tomorrow"
    assert _tr("en").relative_day(NOW + timedelta(hours=4), NOW) == "today"


def test_a_week_of_days_is_not_rounded_to_a_week() -> None:
    assert _tr("en").relative_day(NOW + timedelta(days=6), NOW) == "in 6 days"
    assert _tr("ru").relative_day(NOW + timedelta(days=5), NOW) == "через 5 дней"
    assert _tr("ru").relative_day(NOW + timedelta(days=3), NOW) == "через 3 дня"
    assert _tr("en").relative_day(NOW - timedelta(days=4), NOW) == "4 days ago"
    assert _tr("en").relative_day(NOW + timedelta(days=21), NOW) == "in 3 weeks"


def test_words_for_two_days_where_the_language_has_them() -> None:
    assert _tr("es").relative_day(NOW + timedelta(days=2), NOW) == "pasado mañana"
    assert _tr("de").relative_day(NOW - timedelta(days=2), NOW) == "vorgestern"


def test_until_counts_hours_on_the_same_day_and_days_after() -> None:
    tr = _tr("en")
    assert tr.until(NOW + timedelta(hours=3), NOW) == "in 3 hours"
    assert tr.until(NOW + timedelta(days=1), NOW) == "tomorrow"
    assert _tr("uk").until(NOW + timedelta(days=1), NOW) == "завтра"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_date_ends_in_a_full_stop(language: str) -> None:
    tr = _tr(language)
    for moment in (NOW, NOW + timedelta(days=40)):
        assert not tr.day(moment).endswith(".")
        assert not tr.date(moment.date()).endswith(".")
        assert not tr.date(moment.date(), "medium").endswith(".")


def test_russian_and_ukrainian_dates_keep_the_year_without_its_abbreviation() -> None:
    assert _tr("ru").day(NOW) == "понедельник, 23 ноября 2026"
    assert _tr("uk").date(date(2026, 11, 24)) == "24 листопада 2026"
    assert _tr("de").day(NOW) == "Montag, 23. November 2026"


def test_language_names_in_a_sentence_and_in_a_menu() -> None:
    assert language_in_text("ru") == "русский"
    assert language_in_text("fr") == "français"
    assert language_in_text("de") == "Deutsch"
    assert language_name("ru") == "Русский"
    assert language_name("pt_BR") == "Português (Brasil)"


@pytest.mark.parametrize(
    ("zone", "language", "place", "shown"),
    [
        ("Europe/Moscow", "ru", "Moscow", "Europe/Moscow (Москва)"),
        ("Europe/Moscow", "ru", "москва", "Europe/Moscow (Москва)"),
        ("Europe/Moscow", "ru", None, "Europe/Moscow (Москва)"),
        ("Europe/Moscow", "uk", None, "Europe/Moscow (Москва)"),
        ("Europe/Moscow", "de", None, "Europe/Moscow (Moskau)"),
        ("America/New_York", "es", None, "America/New_York (Nueva York)"),
        # a town that is not the zone's namesake keeps the user's own spelling
        ("Europe/Moscow", "ru", "казань", "Europe/Moscow (Казань)"),
        ("America/New_York", "ru", "нью-йорк", "America/New_York (Нью-Йорк)"),
        # in English the zone's own name says it, unless the user named a city
        ("Europe/Berlin", "en", None, "Europe/Berlin"),
        ("Europe/Berlin", "en", "Berlin", "Europe/Berlin (Berlin)"),
        ("Etc/GMT-3", "ru", None, "UTC+03:00"),
        ("UTC+05:30", "fr", None, "UTC+05:30"),
        ("UTC", "uk", None, "UTC"),
    ],
)
def test_zone_label(zone: str, language: str, place: str | None, shown: str) -> None:
    assert zone_label(zone, language, place) == shown
