"""End to end: a place name several places share is asked about, with buttons, not guessed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.db.models import Task
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, forge_tap, log_quick, press, say

ASKED = "“{}” is used in more than one place. Tap yours, or send your city."


async def nudge_times(bot: RunningBot, user_id: int) -> list[datetime | None]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(Task.next_nudge_at).where(Task.user_id == user_id).order_by(Task.id)
        )
        return list(rows)


async def test_valencia_is_asked_and_nudges_move_only_after_the_tap(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone Tokyo")
    await log_quick(bot, ana, "Acme")
    planned = await nudge_times(bot, ana.id)
    assert planned and any(planned)

    shown = await say(bot, ana, "/timezone Valencia")
    assert ASKED.format("Valencia") in shown
    # Monday 23 November 2026, 09:00 UTC: 05:00 in Caracas, 10:00 in Madrid
    assert buttons(ana) == ["Valencia, Venezuela · 5:00\u202fAM", "Valencia, Spain · 10:00\u202fAM"]
    offer = ana.last_message
    # no guess: the zone and every nudge stay as they were until the user picks
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Asia/Tokyo", "JP")
    assert await nudge_times(bot, ana.id) == planned

    shown = await press(bot, ana, "Valencia, Spain · 10:00\u202fAM")
    assert "Done: your time zone is Europe/Madrid (Valencia)" in shown
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Europe/Madrid", "ES")
    replanned = await nudge_times(bot, ana.id)
    assert replanned != planned and len(replanned) == len(planned)
    # the buttons went with the choice: the offer cannot re-plan a second time
    assert offer.buttons == []


async def test_portland_in_onboarding_then_the_next_step(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/start")
    shown = await say(bot, ana, "Portland")
    assert ASKED.format("Portland") in shown
    assert buttons(ana) == [
        "Portland (OR), United States · 1:00\u202fAM",
        "Portland (ME), United States · 4:00\u202fAM",
    ]
    assert (await stored_user(bot, ana.id)).timezone is None
    # the offer is no miss: no "still waiting" reminder
    assert "I'm still waiting" not in shown

    shown = await press(bot, ana, "Portland (ME), United States · 4:00\u202fAM")
    assert "Done: your time zone is America/New_York (Portland)" in shown
    assert "Next: tell me about an interview." in shown
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("America/New_York", "US")


async def test_a_clear_city_is_taken_at_once_and_typing_answers_an_offer(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    shown = await say(bot, ana, "/timezone Berlin")
    assert "Done: your time zone is Europe/Berlin" in shown
    assert "more than one place" not in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"

    # offered places, the user types a city instead: that is taken
    await say(bot, ana, "/timezone Cambridge")
    assert "Cambridge, United Kingdom · 9:00\u202fAM" in buttons(ana)
    shown = await say(bot, ana, "Lisbon")
    assert "Done: your time zone is Europe/Lisbon" in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Lisbon"


async def test_labels_speak_the_users_language(bot: RunningBot) -> None:
    olga = bot.fake.add_user("Olga", language_code="ru")
    await say(bot, olga, "/timezone Валенсия")
    assert buttons(olga)[:2] == ["Валенсия, Венесуэла · 05:00", "Валенсия, Испания · 10:00"]
    await press(bot, olga, "Валенсия, Испания · 10:00")
    user = await stored_user(bot, olga.id)
    assert (user.timezone, user.country) == ("Europe/Madrid", "ES")


async def test_a_forged_place_is_refused(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone Berlin")
    earlier = ana.messages[0]
    await say(bot, ana, "/timezone Valencia")
    offer = ana.last_message
    # data the offer never carried, and an offered place tapped on another message
    await forge_tap(bot, ana, offer, "place:Asia/Pyongyang:KP")
    assert bot.fake.callback_answers[-1].get("text") == "That choice is no longer offered."
    await forge_tap(bot, ana, earlier, "place:Europe/Madrid:ES")
    assert bot.fake.callback_answers[-1].get("text") == "That choice is no longer offered."
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"
    # the offer's own button still works
    shown = await press(bot, ana, "Valencia, Venezuela · 5:00\u202fAM")
    assert "Done: your time zone is America/Caracas (Valencia)" in shown
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("America/Caracas", "VE")
