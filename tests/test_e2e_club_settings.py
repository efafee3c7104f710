"""/clubsettings end to end: admins only (asked of Telegram each time), every setting, deletion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.clubs.schedule import club_zone, next_checkin
from bot.db.models import Club, ClubMember
from fakeapi import BotMessage, FakeGroup, FakeUser
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import forge_tap, say

REFUSAL = "Only the group's admins can change the club's settings."


async def stored_club(bot: RunningBot, chat_id: int) -> Club | None:
    async with bot.runtime.session() as session:
        return await session.get(Club, chat_id)


async def member_count(bot: RunningBot, chat_id: int) -> int:
    async with bot.runtime.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(ClubMember).where(ClubMember.club_id == chat_id)
        )
    return int(count or 0)


def expected_next(now: datetime, weekday: int, hour: int, zone: str) -> datetime:
    return next_checkin(now, weekday, hour, club_zone(zone))


async def open_settings(bot: RunningBot, admin: FakeUser, group: FakeGroup) -> BotMessage:
    await admin.send("/clubsettings", chat=group)
    message = await group.expect_message(admin)
    assert "Club settings" in message.plain, message.plain
    return message


async def tap(bot: RunningBot, user: FakeUser, message: BotMessage, label: str) -> BotMessage:
    """Taps a button on the settings message and returns that message as it is now."""
    await user.tap(message, label)
    await bot.fake.settle()
    return next(m for m in bot.fake.messages(message.chat_id) if m.message_id == message.message_id)


def last_alert(bot: RunningBot) -> tuple[str | None, bool]:
    answer = bot.fake.callback_answers[-1]
    return answer.get("text"), bool(answer.get("show_alert"))


async def test_a_non_admin_is_refused_by_command_by_button_and_by_forged_data(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    before = await stored_club(bot, group.id)
    assert before is not None

    said = await say(bot, ben, "/clubsettings", chat=group)
    assert REFUSAL in said
    assert "Club settings" not in said

    settings = await open_settings(bot, ana, group)
    # Ben taps the admin's buttons: an alert, and the message stays as it was
    for label in ("Check-in day", "Delete this club"):
        after = await tap(bot, ben, settings, label)
        assert last_alert(bot) == (REFUSAL, True)
        assert after.text == settings.text
    # a modified client sends the data of a choice the admin would see
    for data in (
        "cset:day:3",
        "cset:hour:7",
        "cset:cel:off",
        "cset:del:yes",
        "cset:zone:Asia/Tokyo",
    ):
        await forge_tap(bot, ben, settings, data)
        # data the message does not carry is refused before anyone is asked about admins
        text, alert = last_alert(bot)
        assert alert and text in (REFUSAL, "That choice is no longer offered."), data
    club = await stored_club(bot, group.id)
    assert club is not None
    assert (club.checkin_weekday, club.checkin_hour, club.timezone, club.celebrate_offers) == (
        0,
        18,
        "Europe/Berlin",
        True,
    )
    assert club.next_checkin_at == before.next_checkin_at
    assert await member_count(bot, group.id) == 2

    # an admin demoted since the settings were shown is asked about again, and refused
    group.admins.remove(ana)
    await tap(bot, ana, settings, "Check-in day")
    assert last_alert(bot) == (REFUSAL, True)


async def test_an_admin_moves_the_check_in_day_hour_and_zone(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    now = bot.clock.now()
    settings = await open_settings(bot, ana, group)
    assert "Weekly check-in: Monday at" in settings.plain
    assert "Europe/Berlin" in settings.plain
    assert "Next check-in:" in settings.plain

    menu = await tap(bot, ana, settings, "Check-in day")
    assert "On which day" in menu.plain
    assert "✓ Monday" in [label for row in menu.buttons for label in row]
    shown = await tap(bot, ana, settings, "Wednesday")
    assert "Weekly check-in: Wednesday at" in shown.plain
    club = await stored_club(bot, group.id)
    assert club is not None and club.checkin_weekday == 2
    assert club.next_checkin_at == expected_next(now, 2, 18, "Europe/Berlin")

    await tap(bot, ana, settings, "Check-in hour")
    shown = await tap(bot, ana, settings, "cset:hour:9")
    club = await stored_club(bot, group.id)
    assert club is not None and club.checkin_hour == 9
    assert club.next_checkin_at == expected_next(now, 2, 9, "Europe/Berlin")
    local = club.next_checkin_at.astimezone(club_zone("Europe/Berlin"))
    assert (local.weekday(), local.hour) == (2, 9)

    # the zone is asked for; an answer must be a reply to the bot's message
    question = await tap(bot, ana, settings, "Time zone")
    assert "replies to this message" in question.plain
    await ben.reply(question, "Lisbon")
    await bot.fake.settle()
    assert REFUSAL in group.last_message.plain
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Europe/Berlin"

    await ana.reply(question, "Qwzxv")
    answer = await group.expect_message(ana)
    assert "I don't know a time zone called “Qwzxv”" in answer.plain

    await ana.reply(question, "Tokyo")
    answer = await group.expect_message(ana)
    assert "Done: the club's time zone is Asia/Tokyo" in answer.plain
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Asia/Tokyo"
    assert club.next_checkin_at == expected_next(now, 2, 9, "Asia/Tokyo")
    edited = next(m for m in group.messages if m.message_id == settings.message_id)
    assert "Asia/Tokyo" in edited.plain and "Check-in day" in edited.buttons[0]

    # an abbreviation several places share: the admin picks the place
    question = await tap(bot, ana, settings, "Time zone")
    await ana.reply(question, "IST")
    await bot.fake.settle()
    choices = next(m for m in group.messages if m.message_id == settings.message_id)
    assert "more than one place" in choices.plain
    shown = await tap(bot, ana, settings, "cset:zone:Asia/Kolkata")
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Asia/Kolkata"
    assert club.next_checkin_at == expected_next(now, 2, 9, "Asia/Kolkata")
    assert "Asia/Kolkata" in shown.plain

    # an ordinary reply to another bot message is not taken for a zone
    await ana.reply(group.messages[0], "Paris")
    await bot.fake.settle()
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Asia/Kolkata"


async def test_language_switches_and_deleting_the_club(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    settings = await open_settings(bot, ana, group)
    assert "Offers are celebrated" in settings.plain

    await tap(bot, ana, settings, "Language")
    shown = await tap(bot, ana, settings, "Deutsch")
    # the club's posts (and this message) now speak German: dates come from CLDR
    assert "Montag" in shown.plain
    assert "Deutsch" in shown.plain

    shown = await tap(bot, ana, settings, "cset:cel:off")
    shown = await tap(bot, ana, settings, "cset:bud:off")
    club = await stored_club(bot, group.id)
    assert club is not None
    assert (club.language, club.celebrate_offers, club.buddies) == ("de", False, False)
    # a second tap of the same stale button sets the same value, it does not flip it back
    await forge_tap(bot, ana, settings, "cset:cel:off")
    club = await stored_club(bot, group.id)
    assert club is not None and club.celebrate_offers is False

    await tap(bot, ana, settings, "cset:del")
    shown = await tap(bot, ana, settings, "cset:back")
    assert await stored_club(bot, group.id) is not None
    await tap(bot, ana, settings, "cset:del")
    shown = await tap(bot, ana, settings, "cset:del:yes")
    # the club speaks German now
    assert "Der Club ist gelöscht" in shown.plain
    assert await stored_club(bot, group.id) is None
    assert await member_count(bot, group.id) == 0
    # an old button does not bring the club back
    await forge_tap(bot, ana, settings, "cset:day:4")
    assert last_alert(bot) == ("That choice is no longer offered.", True)
    assert await stored_club(bot, group.id) is None

    # the bot stayed: an admin starts a new club, with defaults again
    settings = await open_settings(bot, ana, group)
    club = await stored_club(bot, group.id)
    assert club is not None and club.celebrate_offers and club.checkin_weekday == 0
    assert await member_count(bot, group.id) == 0


async def test_a_new_club_takes_the_founders_zone_and_language(bot: RunningBot) -> None:
    (ana,) = await known_users(bot, ["Ana"], zone="America/New_York", language="es")
    ben = bot.fake.add_user("Ben")
    group = bot.fake.add_group("Club de empleo", members=[ana, ben], admins=[ana])
    await bot.fake.add_bot_to(group, by=ana)
    await bot.fake.settle()
    club = await stored_club(bot, group.id)
    assert club is not None
    assert (club.timezone, club.language, club.added_by) == ("America/New_York", "es", ana.id)
    assert club.next_checkin_at == expected_next(bot.clock.now(), 0, 18, "America/New_York")

    # a group that has no club yet (the bot arrived unseen): the first admin's command makes it
    other = bot.fake.add_group("Other", members=[ana, ben], admins=[ben])
    await say(bot, ben, "/clubsettings", chat=other)
    club = await stored_club(bot, other.id)
    assert club is not None
    assert (club.timezone, club.added_by) == (None, ben.id)
    assert "(UTC)" in other.last_message.plain or "UTC" in other.last_message.plain


async def test_clubsettings_in_private_points_to_the_group(bot: RunningBot) -> None:
    (ana,) = await known_users(bot, ["Ana"])
    said = await say(bot, ana, "/clubsettings")
    assert "works in your job club's group" in said


async def test_a_place_name_several_zones_share_is_asked_about(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    now = bot.clock.now()
    settings = await open_settings(bot, ana, group)
    question = await tap(bot, ana, settings, "Time zone")
    await ana.reply(question, "Portland")
    await bot.fake.settle()
    choices = next(m for m in group.messages if m.message_id == settings.message_id)
    assert "“Portland” is used in more than one place" in choices.plain
    assert choices.buttons == [
        ["Portland (OR), United States · 1:00\u202fAM"],
        ["Portland (ME), United States · 4:00\u202fAM"],
        ["« Back"],
    ]
    # nothing moves before an admin taps
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Europe/Berlin"

    # a member who is not an admin cannot pick
    await ben.tap(choices, "Portland (ME), United States · 4:00\u202fAM")
    await bot.fake.settle()
    assert last_alert(bot) == (REFUSAL, True)
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "Europe/Berlin"

    shown = await tap(bot, ana, settings, "Portland (ME), United States · 4:00\u202fAM")
    club = await stored_club(bot, group.id)
    assert club is not None and club.timezone == "America/New_York"
    assert club.next_checkin_at == expected_next(now, 0, 18, "America/New_York")
    assert "America/New_York" in shown.plain and "Check-in day" in shown.buttons[0]

    # a clear city is taken at once
    question = await tap(bot, ana, settings, "Time zone")
    await ana.reply(question, "Berlin")
    answer = await group.expect_message(ana)
    assert "Done: the club's time zone is Europe/Berlin" in answer.plain
