"""/club: this club week's counts per member; companies only for those who share them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.db.models import Application, ClubMember, User
from bot.domain.text import visible_length
from fakeapi import BotMessage
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import forge_tap, log_quick, press, say


async def set_goal(bot: RunningBot, user_id: int, goal: int) -> None:
    async with bot.runtime.session() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(weekly_goal=goal))


async def test_the_board_shows_counts_and_companies_only_for_a_member_who_shares(
    bot: RunningBot,
) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    await say(bot, ana, "/clubs")
    await press(bot, ana, "⬜ Share companies and outcomes")
    await say(bot, ana, "/applied Acme — Designer")
    await say(bot, ben, "/applied Secretco — Spy")
    await say(bot, ben, "/applied Hush Ltd — Agent")
    await log_quick(bot, ben, "Hidden Inc", "Analyst", when="yesterday 15:00")
    await set_goal(bot, ben.id, 5)

    board = await say(bot, cleo, "/club", chat=group)
    # the week runs from last Monday's check-in to today's (18:00 in Berlin)
    assert "This club week: Nov 16\u2009–\u200923, 2026 · 3 members" in board
    assert "Together: 3 applications · 1 interview" in board
    assert "1 of 1 member with a goal has reached it" not in board
    assert "0 of 1 member with a goal has reached it" in board
    assert "Ana\u2069: 1 application" in board
    assert "↳ applied: Acme (Designer)" in board
    assert "Ben\u2069: 2/5 applications · 1 interview" in board
    assert "No actions yet this week: \u2068Cleo\u2069" in board
    for private in ("Secretco", "Spy", "Hush", "Agent", "Hidden", "Analyst"):
        assert private not in board, private
    assert group.last_message.reply_markup is None

    # in private, Ben sees his own places, and the club's board as the group does
    mine = await say(bot, ben, "/club")
    assert "Your week so far: 2/5 applications · 1 interview" in mine
    assert "Only you see this here: applied: Secretco (Spy), Hush Ltd (Agent)" in mine
    assert "interviews: Hidden Inc (Analyst)" in mine
    assert "Acme (Designer)" in mine
    # Cleo's private view of the same board shows none of Ben's places
    theirs = await say(bot, cleo, "/club")
    assert "Secretco" not in theirs and "Hidden" not in theirs

    # once Ana stops sharing, her companies leave the board
    await say(bot, ana, "/clubs")
    await press(bot, ana, "✅ Share companies and outcomes")
    board = await say(bot, cleo, "/club", chat=group)
    assert "Acme" not in board and "Ana\u2069: 1 application" in board


async def test_a_club_no_one_joined_is_invited_to_join(bot: RunningBot) -> None:
    [ana] = await known_users(bot, ["Ana"])
    group = bot.fake.add_group("Quiet club", members=[ana], admins=[ana])
    await bot.fake.add_bot_to(group, by=ana)
    await bot.fake.settle()
    shown = await say(bot, ana, "/club", chat=group)
    assert shown == "No one has joined this club yet. Tap Join or send /join."
    assert group.last_message.callback_data == [["cjoin"]]


def _name(n: int) -> str:
    specials = {4: "محمد", 6: "🦄", 8: "<b>Bob</b> & Co", 12: "\u200b"}
    return specials.get(n, f"Member {n:03d} " + "Longname" * 6)


async def test_a_club_of_200_pages_within_telegrams_limit(bot: RunningBot) -> None:
    people = await known_users(bot, [_name(n) for n in range(200)])
    group = await club_of(bot, people)
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        for n, person in enumerate(people):
            if n % 2 == 0:
                session.add_all(
                    Application(
                        user_id=person.id,
                        company=f"Company {n}",
                        role="Tester",
                        applied_at=now - timedelta(hours=k + 1),
                    )
                    for k in range(2)
                )
        # every tenth member shares their companies with this club
        await session.execute(
            update(ClubMember)
            .where(ClubMember.user_id.in_([p.id for n, p in enumerate(people) if n % 10 == 0]))
            .values(share_companies=True)
        )

    await say(bot, people[1], "/club", chat=group)
    board = group.last_message
    pages = [board.plain]
    assert board.buttons == [["▶"]]
    while ["▶"] in board.buttons or ["◀", "▶"] in board.buttons:
        # anyone in the group may turn the group's pages
        await press(bot, people[len(pages) + 2], "▶", chat=group)
        board = group.last_message
        pages.append(board.plain)
    assert board.buttons == [["◀"]]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert visible_length(page) <= 4096
        assert page.startswith("📋 Monday job club")
        assert page.endswith(f"Page {number} of {len(pages)}")
    everything = "\n".join(pages)
    for n in range(200):
        if n not in (4, 6, 8, 12):
            assert everything.count(f"Member {n:03d} ") == 1, n
    for shown in (
        "\u2068محمد\u2069: 2 applications",
        "\u2068🦄\u2069: 2 applications",
        "<b>Bob</b> & Co\u2069: 2 applications",
        "Member 13: 2 applications",
    ):
        assert everything.count(shown) == 1, shown
    # shared companies only for the sharers, and the quiet half named together
    assert everything.count("↳ applied: Company") == 20
    assert "Company 2 " not in everything and "Company 20 (Tester)" in everything
    assert "No actions yet this week:" in everything

    # a forged page number, not on the message's buttons, turns no page
    shown = group.last_message.plain
    for data in ("cboard:-4", "cboard:999"):
        await forge_tap(bot, people[3], board, data)
        assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
        assert group.last_message.plain == shown


async def test_a_member_of_two_clubs_picks_which_board_in_private(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    monday = await club_of(bot, [ana, ben], title="Monday club")
    await club_of(bot, [ben, ana], title="Friday club")
    other = await club_of(bot, [ben], title="Ben's own club")
    await say(bot, ana, "/applied Acme — Designer")
    shown = await say(bot, ana, "/club")
    assert shown == "Which club's board?"
    assert [row[0] for row in ana.last_message.buttons] == ["Friday club", "Monday club"]
    shown = await press(bot, ana, "Monday club")
    assert shown.startswith("👥 Monday club\nYour week so far: 1 application")
    assert "📋 Monday club" in shown and "2 members" in shown
    assert monday.id != other.id
    # a board of a club she is not in stays closed, whatever the button says
    message: BotMessage = ana.last_message
    await forge_tap(bot, ana, message, f"cboard:0:{other.id}")
    assert bot.fake.callback_answers[-1]["text"] == "That choice is no longer offered."
    assert "Ben's own club" not in ana.last_message.plain
