"""On SQLite the first write of a transaction locks the whole database until its commit, and
every other writer waits (busy_timeout) behind it. The long jobs therefore read and compose
first and write at the end: a write from elsewhere while a club's check-in is composed, or while
a sent nudge's next steps are planned, goes through at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import bot.nudges.dispatcher as dispatcher_module
from bot.clubs.checkin import ClubSweep
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
async def test_a_sent_nudges_next_steps_are_planned_without_holding_the_write_lock(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    seen: list[str] = []
    monkeypatch.setattr(
        dispatcher_module,
        "replan_keep_applying",
        _probing(dispatcher_module.replan_keep_applying, bot.database, ana.id, seen),
    )
    # Tuesday 09:00 in Berlin: the thank-you goes out, then its user's plan moves on
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    assert seen == ["ok"]
