"""End to end: the edges of the weekly check-in. Short reports with a number stay reports,
private messages wait for the receiver's waking hours, one goal reminder a day across clubs,
clubs with no members stay quiet, counts in the plural, and a member with no name."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from bot.clubs.members import reschedule
from bot.db.models import Club, ClubMember, ClubPost, ClubReport, User
from bot.i18n import Translator
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import press, say
from tests.test_e2e_club_checkin import at, checkins, monday_club, reply_to, stored


@pytest.fixture
def plurals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (singular msgid, count) the bot asks a plural form for while the test runs."""
    calls: list[tuple[str, int]] = []
    original = Translator.ngettext

    def recording(self: Translator, singular: str, plural: str, n: int) -> str:
        calls.append((singular, n))
        return original(self, singular, plural, n)

    monkeypatch.setattr(Translator, "ngettext", recording)
    return calls


def said_to(person: FakeUser, words: str) -> list[str]:
    return [m.plain for m in person.messages if words in m.plain]


async def test_a_short_report_with_a_number_is_a_report_not_a_goal(bot: RunningBot) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    [jonas] = await known_users(bot, ["Jonas"], language="de")
    group = await club_of(bot, [ana, ben, jonas])
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    await press(bot, ana, "5", chat=group)

    for text in ("2 interviews this week", "I did 5", "Week 3"):
        said = await reply_to(bot, ana, post, group, text)
        assert said.startswith("Thanks, Ana: your report")
    said = await reply_to(bot, ana, post, group, "Only managed 2")
    assert said == "Thanks, Ana: your report is updated for the next check-in."
    assert (await stored(bot, ana)).weekly_goal == 5
    # a number with goal words is a goal, in the member's language
    await reply_to(bot, ben, post, group, "goal: 8 applications")
    assert (await stored(bot, ben)).weekly_goal == 8
    await reply_to(bot, jonas, post, group, "Ziel: 7")
    assert (await stored(bot, jonas)).weekly_goal == 7
    await reply_to(bot, jonas, post, group, "Nur 2 geschafft")
    assert (await stored(bot, jonas)).weekly_goal == 7

    bot.clock.set(at("2026-11-30T17:00:00"))
    await bot.club_sweep()
    second = checkins(group)[1].plain
    assert "• Ana: Only managed 2" in second
    assert "• Jonas: Nur 2 geschafft" in second


async def test_private_messages_wait_for_the_receivers_waking_hours(bot: RunningBot) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    ana, cem = await known_users(bot, ["Ana", "Cem"])
    [ben] = await known_users(bot, ["Ben"], zone="America/New_York")
    # Ana and Cem live in Berlin and are written to from 09:00 to 21:00 only
    async with bot.runtime.session() as session, session.begin():
        await session.execute(
            update(User).where(User.id.in_([ana.id, cem.id])).values(nudge_hour=9, quiet_hour=21)
        )
    group = await club_of(bot, [ben, ana, cem], title="New York club", zone="America/New_York")
    await say(bot, ana, "/buddy", group)
    await say(bot, ben, "/buddy", group)

    # 18:00 in New York is 23:00 UTC, midnight in Berlin
    bot.clock.set(at("2026-11-23T23:00:00"))
    await bot.club_sweep()
    assert len(checkins(group)) == 1
    assert len(said_to(ben, "Your buddy Ana's week")) == 1
    assert said_to(ana, "Your buddy Ben's week") == []
    bot.clock.set(at("2026-11-24T07:59:00"))
    await bot.club_sweep()
    assert said_to(ana, "Your buddy Ben's week") == []
    # 09:00 in Berlin
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.club_sweep()
    assert len(said_to(ana, "Your buddy Ben's week")) == 1

    # a day after the check-in, no one has a goal: New York hears at once, Berlin at 09:00
    bot.clock.set(at("2026-11-24T23:00:00"))
    await bot.club_sweep()
    assert len(said_to(ben, "checked in yesterday")) == 1
    assert said_to(ana, "checked in yesterday") == []
    assert said_to(cem, "checked in yesterday") == []
    # Cem sets his goal before his morning: the reminder waiting for him is not sent
    bot.clock.set(at("2026-11-25T06:30:00"))
    await say(bot, cem, "/goal 4")
    bot.clock.set(at("2026-11-25T08:00:00"))
    await bot.club_sweep()
    assert len(said_to(ana, "checked in yesterday")) == 1
    assert said_to(cem, "checked in yesterday") == []
    async with bot.runtime.session() as session:
        states = dict(
            (
                await session.execute(
                    select(ClubPost.chat_id, ClubPost.state).where(ClubPost.kind == "goal_reminder")
                )
            ).all()
        )
    assert states == {ana.id: "sent", ben.id: "sent", cem.id: "dropped"}


