"""End to end in other languages: the words, the dates and the plurals each user sees."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Interview
from bot.fakeapi.running import RunningBot
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
    from bot.fakeapi.server import FakeUser

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
    assert "Принято: воскресенье, 22 ноября 2026\u202fг. в 15:00 (вчера)." in shown


async def test_portuguese_brazil_is_picked_from_the_region(bot: RunningBot) -> None:
    joao = bot.fake.add_user("João", language_code="pt-br")
    shown = await say(bot, joao, "/start")
    assert "Olá, João!" in shown
    assert "Português (Brasil)" in shown


async def test_switching_language_answers_in_the_new_one(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/language")
    shown = await press(bot, ana, "Français")
    assert "C'est fait. Nouvelle langue\xa0: Français." in shown
    shown = await say(bot, ana, "/help")
    assert "/log" in shown and "entretien" in shown
