"""The "when was the interview" parser, with the clock pinned to Wednesday 2026-11-25 noon."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.when import (
    LANGUAGES,
    MAX_WHEN_TEXT,
    ParsedWhen,
    WhenChoice,
    WhenError,
    parse_when,
    quick_day,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
TODAY = NOW.date()


def at(month: int, day: int, hour: int | None = None, minute: int = 0) -> ParsedWhen:
    return ParsedWhen(date(2026, month, day), None if hour is None else time(hour, minute))


UNDERSTOOD: list[tuple[str, str, ParsedWhen]] = [
    # English, and the shapes every language shares
    ("en", "yesterday 3pm", at(11, 24, 15)),
    ("en", "today 10:30", at(11, 25, 10, 30)),
    ("en", "25.11 14:00", at(11, 25, 14)),
    ("en", "next Tuesday at 9", at(12, 1, 9)),
    ("en", "tuesday", at(11, 24)),
    ("en", "wednesday", at(11, 25)),
    ("en", "thursday", at(11, 19)),
    ("en", "last friday", at(11, 20)),
    ("en", "last wednesday", at(11, 18)),
    ("en", "next wednesday", at(12, 2)),
    ("en", "this friday", at(11, 27)),
    ("en", "on Mon", at(11, 23)),
    ("en", "Tuesday 3 pm", at(11, 24, 15)),
    ("en", "yesterday 3:30pm", at(11, 24, 15, 30)),
    ("en", "yesterday at 10am", at(11, 24, 10)),
    ("en", "yesterday at 3 p.m.", at(11, 24, 15)),
    ("en", "yesterday at 12am", at(11, 24, 0)),
    ("en", "Today, At 3PM", at(11, 25, 15)),
    ("en", "  today   at   9  ", at(11, 25, 9)),
    ("en", "today.", at(11, 25)),
    ("en", "tomorrow @ 11", at(11, 26, 11)),
    ("en", "the day before yesterday", at(11, 23)),
    ("en", "day after tomorrow", at(11, 27)),
    ("en", "3 days ago", at(11, 22)),
    ("en", "in 2 weeks", at(12, 9)),
    ("en", "2026-11-25", at(11, 25)),
    ("en", "2026-11-20 14:00", at(11, 20, 14)),
    ("en", "25.11.2026", at(11, 25)),
    ("en", "25.11.26", at(11, 25)),
    ("en", "11/25", at(11, 25)),
    ("en", "11/20/2026", at(11, 20)),
    ("en", "25/11", at(11, 25)),  # M/d gives month 25, so the only real date is taken
    ("en", "November 25", at(11, 25)),
    ("en", "Nov 20th, 2026", at(11, 20)),
    ("en", "25 nov", at(11, 25)),
    ("en", "the 20th of November at 4pm", at(11, 20, 16)),
    ("en", "tonight at 8", at(11, 25, 20)),
    ("en", "last night at 11", at(11, 24, 23)),
    ("en", "yesterday evening at 7:30", at(11, 24, 19, 30)),
    ("en", "today at noon", at(11, 25, 12)),
    ("en", "today 07:30", at(11, 25, 7, 30)),
    ("en", "today 0:30", at(11, 25, 0, 30)),
    ("en", "1.12", at(12, 1)),
    ("en", "10.11", at(11, 10)),  # no other date given, so a date rather than 10:11
    ("en", "yesterday 10.11", at(11, 24, 10, 11)),
    # Spanish
    ("es", "ayer a las 15:00", at(11, 24, 15)),
    ("es", "el martes que viene a las 9", at(12, 1, 9)),
    ("es", "el próximo martes a las 9", at(12, 1, 9)),
    ("es", "el proximo martes a las 9", at(12, 1, 9)),
    ("es", "ayer a las 3", at(11, 24, 15)),
    ("es", "hoy a la 1", at(11, 25, 13)),
    ("es", "mañana a las 10 de la mañana", at(11, 26, 10)),
    ("es", "manana 10:00", at(11, 26, 10)),
    ("es", "anteayer", at(11, 23)),
    ("es", "pasado mañana", at(11, 27)),
    ("es", "el viernes pasado", at(11, 20)),
    ("es", "miércoles", at(11, 25)),
    ("es", "25 de noviembre", at(11, 25)),
    ("es", "20 de noviembre de 2026 a las 3 de la tarde", at(11, 20, 15)),
    ("es", "martes 24 de noviembre", at(11, 24)),
    ("es", "20/11", at(11, 20)),
    ("es", "hace 2 días", at(11, 23)),
    ("es", "yesterday a las 15:00", at(11, 24, 15)),
    # German
    ("de", "gestern 15 Uhr", at(11, 24, 15)),
    ("de", "nächsten Dienstag um 9", at(12, 1, 9)),
    ("de", "nachsten Dienstag um 9", at(12, 1, 9)),
    ("de", "naechsten Dienstag um 9", at(12, 1, 9)),
    ("de", "am Montag um 14:30", at(11, 23, 14, 30)),
    ("de", "vorgestern", at(11, 23)),
    ("de", "übermorgen um 10 Uhr", at(11, 27, 10)),
    ("de", "letzten Freitag", at(11, 20)),
    ("de", "heute Morgen um 9", at(11, 25, 9)),
    ("de", "gestern Abend um 8", at(11, 24, 20)),
    ("de", "gestern 15.30", at(11, 24, 15, 30)),
    ("de", "25. November", at(11, 25)),
    ("de", "Di., 24.11.", at(11, 24)),
    ("de", "am 24.11. um 14 Uhr", at(11, 24, 14)),
    ("de", "vor 3 Tagen", at(11, 22)),
    # French
    ("fr", "hier à 15h", at(11, 24, 15)),
    ("fr", "mardi prochain à 9h", at(12, 1, 9)),
    ("fr", "demain 10h30", at(11, 26, 10, 30)),
    ("fr", "aujourd'hui à 14h", at(11, 25, 14)),
    ("fr", "aujourd’hui à midi", at(11, 25, 12)),
    ("fr", "avant-hier", at(11, 23)),
    ("fr", "apres demain", at(11, 27)),
    ("fr", "vendredi dernier", at(11, 20)),
    ("fr", "le 1er décembre", at(12, 1)),
    ("fr", "le 20 novembre à 14h", at(11, 20, 14)),
    ("fr", "hier à 3 heures de l'après-midi", at(11, 24, 15)),
    ("fr", "il y a 3 jours", at(11, 22)),
    # Brazilian Portuguese
    ("pt_BR", "ontem às 15h", at(11, 24, 15)),
    ("pt_BR", "próxima terça às 9", at(12, 1, 9)),
    ("pt_BR", "terça que vem às 14h", at(12, 1, 14)),
    ("pt_BR", "hoje às 9h da manhã", at(11, 25, 9)),
    ("pt_BR", "anteontem", at(11, 23)),
    ("pt_BR", "depois de amanhã", at(11, 27)),
    ("pt_BR", "sexta passada", at(11, 20)),
    ("pt_BR", "segunda-feira", at(11, 23)),
    ("pt_BR", "no dia 20 de novembro às 14h", at(11, 20, 14)),
    ("pt_BR", "ontem à noite às 8", at(11, 24, 20)),
    ("pt_BR", "há 3 dias", at(11, 22)),
    # Russian
    ("ru", "вчера в 15:00", at(11, 24, 15)),
    ("ru", "в следующий вторник в 9", at(12, 1, 9)),
    ("ru", "25 ноября в 14:00", at(11, 25, 14)),
    ("ru", "в среду", at(11, 25)),
    ("ru", "в пятницу", at(11, 20)),
    ("ru", "в субботу", at(11, 21)),
    ("ru", "во вторник", at(11, 24)),
    ("ru", "в прошлую пятницу в 10", at(11, 20, 10)),
    ("ru", "позавчера", at(11, 23)),
    ("ru", "послезавтра в 15 часов", at(11, 27, 15)),
    ("ru", "вчера в 15ч30", at(11, 24, 15, 30)),
    ("ru", "вчера в 3 часа дня", at(11, 24, 15)),
    ("ru", "вчера вечером в 7", at(11, 24, 19)),
    ("ru", "сегодня в 9 утра", at(11, 25, 9)),
    ("ru", "20 нояб. 2026 г.", at(11, 20)),
    ("ru", "25-го ноября", at(11, 25)),
    ("ru", "2 дня назад", at(11, 23)),
    ("ru", "вчера 15:00", at(11, 24, 15)),  # without "в"
    ("ru", "следующий вторник в 9", at(12, 1, 9)),
    ("ru", "пятницу", at(11, 20)),
    # Ukrainian
    ("uk", "вчора о 15:00", at(11, 24, 15)),
    ("uk", "наступного вівторка о 9", at(12, 1, 9)),
    ("uk", "у наступний вівторок о 9", at(12, 1, 9)),
    ("uk", "25 листопада о 14:00", at(11, 25, 14)),
    ("uk", "в п'ятницю", at(11, 20)),
    ("uk", "в пʼятницю", at(11, 20)),
    ("uk", "в пятницю", at(11, 20)),
    ("uk", "минулої п'ятниці", at(11, 20)),
    ("uk", "позавчора", at(11, 23)),
    ("uk", "післязавтра об 11", at(11, 27, 11)),
    ("uk", "учора о 9 ранку", at(11, 24, 9)),
    ("uk", "3 дні тому", at(11, 22)),
    ("uk", "вчора 15:00", at(11, 24, 15)),  # without "о"
    ("uk", "наступний вівторок о 9", at(12, 1, 9)),
]


@pytest.mark.parametrize(("language", "text", "expected"), UNDERSTOOD)
def test_understood(language: str, text: str, expected: ParsedWhen) -> None:
    assert parse_when(text, NOW, language) == expected


# the same sentence in each language, plus English mixed into every one of them
EVERY_LANGUAGE = {
    "en": ("yesterday", "tomorrow", "next tuesday", "last friday"),
    "es": ("ayer", "mañana", "el martes que viene", "el viernes pasado"),
    "de": ("gestern", "morgen", "nächsten Dienstag", "letzten Freitag"),
    "fr": ("hier", "demain", "mardi prochain", "vendredi dernier"),
    "pt_BR": ("ontem", "amanhã", "próxima terça", "sexta passada"),
    "ru": ("вчера", "завтра", "в следующий вторник", "в прошлую пятницу"),
    "uk": ("вчора", "завтра", "у наступний вівторок", "минулої п'ятниці"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_and_english(language: str) -> None:
    yesterday, tomorrow, next_tuesday, last_friday = EVERY_LANGUAGE[language]
    assert parse_when(yesterday, NOW, language) == at(11, 24)
    assert parse_when(tomorrow.upper(), NOW, language) == at(11, 26)
    assert parse_when(next_tuesday, NOW, language) == at(12, 1)
    assert parse_when(last_friday, NOW, language) == at(11, 20)
    assert parse_when("yesterday 3pm", NOW, language) == at(11, 24, 15)
    assert parse_when("25.11.2026 14:00", NOW, language) == at(11, 25, 14)
    assert parse_when("2026-11-20", NOW, language) == at(11, 20)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_cldr_weekday_name_is_read(language: str) -> None:
    from babel import Locale

    locale = Locale.parse(language)
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for weekday, name in locale.days[context][width].items():
                parsed = parse_when(name, NOW, language)
                assert isinstance(parsed, ParsedWhen), (language, name)
                assert parsed.day.weekday() == weekday
                assert 0 <= (TODAY - parsed.day).days <= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_cldr_month_name_is_read(language: str) -> None:
    from babel import Locale

    locale = Locale.parse(language)
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for month, name in locale.months[context][width].items():
                parsed = parse_when(f"12 {name}", NOW, language)
                assert isinstance(parsed, ParsedWhen), (language, name)
                assert (parsed.day.month, parsed.day.day) == (month, 12)


NOT_UNDERSTOOD: list[tuple[str, str, WhenError]] = [
    ("en", "", WhenError.EMPTY),
    ("en", "   ", WhenError.EMPTY),
    ("en", "asdf", WhenError.NOT_A_DATE),
    ("en", "<b>today</b>", WhenError.NOT_A_DATE),
    ("en", "31.02", WhenError.NOT_A_DATE),
    ("en", "31.02.2026", WhenError.NOT_A_DATE),
    ("en", "tomorrow at 25:00", WhenError.NOT_A_DATE),
    ("en", "today at 24", WhenError.NOT_A_DATE),
    ("en", "today at 0", WhenError.NOT_A_DATE),
    ("en", "today 12:60", WhenError.NOT_A_DATE),
    ("en", "today 13pm", WhenError.NOT_A_DATE),
    ("en", "1999-01-01", WhenError.LONG_AGO),
    ("en", "25.11.2031", WhenError.FAR_AHEAD),
    ("en", "24.11.2025", WhenError.LONG_AGO),
    ("en", "in 500 days", WhenError.FAR_AHEAD),
    ("en", "x" * 300, WhenError.TOO_LONG),
    ("en", "yesterday banana", WhenError.NOT_A_DATE),
    ("en", "next", WhenError.NOT_A_DATE),
    ("en", "next yesterday", WhenError.NOT_A_DATE),
    ("en", "today tomorrow", WhenError.NOT_A_DATE),
    ("en", "tuesday wednesday", WhenError.NOT_A_DATE),
    ("en", "today 3pm 4pm", WhenError.NOT_A_DATE),
    ("en", "yesterday morning at 14:00", WhenError.NOT_A_DATE),
    ("en", "last night at 2", WhenError.NOT_A_DATE),  # after midnight: which day is unclear
    ("en", "tonight at 12", WhenError.NOT_A_DATE),
    ("en", "yesterday 25.11", WhenError.NOT_A_DATE),
    ("en", "13/13", WhenError.NOT_A_DATE),
    ("en", "14-16", WhenError.NOT_A_DATE),
    ("en", "today 15:00:00", WhenError.NOT_A_DATE),
    ("de", "Mi., 24.11.", WhenError.NOT_A_DATE),  # the 24th is a Tuesday
    ("en", "heute", WhenError.NOT_A_DATE),  # German words only for German
    ("es", "ayer a las", WhenError.NOT_A_DATE),
    ("es", "mar 25", WhenError.NOT_A_DATE),  # Tuesday or March: ask again
    ("de", "gestern um", WhenError.NOT_A_DATE),
    ("ru", "вчера банан", WhenError.NOT_A_DATE),
]


@pytest.mark.parametrize(("language", "text", "expected"), NOT_UNDERSTOOD)
def test_not_understood(language: str, text: str, expected: WhenError) -> None:
    assert parse_when(text, NOW, language) == expected


# a clock time said around an hour, alone (today's) and with a day; the am/pm guess is made on
# the hour named, as for "at 3": "halb 3" is 14:30, "halb 7" 6:30 (next to "um 7")
SAID_TIMES: list[tuple[str, str, ParsedWhen]] = [
    # German
    ("de", "halb 11", at(11, 25, 10, 30)),
    ("de", "um halb 11", at(11, 25, 10, 30)),
    ("de", "Freitag um halb 11", at(11, 20, 10, 30)),
    ("de", "morgen halb 11", at(11, 26, 10, 30)),
    ("de", "Viertel nach 10", at(11, 25, 10, 15)),
    ("de", "gestern um Viertel nach 10", at(11, 24, 10, 15)),
    ("de", "Viertel vor 11", at(11, 25, 10, 45)),
    ("de", "am 20.11. um Viertel vor 11", at(11, 20, 10, 45)),
    ("de", "halb 11 Uhr", at(11, 25, 10, 30)),
    ("de", "halb 3", at(11, 25, 14, 30)),
    ("de", "Freitag um halb 3", at(11, 20, 14, 30)),
    ("de", "Viertel vor 4", at(11, 25, 15, 45)),
    ("de", "halb 1", at(11, 25, 12, 30)),
    ("de", "halb 7", at(11, 25, 6, 30)),
    ("de", "gestern Abend um halb 8", at(11, 24, 19, 30)),
    ("de", "halb 15", at(11, 25, 14, 30)),
    # English
    ("en", "half past 10", at(11, 25, 10, 30)),
    ("en", "at half past 10", at(11, 25, 10, 30)),
    ("en", "tomorrow at half past 10", at(11, 26, 10, 30)),
    ("en", "quarter past 10", at(11, 25, 10, 15)),
    ("en", "friday at quarter past 10", at(11, 20, 10, 15)),
    ("en", "quarter to 11", at(11, 25, 10, 45)),
    ("en", "a quarter to 11", at(11, 25, 10, 45)),
    ("en", "yesterday at a quarter to 11", at(11, 24, 10, 45)),
    ("en", "half past 2", at(11, 25, 14, 30)),
    ("en", "quarter to 1", at(11, 25, 12, 45)),
    ("en", "tomorrow at half past 7 pm", at(11, 26, 19, 30)),
    ("en", "half past 7 in the evening", at(11, 25, 19, 30)),
    # Spanish
    ("es", "10 y media", at(11, 25, 10, 30)),
    ("es", "a las 10 y media", at(11, 25, 10, 30)),
    ("es", "mañana a las 10 y media", at(11, 26, 10, 30)),
    ("es", "10 y cuarto", at(11, 25, 10, 15)),
    ("es", "ayer a las 10 y cuarto", at(11, 24, 10, 15)),
    ("es", "11 menos cuarto", at(11, 25, 10, 45)),
    ("es", "el viernes a las 11 menos cuarto", at(11, 20, 10, 45)),
    ("es", "a la 1 y media", at(11, 25, 13, 30)),
    ("es", "mañana a las 7 y media de la tarde", at(11, 26, 19, 30)),
    # French
    ("fr", "10h et demie", at(11, 25, 10, 30)),
    ("fr", "10 heures et demie", at(11, 25, 10, 30)),
    ("fr", "demain à 10h et demie", at(11, 26, 10, 30)),
    ("fr", "demain à 10 heures et demie", at(11, 26, 10, 30)),
    ("fr", "10h et quart", at(11, 25, 10, 15)),
    ("fr", "hier à 10h et quart", at(11, 24, 10, 15)),
    ("fr", "11h moins le quart", at(11, 25, 10, 45)),
    ("fr", "vendredi à 11h moins le quart", at(11, 20, 10, 45)),
    ("fr", "à 3h et demie", at(11, 25, 15, 30)),
    # Brazilian Portuguese
    ("pt_BR", "10 e meia", at(11, 25, 10, 30)),
    ("pt_BR", "às 10 e meia", at(11, 25, 10, 30)),
    ("pt_BR", "amanhã às 10 e meia", at(11, 26, 10, 30)),
    ("pt_BR", "ontem às 10h e meia", at(11, 24, 10, 30)),
    ("pt_BR", "às 2 e meia", at(11, 25, 14, 30)),
]


@pytest.mark.parametrize(("language", "text", "expected"), SAID_TIMES)
def test_a_time_said_around_an_hour(language: str, text: str, expected: ParsedWhen) -> None:
    assert parse_when(text, NOW, language) == expected


SAID_TIMES_NOT_UNDERSTOOD: list[tuple[str, str]] = [
    ("de", "halb"),
    ("de", "um halb"),
    ("de", "Viertel nach"),
    ("de", "Viertel vor"),
    ("de", "morgen Viertel"),
    ("de", "halb 0"),
    ("de", "halb 24"),
    ("de", "Viertel vor 25"),
    ("de", "halb 11 um 9"),  # two times
    ("de", "halb 2 nachts"),  # the night ends at midnight
    ("en", "half past"),
    ("en", "tomorrow at half past"),
    ("en", "quarter to"),
    ("en", "half past friday"),
    ("en", "quarter to 12 am"),  # before midnight: the day before
    ("es", "y media"),
    ("es", "mañana a las y media"),
    ("es", "menos cuarto"),
    ("fr", "et demie"),
    ("fr", "demain à moins le quart"),
    ("pt_BR", "e meia"),
    ("pt_BR", "amanhã às e meia"),
    ("de", "10 y media"),  # Spanish words only for Spanish
]


@pytest.mark.parametrize(("language", "text"), SAID_TIMES_NOT_UNDERSTOOD)
def test_a_time_said_around_no_hour_is_not_understood(language: str, text: str) -> None:
    assert parse_when(text, NOW, language) == WhenError.NOT_A_DATE


def test_length_limit_counts_the_trimmed_text() -> None:
    padded = " " * 50 + "today" + " " * 50
    assert parse_when(padded, NOW, "en") == at(11, 25)
    assert parse_when("today " + "." * MAX_WHEN_TEXT, NOW, "en") == WhenError.TOO_LONG


def test_unknown_language_reads_as_english() -> None:
    assert parse_when("yesterday 3pm", NOW, "xx") == at(11, 24, 15)
    assert parse_when("ayer", NOW, "xx") == WhenError.NOT_A_DATE
    assert parse_when("11/20", NOW, "xx") == at(11, 20)


def test_slash_order_follows_the_locale() -> None:
    may, june = ParsedWhen(date(2027, 5, 6), None), ParsedWhen(date(2026, 6, 5), None)
    assert parse_when("5/6", NOW, "en", "nearest") == WhenChoice((may, june), "order")
    assert parse_when("5/6", NOW, "es", "nearest") == WhenChoice((june, may), "order")


def test_a_date_without_year_is_the_nearest_one() -> None:
    assert parse_when("2.1", NOW, "de") == ParsedWhen(date(2027, 1, 2), None)
    assert parse_when("2.6", NOW, "de") == ParsedWhen(date(2026, 6, 2), None)
    assert parse_when("29.02", NOW, "de") == WhenError.NOT_A_DATE


def test_the_clock_is_read_in_the_users_zone() -> None:
    late_night = datetime(2026, 11, 25, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert parse_when("yesterday", late_night, "en") == ParsedWhen(date(2026, 11, 24), None)


def test_quick_day() -> None:
    assert quick_day("today", NOW) == at(11, 25)
    assert quick_day("yesterday", NOW) == at(11, 24)
    with pytest.raises(ValueError):
        quick_day("someday", NOW)


def test_error_values_are_short_strings() -> None:
    assert {error.value for error in WhenError} == {
        "empty",
        "too_long",
        "not_a_date",
        "long_ago",
        "far_ahead",
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=150), st.sampled_from((*LANGUAGES, "xx")))
def test_never_raises(text: str, language: str) -> None:
    result = parse_when(text, NOW, language)
    assert isinstance(result, ParsedWhen | WhenError)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["today", "3", "15:00", ".", "/", "-", "at", "next", "ago", "pm", "25", "11", "2026"]
        ),
        max_size=8,
    ).map(" ".join),
    st.sampled_from(LANGUAGES),
)
def test_never_raises_on_near_misses(text: str, language: str) -> None:
    result = parse_when(text, NOW, language)
    if isinstance(result, ParsedWhen):
        assert abs((result.day - TODAY).days) <= 366


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-300, max_value=300), st.sampled_from(LANGUAGES))
def test_iso_dates_round_trip(offset: int, language: str) -> None:
    day = TODAY + timedelta(days=offset)
    assert parse_when(day.isoformat(), NOW, language) == ParsedWhen(day, None)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-300, max_value=300), st.sampled_from(LANGUAGES))
def test_dotted_dates_round_trip(offset: int, language: str) -> None:
    day = TODAY + timedelta(days=offset)
    text = f"{day.day}.{day.month}.{day.year}"
    assert parse_when(text, NOW, language) == ParsedWhen(day, None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_zeroth_day_is_not_a_date(language: str) -> None:
    # "0º" reads as an ordinal day; there is no day 0 in any month
    assert parse_when("0º", NOW, language) == WhenError.NOT_A_DATE
    assert parse_when("0O", NOW, language) == WhenError.NOT_A_DATE
