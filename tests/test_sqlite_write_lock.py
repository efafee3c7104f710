"""On SQLite the first write of a transaction locks the whole database until its commit, and
every other writer waits (busy_timeout) behind it. The long jobs therefore read and compose
first and write at the end: a write from elsewhere while a club's check-in is composed, or while
a sent nudge is being written down, goes through at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.clubs.checkin import ClubSweep
from bot.nudges.dispatcher import Dispatcher
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.test_e2e_nudges import log_monday_interview


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _write_from_elsewhere(database: Path, user_id: int) -> str:
    """A short write through another connection that waits 50 ms at most: "ok", or the error."""
    connection = sqlite3.connect(database, timeout=0.05)
    try:
        connection.execute("UPDATE users SET updated_at = updated_at WHERE id = ?", (user_id,))
        connection.commit()
        return "ok"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        connection.close()


def _probing(
    original: Callable[..., Awaitable[Any]], database: Path, user_id: int, seen: list[str]
) -> Callable[..., Awaitable[Any]]:
    async def probed(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        seen.append(_write_from_elsewhere(database, user_id))
        return result

    return probed


async def test_a_club_check_in_is_composed_without_holding_the_write_lock(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(at("2026-11-23T09:00:00"))
    people = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, people)
    seen: list[str] = []
    sweep = bot.runtime.club_sweep
    assert isinstance(sweep, ClubSweep)
    monkeypatch.setattr(sweep, "compose", _probing(sweep.compose, bot.database, people[0].id, seen))
    # Monday 18:00 in Berlin: the club's check-in
    bot.clock.set(at("2026-11-23T17:00:30"))
    await bot.club_sweep()
    assert seen == ["ok"]
    assert any(m.plain.startswith("📋 ") for m in group.messages)


@pytest.mark.swept_by_hand
async def test_a_sent_nudge_is_recorded_without_holding_the_write_lock_until_its_commit(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    dispatcher = bot.runtime.dispatcher
    assert isinstance(dispatcher, Dispatcher)
    seen: list[str] = []
    recording = False
    record = dispatcher._record

    async def probed(*args: Any, **kwargs: Any) -> None:
        nonlocal recording
        recording = True
        try:
            await record(*args, **kwargs)
        finally:
            recording = False

    def before_commit(_session: Session) -> None:
        # before the commit flushes: a write already sent to SQLite would hold its lock now
        if recording:
            seen.append(_write_from_elsewhere(bot.database, ana.id))

    monkeypatch.setattr(dispatcher, "_record", probed)
    event.listen(Session, "before_commit", before_commit)
    try:
        # Tuesday 09:00 in Berlin: the thank-you goes out and is written down with Ana's
        # count for the day, in one transaction that reads everything before it writes
        bot.clock.set(at("2026-11-24T08:00:00"))
        assert await bot.sweep() == 1
    finally:
        event.remove(Session, "before_commit", before_commit)
    assert seen == ["ok"]