async def test_one_goal_reminder_a_day_for_clubs_checking_in_at_different_hours(
    bot: RunningBot,
) -> None:
    (ana, ben), first = await monday_club(bot, ["Ana", "Ben"])
    second = await club_of(bot, [ana, ben], title="Evening club")
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, second.id)
        assert club is not None
        # 21:00 in Berlin, three hours after the first club
        club.checkin_hour = 21
        reschedule(club, bot.clock.now())
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    bot.clock.set(at("2026-11-23T20:00:00"))
    await bot.club_sweep()
    assert len(checkins(first)) == len(checkins(second)) == 1

    bot.clock.set(at("2026-11-24T17:00:00"))
    await bot.club_sweep()
    bot.clock.set(at("2026-11-24T20:00:00"))
    await bot.club_sweep()
    for person in (ana, ben):
        assert len(said_to(person, "checked in yesterday")) == 1

    # next week, the same: one reminder each, not one per club
    bot.clock.set(at("2026-11-30T17:00:00"))
    await bot.club_sweep()
    bot.clock.set(at("2026-11-30T20:00:00"))
    await bot.club_sweep()
    bot.clock.set(at("2026-12-01T17:00:00"))
    await bot.club_sweep()
    bot.clock.set(at("2026-12-01T20:00:00"))
    await bot.club_sweep()
    for person in (ana, ben):
        assert len(said_to(person, "checked in yesterday")) == 2


async def test_a_club_with_no_members_posts_nothing_and_moves_on(bot: RunningBot) -> None:
    (ana, _), group = await monday_club(bot, ["Ana", "Ben"])
    async with bot.runtime.session() as session, session.begin():
        await session.execute(delete(ClubMember).where(ClubMember.club_id == group.id))
    before = len(group.messages)
    for moment, following in (
        ("2026-11-23T17:00:00", "2026-11-30T17:00:00"),
        ("2026-11-30T17:00:00", "2026-12-07T17:00:00"),
    ):
        bot.clock.set(at(moment))
        await bot.club_sweep()
        async with bot.runtime.session() as session:
            club = await session.get(Club, group.id)
            posts = (await session.scalars(select(ClubPost))).all()
        assert club is not None and club.next_checkin_at == at(following)
        assert posts == []
    assert len(group.messages) == before
    assert said_to(ana, "checked in yesterday") == []


async def test_counts_in_club_replies_and_posts_take_plural_forms(
    bot: RunningBot, plurals: list[tuple[str, int]]
) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    people = await known_users(bot, [f"Member {n}" for n in range(30)])
    group = await club_of(bot, people)
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [first] = checkins(group)

    said = await reply_to(bot, people[0], first, group, "x" * 501)
    assert "501 characters long; please keep it to 500" in said
    assert any(s.startswith("That report is {count} character") and n == 501 for s, n in plurals)

    # thirty reports of two hundred characters do not fit one message: the rest are counted
    async with bot.runtime.session() as session, session.begin():
        post = await session.scalar(select(ClubPost).where(ClubPost.kind == "checkin"))
        assert post is not None
        for person in people:
            session.add(
                ClubReport(
                    post_id=post.id, user_id=person.id, text="y" * 200, created_at=bot.clock.now()
                )
            )
    bot.clock.set(at("2026-11-30T17:00:00"))
    await bot.club_sweep()
    second = checkins(group)[1].plain
    left_out = [n for s, n in plurals if s == "…and {count} more."]
    assert len(left_out) == 1 and f"…and {left_out[0]} more." in second


async def test_a_member_with_no_name_is_thanked_without_one(bot: RunningBot) -> None:
    (ana, _), group = await monday_club(bot, ["Ana", "Ben"])
    async with bot.runtime.session() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(first_name=""))
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    said = await reply_to(bot, ana, post, group, "Two interviews booked")
    assert said == "Noted. Thank you!"
    said = await reply_to(bot, ana, post, group, "Two interviews booked, one more coming")
    assert said == "Noted. Thank you!"
