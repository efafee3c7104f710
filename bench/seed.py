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


async def seed_database(
    url: str, users: int, tasks_per_user: int, due_at: datetime, first_user_id: int
) -> None:
    """What seed() stores, into any database the bot supports (PostgreSQL for the replicas)."""
    from sqlalchemy import insert

    from bot.db.engine import make_engine
    from bot.db.models import Interview, Task, User

    now = due_at - timedelta(days=2)
    ids = [first_user_id + n for n in range(users)]
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(User),
                [
                    dict(
                        id=uid,
                        first_name=f"Member {n}",
                        language=None,
                        telegram_language="en",
                        timezone="UTC",
                        country=None,
                        nudge_hour=0,
                        quiet_hour=24,
                        keep_applying_days=3,
                        daily_nudge_cap=99,
                        weekly_goal=None,
                        paused=False,
                        nudge_day=None,
                        nudges_on_day=0,
                        reachable=True,
                        created_at=now,
                        updated_at=now,
                    )
                    for n, uid in enumerate(ids)
                ],
            )
            await connection.execute(
                insert(Interview),
                [
                    dict(
                        id=n + 1,
                        user_id=uid,
                        club_id=None,
                        company="Bench Ltd",
                        role="Tester",
                        scheduled_at=now,
                        time_known=True,
                        format="phone",
                        response_timeframe="week",
                        response_by=None,
                        feeling="unsure",
                        outcome="awaiting",
                        outcome_at=None,
                        created_at=now,
                        updated_at=now,
                    )
                    for n, uid in enumerate(ids)
                ],
            )
            await connection.execute(
                insert(Task),
                [
                    dict(
                        user_id=uid,
                        interview_id=n + 1,
                        interviewer_id=None,
                        kind="thank_you",
                        cycle=k,
                        state="pending",
                        due_at=due_at + timedelta(days=2),
                        next_nudge_at=due_at,
                        nudges_sent=0,
                        created_at=now,
                        updated_at=now,
                    )
                    for n, uid in enumerate(ids)
                    for k in range(tasks_per_user)
                ],
            )
    finally:
        await engine.dispose()
