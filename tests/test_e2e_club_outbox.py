"""The club outbox: a post queued once is sent once, after the commit, and survives failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clubs.outbox import ClubPoster, queue_post
from bot.db.models import Club, ClubPost
from fakeapi.faults import Fault
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users


def poster(bot: RunningBot) -> ClubPoster:
    assert bot.application is not None
    return ClubPoster(bot.runtime, bot.application.bot)


async def queue(bot: RunningBot, club_id: int, chat_id: int, key: str, text: str) -> bool:
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        post = await queue_post(
            session,
            club_id=club_id,
            chat_id=chat_id,
            kind="celebration",
            key=key,
            text=text,
            now=now,
        )
    return post is not None


async def states(bot: RunningBot) -> list[str]:
    async with bot.runtime.session() as session:
        return list((await session.scalars(select(ClubPost.state).order_by(ClubPost.id))).all())


async def test_a_post_is_queued_once_and_sent_once(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    before = len(group.messages)
    assert await queue(bot, group.id, group.id, "offer-1", "🎉 <b>Good news</b> &amp; more")
    assert not await queue(bot, group.id, group.id, "offer-1", "🎉 again")
    assert await queue(bot, group.id, ben.id, "offer-1", "private line")
    assert await poster(bot).flush() == 2
    assert await poster(bot).flush() == 0
    await bot.fake.settle()
    assert [m.plain for m in group.messages[before:]] == ["🎉 Good news & more"]
    assert ben.messages[-1].plain == "private line"
    assert await states(bot) == ["sent", "sent"]


async def test_a_failed_send_is_retried_later_and_arrives_once(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    before = len(group.messages)
    bot.faults.add(Fault.SERVER_ERROR, method="sendMessage", chat_id=group.id, times=1)
    await queue(bot, group.id, group.id, "offer-2", "Well done")
    assert await poster(bot).flush() == 0
    assert await states(bot) == ["pending"]
    # not before its pause has passed
    assert await poster(bot).flush() == 0
    bot.clock.advance(timedelta(minutes=2))
    assert await poster(bot).flush() == 1
    await bot.fake.settle()
    assert [m.plain for m in group.messages[before:]] == ["Well done"]


@pytest.mark.parametrize("kind", [Fault.DELIVERED_HANG, Fault.HANG])
async def test_no_answer_means_one_more_try_at_most(bot: RunningBot, kind: Fault) -> None:
    bot.client_timeout = 1.0
    await bot.restart()
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    before = len(group.messages)
    bot.faults.add(kind, method="sendMessage", chat_id=group.id, times=1)
    await queue(bot, group.id, group.id, "offer-3", "Cheers")
    assert await poster(bot).flush() == 0
    bot.clock.advance(timedelta(minutes=2))
    assert await poster(bot).flush() == 1
    await bot.fake.settle()
    seen = [m.plain for m in group.messages[before:]]
    # performed but unanswered: Telegram delivered it, the bot could not know; at most twice
    assert seen == (["Cheers", "Cheers"] if kind is Fault.DELIVERED_HANG else ["Cheers"])


async def test_nothing_is_posted_in_a_group_the_bot_has_left(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.active = False
    before = len(group.messages)
    await queue(bot, group.id, group.id, "offer-4", "Hello?")
    assert await poster(bot).flush() == 0
    assert len(group.messages) == before
    assert await states(bot) == ["failed"]
