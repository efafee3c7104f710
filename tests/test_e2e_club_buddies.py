"""Club buddies: paired by /buddy or by a proposal only its member may accept, weekly summaries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clubs.buddies import queue_buddy_summaries
from bot.clubs.members import leave
from bot.clubs.outbox import ClubPoster
from bot.db.models import Club, ClubMember, Interview, User
from bot.domain.zones import zone_info
from bot.i18n import Translator
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import forge_tap, press, say


async def buddies(bot: RunningBot, club_id: int) -> dict[int, int | None]:
    """Each member's buddy_id in a club."""
    async with bot.runtime.session() as session:
        rows = await session.execute(
            select(ClubMember.user_id, ClubMember.buddy_id).where(ClubMember.club_id == club_id)
        )
        return {user_id: buddy for user_id, buddy in rows}


async def test_two_members_sending_buddy_are_paired(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    waiting = await say(bot, ana, "/buddy", chat=group)
    assert "You're on the list" in waiting
    assert (await buddies(bot, group.id))[ana.id] is None
    paired = await say(bot, ben, "/buddy", chat=group)
    assert paired == "🤝 Ben and Ana are now accountability buddies."
    assert (await buddies(bot, group.id)) == {ana.id: ben.id, ben.id: ana.id, cleo.id: None}
    assert "You and Ben are now accountability buddies in Monday job club." in (
        ana.last_message.plain
    )
    assert "You and Ana are now accountability buddies" in ben.last_message.plain
    # the third is not paired by that, and waits for the next
    assert "You're on the list" in await say(bot, cleo, "/buddy", chat=group)


async def test_a_proposal_by_reply_only_the_named_member_may_accept(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    # Ben's ordinary message: privacy mode keeps it from the bot, but Ana can reply to it
    said = await ben.send("Anyone up for practising interviews?", chat=group)
    await bot.fake.settle()
    await ana.reply_to_member(said, "/buddy", chat=group)
    await bot.fake.settle()
    asked = group.last_message
    assert asked.plain.startswith("🤝 Ana would like Ben as an accountability buddy")
    assert asked.buttons == [["Accept", "Decline"]]
    assert asked.reply_to_message_id == said["message"]["message_id"]
    assert await buddies(bot, group.id) == {ana.id: ben.id, ben.id: None, cleo.id: None}

    # a third member taps Accept, or forges a tap naming Ana: refused, nothing changes
    await press(bot, cleo, "Accept", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["show_alert"] and answer["text"] == "Only Ben can answer this proposal."
    await forge_tap(bot, cleo, asked, f"bd:yes:{ana.id}:{cleo.id}")
    assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
    await forge_tap(bot, cleo, asked, f"bd:yes:{ana.id}")
    assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
    # the proposer cannot answer for Ben either
    await press(bot, ana, "Accept", chat=group)
    assert bot.fake.callback_answers[-1]["text"] == "Only Ben can answer this proposal."
    assert await buddies(bot, group.id) == {ana.id: ben.id, ben.id: None, cleo.id: None}
    assert group.last_message.buttons == [["Accept", "Decline"]]

    await press(bot, ben, "Accept", chat=group)
    assert group.last_message.plain == "🤝 Ana and Ben are now accountability buddies."
    assert await buddies(bot, group.id) == {ana.id: ben.id, ben.id: ana.id, cleo.id: None}
    assert "You and Ben are now accountability buddies" in ana.last_message.plain
    assert "You and Ana are now accountability buddies" in ben.last_message.plain


async def test_a_declined_proposal_pairs_no_one(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    said = await ben.send("hello", chat=group)
    # an ordinary reply between members never reaches the bot (privacy mode)
    hidden = len(bot.fake.undelivered)
    await ana.reply_to_member(said, "me too", chat=group)
    assert len(bot.fake.undelivered) == hidden + 1
    await ana.reply_to_member(said, "/buddy", chat=group)
    await bot.fake.settle()
    await press(bot, ben, "Decline", chat=group)
    assert group.last_message.plain.startswith("Not this time.")
    assert await buddies(bot, group.id) == {ana.id: None, ben.id: None}


async def test_a_proposal_to_someone_outside_the_club_is_refused(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben])
    await bot.fake.add_member(group, cleo)
    said = await cleo.send("hi all", chat=group)
    await ana.reply_to_member(said, "/buddy", chat=group)
    await bot.fake.settle()
    assert (
        group.last_message.plain == "Cleo has not joined this club yet: they can join with /join."
    )
    assert (await buddies(bot, group.id))[ana.id] is None


async def test_buddy_when_paired_shows_who_in_private_and_ends_the_pair(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    shown = await say(bot, ana, "/buddy", chat=group)
    assert shown == "You already have a buddy here: I sent you the details in private."
    private = ana.last_message
    assert "In Monday job club, your accountability buddy is Ben." in private.plain
    assert private.buttons == [["End the pair"]]
    # the end button is Ana's, in her private chat; Ben ends nothing of hers from the group
    ended = ana.last_message
    await press(bot, ana, "End the pair")
    assert "you and Ben are no longer buddies in Monday job club" in ana.last_message.plain
    assert "Ana ended your buddy pair in Monday job club" in ben.last_message.plain
    assert await buddies(bot, group.id) == {ana.id: None, ben.id: None}
    # the button went with the edit; a stale or forged tap ends nothing
    assert not ended.buttons
    await forge_tap(bot, ana, ended, f"bd:end:{group.id}")
    assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
    # Ben stays willing: the next member who asks is paired with him
    cleo = (await known_users(bot, ["Cleo"]))[0]
    await bot.fake.add_member(group, cleo)
    async with bot.runtime.session() as session, session.begin():
        session.add(ClubMember(club_id=group.id, user_id=cleo.id, joined_at=bot.clock.now()))
    assert await say(bot, cleo, "/buddy", chat=group) == (
        "🤝 Cleo and Ben are now accountability buddies."
    )


async def test_buddy_in_private_lists_pairs(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    assert "You have no buddy yet" in await say(bot, ana, "/buddy")
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    listed = await say(bot, ana, "/buddy")
    assert "In Monday job club, your accountability buddy is Ben." in listed
    assert ana.last_message.buttons == [["End the pair in Monday job club"]]


async def test_buddies_off_and_non_members(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben])
    await bot.fake.add_member(group, cleo)
    assert "Only members of this club can have a buddy here" in await say(
        bot, cleo, "/buddy", chat=group
    )
    async with bot.runtime.session() as session, session.begin():
        club = await session.get(Club, group.id)
        assert club is not None
        club.buddies = False
    assert await say(bot, ana, "/buddy", chat=group) == "Buddies are off in this club."
    assert (await buddies(bot, group.id))[ana.id] is None


async def test_leaving_the_club_ends_the_pair_for_both(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    async with bot.runtime.session() as session, session.begin():
        assert await leave(session, group.id, ana.id)
    assert await buddies(bot, group.id) == {ben.id: None}
    assert "You're on the list" in await say(bot, ben, "/buddy", chat=group)


async def test_a_pair_in_one_club_is_not_a_pair_in_another(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    first = await club_of(bot, [ana, ben], title="Monday club")
    second = await club_of(bot, [ana, ben], title="Thursday club")
    await say(bot, ana, "/buddy", chat=first)
    await say(bot, ben, "/buddy", chat=first)
    assert await buddies(bot, second.id) == {ana.id: None, ben.id: None}
    assert "You're on the list" in await say(bot, ana, "/buddy", chat=second)


async def test_weekly_summaries_go_privately_with_counts_only(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    start = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        ben_user = await session.get(User, ben.id)
        assert ben_user is not None
        ben_user.weekly_goal = 2
        # Ben shares his companies with this club; Ana does not
        ben_member = await session.scalar(
            select(ClubMember).where(ClubMember.club_id == group.id, ClubMember.user_id == ben.id)
        )
        assert ben_member is not None
        ben_member.share_companies = True
    async with bot.runtime.session() as session, session.begin():
        # an offer each; only Ben's is his to show, as he shares with the club
        for person, company in ((ana, "Secret Offer Corp"), (ben, "Umbrella")):
            session.add(
                Interview(
                    user_id=person.id,
                    company=company,
                    role="Lead",
                    scheduled_at=start + timedelta(minutes=10),
                    format="phone",
                    outcome="offer",
                    outcome_at=start + timedelta(minutes=20),
                    created_at=start,
                    updated_at=start,
                )
            )
        ana_user = await session.get(User, ana.id)
        assert ana_user is not None
        # Ana reads German: her summary's dates are hers (the new words follow the translators)
        ana_user.language = "de"
    await say(bot, ana, "/applied Secret Corp — Analyst")
    await say(bot, ana, "/applied Hidden Ltd — Analyst")
    await say(bot, ben, "/applied Globex — Designer")
    await say(bot, ben, "/applied Initech — Designer")
    bot.clock.advance(timedelta(hours=1))
    end = bot.clock.now()
    before = {person.id: len(person.messages) for person in (ana, ben, cleo)}
    group_before = len(group.messages)

    async def queue() -> int:
        async with bot.runtime.session() as session, session.begin():
            club = await session.get(Club, group.id)
            assert club is not None
            return len(await queue_buddy_summaries(session, club, start, end, bot.clock.now()))

    assert await queue() == 2
    assert await queue() == 0
    assert bot.application is not None
    assert await ClubPoster(bot.runtime, bot.application.bot).flush() == 2
    await bot.fake.settle()

    to_ben = ben.messages[before[ben.id] :]
    to_ana = ana.messages[before[ana.id] :]
    assert len(to_ben) == len(to_ana) == 1
    assert "Your buddy Ana's week in Monday job club" in to_ben[0].plain
    assert "Applications: 2 (no weekly goal set)" in to_ben[0].plain
    assert "1 interview\n" in to_ben[0].plain
    for private in ("Secret", "Hidden", "offer", "Interviewed at"):
        assert private not in to_ben[0].plain
    # Ana's summary in German, with Ben's places as he shares them with the club
    assert "Die Woche deines Buddys Ben" in to_ana[0].plain
    assert "Bewerbungen: 2 von 2 ✅" in to_ana[0].plain
    assert "1 Zusage 🎉" in to_ana[0].plain
    assert "Globex · Designer, Initech · Designer" in to_ana[0].plain
    assert "Umbrella · Lead" in to_ana[0].plain
    berlin = zone_info("Europe/Berlin")
    german, english = Translator("de", berlin), Translator("en", berlin)
    day = start.astimezone(berlin).date()
    assert german.date(day, "medium") in to_ana[0].plain
    assert english.date(day, "medium") in to_ben[0].plain
    assert german.date(day, "medium") != english.date(day, "medium")
    # nothing for the unpaired member, and nothing in the group
    assert len(cleo.messages) == before[cleo.id]
    assert len(group.messages) == group_before


async def test_a_buddy_who_deletes_their_data_leaves_the_other_free_to_pair(
    bot: RunningBot,
) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    await say(bot, ana, "/delete")
    await press(bot, ana, "Yes, delete everything")
    assert ana.id not in await buddies(bot, group.id)
    # Ben has no buddy any more, and the next member who asks is paired with him
    assert "You're on the list" not in await say(bot, cleo, "/buddy", chat=group)
    assert (await buddies(bot, group.id))[cleo.id] == ben.id
    assert (await buddies(bot, group.id))[ben.id] == cleo.id


async def test_a_replaced_proposal_can_no_longer_be_accepted(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    from_ben = await ben.send("hi", chat=group)
    from_cleo = await cleo.send("hello", chat=group)
    await ana.reply_to_member(from_ben, "/buddy", chat=group)
    await bot.fake.settle()
    to_ben = group.last_message
    await ana.reply_to_member(from_cleo, "/buddy", chat=group)
    await bot.fake.settle()
    await ben.tap(to_ben, "Accept")
    await bot.fake.settle()
    assert bot.fake.callback_answers[-1]["text"] == "This proposal is no longer open."
    assert await buddies(bot, group.id) == {ana.id: cleo.id, ben.id: None, cleo.id: None}
    await press(bot, cleo, "Accept", chat=group)
    assert await buddies(bot, group.id) == {ana.id: cleo.id, ben.id: None, cleo.id: ana.id}


async def test_buddy_in_a_forum_topic_is_a_plain_buddy_not_a_proposal(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    topic = bot.fake.open_topic(group, "Job club", by=ana)
    await ben.send("/buddy", chat=group, topic=topic)
    await bot.fake.settle()
    # every message in a topic answers the topic's first message (Ana's): not a proposal to her
    assert "You're on the list" in group.last_message.plain
    assert (await buddies(bot, group.id))[ben.id] is None


async def test_a_forged_end_button_in_a_group_ends_nothing(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    other = await club_of(bot, [ana, ben], title="Thursday club")
    await say(bot, ana, "/buddy", chat=other)
    await say(bot, ben, "/buddy", chat=other)
    shown = await say(bot, ana, "/club", chat=group)
    post = group.last_message
    await forge_tap(bot, ana, post, f"bd:end:{other.id}")
    # the pair in the other club stands, and the group's message is untouched
    assert (await buddies(bot, other.id)) == {ana.id: ben.id, ben.id: ana.id}
    assert group.last_message.plain == shown


async def test_no_longer_open_to_a_buddy_ends_the_pair_for_both(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/buddy", chat=group)
    await say(bot, ben, "/buddy", chat=group)
    await say(bot, ana, "/clubs")
    await press(bot, ana, "✅ Open to a buddy")
    assert (await buddies(bot, group.id)) == {ana.id: None, ben.id: None}
    assert "Ana ended your buddy pair in Monday job club" in ben.last_message.plain
    assert "⬜ Open to a buddy" in [b for row in ana.last_message.buttons for b in row]


def test_a_summary_of_many_long_places_fits_one_message() -> None:
    from datetime import UTC, datetime

    from bot.clubs.activity import MemberWeek
    from bot.clubs.buddies import buddy_summary
    from bot.domain.text import visible_length

    long = ("Ünïcode & Sons International Holdings " * 6)[:200]
    week = MemberWeek(1, "Ben", goal=20, applications=40, interviews=40)
    week.applied_to = [(long, long)] * 40
    week.interviewed_at = [(long, long)] * 40
    start = datetime(2026, 11, 16, 17, tzinfo=UTC)
    text = buddy_summary(Translator("en", UTC), long, week, True, start, start + timedelta(days=7))
    assert visible_length(text) <= 4096
