"""End to end: one conversation at a time, and none takes the answers meant for another."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from telegram import Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import CallbackContext

from bot.db.models import Application, Reference
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, forge_tap, log_quick, press, say
from tests.test_e2e_log import berliner, interviews_of

ASIDE = "I've set the time zone question aside"
UNKNOWN_ZONE = "I don't know a time zone called"
SAVING_REFERENCE = "We are in the middle of saving a reference."
LOGGING = "We are in the middle of logging an interview."


async def applications_of(bot: RunningBot, user: FakeUser) -> list[Application]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(select(Application).where(Application.user_id == user.id))
        return list(rows)


async def references_of(bot: RunningBot, user: FakeUser) -> list[str]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(select(Reference).where(Reference.user_id == user.id))
        return [r.name for r in rows]


# --- 1. the zone question gives way to a button ----------------------------------------------


async def test_a_log_button_closes_the_zone_question_and_the_log_gets_the_answers(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/help")
    assert "Which time zone are you in?" in await say(bot, ana, "/timezone")
    shown = await press(bot, ana, "📝 Log an interview")
    assert ASIDE in shown
    assert "Which company" in shown
    shown = await say(bot, ana, "Lisbon Labs")
    assert UNKNOWN_ZONE not in shown
    assert "What is the role?" in shown
    shown = await say(bot, ana, "Paris")
    assert "Done: your time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"
    shown = await say(bot, ana, "/cancel")
    assert "Stopped. I did not save that interview." in shown
    assert "Nothing was changed" not in shown
    assert "There is nothing to cancel right now." in await say(bot, ana, "/cancel")


async def test_a_reference_button_closes_the_zone_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await say(bot, ana, "/timezone")
    shown = await press(bot, ana, "➕ Add a reference")
    assert ASIDE in shown
    assert "What is your reference's name?" in shown
    shown = await say(bot, ana, "Paris")
    assert "How do you know Paris?" in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"


async def test_an_edit_button_closes_the_zone_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await log_quick(bot, ana, "Acme", "Engineer")
    card = ana.last_message
    [interview] = await interviews_of(bot, ana)
    await say(bot, ana, "/timezone")
    await forge_tap(bot, ana, card, f"iv:edit:{interview.id}")
    assert ASIDE in "\n".join(m.plain for m in ana.messages[-3:])
    shown = await say(bot, ana, "Madrid")
    assert "Done: your time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"


async def test_a_debrief_button_closes_the_zone_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await log_quick(bot, ana, "Initech", "Tester", when="30.11 10:00")
    card = ana.last_message
    [interview] = await interviews_of(bot, ana)
    bot.clock.set(interview.scheduled_at + timedelta(hours=2))
    await say(bot, ana, "/timezone")
    await forge_tap(bot, ana, card, f"iv:debrief:{interview.id}")
    assert "three short questions" in "\n".join(m.plain for m in ana.messages[-3:])
    shown = await say(bot, ana, "Tokyo")
    assert "Done: your time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"


# --- 2. /start goal opens the goal question ---------------------------------------------------


async def test_the_goal_link_takes_the_typed_number(bot: RunningBot) -> None:
    ana = await berliner(bot)
    shown = await say(bot, ana, "/start goal")
    assert "You have no weekly goal yet." in shown
    shown = await say(bot, ana, "5")
    assert "Saved: 5 applications a week." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 5


async def test_a_newcomer_from_the_goal_link_sets_the_zone_then_the_goal(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    shown = await say(bot, ana, "/start goal")
    assert "Which time zone are you in?" in shown
    shown = await say(bot, ana, "Berlin")
    assert "what you came for" in shown
    assert buttons(ana) == ["Go on: /goal"]
    # the button is a deep link: the client sends "/start goal" again
    assert "You have no weekly goal yet." in await say(bot, ana, "/start goal")
    assert "Saved: 7 applications a week." in await say(bot, ana, "7")
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.weekly_goal) == ("Europe/Berlin", 7)


# --- 3. one conversation at a time ------------------------------------------------------------


async def test_log_is_refused_while_a_reference_is_being_added(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    shown = await say(bot, ana, "/log")
    assert SAVING_REFERENCE in shown
    assert "Which company" not in shown
    # the reference goes on where it was
    assert "How do you know" in await say(bot, ana, "Olga")
    assert "Okay, stopped. Nothing was changed." in await say(bot, ana, "/cancel")
    shown = await say(bot, ana, "/tasks")
    assert SAVING_REFERENCE not in shown
    assert await references_of(bot, ana) == []


async def test_the_log_button_is_refused_while_a_reference_is_being_added(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/help")
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    shown = await press(bot, ana, "📝 Log an interview")
    assert SAVING_REFERENCE in shown
    assert "Which company" not in shown


async def test_adding_a_reference_is_refused_while_an_interview_is_logged(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await say(bot, ana, "/log")
    await say(bot, ana, "Acme")
    shown = await press(bot, ana, "➕ Add a reference")
    assert LOGGING in shown
    assert "What is your reference's name?" not in shown
    # the draft keeps its company and takes the role
    shown = await say(bot, ana, "Engineer")
    assert "When" in shown or "when" in shown
    assert "Stopped. I did not save that interview." in await say(bot, ana, "/cancel")
    shown = await say(bot, ana, "/tasks")
    assert SAVING_REFERENCE not in shown and LOGGING not in shown


async def test_the_goal_question_gives_way_to_a_log(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/goal")
    assert "Which company" in await say(bot, ana, "/log")
    await say(bot, ana, "5")  # the company's name, not a goal
    await say(bot, ana, "/cancel")
    shown = await say(bot, ana, "7")
    assert "Saved" not in shown
    assert (await stored_user(bot, ana.id)).weekly_goal is None


async def test_the_goal_question_gives_way_to_the_zone_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/goal")
    await say(bot, ana, "/timezone")
    assert "Done: your time zone" in await say(bot, ana, "Madrid")
    shown = await say(bot, ana, "5")
    assert "Saved" not in shown
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.weekly_goal) == ("Europe/Madrid", None)


async def test_the_goal_question_gives_way_to_a_reference(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await say(bot, ana, "/goal")
    await press(bot, ana, "➕ Add a reference")
    await say(bot, ana, "Olga")
    await say(bot, ana, "/cancel")
    shown = await say(bot, ana, "5")
    assert "Saved" not in shown
    assert (await stored_user(bot, ana.id)).weekly_goal is None


async def test_the_zone_question_is_refused_while_a_reference_is_being_added(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    shown = await say(bot, ana, "/timezone")
    assert SAVING_REFERENCE in shown
    assert "Which time zone are you in?" not in shown
    await say(bot, ana, "Paris")
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"
    assert "How do you know" in ana.last_message.plain


@pytest.mark.parametrize("payload", ["goal", "timezone"])
async def test_a_link_during_a_reference_is_refused(bot: RunningBot, payload: str) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    shown = await say(bot, ana, f"/start {payload}")
    assert SAVING_REFERENCE in shown
    assert "Olga" in await say(bot, ana, "Olga")


# --- 4. only the applied question's replies are applications ----------------------------------


async def test_a_reply_to_the_goal_question_sets_the_goal(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/applied")  # an open applied question must not take other replies
    await say(bot, ana, "/goal")
    goal_question = ana.last_message
    await ana.reply(goal_question, "5")
    await bot.fake.settle()
    assert "Saved: 5 applications a week." in ana.last_message.plain
    assert await applications_of(bot, ana) == []
    assert (await stored_user(bot, ana.id)).weekly_goal == 5


async def test_a_reply_to_another_message_is_not_an_application(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/applied")
    await say(bot, ana, "/help")
    await ana.reply(ana.last_message, "Acme — Dev")
    await bot.fake.settle()
    assert "Logged" not in ana.last_message.plain
    assert await applications_of(bot, ana) == []


async def test_a_reply_to_the_applied_question_is_logged_once(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/applied")
    question = ana.last_message
    await ana.reply(question, "Acme — Dev")
    await bot.fake.settle()
    assert "Logged: Acme · Dev." in ana.last_message.plain
    await ana.reply(question, "Initech — QA")
    await bot.fake.settle()
    assert [a.company for a in await applications_of(bot, ana)] == ["Acme"]


# --- the helper that reads and ends python-telegram-bot's conversation state ------------------


def _update_from(ana: FakeUser, now: datetime) -> Update:
    chat = Chat(ana.id, ChatType.PRIVATE)
    user = User(ana.id, "Ana", is_bot=False)
    message = Message(1, now, chat, from_user=user, text="x")
    return Update(1, message=message)


async def test_the_helper_sees_and_ends_an_open_question(bot: RunningBot) -> None:
    from handlers.common import end_conversation, holding_input, open_conversations

    ana = await berliner(bot)
    application = bot.application
    assert application is not None
    update = _update_from(ana, bot.clock.now())
    context = CallbackContext.from_update(update, application)
    assert open_conversations(update, context) == []
    await say(bot, ana, "/goal")
    assert open_conversations(update, context) == ["goal"]
    assert holding_input(update, context) is None
    assert end_conversation(update, context, "goal") is True
    assert end_conversation(update, context, "goal") is False
    assert open_conversations(update, context) == []
    # the ended question no longer takes a number
    assert "Saved" not in await say(bot, ana, "5")
    await say(bot, ana, "/log")
    assert holding_input(update, context) == "log"
