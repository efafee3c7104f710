"""End to end in other languages: the words, the dates and the plurals each user sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Interview, Task
from bot.domain.interviews import response_by
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import press, say


async def test_spanish_from_start_to_a_saved_interview(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="es")
    shown = await say(bot, ana, "/start")
    assert "¡Hola, Ana! Soy Afterview" in shown
    shown = await say(bot, ana, "Madrid")
    assert "lunes, 23 de noviembre de 2026, 10:00" in shown
    shown = await say(bot, ana, "/log")
    assert "¿Con qué empresa es la entrevista?" in shown
    await say(bot, ana, "Telefónica")
    await say(bot, ana, "Analista")
    shown = await say(bot, ana, "ayer a las 15:00")
    assert "domingo, 22 de noviembre de 2026, 15:00" in shown
    assert "Teléfono" in _labels(ana)
    await press(bot, ana, "Teléfono")
    await say(bot, ana, "Lucía Pérez")
    await say(bot, ana, "Directora de RR. HH.")
    await press(bot, ana, next(b for b in _labels(ana) if "⬅" not in b))
    await press(bot, ana, next(b for b in _labels(ana) if b.startswith("✅")))
    await press(bot, ana, _labels(ana)[0])
    await press(bot, ana, _labels(ana)[0])
    shown = await press(bot, ana, _labels(ana)[0])
    assert "Lucía Pérez" in shown
    async with bot.runtime.session() as session:
        interview = await session.scalar(select(Interview).where(Interview.user_id == ana.id))
    assert interview is not None
    assert interview.scheduled_at == datetime(2026, 11, 22, 14, 0, tzinfo=UTC)

    # the next business day's nudge, in Spanish, with a Spanish draft
    bot.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    await bot.sweep()
    nudge = ana.last_message.plain
    assert "Estimado/a Lucía Pérez:" in nudge
    assert "para hoy" in nudge


def _labels(user: object) -> list[str]:
    from fakeapi import FakeUser

    assert isinstance(user, FakeUser)
    for message in reversed(user.messages):
        if message.buttons:
            return [label for row in message.buttons for label in row]
    return []


async def test_german_dates_typed_and_shown(bot: RunningBot) -> None:
    jonas = bot.fake.add_user("Jonas", language_code="de")
    await say(bot, jonas, "/timezone Hamburg")
    shown = await say(bot, jonas, "/log")
    assert "Mit welchem Unternehmen hast du das Gespräch?" in shown
    await say(bot, jonas, "Siemens")
    await say(bot, jonas, "Entwickler")
    shown = await say(bot, jonas, "gestern 15 Uhr")
    assert "Notiert: Sonntag, 22. November 2026 um 15:00 (gestern)." in shown
    shown = await say(bot, jonas, "nächsten Dienstag um 9")
    # a second date where a format was asked for gets the buttons again, in German
    assert "Notiert" not in shown


async def test_russian_dates_and_plurals(bot: RunningBot) -> None:
    olga = bot.fake.add_user("Ольга", language_code="ru")
    shown = await say(bot, olga, "/start")
    assert "Здравствуйте, Ольга!" in shown
    await say(bot, olga, "Москва")
    assert (await stored_user(bot, olga.id)).timezone == "Europe/Moscow"
    await say(bot, olga, "/log")
    await say(bot, olga, "Яндекс")
    await say(bot, olga, "Аналитик")
    shown = await say(bot, olga, "вчера в 15:00")
    assert "Принято: воскресенье, 22 ноября 2026 в 15:00 (вчера)." in shown


async def test_portuguese_brazil_is_picked_from_the_region(bot: RunningBot) -> None:
    joao = bot.fake.add_user("João", language_code="pt-br")
    shown = await say(bot, joao, "/start")
    assert "Olá, João!" in shown
    assert "português (Brasil)" in shown


async def test_switching_language_answers_in_the_new_one(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/language")
    shown = await press(bot, ana, "Français")
    assert "C'est fait. Nouvelle langue\xa0: français." in shown
    shown = await say(bot, ana, "/help")
    assert "/log" in shown and "entretien" in shown


async def test_russian_date_ending_a_sentence_has_one_full_stop(bot: RunningBot) -> None:
    olga = bot.fake.add_user("Ольга", language_code="ru")
    await say(bot, olga, "/timezone Москва")
    await say(bot, olga, "/log")
    await say(bot, olga, "Яндекс")
    await say(bot, olga, "Аналитик")
    shown = await say(bot, olga, "вчера")
    assert "Принято: воскресенье, 22 ноября 2026 (вчера)." in shown
    assert ".." not in shown


async def test_zone_is_named_in_the_users_language(bot: RunningBot) -> None:
    olga = bot.fake.add_user("Ольга", language_code="ru")
    shown = await say(bot, olga, "/timezone Москва")
    assert "Europe/Moscow (Москва)" in shown
    assert "(Moscow)" not in shown
    # an English spelling of the same city still gets the reader's own name for it
    shown = await say(bot, olga, "/timezone Moscow")
    assert "Europe/Moscow (Москва)" in shown
    # a zone name alone is given its city too
    shown = await say(bot, olga, "/timezone Europe/Kiev")
    assert "Europe/Kiev (Киев)" in shown
    shown = await say(bot, olga, "/timezone")
    assert "Europe/Kiev (Киев)" in shown


async def test_language_is_named_in_lower_case_inside_a_sentence(bot: RunningBot) -> None:
    olga = bot.fake.add_user("Ольга", language_code="ru")
    shown = await say(bot, olga, "/language")
    assert "русский" in shown
    assert "Русский" not in shown.split("\n")[0]
    # the menu itself keeps the capital of a list item
    assert "✓ Русский" in _labels(olga) or "Русский" in _labels(olga)


TOMORROW = {
    "en": "tomorrow",
    "es": "mañana",
    "de": "morgen",
    "fr": "demain",
    "pt-br": "amanhã",
    "ru": "завтра",
    "uk": "завтра",
}
IN_ONE_DAY = ("in 1 day", "dentro de 1 día", "in 1 Tag", "dans 1 jour", "em 1 dia", "через 1 день")


@pytest.mark.parametrize("code", list(TOMORROW))
async def test_an_interview_tomorrow_is_said_to_be_tomorrow(bot: RunningBot, code: str) -> None:
    person = bot.fake.add_user("Sam", language_code=code)
    await say(bot, person, "/timezone UTC")
    now = bot.clock.now()
    await _seed_interview(bot, person.id, now + timedelta(days=1), "unknown")
    await say(bot, person, "/interviews")
    shown = await press(bot, person, _labels(person)[0])
    assert f"({TOMORROW[code]})" in shown
    assert not any(phrase in shown for phrase in IN_ONE_DAY)


async def test_a_single_interview_has_no_page_line(bot: RunningBot) -> None:
    sam = bot.fake.add_user("Sam", language_code="en")
    await say(bot, sam, "/timezone UTC")
    now = bot.clock.now()
    await _seed_interview(bot, sam.id, now - timedelta(days=2), "week")
    shown = await say(bot, sam, "/interviews")
    assert shown.startswith("Your interview:")
    assert "page" not in shown and "newest first" not in shown
    await _seed_interview(bot, sam.id, now - timedelta(days=3), "week")
    shown = await say(bot, sam, "/interviews")
    assert shown.startswith("Your 2 interviews, newest first:")
    assert "page" not in shown
    for days in range(4, 10):
        await _seed_interview(bot, sam.id, now - timedelta(days=days), "week")
    shown = await say(bot, sam, "/interviews")
    assert "Your 8 interviews, newest first (page 1 of 2):" in shown


async def test_an_unstated_answer_time_does_not_contradict_itself(bot: RunningBot) -> None:
    sam = bot.fake.add_user("Sam", language_code="en")
    await say(bot, sam, "/timezone UTC")
    await _seed_interview(bot, sam.id, datetime(2026, 11, 20, 10, 0, tzinfo=UTC), "unknown")
    await say(bot, sam, "/interviews")
    shown = await press(bot, sam, _labels(sam)[0])
    assert "Answer expected: they didn't say, so I'm planning for December 4, 2026" in shown
    assert "They didn't say (by" not in shown


async def _seed_interview(bot: RunningBot, user_id: int, when: datetime, timeframe: str) -> None:
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        session.add(
            Interview(
                user_id=user_id,
                company="Acme",
                role="Analyst",
                scheduled_at=when,
                format="phone",
                response_timeframe=timeframe,
                response_by=response_by(timeframe, when.date()),
                created_at=now,
                updated_at=now,
            )
        )


async def test_no_application_yet_is_not_a_count_of_zero(bot: RunningBot) -> None:
    from bot.db.models import User
    from bot.nudges.planner import replan_interview

    joao = bot.fake.add_user("João", language_code="pt-br")
    joao.started = True
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        user = User(
            id=joao.id,
            first_name="João",
            language="pt_BR",
            timezone="UTC",
            nudge_hour=0,
            quiet_hour=24,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        interview = Interview(
            user_id=joao.id,
            company="Natura",
            role="Analista",
            scheduled_at=now - timedelta(days=1),
            format="phone",
            response_timeframe="month",
            created_at=now,
            updated_at=now,
            interviewers=[],
        )
        session.add(interview)
        await session.flush()
        await replan_interview(session, user, interview, now)
    for day in range(1, 6):
        bot.clock.set(now + timedelta(days=day))
        await bot.sweep()
    async with bot.runtime.session() as session:
        keep_applying = await session.scalar(
            select(Task).where(Task.user_id == joao.id, Task.kind == "keep_applying")
        )
    assert keep_applying is not None and keep_applying.nudges_sent >= 1
    sent = "\n".join(message.plain for message in joao.messages)
    assert " 0 candidatura" not in sent and " 0 application" not in sent
