"""End to end: what the bot says it saved is saved, even when its reply is lost on the way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Application, Interview, Reference
from fakeapi import FakeUser
from fakeapi.faults import Fault
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, forge_tap, press, say

# the reply arrives but its answer never comes back; or Telegram answers 500 and shows nothing
LOST_REPLIES = (Fault.DELIVERED_HANG, Fault.SERVER_ERROR)


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot with a short client timeout, so a reply that hangs fails within a second."""
    bot = RunningBot(tmp_path / "afterview.db", client_timeout=1.0)
    await bot.start()
    try:
        yield bot
        await bot.fake.settle()
        bot.fake.assert_no_refusals()
    finally:
        await bot.close()


async def _count(bot: RunningBot, model: type[object]) -> int:
    async with bot.runtime.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _lose_next_reply(bot: RunningBot, user: FakeUser, kind: Fault) -> None:
    bot.faults.add(kind, chat_id=user.id)


def _no_apology(user: FakeUser) -> None:
    # the data is saved: "something went wrong, try again" would invite a duplicate
    assert not any("something went wrong" in m.plain for m in user.messages)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_a_goal_is_kept_when_its_confirmation_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    _lose_next_reply(running, ana, kind)
    await say(running, ana, "/goal 7")
    assert running.faults.fired
    assert (await stored_user(running, ana.id)).weekly_goal == 7
    _no_apology(ana)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_an_application_is_kept_once_when_its_confirmation_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    _lose_next_reply(running, ana, kind)
    await say(running, ana, "/applied Acme — Developer")
    assert running.faults.fired
    assert await _count(running, Application) == 1
    shown = await say(running, ana, "/applications")
    assert "Acme" in shown
    _no_apology(ana)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_a_reference_is_kept_when_its_confirmation_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    await say(running, ana, "/references")
    await press(running, ana, "➕ Add a reference")
    await say(running, ana, "Olga Petrova")
    await say(running, ana, "Former manager")
    await press(running, ana, "Skip")
    _lose_next_reply(running, ana, kind)
    await say(running, ana, "Prefers a call in the morning")
    assert running.faults.fired
    assert await _count(running, Reference) == 1
    _no_apology(ana)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_an_interview_is_saved_once_when_the_reply_to_save_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    await say(running, ana, "/log")
    await say(running, ana, "Hooli")
    await say(running, ana, "Designer")
    await say(running, ana, "yesterday 10:00")
    await press(running, ana, "Video")
    await press(running, ana, "I don't have their names")
    await press(running, ana, "Within a week")
    await press(running, ana, "Not sure")
    _lose_next_reply(running, ana, kind)
    await press(running, ana, "✅ Save")
    assert running.faults.fired
    assert await _count(running, Interview) == 1
    # a second tap on the same Save (the user saw nothing happen) stores nothing more
    if any("✅ Save" in row for message in ana.messages for row in message.buttons):
        await press(running, ana, "✅ Save")
    assert await _count(running, Interview) == 1
    await say(running, ana, "/interviews")
    assert any("Hooli" in label for label in buttons(ana))
    _no_apology(ana)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_delete_deletes_even_when_its_confirmation_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    await say(running, ana, "/applied Acme — Developer")
    await say(running, ana, "/delete")
    _lose_next_reply(running, ana, kind)
    await press(running, ana, "Yes, delete everything")
    assert running.faults.fired
    assert await _count(running, Application) == 0
    _no_apology(ana)


@pytest.mark.parametrize("kind", LOST_REPLIES)
async def test_a_time_zone_is_kept_when_its_confirmation_is_lost(
    running: RunningBot, kind: Fault
) -> None:
    ana = running.fake.add_user("Ana")
    _lose_next_reply(running, ana, kind)
    await say(running, ana, "/timezone Lisbon")
    assert running.faults.fired
    assert (await stored_user(running, ana.id)).timezone == "Europe/Lisbon"
    _no_apology(ana)


async def test_a_crash_right_after_save_never_stores_the_interview_twice(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.persistence import DatabasePersistence

    ana = running.fake.add_user("Ana")
    await say(running, ana, "/timezone Berlin")
    await say(running, ana, "/log")
    await say(running, ana, "Acme")
    await say(running, ana, "Analyst")
    await press(running, ana, "Today")
    await press(running, ana, "Earlier today, time unknown")
    await press(running, ana, "Phone")
    await press(running, ana, "I don't have their names")
    await press(running, ana, "Within a week")
    await press(running, ana, "Not sure")
    # the draft and the question are saved as they stand before the tap on Save
    await running.fake.settle()
    await asyncio.sleep(0.5)

    summary = next(m for m in reversed(ana.messages) if m.find_button("✅ Save") is not None)
    save_data = str((summary.find_button("✅ Save") or {})["callback_data"])

    async def lost(*args: object, **kwargs: object) -> None:
        return None

    # the process dies right after Save: nothing more reaches the database from its memory
    with monkeypatch.context() as crash:
        for method in ("update_conversation", "update_user_data", "flush"):
            crash.setattr(DatabasePersistence, method, lost)
        await press(running, ana, "✅ Save")
        await running.stop()
    await running.start()
    assert await _count(running, Interview) == 1
    # a second tap on that Save button (a client that still shows it) finds nothing to save
    await forge_tap(running, ana, summary, save_data)
    assert await _count(running, Interview) == 1
