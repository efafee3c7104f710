"""What keeping conversations in the database costs: start-up, and the read and write per update.

With 100,000 users who each left a draft and an open conversation, it prints, in the same run:
- start-up (python-telegram-bot's persistence initialised) with the per-update design, next to
  the former design's load of every row at start-up (the same queries, timed here);
- one update's read and write of its state, next to the user lookup every handler makes anyway.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bench.seed import seed
from bot.db.models import ConversationRecord, User, UserDataRecord
from bot.persistence import Changes, DatabasePersistence
from bot.shared_state import SharedStateApplication
from fakeapi.running import RunningBot

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FIRST_USER = 6_000_000_000
SAMPLES = 2_000
# a draft of about the size /log leaves after a few answers
DRAFT = {
    "draft": {
        "company": "Bench Ltd",
        "role": "Tester",
        "when": "2026-11-24T09:00:00+00:00",
        "time_known": True,
        "format": "video",
        "people": [{"name": "Maria Lopez", "title": "Head of QA", "contact": None}],
        "person": None,
        "timeframe": None,
        "feeling": None,
        "question_id": 42,
    }
}


def _seed(path: Path, users: int) -> None:
    stamp = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    data = json.dumps(DRAFT)
    seed(path, users=users, tasks_per_user=0, due_at=NOW, first_user_id=FIRST_USER)
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO user_data_records (user_id, data, updated_at) VALUES (?, ?, ?)",
            ((FIRST_USER + n, data, stamp) for n in range(users)),
        )
        connection.executemany(
            "INSERT INTO conversation_records (name, key, state, updated_at) VALUES"
            " ('log', ?, '{\"state\": 4}', ?)",
            ((json.dumps([FIRST_USER + n, FIRST_USER + n]), stamp) for n in range(users)),
        )


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


async def run_conversation_state(users: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        running = RunningBot(database, start=NOW, nudge_sweep_seconds=24 * 3600)
        await running.start()
        await running.stop()
        _seed(database, users)

        started = time.perf_counter()
        await running.start()
        startup = time.perf_counter() - started
        application = running.application
        assert isinstance(application, SharedStateApplication)
        persistence = application.persistence
        assert isinstance(persistence, DatabasePersistence)
        runtime = running.runtime

        # the former design: every draft and every conversation read when the bot starts
        started = time.perf_counter()
        async with runtime.session() as session:
            drafts = {
                row.user_id: dict(row.data)
                for row in (await session.scalars(select(UserDataRecord))).all()
            }
            states = {
                row.key: row.state.get("state")
                for row in (await session.scalars(select(ConversationRecord))).all()
            }
        load_all = time.perf_counter() - started
        assert len(drafts) == len(states) == users

        rng = random.Random(14)
        lookups, reads, writes = [], [], []
        for _ in range(SAMPLES):
            user_id = FIRST_USER + rng.randrange(users)
            slot = ("log", (user_id, user_id))
            started = time.perf_counter()
            async with runtime.session() as session:
                await session.get(User, user_id)
            lookups.append(time.perf_counter() - started)
            started = time.perf_counter()
            loaded = await persistence.load([slot], user_id)
            reads.append(time.perf_counter() - started)
            # the next step: a new state and one more answer in the draft
            draft = dict(loaded.user_data["draft"])
            draft["feeling"] = "good"
            started = time.perf_counter()
            await persistence.store(user_id, Changes(states={slot: 5}, data_set={"draft": draft}))
            writes.append(time.perf_counter() - started)
        await running.close()

    print(f"conversation state with {users:,} users, each with a draft and an open conversation")
    print(f"  start-up, state read per update   {startup:.2f} s")
    print(f"  former: every row read at start   +{load_all:.2f} s on top (the same rows, timed)")
    print(f"  the user lookup every handler does {_ms(lookups)}")
    print(f"  read of one update's state         {_ms(reads)}")
    print(f"  write of one update's changes      {_ms(writes)}")
