"""The bot process killed with SIGKILL in the middle of a dispatch of 1,000 nudges, then started
again: nothing is lost, and a nudge comes twice only if its request was in flight at the kill."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.seed import add_fake_users, seed
from bot.nudges.dispatcher import CONCURRENCY
from fakeapi import FakeTelegram

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
PEOPLE = 1000


def _env(database: Path, fake: FakeTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        NUDGE_SWEEP_SECONDS="0.5",
        # the claims of the killed process run out after this, and its nudges go out
        NUDGE_CLAIM_SECONDS="3",
        LOG_LEVEL="WARNING",
    )
    return env


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
        )


def _received(fake: FakeTelegram, ids: list[int]) -> Counter[int]:
    return Counter({uid: len(fake.messages(uid)) for uid in ids})


async def _until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.1)
    return False


@pytest.mark.timeout(300)
async def test_a_kill_mid_dispatch_loses_nothing_and_repeats_only_what_was_in_flight(
    tmp_path: Path,
) -> None:
    database = tmp_path / "kill.db"
    log = tmp_path / "bot.log"
    async with FakeTelegram(token=TOKEN) as fake:
        env = _env(database, fake)
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "migrate"],
            env=env,
            check=True,
            capture_output=True,
        )
        ids = add_fake_users(fake, PEOPLE)
        seed(
            database,
            users=PEOPLE,
            tasks_per_user=1,
            due_at=datetime.now(UTC) - timedelta(minutes=1),
            first_user_id=ids[0],
        )
        first = await _start(env, log)
        try:
            started = await _until(lambda: sum(_received(fake, ids).values()) >= 300, 120)
            assert started, log.read_text()[-2000:]
        finally:
            first.kill()
            await first.wait()
        at_kill = _received(fake, ids)
        assert sum(at_kill.values()) < PEOPLE, "the dispatch ended before the kill"

        second = await _start(env, log)
        try:
            done = await _until(lambda: all(_received(fake, ids).values()), 150)
            assert done, log.read_text()[-2000:]
            # time for a repeat to show, if there were to be any beyond the bound
            await asyncio.sleep(5)
        finally:
            second.terminate()
            await second.wait()
        counts = _received(fake, ids)
        assert all(counts[uid] >= 1 for uid in ids)
        repeated = sum(n - 1 for n in counts.values() if n > 1)
        # only sends in flight at the kill can come twice: at most one per concurrent send
        assert repeated <= CONCURRENCY
        assert fake.refusals == []
