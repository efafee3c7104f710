"""End to end: the weekly check-in of a club, goals by tap and by reply, reports, the private
goal reminder, offer celebrations, and forty clubs checking in at the same hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.clubs.checkin import ClubSweep
from bot.db.models import Club, ClubMember, ClubPost, ClubReport, User
from fakeapi import BotMessage, FakeGroup, FakeUser
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import buttons, log_quick, press, say

GOAL_LABELS = ["3", "5", "10", "15", "20"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def checkins(group: FakeGroup) -> list[BotMessage]:
    """The check-in posts in the group, whatever the club's language."""
    return [m for m in group.messages if m.plain.startswith("📋 ")]


async def stored(bot: RunningBot, user: FakeUser) -> User:
    async with bot.runtime.session() as session:
        found = await session.get(User, user.id)
    assert found is not None
    return found


async def member_row(bot: RunningBot, group: FakeGroup, user: FakeUser) -> ClubMember:
    async with bot.runtime.session() as session:
        found = await session.scalar(
            select(ClubMember).where(ClubMember.club_id == group.id, ClubMember.user_id == user.id)
        )
    assert found is not None
    return found


async def reply_to(
    bot: RunningBot, user: FakeUser, message: BotMessage, group: FakeGroup, text: str
) -> str:
    """A member's reply to a bot message in the group; returns what the bot said after it."""
    before = len(group.messages)
    await user.reply(message, text, chat=group)
    await bot.fake.settle()
    return "\n---\n".join(m.plain for m in group.messages[before:])


async def offer(bot: RunningBot, user: FakeUser, company: str) -> None:
    """Record an offer on the user's interview at ``company``, from its card."""
    await say(bot, user, "/interviews")
    await press(bot, user, next(b for b in buttons(user) if b.startswith(company)))
    await press(bot, user, "🏁 Outcome")
    await press(bot, user, "Offer")


async def monday_club(bot: RunningBot, names: list[str]) -> tuple[list[FakeUser], FakeGroup]:
    """A Berlin club checking in on Mondays at 18:00 (17:00 UTC in winter), set up on the
    Monday morning of 23 November 2026."""
    bot.clock.set(at("2026-11-23T09:00:00"))
    people = await known_users(bot, names)
    group = await club_of(bot, people)
    return people, group


async def test_the_check_in_comes_at_the_clubs_local_hour_once(bot: RunningBot) -> None:
    (ana, _), group = await monday_club(bot, ["Ana", "Ben"])
    await say(bot, ana, "/applied Acme — Backend Engineer")
    await say(bot, ana, "/applied Globex — Platform Engineer")
    bot.clock.set(at("2026-11-23T16:59:00"))
    await bot.club_sweep()
    assert checkins(group) == []

    bot.clock.set(at("2026-11-23T17:00:30"))
    await bot.club_sweep()
    [post] = checkins(group)
    assert "Together: 2 applications." in post.plain
    assert "Ana: 2 applications" in post.plain
    # counts only: no company of a member who does not share
    assert "Acme" not in post.plain and "Globex" not in post.plain
    assert "1 more member logged nothing this week." in post.plain
    assert "Ben" not in post.plain
    assert [label for row in post.buttons for label in row] == GOAL_LABELS
    assert "reply to this message with any number from 1 to 100" in post.plain

    # a second run, a restart, an hour later: still one post for the week
    await bot.club_sweep()
    await bot.restart()
    bot.clock.advance(timedelta(hours=1))
    await bot.club_sweep()
    assert len(checkins(group)) == 1
    async with bot.runtime.session() as session:
        club = await session.get(Club, group.id)
    assert club is not None
    assert club.last_checkin_at == at("2026-11-23T17:00:00")
    assert club.next_checkin_at == at("2026-11-30T17:00:00")


