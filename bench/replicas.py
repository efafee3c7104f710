"""Due nudges sent by one and by two bot processes on one PostgreSQL database, against the fake
Bot API with Telegram's limits: together the replicas stay within 30 messages a second."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed import add_fake_users, seed_database
from fakeapi.server import FakeTelegram
from tests.dbfaults import ThrowawayPostgres, fresh_schema, required_postgres_binaries

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"


def _peak_per_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    peak, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


async def _one_run(url: str, replicas: int, tasks: int, latency: float, logs: Path) -> None:
    await fresh_schema(url)
    async with FakeTelegram(token=TOKEN, latency=latency) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=fake.base_url,
            DATABASE_URL=url,
            NUDGE_SWEEP_SECONDS="1",
            LOG_LEVEL="WARNING",
        )
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "migrate"],
            env=env,
            check=True,
            capture_output=True,
        )
        ids = add_fake_users(fake, tasks)
        due = datetime.now(UTC) - timedelta(minutes=1)
        await seed_database(url, users=tasks, tasks_per_user=1, due_at=due, first_user_id=ids[0])
        processes = []
        with (logs / f"replicas-{replicas}.log").open("ab") as out:
            for command in ["run", "work"][:replicas]:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bot", command, env=env, stdout=out, stderr=out
                    )
                )
        started = time.perf_counter()
        try:
            # a generous ceiling: 30 a second would need tasks / 30 seconds
            deadline = started + tasks / 10 + 120
            while time.perf_counter() < deadline:
                if all(fake.messages(uid) for uid in ids):
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(3)
        finally:
            for process in processes:
                process.terminate()
                await process.wait()
        counts = Counter({uid: len(fake.messages(uid)) for uid in ids})
        sends = [r.at for r in fake.requests if r.method == "sendMessage" and r.status == 200]
        too_many = sum(1 for r in fake.refusals if r.error_code == 429)
    span = max(sends) - min(sends) if len(sends) > 1 else 0.0
    lost = sum(1 for uid in ids if counts[uid] == 0)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    print(
        f"  {replicas} replica{'s' if replicas > 1 else ' '}"
        f"   {len(sends):>6} sent in {span:6.1f} s   {len(sends) / max(span, 1e-9):5.1f}/s"
        f"   peak {_peak_per_second(sends):>2} in a second   429s {too_many}"
        f"   lost {lost}   duplicated {duplicated}"
    )


async def run_replicas(tasks: int, latency: float) -> None:
    cluster = ThrowawayPostgres(required_postgres_binaries())
    try:
        cluster.start()
        print(
            f"nudges from separate bot processes on one PostgreSQL database: {tasks} due, "
            f"{latency * 1000:.0f} ms per request, Telegram's limits enforced (30/s)"
        )
        print("  (targets: >= 27/s in total, peak <= 30, no 429, none lost, none duplicated)")
        with tempfile.TemporaryDirectory() as folder:
            for replicas in (1, 2):
                await _one_run(cluster.url, replicas, tasks, latency, Path(folder))
    finally:
        cluster.remove()
