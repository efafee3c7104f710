"""A club's group life end to end: the bot removed and back, an upgrade, a forum, departures."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from telegram.error import BadRequest, ChatMigrated

from bot.clubs.life import club_is_open, move_club, post_kwargs
from bot.clubs.members import join
from bot.db.models import Club, ClubLead, ClubMember, ClubPost, Interview, User
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import press, say


async def stored_club(bot: RunningBot, chat_id: int) -> Club | None:
    async with bot.runtime.session() as session:
        return await session.get(Club, chat_id)


async def memberships(bot: RunningBot, club_id: int) -> dict[int, int | None]:
    """user id -> buddy id, for every member of the club."""
    async with bot.runtime.session() as session:
        rows = await session.scalars(select(ClubMember).where(ClubMember.club_id == club_id))
        return {m.user_id: m.buddy_id for m in rows}


async def pair(bot: RunningBot, club_id: int, one: FakeUser, other: FakeUser) -> None:
    async with bot.runtime.session() as session, session.begin():
        for me, them in ((one, other), (other, one)):
            member = await session.scalar(
                select(ClubMember).where(ClubMember.club_id == club_id, ClubMember.user_id == me.id)
            )
            assert member is not None
            member.buddy_id = them.id


async def test_the_bot_removed_and_added_back_keeps_the_club_and_posts_nothing_meanwhile(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await bot.fake.remove_bot_from(group, by=ana)
    await bot.fake.settle()
    club = await stored_club(bot, group.id)
    assert club is not None and club.active is False and not club_is_open(club)
    assert set(await memberships(bot, group.id)) == {ana.id, ben.id}

    # while out, nothing reaches the bot from the group and nothing is posted there
    posted = len(group.messages)
    await ben.send("/clubsettings", chat=group)
    await bot.fake.settle()
    assert len(group.messages) == posted
    assert group.bot_banned

    await bot.fake.add_bot_to(group, by=ana)
    welcome = await group.expect_message(ana)
    assert "Your club's 2 members are still here" in welcome.plain
    # a short welcome back, not the introduction again
    assert [m for m in group.messages[posted:] if "Hi everyone" in m.plain] == []
    assert len(group.messages) == posted + 1
    club = await stored_club(bot, group.id)
    assert club is not None and club.active is True
    assert set(await memberships(bot, group.id)) == {ana.id, ben.id}

    # leaving on its own (not banned) closes the club the same way
    await bot.fake.remove_bot_from(group)
    await bot.fake.settle()
    club = await stored_club(bot, group.id)
    assert club is not None and club.active is False


@pytest.mark.parametrize("joined_first", [False, True])
async def test_a_group_upgraded_to_a_supergroup_keeps_its_club(
    bot: RunningBot, joined_first: bool
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = bot.fake.add_group(
        "Basic club", members=[ana, ben], admins=[ana], chat_type="group", bot_is_member=False
    )
    await bot.fake.add_bot_to(group, by=ana)
    await bot.fake.settle()
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.checkin_weekday, club.checkin_hour = 3, 8
        for person in (ana, ben):
            await join(session, group.id, person.id, now)
        session.add(ClubLead(club_id=group.id, user_id=ben.id, company="Acme", created_at=now))
        session.add(
            ClubPost(
                club_id=group.id,
                chat_id=group.id,
                kind="checkin",
                key="w1",
                due_at=now,
                created_at=now,
            )
        )
        session.add(
            ClubPost(
                club_id=group.id, chat_id=ben.id, kind="buddy", key="w1", due_at=now, created_at=now
            )
        )
        session.add(
            Interview(
                user_id=ana.id,
                club_id=group.id,
                company="Acme",
                role="Analyst",
                scheduled_at=now,
                format="video",
                created_at=now,
                updated_at=now,
            )
        )
    await pair(bot, group.id, ana, ben)

    before = len(group.messages)
    supergroup = bot.fake.migrate_to_supergroup(group, by=ana, joined_first=joined_first)
    await bot.fake.settle()
    if not joined_first:
        # the bot's "joined" for the new supergroup comes after the move: nothing is said
        assert supergroup.messages == [] and len(group.messages) == before
    assert await stored_club(bot, group.id) is None
    moved = await stored_club(bot, supergroup.id)
    assert moved is not None
    assert (moved.checkin_weekday, moved.checkin_hour, moved.title) == (3, 8, "Basic club")
    assert await memberships(bot, supergroup.id) == {ana.id: ben.id, ben.id: ana.id}
    async with bot.runtime.session() as session:
        leads = (await session.scalars(select(ClubLead))).all()
        posts = (await session.scalars(select(ClubPost).order_by(ClubPost.kind))).all()
        interviews = (await session.scalars(select(Interview))).all()
    assert [lead.club_id for lead in leads] == [supergroup.id]
    assert [(p.kind, p.club_id, p.chat_id) for p in posts] == [
        ("buddy", supergroup.id, ben.id),
        ("checkin", supergroup.id, supergroup.id),
    ]
    assert [i.club_id for i in interviews] == [supergroup.id]

    # both service messages came; moving again finds nothing left to move
    async with bot.runtime.session() as session, session.begin():
        again = await move_club(session, group.id, supergroup.id)
    assert again is not None and again.id == supergroup.id
    assert len(await memberships(bot, supergroup.id)) == 2

    # Telegram refuses the old id, naming the new one; the club lives on in the new chat
    with pytest.raises(ChatMigrated) as refused:
        await bot.application.bot.send_message(group.id, "hello")
    assert refused.value.new_chat_id == supergroup.id
    bot.fake.refusals.clear()
    said = await say(bot, ana, "/clubsettings", chat=supergroup)
    assert "Weekly check-in: Thursday at 8:00" in said


async def test_a_forum_club_posts_in_its_topic(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    topic = bot.fake.open_topic(group, "Job club", by=ana)
    other = bot.fake.open_topic(group, "Chatter", by=ana)

    await ana.send("/clubsettings", chat=group, topic=topic)
    settings = await group.expect_message(ana)
    assert settings.thread_id == topic
    club = await stored_club(bot, group.id)
    assert club is not None and club.thread_id == topic
    assert post_kwargs(club) == {"chat_id": group.id, "message_thread_id": topic}

    # a button tap and a reply stay in the topic too
    await press(bot, ana, "Time zone", chat=group)
    await ana.reply(settings, "Lisbon")
    answer = await group.expect_message(ana)
    assert answer.thread_id == topic and "Europe/Lisbon" in answer.plain

    # a non-admin's command elsewhere does not move the club's topic
    await say(bot, ben, "/clubsettings", chat=group)
    club = await stored_club(bot, group.id)
    assert club is not None and club.thread_id == topic

    # the welcome back goes to the club's topic
    await bot.fake.remove_bot_from(group, by=ana)
    await bot.fake.add_bot_to(group, by=ana)
    welcome = await group.expect_message(ana)
    assert welcome.thread_id == topic and "Hello again" in welcome.plain

    # the latest admin's topic wins
    await ana.send("/clubsettings", chat=group, topic=other)
    moved = await group.expect_message(ana)
    assert moved.thread_id == other
    club = await stored_club(bot, group.id)
    assert club is not None and club.thread_id == other

    # a topic that does not exist is refused, as Telegram does
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.application.bot.send_message(group.id, "hi", message_thread_id=999)
    bot.fake.refusals.clear()


async def test_a_member_who_leaves_the_group_drops_off_the_club(bot: RunningBot) -> None:
    ana, ben, cy = await known_users(bot, ["Ana", "Ben", "Cy"])
    group = await club_of(bot, [ana, ben, cy])
    await pair(bot, group.id, ben, cy)

    await bot.fake.remove_member(group, ben)
    await bot.fake.settle()
    assert await memberships(bot, group.id) == {ana.id: None, cy.id: None}
    async with bot.runtime.session() as session:
        # their own data stays theirs
        assert await session.get(User, ben.id) is not None
    left = await bot.application.bot.get_chat_member(group.id, ben.id)
    assert left.status == "left"

    await bot.fake.remove_member(group, cy, by=ana)
    await bot.fake.settle()
    assert await memberships(bot, group.id) == {ana.id: None}
    removed = await bot.application.bot.get_chat_member(group.id, cy.id)
    assert removed.status == "kicked"
    # no post about it in the group
    assert all("Cy" not in m.plain for m in group.messages)


async def test_delete_in_private_leaves_every_club(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    first = await club_of(bot, [ana, ben], title="Monday club")
    second = await club_of(bot, [ana, ben], title="Thursday club")
    await pair(bot, first.id, ana, ben)
    async with bot.runtime.session() as session, session.begin():
        # in the second club only Ana points at Ben (a pairing half made)
        anas = await session.scalar(
            select(ClubMember).where(ClubMember.club_id == second.id, ClubMember.user_id == ana.id)
        )
        assert anas is not None
        anas.buddy_id = ben.id
        now = bot.clock.now()
        session.add(
            ClubPost(
                club_id=first.id,
                chat_id=ben.id,
                kind="goal_reminder",
                key="w1",
                due_at=now,
                created_at=now,
            )
        )

    await say(bot, ben, "/delete")
    await press(bot, ben, "Yes, delete everything")
    assert await memberships(bot, first.id) == {ana.id: None}
    assert await memberships(bot, second.id) == {ana.id: None}
    async with bot.runtime.session() as session:
        assert await session.get(User, ben.id) is None
        owed = (await session.scalars(select(ClubPost).where(ClubPost.chat_id == ben.id))).all()
    assert owed == []