@pytest.mark.parametrize(
    ("created", "before", "after", "shown"),
    [
        # Berlin moves its clocks forward on Sunday 28 March 2027: 18:00 is 17:00 UTC before
        # the change and 16:00 UTC after it, so that week is an hour short
        ("2027-03-20T09:00", "2027-03-22T17:00", "2027-03-29T16:00", "Mar 22, 2027 to Mar 29"),
        # and back on Sunday 25 October 2026: 16:00 UTC before, 17:00 UTC after
        ("2026-10-17T09:00", "2026-10-19T16:00", "2026-10-26T17:00", "Oct 19, 2026 to Oct 26"),
    ],
)
async def test_the_check_in_keeps_the_local_hour_across_daylight_saving(
    bot: RunningBot, created: str, before: str, after: str, shown: str
) -> None:
    bot.clock.set(at(created))
    people = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, people)
    bot.clock.set(at(before))
    await bot.club_sweep()
    assert len(checkins(group)) == 1
    bot.clock.set(at(after) - timedelta(minutes=1))
    await bot.club_sweep()
    assert len(checkins(group)) == 1
    bot.clock.set(at(after))
    await bot.club_sweep()
    assert len(checkins(group)) == 2
    async with bot.runtime.session() as session:
        periods = (
            await session.execute(
                select(ClubPost.period_start, ClubPost.period_end)
                .where(ClubPost.kind == "checkin")
                .order_by(ClubPost.id)
            )
        ).all()
    # the week runs from one check-in to the next, whatever the clocks did in between
    assert periods[1] == (at(before), at(after))
    assert shown in checkins(group)[1].plain


