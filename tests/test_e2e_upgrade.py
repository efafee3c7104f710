"""End to end: conversations left open by the previous version resume after the upgrade.

The previous version numbered each conversation's steps from 0 (the goal's step was a name) and
kept the interview draft as a free dict; the database holds what it stored. Each test opens a
conversation, stops the bot, writes the row back as the previous version would have stored it,
starts the bot again and carries on."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db.models import ConversationRecord, Interview, UserDataRecord
from fakeapi.running import RunningBot
from fakeapi.server import FakeUser
from handlers.steps import Step
from tests.conftest import stored_user
from tests.flows import buttons, log_quick, press, say


async def stored_state(bot: RunningBot, name: str, user: FakeUser) -> Any:
    async with bot.runtime.session() as session:
        row = await session.scalar(
            select(ConversationRecord).where(
                ConversationRecord.name == name,
                ConversationRecord.key == json.dumps([user.id, user.id]),
            )
        )
    assert row is not None, f"no open {name} conversation stored"
    return row.state["state"]


async def restart_with_state(bot: RunningBot, name: str, user: FakeUser, old: object) -> None:
    """Stops the bot, stores the conversation's step as the previous version did, starts it."""
    await bot.fake.settle()
    # the bot's last flush stores the current step; then it is overwritten with the old value
    assert bot.application is not None
    await bot.application.update_persistence()
    async with bot.runtime.session() as session, session.begin():
        row = await session.scalar(
            select(ConversationRecord).where(
                ConversationRecord.name == name,
                ConversationRecord.key == json.dumps([user.id, user.id]),
            )
        )
        assert row is not None
        row.state = {"state": old}
    await bot.stop()
    await bot.start()


async def test_steps_are_stored_as_their_numbers(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/goal")
    await bot.application.update_persistence()  # type: ignore[union-attr]
    assert await stored_state(bot, "goal", ana) == int(Step.WAITING_FOR_GOAL)


async def test_a_goal_question_stored_by_name_resumes(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/goal")
    await restart_with_state(bot, "goal", ana, "waiting_for_goal")
    assert "Saved: 8 applications a week." in await say(bot, ana, "8")
    assert (await stored_user(bot, ana.id)).weekly_goal == 8


async def test_a_reference_question_stored_as_zero_resumes(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    await restart_with_state(bot, "references", ana, 0)
    assert "How do you know Olga?" in await say(bot, ana, "Olga")
    await bot.application.update_persistence()  # type: ignore[union-attr]
    # the next step is stored with its new number
    assert await stored_state(bot, "references", ana) == int(Step.REFERENCE_RELATION)


async def test_a_next_rounds_date_stored_as_one_resumes(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Acme")
    await say(bot, ana, "/interviews")
    await press(bot, ana, next(b for b in buttons(ana) if b.startswith("Acme")))
    await press(bot, ana, "🏁 Outcome")
    assert "The next round at Acme: when is it?" in await press(bot, ana, "Next round")
    await restart_with_state(bot, "outcomes", ana, 1)
    reply = await say(bot, ana, "Thursday 14:00")
    assert "The next round" in reply


async def test_an_interview_draft_stored_as_the_old_dict_resumes_and_saves(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await say(bot, ana, "/log")
    await say(bot, ana, "Placeholder")
    # the free dict the previous version kept, without the keys it added last
    old_draft = {
        "company": "Acme <Labs>",
        "role": "Engineer",
        "when": "2026-11-22T09:00:00+00:00",
        "time_known": True,
        "format": "video",
        "people": [{"name": "Maria Lopez", "title": "CTO", "contact": "maria@acme.test"}],
        "person": None,
        "timeframe": "week",
        "response_by": "2026-11-29",
        "feeling": "good",
        "club_id": None,
        "interview_id": None,
        "editing": False,
        "question_id": None,
    }
    await bot.fake.settle()
    assert bot.application is not None
    await bot.application.update_persistence()
    async with bot.runtime.session() as session, session.begin():
        row = await session.get(UserDataRecord, ana.id)
        assert row is not None and "draft" in row.data
        row.data = {**row.data, "draft": old_draft}
    await restart_with_state(bot, "log", ana, int(Step.SUMMARY))
    shown = await say(bot, ana, "hello?")
    assert "Please choose one of the buttons." in ana.messages[-2].plain
    assert "Acme &lt;Labs&gt;" in shown or "Acme <Labs>" in shown
    assert "Maria Lopez" in shown
    await press(bot, ana, "✅ Save")
    async with bot.runtime.session() as session:
        interview = await session.scalar(
            select(Interview)
            .where(Interview.user_id == ana.id)
            .options(selectinload(Interview.interviewers))
        )
    assert interview is not None
    assert (interview.company, interview.role, interview.format) == (
        "Acme <Labs>",
        "Engineer",
        "video",
    )
    assert interview.response_by == date(2026, 11, 29)
    assert [(p.name, p.title, p.contact) for p in interview.interviewers] == [
        ("Maria Lopez", "CTO", "maria@acme.test")
    ]
    assert bot.application.user_data[ana.id].get("draft") is None
