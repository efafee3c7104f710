"""End to end: open conversations lapse on the bot's clock, from the database, across restarts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db.models import ConversationRecord
from bot.sandbox import SandboxOptions, open_sandbox
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from handlers.goal import GOAL_QUESTION_TIMEOUT
from handlers.settings import ZONE_QUESTION_TIMEOUT
from tests.conftest import stored_user
from tests.flows import say

ASIDE = "I've set the time zone question aside; /timezone brings it back."


async def open_conversations(bot: RunningBot, user: FakeUser) -> list[str]:
    """The names of the conversations the database holds open for the user's private chat."""
    assert bot.application is not None
    await bot.application.update_persistence()  # what is still in memory, stored first
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(ConversationRecord.name).where(
                ConversationRecord.key == f"[{user.id}, {user.id}]"
            )
        )
        return list(rows.all())


def said(user: FakeUser, text: str) -> int:
    return sum(text in message.plain for message in user.messages)


async def test_a_zone_question_asked_before_a_restart_lapses_once_on_the_moved_clock(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    assert "Which time zone are you in?" in await say(bot, ana, "/timezone")
    await bot.restart()
    assert await open_conversations(bot, ana) == ["settings"]

    # not yet: a minute short of the question's time-out
    bot.clock.advance(ZONE_QUESTION_TIMEOUT - timedelta(minutes=1))
    await bot.sweep()
    assert said(ana, ASIDE) == 0
    assert await open_conversations(bot, ana) == ["settings"]

    bot.clock.advance(timedelta(minutes=2))
    await bot.sweep()
    await bot.sweep()
    assert said(ana, ASIDE) == 1
    assert ana.last_message.reply_markup == {"remove_keyboard": True}
    assert await open_conversations(bot, ana) == []

    # the question is closed: a city typed now is not taken for a zone
    shown = await say(bot, ana, "Berlin")
    assert "Done: your time zone" not in shown
    assert (await stored_user(bot, ana.id)).timezone is None
    # and it stays closed after another restart
    await bot.restart()
    await say(bot, ana, "Berlin")
    assert (await stored_user(bot, ana.id)).timezone is None
    assert said(ana, ASIDE) == 1


async def test_a_half_finished_log_lapses_after_the_timeout_since_its_last_step(
    bot: RunningBot,
) -> None:
    timeout = timedelta(seconds=bot.runtime.settings.conversation_timeout_seconds)
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Europe/Berlin")
    await say(bot, ana, "/log")
    await say(bot, ana, "Slow Corp")
    lapsed = "We did not finish logging the interview at Slow Corp"

    bot.clock.advance(timeout - timedelta(minutes=1))
    await bot.sweep()
    assert said(ana, lapsed) == 0
    # a step now counts the silence again from here
    assert "When is or was the interview?" in await say(bot, ana, "Engineer")
    bot.clock.advance(timedelta(minutes=2))
    await bot.sweep()
    assert said(ana, lapsed) == 0
    assert await open_conversations(bot, ana) == ["log"]

    bot.clock.advance(timeout)
    await bot.sweep()
    await bot.sweep()
    assert said(ana, lapsed) == 1
    assert await open_conversations(bot, ana) == []
    assert bot.application is not None
    assert "draft" not in bot.application.user_data[ana.id]
    # the draft is gone: an answer now is not taken for the next question
    assert "not sure what to do with that" in await say(bot, ana, "tomorrow 10:00")


async def test_the_goal_question_lapses_quietly(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Europe/Berlin")
    await say(bot, ana, "/goal")
    assert await open_conversations(bot, ana) == ["goal"]
    count = len(ana.messages)
    bot.clock.advance(GOAL_QUESTION_TIMEOUT + timedelta(minutes=1))
    await bot.sweep()
    assert len(ana.messages) == count
    assert await open_conversations(bot, ana) == []
    await say(bot, ana, "5")
    assert (await stored_user(bot, ana.id)).weekly_goal is None


async def test_the_stored_moment_is_the_steps_not_the_later_flushs(tmp_path: Path) -> None:
    """The row keeps when the conversation last moved, even when it is stored much later."""
    # nothing is flushed until the restart, an hour later on the bot's clock
    running = RunningBot(tmp_path / "late-flush.db", persistence_flush_seconds=3600.0)
    await running.start()
    try:
        ana = running.fake.add_user("Ana")
        await say(running, ana, "/timezone")
        running.clock.advance(timedelta(hours=1))
        await running.restart()
        async with running.runtime.session() as session:
            stored = await session.scalar(select(ConversationRecord.updated_at))
        assert stored == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        await running.sweep()
        assert said(ana, ASIDE) == 1
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def test_the_sandbox_wait_lapses_an_unanswered_question(tmp_path: Path) -> None:
    out = io.StringIO()
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    options = SandboxOptions(
        database=tmp_path / "sandbox.db", files=tmp_path / "files", start=start
    )
    async with open_sandbox(options, out) as sandbox:
        before = len(out.getvalue())
        await sandbox.scripted(["/timezone"])
        assert "Which time zone are you in?" in out.getvalue()[before:]
        before = len(out.getvalue())
        await sandbox.scripted([":wait 1h"])
        shown = out.getvalue()[before:]
        assert ASIDE in shown
        # time stops when the question lapses, as it does for a nudge
        assert "09:15" in shown
        before = len(out.getvalue())
        await sandbox.scripted(["Berlin"])
        assert "Done: your time zone" not in out.getvalue()[before:]
        assert sandbox.problems == 0