async def test_the_post_follows_the_clubs_language_and_zone(bot: RunningBot) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    people = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, people, zone="America/Sao_Paulo")
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.language = "pt_BR"
    # 18:00 in São Paulo (UTC-3, no daylight saving) is 21:00 UTC
    bot.clock.set(at("2026-11-23T20:59:00"))
    await bot.club_sweep()
    assert checkins(group) == []
    bot.clock.set(at("2026-11-23T21:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    # dates in the club's language: Brazilian day-month order
    assert "16 de nov. de 2026" in post.plain and "23 de nov. de 2026" in post.plain


async def test_a_bot_down_for_weeks_posts_the_latest_week_only(bot: RunningBot) -> None:
    _, group = await monday_club(bot, ["Ana", "Ben"])
    bot.clock.set(at("2026-12-16T10:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    assert "Dec 7, 2026 to Dec 14, 2026" in post.plain
    await bot.club_sweep()
    assert len(checkins(group)) == 1


async def test_goals_by_button_and_by_reply_act_for_the_member_who_answers(
    bot: RunningBot,
) -> None:
    (ana, ben, cem), group = await monday_club(bot, ["Ana", "Ben", "Cem"])
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    before = len(group.messages)

    await press(bot, ben, "5", chat=group)
    assert bot.fake.callback_answers[-1]["text"] == "Your weekly goal: 5 applications."
    assert (await stored(bot, ben)).weekly_goal == 5
    assert (await member_row(bot, group, ben)).goal_set_at == bot.clock.now()
    # the tap is answered with an alert to the tapper alone, never a message in the group
    assert len(group.messages) == before
    assert (await stored(bot, ana)).weekly_goal is None

    said = await reply_to(bot, ana, post, group, "7 this week")
    assert said == "Your weekly goal: 7 applications."
    assert (await stored(bot, ana)).weekly_goal == 7
    said = await reply_to(bot, cem, post, group, "1000")
    assert said == "Please send one whole number from 1 to 100, like 5."
    said = await reply_to(bot, cem, post, group, "2.5")
    assert said == "Please send one whole number from 1 to 100, like 5."
    assert (await stored(bot, cem)).weekly_goal is None
    said = await reply_to(bot, cem, post, group, "3!")
    assert said == "Your weekly goal: 3 applications."


async def test_outsiders_tapping_or_replying_change_nothing(bot: RunningBot) -> None:
    _, group = await monday_club(bot, ["Ana", "Ben"])
    # Dan uses the bot but never joined this club; Eve never opened the bot at all
    [dan] = await known_users(bot, ["Dan"])
    eve = bot.fake.add_user("Eve")
    for person in (dan, eve):
        await bot.fake.add_member(group, person)
    await bot.fake.settle()
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [post] = checkins(group)
    before = len(group.messages)

    await press(bot, dan, "10", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["show_alert"]
    assert "Only members of this club" in answer["text"]
    assert (await stored(bot, dan)).weekly_goal is None

    await press(bot, eve, "10", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["show_alert"] and "Join the club first" in answer["text"]
    async with bot.runtime.session() as session:
        assert await session.get(User, eve.id) is None
    assert len(group.messages) == before

    said = await reply_to(bot, dan, post, group, "Applied to three places this week")
    assert "Only members of this club" in said
    async with bot.runtime.session() as session:
        assert (await session.scalars(select(ClubReport))).all() == []


async def test_next_weeks_check_in_shows_goal_against_done_and_what_members_said(
    bot: RunningBot,
) -> None:
    (ana, ben, cem), group = await monday_club(bot, ["Ana", "Ben", "Cem"])
    async with bot.runtime.session() as session, session.begin():
        await session.execute(
            update(ClubMember).where(ClubMember.user_id == cem.id).values(share_companies=True)
        )
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    [first] = checkins(group)
    await press(bot, ana, "3", chat=group)
    await press(bot, ben, "5", chat=group)
    said = await reply_to(bot, ben, first, group, "  Two interviews <b>booked</b>, feeling good  ")
    assert said == "Thanks, Ben: your report will be in the next check-in."
    said = await reply_to(bot, ben, first, group, "Two interviews booked & one more coming")
    assert said == "Thanks, Ben: your report is updated for the next check-in."
    said = await reply_to(bot, ana, first, group, "x" * 501)
    assert "501 characters long; please keep it to 500" in said

    bot.clock.set(at("2026-11-25T10:00:00"))
    for company in ("Acme", "Globex", "Initech"):
        await say(bot, ana, f"/applied {company} — Engineer")
    await say(bot, ben, "/applied Umbrella — Analyst")
    # an offer each for Ben, who shares nothing, and Cem, who shares with this club
    for person, company in ((ben, "Hooli"), (cem, "Initrode")):
        await log_quick(bot, person, company)
        await offer(bot, person, company)

    bot.clock.set(at("2026-11-30T17:00:00"))
    await bot.club_sweep()
    second = checkins(group)[1].plain
    assert "Ana: 3 of 3 applications ✅" in second
    assert "Ben: 1 of 5 applications" in second
    assert "Reached their goal\nAna" in second
    assert "What members said\n• Ben: Two interviews booked & one more coming" in second
    assert "x" * 20 not in second
    assert "Offers\n• Cem: an offer from Initrode" in second
    assert "Cem: 0 applications, 1 interview" in second
    for private in ("Acme", "Umbrella", "Hooli"):
        assert private not in second


async def test_the_goal_reminder_goes_once_in_private_to_those_without_a_goal(
    bot: RunningBot,
) -> None:
    (ana, ben, cem), group = await monday_club(bot, ["Ana", "Ben", "Cem"])
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    await press(bot, ana, "5", chat=group)
    # Cem set his goal in private with /goal: that answers the club's question too
    await say(bot, cem, "/goal 4")
    group_before = len(group.messages)
    seen = {p.id: len(p.messages) for p in (ana, ben, cem)}

    bot.clock.set(at("2026-11-24T16:59:00"))
    await bot.club_sweep()
    assert len(ben.messages) == seen[ben.id]

    bot.clock.set(at("2026-11-24T17:00:00"))
    await bot.club_sweep()
    await bot.club_sweep()
    bot.clock.advance(timedelta(hours=3))
    await bot.club_sweep()
    assert len(ben.messages) == seen[ben.id] + 1
    reminder = ben.messages[-1]
    assert "Your club Monday job club checked in yesterday" in reminder.plain
    assert buttons(ben) == GOAL_LABELS
    assert len(ana.messages) == seen[ana.id]
    assert len(cem.messages) == seen[cem.id]
    assert len(group.messages) == group_before

    shown = await press(bot, ben, "10")
    assert "Saved: 10 applications a week." in shown
    assert (await stored(bot, ben)).weekly_goal == 10

    # next week's check-in asks again, and a day later reminds again whoever has not answered
    bot.clock.set(at("2026-11-30T17:00:00"))
    await bot.club_sweep()
    assert len(ben.messages) == seen[ben.id] + 1
    await press(bot, cem, "3", chat=group)
    bot.clock.set(at("2026-12-01T17:00:00"))
    await bot.club_sweep()
    assert len(ben.messages) == seen[ben.id] + 2
    assert "checked in yesterday" in ana.messages[-1].plain
    assert len(cem.messages) == seen[cem.id]


async def test_a_member_of_two_clubs_is_asked_for_their_one_goal_once(bot: RunningBot) -> None:
    (ana, ben), first = await monday_club(bot, ["Ana", "Ben"])
    second = await club_of(bot, [ana, ben], title="Evening club")
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    assert len(checkins(first)) == len(checkins(second)) == 1
    await press(bot, ben, "5", chat=second)
    bot.clock.set(at("2026-11-24T17:00:00"))
    await bot.club_sweep()
    # Ben's goal, set in one club, answers both; Ana gets one reminder, not one per club
    assert [m.plain.count("checked in yesterday") for m in ana.messages] == [1]
    assert ben.messages == []


async def test_an_unreachable_member_is_skipped_quietly(bot: RunningBot) -> None:
    (ana, ben), _ = await monday_club(bot, ["Ana", "Ben"])
    bot.clock.set(at("2026-11-23T17:00:00"))
    await bot.club_sweep()
    before = len(ana.messages)
    ben.block()
    await bot.fake.settle()
    bot.clock.set(at("2026-11-24T17:00:00"))
    await bot.club_sweep()
    assert len(ana.messages) == before + 1
    async with bot.runtime.session() as session:
        kinds = (
            await session.execute(
                select(ClubPost.chat_id, ClubPost.state).where(ClubPost.kind == "goal_reminder")
            )
        ).all()
    assert kinds == [(ana.id, "sent")]


async def test_an_offer_is_celebrated_only_for_members_who_opted_in(bot: RunningBot) -> None:
    (ana, ben), group = await monday_club(bot, ["Ana", "Ben"])
    async with bot.runtime.session() as session, session.begin():
        await session.execute(
            update(ClubMember).where(ClubMember.user_id == ana.id).values(celebrate=True)
        )
    for person in (ana, ben):
        await log_quick(bot, person, "Acme")
    before = len(group.messages)

    await offer(bot, ben, "Acme")
    await bot.club_sweep()
    assert len(group.messages) == before

    await offer(bot, ana, "Acme")
    # sent right after the reply, without waiting for the sweep
    assert [m.plain for m in group.messages[before:]] == [
        "🎉 Ana has a job offer! Congratulations!"
    ]
    await bot.club_sweep()
    assert len(group.messages) == before + 1


async def test_a_restart_between_claim_and_send_does_not_double_the_post(bot: RunningBot) -> None:
    _, group = await monday_club(bot, ["Ana", "Ben"])
    bot.clock.set(at("2026-11-23T17:00:00"))
    sweep = bot.runtime.club_sweep
    assert isinstance(sweep, ClubSweep)
    assert await sweep.claim() == 1
    # as a replica that read the club before the first committed: the week's key is taken
    async with bot.runtime.session() as session, session.begin():
        await session.execute(
            update(Club)
            .where(Club.id == group.id)
            .values(next_checkin_at=at("2026-11-23T17:00:00"), last_checkin_at=None)
        )
    assert await sweep.claim() == 1
    await bot.restart()
    await bot.club_sweep()
    assert len(checkins(group)) == 1


async def test_forty_clubs_check_in_at_the_same_hour_without_a_429(bot: RunningBot) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    groups = []
    for n in range(40):
        people = await known_users(bot, [f"A{n}", f"B{n}"])
        groups.append(await club_of(bot, people, title=f"Club {n}"))
    bot.clock.set(at("2026-11-23T17:00:00"))
    assert await bot.club_sweep() == 40
    await bot.fake.settle()
    assert all(len(checkins(g)) == 1 for g in groups)
    assert not [r for r in bot.fake.refusals if r.error_code == 429]


async def test_the_check_in_lists_the_weeks_leads_and_tells_each_buddy_privately(
    bot: RunningBot,
) -> None:
    (ana, ben, chloe), group = await monday_club(bot, ["Ana", "Ben", "Chloe"])
    await say(bot, ana, "/lead Initech — Data Analyst — https://initech.example/jobs/7", group)
    await say(bot, ana, "/buddy", group)
    await say(bot, ben, "/buddy", group)
    await say(bot, ben, "/applied Acme — Backend Engineer")
    bot.clock.set(at("2026-11-23T17:00:30"))
    await bot.club_sweep()
    [post] = checkins(group)
    assert "This week's leads" in post.plain
    assert "Initech" in post.plain and "https://initech.example/jobs/7" in post.plain
    # each buddy hears of the other's week, in private; Chloe has no buddy and hears nothing
    ana_summary = [m.plain for m in ana.messages if "Your buddy Ben's week" in m.plain]
    ben_summary = [m.plain for m in ben.messages if "Your buddy Ana's week" in m.plain]
    assert len(ana_summary) == 1 and len(ben_summary) == 1
    assert "Applications: 1" in ana_summary[0] and "Acme" not in ana_summary[0]
    assert not any("Your buddy" in m.plain for m in chloe.messages)
    assert not any("Your buddy" in m.plain for m in group.messages)
