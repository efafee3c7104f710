"""Club leads: shared by command or by reply, shown safely, counted once per member who applies."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from bot.clubs.leads import (
    LINK_LIMIT,
    LeadLine,
    LinkProblem,
    leads_of_week,
    leads_section,
    read_lead,
)
from bot.db.models import Application, ClubLead, User
from bot.domain.applications import ApplicationProblem
from bot.i18n import Translator
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import press, say

LINK = "https://jobs.example.com/apply?id=7&src=club"


async def leads(bot: RunningBot) -> list[ClubLead]:
    async with bot.runtime.session() as session:
        return list((await session.scalars(select(ClubLead).order_by(ClubLead.id))).all())


async def applications(bot: RunningBot, user_id: int) -> list[Application]:
    async with bot.runtime.session() as session:
        return list(
            await session.scalars(select(Application).where(Application.user_id == user_id))
        )


def sent_params(bot: RunningBot, chat_id: int) -> list[dict[str, object]]:
    """What the bot asked of sendMessage in a chat, JSON-encoded fields decoded."""
    return [
        {
            k: json.loads(v) if isinstance(v, str) and v[:1] in "{[" else v
            for k, v in r.params.items()
        }
        for r in bot.fake.requests
        if r.method == "sendMessage" and str(r.params.get("chat_id")) == str(chat_id)
    ]


async def test_a_lead_by_command_is_posted_with_its_link_as_escaped_text_and_no_preview(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    shown = await say(bot, ana, f"/lead Acme <Labs> — Data Engineer — {LINK}", chat=group)
    assert "A job lead from Ana" in shown
    assert "Acme <Labs> · Data Engineer" in shown
    assert LINK in shown
    post = group.last_message
    assert post.buttons == [["✅ I applied"]]
    # the link is text, escaped, never an anchor someone could dress up
    assert "&lt;Labs&gt;" in post.text and "id=7&amp;src=club" in post.text
    assert not any(e.get("type") == "text_link" for e in post.entities)
    assert sent_params(bot, group.id)[-1]["link_preview_options"] == {"is_disabled": True}
    [lead] = await leads(bot)
    assert (lead.company, lead.role, lead.link, lead.user_id) == (
        "Acme <Labs>",
        "Data Engineer",
        LINK,
        ana.id,
    )
    assert lead.message_id == post.message_id


async def test_a_lead_by_reply_is_taken_only_from_the_member_who_asked(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    asked = await say(bot, ana, "/lead", chat=group)
    assert "Ana, reply to this message with the lead" in asked
    prompt = group.last_message
    assert prompt.reply_markup == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "Company — Role — link",
    }
    # another member's reply to Ana's question is not a lead
    before = len(group.messages)
    await ben.reply(prompt, "Initech — Tester", chat=group)
    await bot.fake.settle()
    assert len(group.messages) == before
    assert await leads(bot) == []
    await ana.reply(prompt, "Globex — Designer www.globex.example/careers", chat=group)
    await bot.fake.settle()
    assert "Globex · Designer" in group.last_message.plain
    assert "https://www.globex.example/careers" in group.last_message.plain
    [lead] = await leads(bot)
    assert (lead.company, lead.role, lead.user_id) == ("Globex", "Designer", ana.id)
    # answered once: a second reply is nothing
    await ana.reply(prompt, "Umbrella — Chemist", chat=group)
    await bot.fake.settle()
    assert len(await leads(bot)) == 1


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Acme — Dev — javascript:alert(1)", "must be a web address"),
        ("Acme — Dev — ftp://files.example.com/x", "must be a web address"),
        ("Acme — Dev — https://user@evil.example/jobs", "must be a web address"),
        ("Acme — Dev — https://a.example/" + "x" * LINK_LIMIT, f"{LINK_LIMIT} characters"),
        ("A" * 101 + " — Dev", "to 100 characters each"),
        ("— — https://a.example", "I need the company's name"),
    ],
)
async def test_a_bad_lead_gets_a_clear_answer_and_nothing_is_posted(
    bot: RunningBot, line: str, said: str
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    answer = await say(bot, ana, f"/lead {line}", chat=group)
    assert said in answer
    assert await leads(bot) == []
    assert not group.last_message.buttons


async def test_i_applied_counts_once_for_the_tapper_privately(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    async with bot.runtime.session() as session, session.begin():
        user = await session.get(User, ben.id)
        assert user is not None
        user.weekly_goal = 3
    await say(bot, ana, f"/lead Acme — Data Engineer — {LINK}", chat=group)
    await press(bot, ben, "✅ I applied", chat=group)
    assert bot.fake.callback_answers[-1]["text"] == (
        "Counted as your application. Your week is in our private chat."
    )
    private = ben.last_message.plain
    assert "Logged: Acme · Data Engineer." in private
    assert "From a lead shared in Monday job club." in private
    assert "This week so far: 1 of 3." in private
    [applied] = await applications(bot, ben.id)
    [lead] = await leads(bot)
    assert (applied.company, applied.role, applied.lead_id) == ("Acme", "Data Engineer", lead.id)

    received = len(ben.messages)
    await press(bot, ben, "✅ I applied", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["show_alert"] and answer["text"].startswith(
        "Already counted: you applied to Acme · Data Engineer on"
    )
    assert len(ben.messages) == received
    assert len(await applications(bot, ben.id)) == 1
    # the group saw no message per tap, and the sharer counted nothing by sharing
    assert await applications(bot, ana.id) == []
    listed = await say(bot, ben, "/applications")
    assert "Acme" in listed


async def test_a_lead_logged_a_moment_ago_with_applied_stays_counted_once(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/lead acme — data engineer", chat=group)
    await say(bot, ben, "/applied Acme — Data Engineer")
    await press(bot, ben, "✅ I applied", chat=group)
    assert bot.fake.callback_answers[-1]["text"] == (
        "You had already logged acme · data engineer: it stays counted once."
    )
    [applied] = await applications(bot, ben.id)
    assert applied.lead_id is not None


async def test_non_members_cannot_share_or_count_leads(bot: RunningBot) -> None:
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben])
    await bot.fake.add_member(group, cleo)
    dan = bot.fake.add_user("Dan")
    await bot.fake.add_member(group, dan)
    await bot.fake.settle()
    refused = await say(bot, cleo, f"/lead Acme — Dev — {LINK}", chat=group)
    assert "Only members of this club can share leads" in refused
    assert await leads(bot) == []

    await say(bot, ana, f"/lead Acme — Dev — {LINK}", chat=group)
    await press(bot, cleo, "✅ I applied", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["show_alert"]
    assert answer["text"] == "Only members of this club can count its leads. Join with /join first."
    assert await applications(bot, cleo.id) == []

    # someone who never wrote to the bot is sent to the private chat, and nothing is stored
    await press(bot, dan, "✅ I applied", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert "Open a private chat with me first" in (answer["text"] or "")
    assert answer["url"] == f"https://t.me/{bot.fake.bot_username}?start=join_{group.id}"
    async with bot.runtime.session() as session:
        assert await session.get(User, dan.id) is None


async def test_lead_in_private_points_to_the_group(bot: RunningBot) -> None:
    (ana,) = await known_users(bot, ["Ana"])
    answer = await say(bot, ana, "/lead Acme — Dev")
    assert "send /lead in your club's group chat" in answer
    assert await leads(bot) == []


async def test_the_weeks_leads_for_the_check_in(bot: RunningBot) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    start = bot.clock.now()
    await say(bot, ana, f"/lead Acme & Co — Data Engineer — {LINK}", chat=group)
    bot.clock.advance(timedelta(days=1))
    await say(bot, ben, "/lead Globex", chat=group)
    bot.clock.advance(timedelta(days=7))
    await say(bot, ben, "/lead Next week Inc", chat=group)
    async with bot.runtime.session() as session:
        week = await leads_of_week(session, group.id, start, start + timedelta(days=7))
    assert [lead.company for lead in week] == ["Acme & Co", "Globex"]
    section = leads_section(Translator("en", UTC), week)
    assert section.splitlines() == [
        "<b>This week's leads</b>",
        "• Acme &amp; Co · Data Engineer — https://jobs.example.com/apply?id=7&amp;src=club",
        "• Globex",
    ]
    # over the budget, the rest are counted, never cut mid-link
    short = leads_section(Translator("en", UTC), week, budget=100)
    assert short.splitlines() == [
        "<b>This week's leads</b>",
        "… and 2 more leads, shared in the group.",
    ]
    assert leads_section(Translator("en", UTC), []) == ""


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Acme — Dev — https://a.example/j", LeadLine("Acme", "Dev", "https://a.example/j")),
        ("Acme — Dev https://a.example/j", LeadLine("Acme", "Dev", "https://a.example/j")),
        ("Acme https://a.example", LeadLine("Acme", "", "https://a.example")),
        ("Acme, Inc. — Dev", LeadLine("Acme, Inc.", "Dev", "")),
        ("Acme - Dev - www.a.example", LeadLine("Acme", "Dev", "https://www.a.example")),
        ("Acme — Dev — HTTPS://A.example/x", LeadLine("Acme", "Dev", "HTTPS://A.example/x")),
        ("Acme — Dev — JavaScript:alert(1)", LinkProblem.NOT_WEB),
        ("Acme — Dev — data:text/html,hi", LinkProblem.NOT_WEB),
        ("Acme — Dev — http://localhost/x", LinkProblem.NOT_WEB),
        ("https://a.example", ApplicationProblem.NO_COMPANY),
        ("Acme — ?? — https://a.example", ApplicationProblem.NO_ROLE_TEXT),
    ],
)
def test_reading_a_lead(text: str, read: object) -> None:
    assert read_lead(text, 100) == read


async def test_a_member_who_blocked_the_bot_is_counted_and_pointed_to_the_private_chat(
    bot: RunningBot,
) -> None:
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    await say(bot, ana, "/lead Acme — Dev", chat=group)
    ben.block()
    await bot.fake.settle()
    await press(bot, ben, "✅ I applied", chat=group)
    answer = bot.fake.callback_answers[-1]
    assert answer["text"] == "Counted. Open a private chat with me to see your week."
    assert answer["url"] == f"https://t.me/{bot.fake.bot_username}?start=applications"
    assert len(await applications(bot, ben.id)) == 1
    async with bot.runtime.session() as session:
        user = await session.get(User, ben.id)
        assert user is not None and user.reachable is False
    # the one refused private message was the bot finding out; nothing else was tried
    assert [r.error_code for r in bot.fake.refusals] == [403]
    bot.fake.refusals.clear()
