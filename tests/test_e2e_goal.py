"""End to end: /goal set with a tap or typed, changed, cleared, and bad input answered kindly."""

from __future__ import annotations

from datetime import UTC, datetime

from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, forge_tap, press, say


async def test_set_with_a_tap_then_change_by_typing_then_clear(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    shown = await say(bot, ana, "/goal")
    assert "You have no weekly goal yet." in shown
    assert "type any whole number from 1 to 100" in shown
    assert buttons(ana) == ["3", "5", "10", "15", "20"]

    shown = await press(bot, ana, "5")
    assert "Saved: 5 applications a week." in shown
    assert "This week so far: 0 of 5." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 5

    shown = await say(bot, ana, "/goal")
    assert "Your weekly goal: 5 applications." in shown
    assert buttons(ana) == ["3", "✓ 5", "10", "15", "20", "Clear the goal"]
    shown = await say(bot, ana, "twelve")
    assert "Please send one whole number from 1 to 100, like 5." in shown
    shown = await say(bot, ana, "2.5")
    assert "Please send one whole number" in shown
    shown = await say(bot, ana, "0")
    assert "A weekly goal goes from 1 to 100." in shown
    assert "tap “Clear the goal”" in shown
    shown = await say(bot, ana, "250")
    assert "from 1 to 100" in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 5
    shown = await say(bot, ana, "12 a week")
    assert "Saved: 12 applications a week." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 12

    # the question is answered: a number typed now is not taken for a goal
    shown = await say(bot, ana, "7")
    assert "Saved" not in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 12

    await say(bot, ana, "/goal")
    shown = await press(bot, ana, "Clear the goal")
    assert "Your weekly goal is cleared." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal is None
    # a second tap on the same old button changes nothing and says so
    message = next(m for m in reversed(ana.messages) if m.find_button("goal:clear"))
    await forge_tap(bot, ana, message, "goal:clear")
    assert bot.fake.callback_answers[-1]["text"] == "There is no goal to clear."
    assert (await stored_user(bot, ana.id)).weekly_goal is None


async def test_goal_as_an_argument_and_one_set_counts_this_weeks_applications(
    bot: RunningBot,
) -> None:
    # Wednesday; the week began on Monday
    bot.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await say(bot, ana, "/applied Acme — Engineer")
    await say(bot, ana, "/applied Globex")
    shown = await say(bot, ana, "/goal 3")
    assert "Saved: 3 applications a week." in shown
    assert "This week so far: 2 of 3." in shown
    await say(bot, ana, "/applied Initech")
    shown = await say(bot, ana, "/goal")
    assert "This week so far: 3 of 3." in shown
    assert "You have reached it. Well done!" in shown
    # next Monday, a new week
    bot.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    shown = await say(bot, ana, "/goal")
    assert "This week so far: 0 of 3." in shown
    assert "reached" not in shown

    shown = await say(bot, ana, "/goal 1000")
    assert "A weekly goal goes from 1 to 100." in shown
    # the question stays open after a bad argument
    shown = await say(bot, ana, "1")
    assert "Saved: 1 application a week." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 1


async def test_odd_input_while_a_number_is_awaited(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/goal")
    before = len(ana.messages)
    await ana.send_sticker()
    await bot.fake.settle()
    assert "Please type the number of applications, from 1 to 100." in ana.last_message.plain
    assert len(ana.messages) == before + 1
    shown = await say(bot, ana, "<b>5</b> & more")
    assert "Saved: 5 applications a week." in shown
    await say(bot, ana, "/goal")
    shown = await say(bot, ana, "/cancel")
    assert "your weekly goal stays as it was" in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 5
    # a forged button cannot store a number the buttons never offered
    message = next(m for m in reversed(ana.messages) if m.find_button("goal:set:3"))
    await forge_tap(bot, ana, message, "goal:set:999")
    assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
    await forge_tap(bot, ana, message, "goal:set:x")
    assert (await stored_user(bot, ana.id)).weekly_goal == 5


async def test_the_question_survives_a_restart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/goal")
    await bot.restart()
    shown = await say(bot, ana, "8")
    assert "Saved: 8 applications a week." in shown
    assert (await stored_user(bot, ana.id)).weekly_goal == 8


async def test_in_a_group_the_goal_is_set_in_private(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    group = bot.fake.add_group("Job club", members=[ana])
    shown = await say(bot, ana, "/goal 5", chat=group)
    assert "let's do it in a private chat" in shown
    assert (await stored_user(bot, ana.id)).weekly_goal is None
