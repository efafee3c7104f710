"""The club outbox learns from a refusal that will not pass: a group that moved, a topic that is
gone, a bot that was removed or blocked; the news of each was missed by the bot."""

from __future__ import annotations

from sqlalchemy import select

from bot.clubs.members import ensure_club, join
from bot.clubs.outbox import ClubPoster, queue_post
from bot.db.models import Club, ClubMember, ClubPost, User
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users


def poster(bot: RunningBot) -> ClubPoster:
    assert bot.application is not None
    return ClubPoster(bot.runtime, bot.application.bot)


async def queue(bot: RunningBot, club_id: int, chat_id: int, key: str, text: str) -> None:
    async with bot.runtime.session() as session, session.begin():
        post = await queue_post(
            session,
            club_id=club_id,
            chat_id=chat_id,
            kind="celebration",
            key=key,
            text=text,
            now=bot.clock.now(),
        )
    assert post is not None


async def posts(bot: RunningBot) -> list[tuple[int, int, str]]:
    async with bot.runtime.session() as session:
        rows = (await session.scalars(select(ClubPost).order_by(ClubPost.id))).all()
    return [(p.club_id, p.chat_id, p.state) for p in rows]


async def stored_club(bot: RunningBot, club_id: int) -> Club | None:
    async with bot.runtime.session() as session:
        return await session.get(Club, club_id)


async def test_a_group_that_became_a_supergroup_unseen_gets_its_post_in_the_new_chat(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = bot.fake.add_group("Basic club", members=[ana, ben], admins=[ana], chat_type="group")
    await bot.fake.add_bot_to(group, by=ana)
    await bot.fake.settle()
    async with bot.runtime.session() as session, session.begin():
        await ensure_club(session, group.id, "Basic club", bot.clock.now(), added_by=ana.id)
        for person in (ana, ben):
            await join(session, group.id, person.id, bot.clock.now())
    await queue(bot, group.id, group.id, "offer-1", "🎉 Ana has a job offer!")
    await queue(bot, group.id, ben.id, "offer-1", "Ana has news")

    # the group is upgraded while the bot is away long enough to miss both service messages
    # (and its own "joined" for the new supergroup)
    supergroup = bot.fake.migrate_to_supergroup(group, by=ana)
    assert bot.fake.lose_pending_updates() == 3
    assert await stored_club(bot, group.id) is not None

    assert await poster(bot).flush() == 2
    await bot.fake.settle()
    assert [m.plain for m in supergroup.messages] == ["🎉 Ana has a job offer!"]
    assert ben.last_message.plain == "Ana has news"
    # the club, its members and its posts moved, as the migration message would have moved them
    assert await stored_club(bot, group.id) is None
    moved = await stored_club(bot, supergroup.id)
    assert moved is not None and moved.title == "Basic club" and moved.active
    assert await posts(bot) == [
        (supergroup.id, supergroup.id, "sent"),
        (supergroup.id, ben.id, "sent"),
    ]
    async with bot.runtime.session() as session:
        members = (
            await session.scalars(
                select(ClubMember.user_id).where(ClubMember.club_id == supergroup.id)
            )
        ).all()
    assert sorted(members) == sorted([ana.id, ben.id])
    # the one refusal: the old chat id
    assert [r.error_code for r in bot.fake.refusals] == [400]
    bot.fake.refusals.clear()


async def test_a_post_for_a_deleted_topic_goes_to_the_general_chat(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    topic = bot.fake.open_topic(group, "Job club", by=ana)
    await bot.fake.settle()
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.thread_id = topic
    await queue(bot, group.id, group.id, "offer-1", "In the topic")
    assert await poster(bot).flush() == 1
    await bot.fake.settle()
    assert group.last_message.thread_id == topic

    bot.fake.delete_topic(group, topic)
    await queue(bot, group.id, group.id, "offer-2", "In General")
    assert await poster(bot).flush() == 1
    await bot.fake.settle()
    assert group.last_message.plain == "In General"
    assert group.last_message.thread_id is None
    club = await stored_club(bot, group.id)
    assert club is not None and club.thread_id is None
    assert [state for *_, state in await posts(bot)] == ["sent", "sent"]
    assert [r.description for r in bot.fake.refusals] == ["Bad Request: message thread not found"]
    bot.fake.refusals.clear()


async def test_a_bot_removed_from_the_group_or_blocked_by_a_member_is_told_by_the_refusal(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await queue(bot, group.id, group.id, "offer-1", "🎉 Ana has a job offer!")
    await queue(bot, group.id, ben.id, "offer-1", "Ana has news")
    await bot.fake.settle()
    before = len(group.messages)
    # both happen while the bot is away; Telegram's updates about them are lost
    await bot.fake.remove_bot_from(group, by=ana)
    ben.block()
    assert bot.fake.lose_pending_updates() == 2

    assert await poster(bot).flush() == 0
    club = await stored_club(bot, group.id)
    assert club is not None and not club.active
    async with bot.runtime.session() as session:
        stored = await session.get(User, ben.id)
        still = await session.get(User, ana.id)
    assert stored is not None and not stored.reachable
    assert still is not None and still.reachable
    assert [state for *_, state in await posts(bot)] == ["failed", "failed"]
    assert sorted(r.error_code for r in bot.fake.refusals) == [403, 403]
    bot.fake.refusals.clear()

    # the next post to the group costs no request: the club knows the bot is not there
    await queue(bot, group.id, group.id, "offer-2", "Anyone?")
    assert await poster(bot).flush() == 0
    await bot.fake.settle()
    assert len(group.messages) == before
    assert bot.fake.refusals == []
