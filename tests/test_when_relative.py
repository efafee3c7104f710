"""The date reader on times as written, the nearest weekday, "now", "in 2 hours", "next week",
"the 5th", and numeric dates whose order is unclear; the clock is Wednesday 2026-11-25 noon."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.domain.when import ParsedWhen, WhenChoice, WhenError, parse_when
from tests.test_when import NOW, at


def week_of(monday: date, hour: int | None = None) -> WhenChoice:
    return WhenChoice(
        tuple(
            ParsedWhen(
                date.fromordinal(monday.toordinal() + n), None if hour is None else time(hour)
            )
            for n in range(5)
        ),
        "week",
    )


NEXT_WEEK = week_of(date(2026, 11, 30))

# an H:MM time is taken as written; only a word for the evening makes it the evening
AS_WRITTEN: list[tuple[str, str, ParsedWhen]] = [
    ("en", "tomorrow 7:00", at(11, 26, 7)),
    ("en", "yesterday 6:45", at(11, 24, 6, 45)),
    ("en", "tomorrow 07:00", at(11, 26, 7)),
    ("en", "tomorrow 8:30", at(11, 26, 8, 30)),
    ("en", "tomorrow 7:00 pm", at(11, 26, 19)),
    ("en", "yesterday evening 6:45", at(11, 24, 18, 45)),
    ("es", "mañana 7:00", at(11, 26, 7)),
    ("es", "mañana a las 7:00 de la tarde", at(11, 26, 19)),
    ("de", "morgen 7:00", at(11, 26, 7)),
    ("de", "morgen 7:00 abends", at(11, 26, 19)),
    ("fr", "demain 7h00", at(11, 26, 7)),
    ("fr", "demain 7:00 du soir", at(11, 26, 19)),
    ("pt_BR", "amanhã 7:00", at(11, 26, 7)),
    ("pt_BR", "amanhã 7:00 da noite", at(11, 26, 19)),
    ("ru", "завтра в 7:00", at(11, 26, 7)),
    ("ru", "завтра в 7:00 вечера", at(11, 26, 19)),
    ("uk", "завтра о 7:00", at(11, 26, 7)),
    ("uk", "завтра о 7:00 вечора", at(11, 26, 19)),
]


@pytest.mark.parametrize(("language", "text", "expected"), AS_WRITTEN)
def test_a_written_time_is_taken_as_written(language: str, text: str, expected: ParsedWhen) -> None:
    assert parse_when(text, NOW, language) == expected


# what people type, in every language: a time alone is today's, "now", "in 2 hours", the 5th
EVERYDAY: list[tuple[str, str, ParsedWhen | WhenChoice]] = [
    ("en", "3pm", at(11, 25, 15)),
    ("en", "noon", at(11, 25, 12)),
    ("en", "now", at(11, 25, 12)),
    ("en", "in 2 hours", at(11, 25, 14)),
    ("en", "in an hour", at(11, 25, 13)),
    ("en", "30 minutes ago", at(11, 25, 11, 30)),
    ("en", "tomorrow 7", at(11, 26, 7)),
    ("en", "tomorrow at 3", at(11, 26, 15)),  # a bare small hour is the afternoon
    ("en", "yesterday 15", at(11, 24, 15)),
    ("en", "next week", NEXT_WEEK),
    ("en", "next week at 10am", week_of(date(2026, 11, 30), 10)),
    ("en", "tuesday next week", at(12, 1)),
    ("en", "the 5th", at(12, 5)),
    ("en", "on the 5th at 2pm", at(12, 5, 14)),
    ("en", "by Friday", at(11, 27)),
    ("es", "a las 3 de la tarde", at(11, 25, 15)),
    ("es", "mediodía", at(11, 25, 12)),
    ("es", "ahora", at(11, 25, 12)),
    ("es", "en 2 horas", at(11, 25, 14)),
    ("es", "mañana a las 7", at(11, 26, 7)),
    ("es", "la semana que viene", NEXT_WEEK),
    ("es", "el 5", at(12, 5)),
    ("es", "el día 5 a las 10", at(12, 5, 10)),
    ("de", "15 Uhr", at(11, 25, 15)),
    ("de", "mittags", at(11, 25, 12)),
    ("de", "jetzt", at(11, 25, 12)),
    ("de", "in 2 Stunden", at(11, 25, 14)),
    ("de", "nächste Woche", NEXT_WEEK),
    ("de", "nächste Woche Dienstag um 10", at(12, 1, 10)),
    ("de", "am 5.", at(12, 5)),
    ("de", "am 5. um 10 Uhr", at(12, 5, 10)),
    ("fr", "midi", at(11, 25, 12)),
    ("fr", "maintenant", at(11, 25, 12)),
    ("fr", "dans 2 heures", at(11, 25, 14)),
    ("fr", "dans une heure", at(11, 25, 13)),
    ("fr", "la semaine prochaine", NEXT_WEEK),
    ("fr", "le 5", at(12, 5)),
    ("pt_BR", "meio-dia", at(11, 25, 12)),
    ("pt_BR", "agora", at(11, 25, 12)),
    ("pt_BR", "daqui a 2 horas", at(11, 25, 14)),
    ("pt_BR", "semana que vem", NEXT_WEEK),
    ("pt_BR", "dia 5", at(12, 5)),
    ("ru", "в полдень", at(11, 25, 12)),
    ("ru", "сейчас", at(11, 25, 12)),
    ("ru", "через 2 часа", at(11, 25, 14)),
    ("ru", "через час", at(11, 25, 13)),
    ("ru", "на следующей неделе", NEXT_WEEK),
    ("ru", "5-го", at(12, 5)),
    ("uk", "опівдні", at(11, 25, 12)),
    ("uk", "зараз", at(11, 25, 12)),
    ("uk", "через 2 години", at(11, 25, 14)),
    ("uk", "наступного тижня", NEXT_WEEK),
    ("uk", "5-го", at(12, 5)),
]


@pytest.mark.parametrize(("language", "text", "expected"), EVERYDAY)
def test_what_people_type(language: str, text: str, expected: ParsedWhen | WhenChoice) -> None:
    assert parse_when(text, NOW, language, "nearest") == expected


def test_last_week_offers_its_working_days() -> None:
    assert parse_when("last week", NOW, "en") == week_of(date(2026, 11, 16))
    assert parse_when("на прошлой неделе", NOW, "ru") == week_of(date(2026, 11, 16))


def test_a_bare_weekday_points_the_way_the_question_does() -> None:
    # Wednesday: Tuesday is yesterday either way; Thursday is tomorrow unless it must be past
    assert parse_when("Tuesday 3pm", NOW, "en", "nearest") == at(11, 24, 15)
    assert parse_when("Thursday 3pm", NOW, "en", "nearest") == at(11, 26, 15)
    assert parse_when("Thursday 3pm", NOW, "en", "past") == at(11, 19, 15)
    assert parse_when("Tuesday", NOW, "en", "future") == at(12, 1)
    assert parse_when("Wednesday", NOW, "en", "future") == at(11, 25)
    assert parse_when("Montag", NOW, "de", "nearest") == at(11, 23)
    assert parse_when("sábado", NOW, "es", "nearest") == at(11, 28)


def test_the_day_of_the_month_points_the_way_too() -> None:
    assert parse_when("the 5th", NOW, "en", "past") == at(11, 5)
    assert parse_when("the 20th", NOW, "en", "future") == at(12, 20)
    assert parse_when("the 31st", NOW, "en", "future") == at(12, 31)
    assert parse_when("the 31st", NOW, "en", "past") == at(10, 31)
    assert parse_when("the 32nd", NOW, "en") == WhenError.NOT_A_DATE


def test_numeric_order_follows_the_users_country() -> None:
    november, december = at(11, 12, 10), at(12, 11, 10)
    london = parse_when("12/11 10am", NOW, "en", "nearest", "GB")
    assert london == WhenChoice((november, december), "order")
    assert parse_when("12/11 10am", NOW, "en", "nearest", "US") == WhenChoice(
        (december, november), "order"
    )
    assert parse_when("12/11 10am", NOW, "es", "nearest", "MX") == london
    # a country with no locale in the user's language: the country's own order
    assert parse_when("12/11", NOW, "en", "nearest", "RU") == WhenChoice(
        (at(11, 12), at(12, 11)), "order"
    )
    # only one real reading, or only one in the direction asked: no question
    assert parse_when("25/11", NOW, "en", "nearest", "US") == at(11, 25)
    assert parse_when("12/11", NOW, "en", "future", "GB") == at(12, 11)
    assert parse_when("12/11", NOW, "en", "past", "US") == at(11, 12)
    # dots are day first everywhere
    assert parse_when("12.11", NOW, "en", "nearest", "US") == at(11, 12)


def test_too_far_says_which_way() -> None:
    assert parse_when("1999-01-01 10:00", NOW, "en") == WhenError.LONG_AGO
    assert parse_when("2030-01-01", NOW, "en") == WhenError.FAR_AHEAD
    assert parse_when("in 400 days", NOW, "en") == WhenError.FAR_AHEAD


NOT_YET_A_DAY: list[tuple[str, str]] = [
    ("en", "5"),  # a lone number: a day or an hour?
    ("en", "now 3pm"),
    ("en", "in 2 hours tomorrow"),
    ("en", "next week last week"),
    ("en", "next week the 5th"),
    ("en", "tomorrow 7 8"),
    ("en", "tomorrow 7 3pm"),
    ("en", "tomorrow 24"),
    ("en", "12/11 10/9"),
]


@pytest.mark.parametrize(("language", "text"), NOT_YET_A_DAY)
def test_not_understood(language: str, text: str) -> None:
    assert parse_when(text, NOW, language, "nearest") == WhenError.NOT_A_DATE


def test_now_keeps_minutes_and_drops_seconds() -> None:
    now = datetime(2026, 11, 25, 9, 41, 37, tzinfo=NOW.tzinfo)
    assert parse_when("now", now, "en") == at(11, 25, 9, 41)
