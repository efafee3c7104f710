"""Two replicas as two separate processes on one PostgreSQL database: together they keep within
Telegram's 30 messages a second, every nudge arrives, and when one is killed halfway the other
finishes the work, repeating at most the sends that were in flight at the kill."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.seed import add_fake_users, seed_database
from bot.nudges.dispatcher import CONCURRENCY
from fakeapi.server import FakeTelegram
from tests.dbfaults import ThrowawayPostgres, fresh_schema

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
PEOPLE = 1000
# Telegram's limit; the shared budget aims a little under it (bot/sendbudget.py)
PER_SECOND = 30


def _env(url: str, fake: FakeTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        DATABASE_URL=url,
        NUDGE_SWEEP_SECONDS="0.5",
        # the killed replica's claims run out after this, and the other sends those nudges;
        # the living one renews its own claims while it sends
        NUDGE_CLAIM_SECONDS="3",
        LOG_LEVEL="WARNING",
    )
    return env


async def _start(command: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", command, env=env, stdout=out, stderr=out
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


def _peak_per_second(stamps: list[float]) -> int:
    """The most requests in any window of one second."""
    stamps = sorted(stamps)
    peak, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


@pytest.mark.timeout(400)
async def test_two_replicas_share_the_budget_and_one_finishes_when_the_other_is_killed(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    await fresh_schema(postgres.url)
    logs = {name: tmp_path / f"{name}.log" for name in ("poller", "worker")}
    async with FakeTelegram(token=TOKEN, latency=0.02) as fake:
        env = _env(postgres.url, fake)
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "migrate"],
            env=env,
            check=True,
            capture_output=True,
        )
        ids = add_fake_users(fake, PEOPLE)
        await seed_database(
            postgres.url,
            users=PEOPLE,
            tasks_per_user=1,
            due_at=datetime.now(UTC) - timedelta(minutes=1),
            first_user_id=ids[0],
        )
        # one replica takes the updates, the other only works: Telegram gives a bot's updates
        # to a single poller, and both send nudges
        poller = await _start("run", env, logs["poller"])
        worker = await _start("work", env, logs["worker"])
        try:
            halfway = await _until(lambda: sum(_received(fake, ids).values()) >= PEOPLE // 2, 200)
            tail = "\n".join(log.read_text()[-1500:] for log in logs.values())
            assert halfway, tail
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
            at_kill = sum(_received(fake, ids).values())
            assert at_kill < PEOPLE, "the dispatch ended before the kill"

            done = await _until(lambda: all(_received(fake, ids).values()), 200)
            assert done, logs["poller"].read_text()[-2000:]
            # time for a repeat to show, if there were to be any beyond the bound
            await asyncio.sleep(5)
        finally:
            for process in (poller, worker):
                if process.returncode is None:
                    process.terminate()
                    await process.wait()

        counts = _received(fake, ids)
        assert all(counts[uid] >= 1 for uid in ids)
        repeated = sum(n - 1 for n in counts.values() if n > 1)
        # only the killed replica's sends in flight at the kill can come twice
        assert repeated <= CONCURRENCY
        assert fake.refusals == [], fake.refusals[:3]
        sends = [r.at for r in fake.requests if r.method == "sendMessage" and r.status == 200]
        assert len(sends) == PEOPLE + repeated
        # the two processes together, as Telegram counts them
        assert _peak_per_second(sends) <= PER_SECOND
