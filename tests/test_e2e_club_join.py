"""A club in its group: the bot's arrival, joining by button, command and private link, leaving."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db.models import Club, ClubMember, User
from fakeapi import FakeGroup, FakeUser
from fakeapi.running import RunningBot
from handlers import club_join
from tests.clubflows import known_users
from tests.conftest import stored_user
from tests.flows import forge_tap, press, say

JOIN = "✅ Join"
ME = "afterview_test_bot"


async def members(bot: RunningBot, club_id: int) -> list[int]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(ClubMember.user_id).where(ClubMember.club_id == club_id).order_by(ClubMember.id)
        )
        return list(rows.all())


async def stored_club(bot: RunningBot, club_id: int) -> Club:
    async with bot.runtime.session() as session:
        club = await session.get(Club, club_id)
    assert club is not None
    return club


async def group_with_bot(
    bot: RunningBot, people: list[FakeUser], title: str = "Monday job club"
) -> FakeGroup:
    group = bot.fake.add_group(title, members=people, admins=people[:1])
    await bot.fake.add_bot_to(group, by=people[0])
    await bot.fake.settle()
    return group


def last_answer(bot: RunningBot) -> dict[str, object]:
    return bot.fake.callback_answers[-1]


async def test_the_bot_added_by_a_spanish_speaker_introduces_itself_once_in_spanish(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana", language_code="es")
    group = await group_with_bot(bot, [ana], "Club de empleo")
    # the my_chat_member update and the "new member" service message: one introduction
    [intro] = group.messages
    assert intro.plain.startswith("¡Hola")
    assert intro.callback_data == [["cjoin:i"]]
    club = await stored_club(bot, group.id)
    assert (club.language, club.added_by, club.timezone, club.active) == ("es", ana.id, None, True)
    # nothing is stored about someone who only added the bot
    async with bot.runtime.session() as session:
        assert await session.get(User, ana.id) is None


async def test_the_introduction_says_what_the_group_sees_and_how_admins_set_the_check_in(
    bot: RunningBot,
) -> None:
    [ana] = await known_users(bot, ["Ana"], zone="Europe/Berlin")
    group = await group_with_bot(bot, [ana])
    [intro] = group.messages
    text = intro.plain
    for words in ("/club", "/lead", "/buddy", "counts only", "Interview details are never"):
        assert words in text, words
    assert "only for a member who chooses to share them with this club" in text
    # the adder's zone is the club's, and admins are told the check-in and how to change it
    assert "every Monday at 6:00\u202fPM (Europe/Berlin); /clubsettings changes it" in text
    assert text.endswith("No one has joined yet.")
    assert (await stored_club(bot, group.id)).timezone == "Europe/Berlin"


async def test_joining_by_button_acts_for_whoever_taps_and_counts_on_the_introduction(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(club_join, "INTRO_EDIT_GAP", 0.0)
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await group_with_bot(bot, [ana, ben])
    intro = group.messages[0]

    await press(bot, ben, JOIN, chat=group)
    assert last_answer(bot)["text"] == "Welcome to the club, Ben! I've written to you in private."
    assert await members(bot, group.id) == [ben.id]
    card = ben.last_message
    assert "You're in <b>Monday job club</b>!" in card.text
    assert "Companies, roles and outcomes stay private" in card.plain
    assert [row[0] for row in card.buttons] == [
        "⬜ Share companies and outcomes",
        "⬜ Celebrate my offers",
        "⬜ Open to a buddy",
        "Leave this club",
    ]
    # no message per member in the group: the introduction's count moves instead
    assert len(group.messages) == 1
    assert group.messages[0].plain.endswith("1 member has joined so far.")
    assert group.messages[0].buttons == intro.buttons

    await press(bot, ana, JOIN, chat=group)
    assert group.messages[0].plain.endswith("2 members have joined so far.")
    assert await members(bot, group.id) == [ben.id, ana.id]

    # a second tap says so, and sends nothing more
    before = len(ben.messages)
    await press(bot, ben, JOIN, chat=group)
    assert last_answer(bot)["text"] == "You're already a member of this club."
    assert len(ben.messages) == before
    assert await members(bot, group.id) == [ben.id, ana.id]


async def test_joining_and_leaving_by_command(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await group_with_bot(bot, [ana, ben])
    shown = await say(bot, ana, "/join", chat=group)
    assert shown == "Welcome to the club, Ana! 1 member now."
    shown = await say(bot, ben, f"/join@{ME}", chat=group)
    assert shown == "Welcome to the club, Ben! 2 members now."
    assert "You're in" in ben.last_message.plain
    assert await say(bot, ben, "/join", chat=group) == "Ben, you're already a member of this club."

    assert await say(bot, ben, "/leave", chat=group) == "Ben has left the club. 1 member now."
    assert await members(bot, group.id) == [ana.id]
    assert await say(bot, ben, "/leave", chat=group) == "Ben, you're not a member of this club."
    assert "/join and /leave" in await say(bot, ben, "/help", chat=group)
    # in private, the commands say where they work
    assert "/join in its group" in await say(bot, ben, "/join")
    assert "Leave button in /clubs" in await say(bot, ben, "/leave")


async def test_someone_who_never_started_the_bot_finishes_joining_in_private(
    bot: RunningBot,
) -> None:
    [ana] = await known_users(bot, ["Ana"])
    cleo = bot.fake.add_user("Cleo")
    group = await group_with_bot(bot, [ana, cleo])
    link = f"https://t.me/{ME}?start=join_{group.id}"

    shown = await say(bot, cleo, "/join", chat=group)
    assert "tap the button to open it and finish joining" in shown
    assert group.last_message.reply_markup["inline_keyboard"][0][0]["url"] == link
    # the Join button opens the same private chat
    await press(bot, cleo, JOIN, chat=group)
    assert last_answer(bot)["url"] == link
    assert await members(bot, group.id) == []
    assert cleo.messages == []
    async with bot.runtime.session() as session:
        assert await session.get(User, cleo.id) is None

    shown = await say(bot, cleo, f"/start join_{group.id}")
    assert "Hi Cleo!" in shown
    assert "You're in Monday job club! Here is what the club sees of you." in shown
    assert "Which time zone are you in?" in shown
    # no choices to tap yet: a tap would set the zone question aside; /clubs has them
    card = next(m for m in cleo.messages if "You're in Monday job club!" in m.plain)
    assert card.buttons == [] and "/clubs" in card.plain
    assert await members(bot, group.id) == [cleo.id]
    assert group.last_message.plain == "Welcome to the club, Cleo! 1 member now."
    await say(bot, cleo, "Lisbon")
    assert (await stored_user(bot, cleo.id)).timezone == "Europe/Lisbon"
    # following the link again only says so
    assert "You were already a member of this club." in await say(
        bot, cleo, f"/start join_{group.id}"
    )
    assert await members(bot, group.id) == [cleo.id]


async def test_a_join_link_for_a_group_one_is_not_in_is_refused(bot: RunningBot) -> None:
    ana, dan = await known_users(bot, ["Ana", "Dan"])
    group = await group_with_bot(bot, [ana])
    shown = await say(bot, dan, f"/start join_{group.id}")
    assert "That link is not for a club whose group you are in." in shown
    assert await members(bot, group.id) == []
    # a group the bot does not know is refused without asking Telegram
    asked = len([r for r in bot.fake.requests if r.method == "getChatMember"])
    shown = await say(bot, dan, "/start join_-100999")
    assert "That link is not for a club" in shown
    assert len([r for r in bot.fake.requests if r.method == "getChatMember"]) == asked


async def test_a_member_the_bot_cannot_write_to_is_sent_to_the_private_chat_not_half_joined(
    bot: RunningBot,
) -> None:
    [ana] = await known_users(bot, ["Ana"])
    eve = bot.fake.add_user("Eve")
    group = await group_with_bot(bot, [ana, eve])
    # /help in the group gives Eve a row, though she never opened the private chat
    await say(bot, eve, "/help", chat=group)
    shown = await say(bot, eve, "/join", chat=group)
    assert "finish joining" in shown
    assert await members(bot, group.id) == []
    assert (await stored_user(bot, eve.id)).reachable is False
    # the one refusal was the private card Telegram would not deliver
    [refused] = bot.fake.refusals
    assert (refused.method, refused.error_code) == ("sendMessage", 403)
    bot.fake.refusals.clear()
    # once she starts the bot, the link finishes it
    await say(bot, eve, "/start")
    await say(bot, eve, "Skip")
    await say(bot, eve, f"/start join_{group.id}")
    assert await members(bot, group.id) == [eve.id]


async def test_one_person_in_two_clubs_chooses_for_each_apart(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    monday = await group_with_bot(bot, [ana, ben], "Monday club")
    friday = await group_with_bot(bot, [ben, ana], "Friday club")
    await say(bot, ana, "/join", chat=monday)
    await say(bot, ana, "/join", chat=friday)

    shown = await say(bot, ana, "/clubs")
    assert "Friday club" in shown and "Monday club" in shown
    friday_card, monday_card = ana.messages[-2:]
    assert "Friday club" in friday_card.plain and "Monday club" in monday_card.plain
    await ana.tap(monday_card, "⬜ Share companies and outcomes")
    await bot.fake.settle()
    assert last_answer(bot)["text"] == "Your companies and outcomes are now shared with this club."
    assert "You share companies, roles and outcomes with this club." in ana.messages[-1].plain
    assert ana.messages[-1].buttons[0] == ["✅ Share companies and outcomes"]
    await ana.tap(friday_card, "⬜ Celebrate my offers")
    await bot.fake.settle()

    async with bot.runtime.session() as session:
        rows = await session.execute(
            select(ClubMember.club_id, ClubMember.share_companies, ClubMember.celebrate).where(
                ClubMember.user_id == ana.id
            )
        )
        choices = {club_id: (share, celebrate) for club_id, share, celebrate in rows}
    assert choices == {monday.id: (True, False), friday.id: (False, True)}


async def test_clubs_toggles_check_the_tapper_and_leaving_asks_first(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await group_with_bot(bot, [ana, ben])
    await say(bot, ana, "/join", chat=group)
    await say(bot, ben, "/join", chat=group)

    # /clubs in the group points to the private chat, and shows nothing there
    await say(bot, ana, "/clubs", chat=group)
    assert group.last_message.reply_markup["inline_keyboard"][0][0]["url"].endswith("start=clubs")

    await say(bot, ana, "/clubs")
    card = ana.last_message
    await press(bot, ana, "⬜ Open to a buddy")
    assert ana.last_message.buttons[2] == ["✅ Open to a buddy"]
    # a choice the club's admins have switched off for the club says so
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.celebrate_offers = False
    shown = await press(bot, ana, "⬜ Celebrate my offers")
    assert "Your offers are celebrated in the group." in shown
    assert "Celebrations are turned off in this club for now." in shown

    # Dan is in no club: a forged tap naming it changes nothing
    [dan] = await known_users(bot, ["Dan"])
    await say(bot, dan, "/clubs")
    assert "You're not in any job club yet." in dan.last_message.plain
    await forge_tap(bot, dan, dan.last_message, f"cpref:{group.id}:s")
    assert last_answer(bot)["text"] == "You're not a member of that club."
    await forge_tap(bot, dan, dan.last_message, f"cleave:{group.id}:yes")
    assert last_answer(bot)["text"] == "You're not a member of that club."
    # a forged choice on a group message never turns it into someone's choices
    intro = group.messages[0]
    await forge_tap(bot, ben, intro, f"cpref:{group.id}:s")
    assert last_answer(bot)["text"] == "You're not a member of that club."
    assert group.messages[0].plain == intro.plain
    assert sorted(await members(bot, group.id)) == sorted([ana.id, ben.id])

    shown = await press(bot, ana, "Leave this club")
    assert "Leave <b>" not in shown and "Leave Monday job club?" in shown
    shown = await press(bot, ana, "No, stay")
    assert "Monday job club" in shown and ana.last_message.message_id == card.message_id
    await press(bot, ana, "Leave this club")
    shown = await press(bot, ana, "Yes, leave")
    assert "You left Monday job club." in shown
    assert await members(bot, group.id) == [ben.id]


async def test_the_bot_added_again_welcomes_the_club_back_instead_of_a_new_introduction(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await group_with_bot(bot, [ana, ben])
    await say(bot, ana, "/join", chat=group)
    await say(bot, ben, "/join", chat=group)
    await bot.fake.remove_bot_from(group, by=ana)
    await bot.fake.settle()
    async with bot.runtime.session() as session, session.begin():
        # what the removal handling (another part of the club) records
        club = await session.get(Club, group.id)
        assert club is not None
        club.active = False
    before = len(group.messages)
    await bot.fake.add_bot_to(group, by=ben)
    await bot.fake.settle()
    [welcome] = group.messages[before:]
    assert "Your club's 2 members are still here" in welcome.plain
    assert "Hi everyone" not in welcome.plain
    assert welcome.callback_data == [["cjoin"]]
    assert (await stored_club(bot, group.id)).active is True


async def test_a_rush_of_joins_edits_the_introduction_a_few_times_not_once_each(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(club_join, "INTRO_EDIT_GAP", 1.0)
    people = await known_users(bot, [f"Member {n}" for n in range(25)])
    group = await group_with_bot(bot, people)
    intro = group.messages[0]
    for person in people:
        await person.tap(intro, JOIN)
    for _ in range(50):
        await bot.fake.settle()
        if group.messages[0].plain.endswith("25 members have joined so far."):
            break
        await asyncio.sleep(0.2)
    assert group.messages[0].plain.endswith("25 members have joined so far.")
    assert len(await members(bot, group.id)) == 25
    # the taps were all answered, and the group's budget was hardly touched
    assert len(bot.fake.callback_answers) == 25
    assert group.messages[0].edits < 10
    assert len(group.messages) == 1
