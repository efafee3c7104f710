"""End to end: /start, /help, /timezone and /language through the fake Bot API."""

from __future__ import annotations

from fakeapi.running import RunningBot
from tests.conftest import stored_user


async def test_start_greets_and_asks_for_the_zone(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await ana.send("/start")
    await bot.fake.settle()
    greeting, question = ana.messages[-2:]
    assert "Hi Ana!" in greeting.plain
    assert "English" in greeting.plain
    assert "Which time zone are you in?" in question.plain
    assert question.reply_markup is not None
    assert question.reply_markup["keyboard"][0][0]["request_location"] is True

    await ana.send("Berlin")
    await bot.fake.settle()
    done = ana.messages[-2]
    assert "Done: your time zone is Europe/Berlin (Berlin)" in done.plain
    # Monday 23 November 2026, 09:00 UTC is 10:00 in Berlin
    assert "Monday, November 23, 2026, 10:00\u202fAM" in done.plain
    assert ana.messages[-1].buttons == [["📝 Log an interview"]]
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Europe/Berlin", "DE")


async def test_start_twice_does_not_ask_again(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone Lisbon")
    await bot.fake.settle()
    await ana.send("/start")
    last = await ana.expect_message()
    assert "What I can do" in last.plain
    assert "Your time zone: Europe/Lisbon" in last.plain


async def test_timezone_refuses_bad_input_politely(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone")
    await bot.fake.settle()
    assert "Which time zone are you in?" in ana.last_message.plain

    await ana.send("Atlantis Prime")
    await bot.fake.settle()
    assert "I don't know a time zone called “Atlantis Prime”" in ana.messages[-2].plain
    assert "I'm still waiting for your time zone" in ana.last_message.plain

    await ana.send("x" * 300)
    await bot.fake.settle()
    assert "That is too long for a place name" in ana.last_message.plain
    assert "100 characters" in ana.last_message.plain

    await ana.send("<b>Paris</b>")
    await bot.fake.settle()
    refusal = ana.last_message
    assert "“<b>Paris</b>”" in refusal.plain
    assert "&lt;b&gt;Paris&lt;/b&gt;" in refusal.text

    await ana.send_sticker()
    await bot.fake.settle()
    assert "as text, or share your location" in ana.messages[-1].plain

    user = await stored_user(bot, ana.id)
    assert user.timezone is None

    await ana.send("UTC+3")
    await bot.fake.settle()
    assert "Done: your time zone is UTC+03:00" in ana.messages[-2].plain
    assert (await stored_user(bot, ana.id)).timezone == "Etc/GMT-3"


async def test_timezone_from_a_shared_location_and_offsets(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone")
    await ana.send_location(latitude=40.4168, longitude=-3.7038)
    await bot.fake.settle()
    assert "Done: your time zone is Europe/Madrid" in ana.messages[-2].plain
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Europe/Madrid", "ES")

    await ana.send("/timezone +05:30")
    await bot.fake.settle()
    assert "UTC+05:30" in ana.messages[-2].plain
    assert "2:30\u202fPM" in ana.messages[-2].plain


async def test_city_names_in_other_scripts(bot: RunningBot) -> None:
    olena = bot.fake.add_user("Олена", language_code="uk")
    await olena.send("/timezone Київ")
    await bot.fake.settle()
    assert (await stored_user(bot, olena.id)).timezone == "Europe/Kyiv"


async def test_language_choice_is_saved(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await ana.send("/language")
    menu = await ana.expect_message()
    assert ["✓ Same as my Telegram app"] in menu.buttons
    assert ["Deutsch"] in menu.buttons
    await ana.tap(menu, "Deutsch")
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).language == "de"
    assert ana.messages[-1].edits == 1
    assert bot.fake.callback_answers[-1]["callback_query_id"]


async def test_forged_language_button_is_refused_politely(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await ana.send("/language")
    menu = await ana.expect_message()
    await ana.tap(menu, "Deutsch")
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).language == "de"


async def test_settings_survive_a_restart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone America/Sao_Paulo")
    await bot.fake.settle()
    await bot.restart()
    await ana.send("/timezone")
    await bot.fake.settle()
    assert "Your time zone is America/Sao_Paulo" in ana.messages[-2].plain


async def test_a_question_survives_a_restart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone")
    await bot.fake.settle()
    await bot.restart()
    await ana.send("Tokyo")
    await bot.fake.settle()
    assert "Done: your time zone is Asia/Tokyo" in ana.messages[-2].plain


async def test_cancel_and_unknown_commands(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/cancel")
    assert "nothing to cancel" in (await ana.expect_message()).plain
    await ana.send("/timezone")
    await ana.send("/cancel")
    assert "Okay, stopped" in (await ana.expect_message()).plain
    await ana.send("/frobnicate")
    assert "I don't know that command" in (await ana.expect_message()).plain
    await ana.send("hello?")
    assert "/log" in (await ana.expect_message()).plain


async def test_help_in_a_group_points_to_private(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    club = bot.fake.add_group("Tuesday club", members=[ana], admins=[ana])
    await ana.send("/help@afterview_test_bot", chat=club)
    await bot.fake.settle()
    assert "never ask for personal details" in club.last_message.plain
    await ana.send("/timezone@afterview_test_bot", chat=club)
    await bot.fake.settle()
    link = club.last_message.reply_markup["inline_keyboard"][0][0]["url"]
    assert link == "https://t.me/afterview_test_bot?start=timezone"


async def test_command_menus_are_published_per_language(bot: RunningBot) -> None:
    await bot.fake.settle()
    assert bot.fake.commands, "setMyCommands was never called"
    scopes = {scope for scope, _language in bot.fake.commands}
    assert len(scopes) == 2


async def test_blocking_is_noticed_and_edits_change_nothing(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone")
    await bot.fake.settle()
    ana.block()
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).reachable is False
    ana.unblock()
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).reachable is True


async def test_an_edited_message_is_not_taken_as_an_answer(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await ana.send("/timezone")
    sent = await ana.send("Atlantis Prime")
    await bot.fake.settle()
    await ana.edit(sent, "Berlin")
    await bot.fake.settle()
    assert "Edits don't change what I saved" in ana.last_message.plain
    assert (await stored_user(bot, ana.id)).timezone is None
    await ana.send("Lisbon")
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).timezone == "Europe/Lisbon"


async def test_links_from_a_group_open_the_command_asked_for(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    # a newcomer is asked for the zone first (tests/test_e2e_onboarding.py)
    await ana.send("/timezone Berlin")
    await bot.fake.settle()
    await ana.send("/start interviews")
    await bot.fake.settle()
    assert "You have not logged any interview yet" in ana.last_message.plain
    await ana.send("/start timezone")
    await bot.fake.settle()
    assert "Which time zone are you in?" in ana.last_message.plain
    await ana.send("/start applied")
    await bot.fake.settle()
    assert "Where did you apply?" in ana.last_message.plain
    await ana.send("/start applications")
    await bot.fake.settle()
    assert "You have not logged any application yet" in ana.last_message.plain
