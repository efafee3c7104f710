"""End to end: deep links, the open zone question, and what the bot does in groups today."""

from __future__ import annotations

from pathlib import Path

import handlers.start as start_module
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import say


async def test_a_forged_log_link_makes_no_request_to_telegram(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    for payload in (
        "log_-999",
        "log_123",
        "log_-1001234567890",
        "log_x",
        "log_-99999999999999999999",
    ):
        shown = await say(bot, ana, f"/start {payload}")
        assert "Let's log your interview" in shown, payload
        await say(bot, ana, "/cancel")
    assert not [r for r in bot.fake.requests if r.method == "getChatMember"]


async def test_a_newcomer_from_a_group_link_is_welcomed_and_asked_for_a_zone(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    ben = bot.fake.add_user("Ben", language_code="de")
    club = bot.fake.add_group("Job club", members=[ana, ben], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    await say(bot, ben, "/log@afterview_test_bot", chat=club)
    shown = await say(bot, ben, f"/start log_{club.id}")
    assert "Hallo Ben!" in shown
    assert "Let's log" not in shown and "Lass uns" not in shown
    question = ben.last_message
    assert question.reply_markup is not None
    assert question.reply_markup["keyboard"][0][0]["request_location"] is True
    await say(bot, ben, "Berlin")
    assert (await stored_user(bot, ben.id)).timezone == "Europe/Berlin"
    # the next step keeps the club the link came from
    link = ben.last_message.reply_markup["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/afterview_test_bot?start=log_{club.id}"


async def test_an_unanswered_zone_question_says_so_once_and_any_command_ends_it(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone")
    shown = await say(bot, ana, "Narnia")
    assert "I don't know a time zone called “Narnia”" in shown
    assert "I'm still waiting for your time zone" in shown
    assert "tap Skip or send any command" in shown
    shown = await say(bot, ana, "Gondor")
    assert "I don't know a time zone called “Gondor”" in shown
    assert "still waiting" not in shown

    shown = await say(bot, ana, "/tasks")
    assert "I've set the time zone question aside; /timezone brings it back." in shown
    # the command itself was answered too
    assert len(shown.split("\n---\n")) == 2
    shown = await say(bot, ana, "hello")
    assert "time zone" not in shown
    assert "/help" in shown
    assert (await stored_user(bot, ana.id)).timezone is None

    # /log, which another conversation takes, ends the question just as well
    await say(bot, ana, "/timezone")
    await say(bot, ana, "/log")
    shown = await say(bot, ana, "Paris Co")
    assert "time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone is None


async def test_being_added_to_a_group_brings_an_introduction_in_the_adders_language(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana", language_code="es")
    club = bot.fake.add_group("Club de empleo", members=[ana], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    await bot.fake.settle()
    [intro] = club.messages
    assert "Afterview" in intro.plain
    assert intro.reply_markup is not None
    # the introduction's one button joins the club (see test_e2e_club_join.py)
    assert intro.callback_data == [["cjoin:i"]]
    # written in Spanish (the catalog may not have this text yet, so English is accepted)
    assert intro.plain.startswith(("Hi everyone!", "¡Hola"))
    # nothing is stored about someone who only added the bot
    async with bot.runtime.session() as session:
        from bot.db.models import User

        assert await session.get(User, ana.id) is None


async def test_in_a_group_only_what_works_there_is_offered(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    club = bot.fake.add_group("Job club", members=[ana], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    shown = await say(bot, ana, "/start@afterview_test_bot", chat=club)
    assert "Hi Ana!" in shown
    assert "/language" not in shown and "/pause" not in shown and "/tasks" not in shown
    assert "/log" in shown and "/help" in shown

    await say(bot, ana, "/pause@afterview_test_bot", chat=club)
    reply = club.last_message
    assert "let's do it in a private chat" in reply.plain
    assert reply.reply_markup["inline_keyboard"][0][0]["url"].endswith("?start=pause")
    assert (await stored_user(bot, ana.id)).paused is False
    await say(bot, ana, "/language@afterview_test_bot", chat=club)
    assert club.last_message.reply_markup["inline_keyboard"][0][0]["url"].endswith(
        "?start=language"
    )
    await say(bot, ana, "/resume@afterview_test_bot", chat=club)
    assert "let's do it in a private chat" in club.last_message.plain
    # nothing went to the private chat on its own
    assert ana.messages == []

    # the private chat then does what was asked
    await say(bot, ana, "/timezone Berlin")
    shown = await say(bot, ana, "/start pause")
    assert "Paused" in shown
    assert (await stored_user(bot, ana.id)).paused is True


async def test_start_and_timezone_while_logging_leave_the_interview_open(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await say(bot, ana, "/log")
    for command in ("/timezone", "/start"):
        shown = await say(bot, ana, command)
        assert "We are in the middle of logging an interview" in shown, command
    shown = await say(bot, ana, "Lisbon Labs")
    assert "Done: your time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Berlin"


async def test_a_newcomer_from_any_group_link_gets_the_zone_question_then_their_command(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    ben = bot.fake.add_user("Ben")
    club = bot.fake.add_group("Job club", members=[ana, ben], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    await say(bot, ben, "/tasks@afterview_test_bot", chat=club)
    shown = await say(bot, ben, "/start tasks")
    assert "Hi Ben!" in shown
    assert "Which time zone are you in?" in shown
    assert "Nothing to do right now" not in shown
    await say(bot, ben, "Lisbon")
    assert (await stored_user(bot, ben.id)).timezone == "Europe/Lisbon"
    markup = ben.last_message.reply_markup
    assert markup is not None
    button = markup["inline_keyboard"][0][0]
    assert button["text"] == "Go on: /tasks"
    assert button["url"] == "https://t.me/afterview_test_bot?start=tasks"
    # with a zone, the same link opens the command at once
    shown = await say(bot, ben, "/start tasks")
    assert "Which time zone" not in shown


async def test_skipping_the_zone_still_leads_on_to_the_command(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    shown = await say(bot, ana, "/start reminders")
    assert "Which time zone are you in?" in shown
    shown = await say(bot, ana, "Skip")
    assert "I'll use UTC for now" in shown
    markup = ana.last_message.reply_markup
    assert markup is not None
    assert markup["inline_keyboard"][0][0]["url"].endswith("?start=reminders")


def test_every_link_command_opens_something() -> None:
    from handlers.start import LINK_COMMANDS, PASSED_ON_LINKS

    source = Path(start_module.__file__).read_text(encoding="utf-8")
    for command in LINK_COMMANDS:
        # a link to a conversation is passed on to that conversation's own "/start" entry
        assert f'"{command}": ' in source or command in PASSED_ON_LINKS, command
