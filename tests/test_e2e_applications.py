"""End to end: /applied and /applications through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Application
from bot.domain.applications import (
    ApplicationLine,
    ApplicationProblem,
    read_application,
    same_application,
)
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import forge_tap, press, say


async def _stored(bot: RunningBot, user: FakeUser) -> list[tuple[str, str]]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(Application).where(Application.user_id == user.id).order_by(Application.id)
        )
        return [(a.company, a.role) for a in rows]


def test_the_same_opening_is_recognised_whatever_the_accents_and_case() -> None:
    assert same_application("Itaú", "Cientista de Dados", "itau", "cientista  de dados")
    assert same_application("Société Générale", "", "SOCIETE GENERALE", "")
    assert not same_application("Itaú", "Cientista de Dados", "Itaú", "Engenheira de Dados")


def test_reading_a_line_splits_only_at_a_separator_people_use() -> None:
    def read(text: str) -> ApplicationLine | ApplicationProblem:
        return read_application(text, 100)

    assert read("Acme — Backend Engineer") == ApplicationLine("Acme", "Backend Engineer")
    assert read("Acme - Backend") == ApplicationLine("Acme", "Backend")
    assert read("Acme – Backend | Remote") == ApplicationLine("Acme", "Backend | Remote")
    assert read("Acme · Data") == ApplicationLine("Acme", "Data")
    # with a dash, a comma belongs to the name; without one, it separates "Company, Role"
    assert read("Smith, Jones & Co — Paralegal") == ApplicationLine(
        "Smith, Jones & Co", "Paralegal"
    )
    assert read("Озон, BI-аналитик") == ApplicationLine("Озон", "BI-аналитик")
    assert read("XP Investimentos, analista de dados") == ApplicationLine(
        "XP Investimentos", "analista de dados"
    )
    assert read("Acme, Inc.") == ApplicationLine("Acme, Inc.", "")
    assert read("Ромашка, ООО") == ApplicationLine("Ромашка, ООО", "")
    assert read("Coca-Cola") == ApplicationLine("Coca-Cola", "")
    assert read("'; DROP TABLE applications; --") == ApplicationLine(
        "'; DROP TABLE applications;", ""
    )
    assert read("Acme —") == ApplicationLine("Acme", "")
    assert read("  Acme   Corp  —  Dev  ") == ApplicationLine("Acme Corp", "Dev")
    for nothing in ("—", "— —", "-", "...", "\u200b", "— Backend"):
        assert read(nothing) is ApplicationProblem.NO_COMPANY, nothing
    assert read("Acme — ???") is ApplicationProblem.NO_ROLE_TEXT
    assert read("A" * 101) is ApplicationProblem.TOO_LONG


async def test_applied_keeps_a_line_whole_and_refuses_lines_with_no_company(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    shown = await say(bot, ana, "/applied '; DROP TABLE applications; --")
    assert "Logged: '; DROP TABLE applications;." in shown
    assert "Applications this week: 1." in shown
    for nothing in ("/applied —", "/applied — —", "/applied \u200b"):
        shown = await say(bot, ana, nothing)
        assert "I need the company's name" in shown, nothing
    shown = await say(bot, ana, "/applied Acme — <b>Lead</b>")
    assert "Logged: Acme · <b>Lead</b>." in shown
    assert "&lt;b&gt;Lead&lt;/b&gt;" in ana.last_message.text
    assert await _stored(bot, ana) == [("'; DROP TABLE applications;", ""), ("Acme", "<b>Lead</b>")]


async def test_a_repeat_is_asked_about_and_counted_only_when_meant(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/applied Acme — Backend Engineer")
    shown = await say(bot, ana, "/applied acme  —  backend engineer")
    assert "You already logged acme · backend engineer on" in shown
    assert await _stored(bot, ana) == [("Acme", "Backend Engineer")]
    shown = await press(bot, ana, "No, it is the same one")
    assert "stays counted once" in shown
    assert len(await _stored(bot, ana)) == 1

    await say(bot, ana, "/applied Acme — Backend Engineer")
    shown = await press(bot, ana, "Yes, count it again")
    assert "Applications this week: 2." in shown
    assert len(await _stored(bot, ana)) == 2

    # a day later the same line is a new application, without a question
    bot.clock.advance(timedelta(hours=25))
    shown = await say(bot, ana, "/applied Acme — Backend Engineer")
    assert "Applications this week: 3." in shown


async def test_applied_alone_asks_and_takes_the_reply(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    shown = await say(bot, ana, "/applied")
    assert "Where did you apply? Reply with the company and the role" in shown
    question = ana.last_message
    assert question.force_reply
    await ana.reply(question, "Globex — Analyst")
    await bot.fake.settle()
    assert "Logged: Globex · Analyst." in ana.last_message.plain
    assert await _stored(bot, ana) == [("Globex", "Analyst")]
    # the question was answered: a later reply to it is not another application
    await ana.reply(question, "Initech — Analyst")
    await bot.fake.settle()
    assert "Logged" not in ana.last_message.plain
    assert len(await _stored(bot, ana)) == 1


async def test_applications_are_listed_paged_and_removed_by_their_owner(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    ben = bot.fake.add_user("Ben")
    assert "You have not logged any application yet" in await say(bot, ana, "/applications")
    for n in range(7):
        await say(bot, ana, f"/applied Company {n} — Role")
        bot.clock.advance(timedelta(minutes=1))
    shown = await say(bot, ana, "/applications")
    assert "Your 7 applications, newest first (page 1 of 2)" in shown
    assert "1. Company 6 · Role" in shown and "5. Company 2 · Role" in shown
    assert "Company 1" not in shown
    listing = ana.last_message
    shown = await press(bot, ana, "Older ▶")
    assert "6. Company 1 · Role" in shown and "7. Company 0 · Role" in shown

    shown = await press(bot, ana, "🗑 7")
    assert "Remove Company 0 · Role, logged on" in shown
    shown = await press(bot, ana, "No, don't remove it")
    assert "7. Company 0 · Role" in shown
    await press(bot, ana, "🗑 7")
    shown = await press(bot, ana, "Yes, remove it")
    assert "Removed: Company 0 · Role." in shown
    assert "Your 6 applications" in shown
    assert ("Company 0", "Role") not in await _stored(bot, ana)

    # Ben forges a tap on Ana's list: nothing of hers is removed or shown to him
    await say(bot, ben, "/applied Initech — Role")
    await say(bot, ben, "/applications")
    async with bot.runtime.session() as session:
        hers = await session.scalar(
            select(Application.id).where(
                Application.user_id == ana.id, Application.company == "Company 6"
            )
        )
    await forge_tap(bot, ben, ben.last_message, f"apl:del:{hers}:0")
    assert len(await _stored(bot, ana)) == 6
    assert "Company 6" not in ben.last_message.plain
    assert listing.message_id != ben.last_message.message_id


async def test_applications_in_a_group_point_to_the_private_chat(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    club = bot.fake.add_group("Tuesday club", members=[ana], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    for command in ("/applied@afterview_test_bot Acme — Dev", "/applications@afterview_test_bot"):
        await ana.send(command, chat=club)
        await bot.fake.settle()
        assert "let's do it in a private chat" in club.last_message.plain
    assert await _stored(bot, ana) == []


async def test_a_repeat_with_other_accents_is_asked_about_and_a_comma_splits(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Sao Paulo")
    await say(bot, ana, "/applied Itaú, Cientista de Dados")
    assert await _stored(bot, ana) == [("Itaú", "Cientista de Dados")]
    shown = await say(bot, ana, "/applied itau - cientista de dados")
    assert "second application" in shown
    assert len(await _stored(bot, ana)) == 1


async def test_an_invisible_message_is_named_as_such(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    shown = await say(bot, ana, "\u200b\u200b")
    assert shown == "That message has nothing visible in it."
