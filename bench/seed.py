"""Fills a database quickly with users and tasks for the benchmarks."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakeapi import FakeTelegram


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(
    path: Path,
    users: int,
    tasks_per_user: int,
    due_at: datetime,
    first_user_id: int,
) -> None:
    """Users (UTC, reachable) and one interview each with its thank-you tasks, due at `due_at`."""
    now = due_at - timedelta(days=2)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    cursor = connection.cursor()
    cursor.executemany(
        "INSERT INTO users (id, first_name, language, telegram_language, timezone, country,"
        " nudge_hour, quiet_hour, keep_applying_days, daily_nudge_cap, weekly_goal, paused,"
        " nudge_day, nudges_on_day, reachable, created_at, updated_at) VALUES"
        " (?, ?, NULL, 'en', 'UTC', NULL, 0, 24, 3, 99, NULL, 0, NULL, 0, 1, ?, ?)",
        ((first_user_id + n, f"Member {n}", _stamp(now), _stamp(now)) for n in range(users)),
    )
    cursor.executemany(
        "INSERT INTO interviews (id, user_id, club_id, company, role, scheduled_at, time_known,"
        " format, response_timeframe, response_by, feeling, outcome, outcome_at, created_at,"
        " updated_at) VALUES (?, ?, NULL, 'Bench Ltd', 'Tester', ?, 1, 'phone', 'week', NULL,"
        " 'unsure', 'awaiting', NULL, ?, ?)",
        ((n + 1, first_user_id + n, _stamp(now), _stamp(now), _stamp(now)) for n in range(users)),
    )
    cursor.executemany(
        "INSERT INTO tasks (user_id, interview_id, interviewer_id, kind, cycle, state, due_at,"
        " next_nudge_at, nudges_sent, last_nudged_at, message_id, claimed_until, claim_token,"
        " done_at, done_via, created_at, updated_at) VALUES"
        " (?, ?, NULL, 'thank_you', ?, 'pending', ?, ?, 0, NULL, NULL, NULL, NULL, NULL, NULL,"
        " ?, ?)",
        (
            (
                first_user_id + n,
                n + 1,
                k,
                _stamp(due_at + timedelta(days=2)),
                _stamp(due_at),
                _stamp(now),
                _stamp(now),
            )
            for n in range(users)
            for k in range(tasks_per_user)
        ),
    )
    connection.commit()
    connection.close()


def add_fake_users(fake: FakeTelegram, users: int) -> list[int]:
    """The same people on the fake's side, each having opened the chat with the bot."""
    ids = []
    for n in range(users):
        user = fake.add_user(f"Member {n}")
        user.started = True
        ids.append(user.id)
    return ids
