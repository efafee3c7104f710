"""End to end: dates and times in /log and /timezone, read as people write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, log_quick, press, say
from tests.test_e2e_log import berliner, interviews_of

# the clock starts on Monday 23 November 2026 at 09:00 UTC (10:00 in Berlin)


async def at_the_when_question(bot: RunningBot, user: FakeUser) -> None:
    await say(bot, user, "/log")
    await say(bot, user, "Acme")
    shown = await say(bot, user, "Engineer")
    assert "When is or was the interview?" in shown


async def test_seven_oclock_with_minutes_is_the_morning(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    shown = await say(bot, ana, "tomorrow 7:00")
    assert "Got it: Tuesday, November 24, 2026, 7:00\u202fAM (tomorrow)." in shown
    await press(bot, ana, "⬅ Back")
    shown = await say(bot, ana, "yesterday 6:45")
    assert "Got it: Sunday, November 22, 2026, 6:45\u202fAM (yesterday)." in shown
    await press(bot, ana, "⬅ Back")
    shown = await say(bot, ana, "tomorrow 7:00 pm")
    assert "Tuesday, November 24, 2026, 7:00\u202fPM (tomorrow)" in shown

    await say(bot, ana, "/cancel")

    card = await log_quick(bot, ana, "Initech", when="tomorrow 7:00")
    assert "Tuesday, November 24, 2026, 7:00\u202fAM" in card
    [interview] = await interviews_of(bot, ana)
    assert interview.scheduled_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert interview.time_known is True


async def test_day_and_month_order_follow_the_zone_and_an_unclear_date_is_asked(
    bot: RunningBot,
) -> None:
    ben = bot.fake.add_user("Ben", language_code="en")
    await say(bot, ben, "/timezone Europe/London")
    await at_the_when_question(bot, ben)
    shown = await say(bot, ben, "12/11 10am")
    assert "“12/11 10am” can be read two ways. Which date do you mean?" in shown
    first, second, back = buttons(ben)
    assert first.startswith("Thu, Nov 12, 2026")
    assert second.startswith("Fri, Dec 11, 2026")
    assert back == "⬅ Back"
    shown = await press(bot, ben, "⬅ Back")
    assert "When is or was the interview?" in shown
    await say(bot, ben, "12/11 10am")
    shown = await press(bot, ben, second)
    assert "Got it: Friday, December 11, 2026, 10:00\u202fAM" in shown
    assert "upcoming interview" in shown

    # in New York the month comes first, so that reading is offered first
    cleo = bot.fake.add_user("Cleo", language_code="en")
    await say(bot, cleo, "/timezone America/New_York")
    await at_the_when_question(bot, cleo)
    await say(bot, cleo, "12/11 10am")
    assert buttons(cleo)[0].startswith("Fri, Dec 11, 2026")
    # a date with one real reading is not asked about
    shown = await say(bot, cleo, "11/20 10am")
    assert "Got it: Friday, November 20, 2026, 10:00\u202fAM" in shown

    # the question speaks the user's language
    dora = bot.fake.add_user("Dora", language_code="de")
    await say(bot, dora, "/timezone Europe/Berlin")
    await say(bot, dora, "/log")
    await say(bot, dora, "Acme")
    await say(bot, dora, "Entwicklerin")
    await say(bot, dora, "12/11 10 Uhr")
    first, second, _back = buttons(dora)
    assert first.startswith("Do., 12. Nov. 2026") and second.startswith("Fr., 11. Dez. 2026")


async def test_a_bare_weekday_is_the_nearest_and_is_said_back(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    # it is Monday: Tuesday is tomorrow, not last week's
    shown = await say(bot, ana, "Tuesday 3pm")
    assert "Got it: Tuesday, November 24, 2026, 3:00\u202fPM (tomorrow)." in shown
    assert "upcoming interview" in shown
    await press(bot, ana, "⬅ Back")
    shown = await say(bot, ana, "Sunday 3pm")
    assert "Got it: Sunday, November 22, 2026, 3:00\u202fPM (yesterday)." in shown
    await press(bot, ana, "⬅ Back")
    shown = await say(bot, ana, "next week")
    assert "Which day of that week?" in shown
    assert buttons(ana)[:5] == [
        "Mon, Nov 30",
        "Tue, Dec 1",
        "Wed, Dec 2",
        "Thu, Dec 3",
        "Fri, Dec 4",
    ]
    shown = await press(bot, ana, "Wed, Dec 2")
    # counted in days, not rounded to a week
    assert "Got it: Wednesday, December 2, 2026 (in 9 days)." in shown


async def test_the_answer_date_is_neither_past_nor_before_the_interview(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    await say(bot, ana, "yesterday 3pm")
    await press(bot, ana, "Phone")
    await press(bot, ana, "I don't have their names")
    await press(bot, ana, "By a date")
    shown = await say(bot, ana, "21.11")
    assert "That is before the interview. Which date did they give?" in shown
    # the interview's own day, yesterday, is over
    shown = await say(bot, ana, "22.11")
    assert "That date has already passed. Which date did they give for their answer?" in shown
    shown = await say(bot, ana, "soonish")
    assert "I could not read “soonish” as a date. Try 15.12, Friday or in 2 weeks." in shown
    shown = await say(bot, ana, "1.1.2028")
    assert "is more than a year away. Which date did they give for their answer?" in shown
    # a bare weekday is the coming one; "next week" is by its Friday
    shown = await say(bot, ana, "by Friday")
    assert "Got it: Friday, November 27, 2026 (in 4 days)." in shown
    await press(bot, ana, "⬅ Back")
    await press(bot, ana, "By a date")
    shown = await say(bot, ana, "next week")
    assert "Got it: Friday, December 4, 2026" in shown
    await press(bot, ana, "Not sure")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert interview.response_by == date(2026, 12, 4)


async def test_a_date_long_past_is_called_past(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    shown = await say(bot, ana, "1999-01-01 10:00")
    assert "“1999-01-01 10:00” was more than a year ago." in shown
    assert "more than a year away" not in shown
    assert "When is or was the interview?" in shown


async def test_what_people_type_is_understood(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    for typed, said in (
        ("3pm", "Monday, November 23, 2026, 3:00\u202fPM (today)"),
        ("noon", "Monday, November 23, 2026, 12:00\u202fPM (today)"),
        ("in 2 hours", "Monday, November 23, 2026, 12:00\u202fPM (today)"),
        ("tomorrow 7", "Tuesday, November 24, 2026, 7:00\u202fAM (tomorrow)"),
        ("the 5th", "Saturday, December 5, 2026"),
        ("now", "Monday, November 23, 2026, 10:00\u202fAM (today)"),
    ):
        shown = await say(bot, ana, typed)
        assert f"Got it: {said}" in shown, (typed, shown)
        await press(bot, ana, "⬅ Back")

    ivan = bot.fake.add_user("Ivan", language_code="ru")
    await say(bot, ivan, "/timezone Europe/Moscow")
    await say(bot, ivan, "/log")
    await say(bot, ivan, "Яндекс")
    await say(bot, ivan, "Аналитик")
    shown = await say(bot, ivan, "через 2 часа")
    assert "понедельник, 23 ноября 2026" in shown and "14:00" in shown and "(сегодня)" in shown


async def test_abbreviated_zones_are_the_places_people_mean(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone EST")
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("America/New_York", "US")
    await say(bot, ana, "/timezone GMT")
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Europe/London", "GB")

    shown = await say(bot, ana, "/timezone IST")
    assert "“IST” is used in more than one place. Tap yours, or send your city." in shown
    keyboard = ana.last_message.reply_markup
    assert keyboard is not None
    offered = [button["text"] for row in keyboard["keyboard"] for button in row]
    assert offered == ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]
    assert (await stored_user(bot, ana.id)).timezone == "Europe/London"
    await say(bot, ana, "Asia/Kolkata")
    user = await stored_user(bot, ana.id)
    assert (user.timezone, user.country) == ("Asia/Kolkata", "IN")


async def test_today_asks_for_the_time(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await at_the_when_question(bot, ana)
    shown = await press(bot, ana, "Today")
    assert "At what time today?" in shown
    # it is 10:00 in Berlin
    assert buttons(ana) == [
        "8:00\u202fAM",
        "9:00\u202fAM",
        "10:00\u202fAM",
        "11:00\u202fAM",
        "12:00\u202fPM",
        "1:00\u202fPM",
        "Earlier today, time unknown",
        "⬅ Back",
    ]
    shown = await say(bot, ana, "9:15")
    assert "Got it: Monday, November 23, 2026, 9:15\u202fAM (today)." in shown
    assert "upcoming" not in shown
    await press(bot, ana, "⬅ Back")
    await press(bot, ana, "Today")
    shown = await press(bot, ana, "⬅ Back")
    assert "When is or was the interview?" in shown
    await press(bot, ana, "Today")
    shown = await press(bot, ana, "1:00\u202fPM")
    assert "Got it: Monday, November 23, 2026, 1:00\u202fPM (today)." in shown
    assert "upcoming interview" in shown
    await press(bot, ana, "Video")
    if "I don't know yet" in buttons(ana):
        # how it went and their answer are asked after an upcoming interview
        await press(bot, ana, "I don't know yet")
    else:
        await press(bot, ana, "I don't have their names")
        await press(bot, ana, "Within a week")
        await press(bot, ana, "Good chance")
    shown = await press(bot, ana, "✅ Save")
    assert "Status: Upcoming" in shown
    [interview] = await interviews_of(bot, ana)
    assert interview.scheduled_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert interview.time_known is True
