"""Start-up time and memory of the bot with a million pending tasks in the database."""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed import seed
from bot.fakeapi.running import RunningBot

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _rss_mib() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_startup(pending: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        running = RunningBot(database, start=NOW, nudge_sweep_seconds=24 * 3600)
        await running.start()
        await running.stop()
        users = max(1, pending // 10)
        seeding = time.perf_counter()
        # due next week: pending, not yet due, as most tasks are
        seed(
            database,
            users=users,
            tasks_per_user=10,
            due_at=NOW + timedelta(days=7),
            first_user_id=5_000_000_000,
        )
        seeded = time.perf_counter() - seeding
        before = _rss_mib()
        started = time.perf_counter()
        await running.start()
        startup = time.perf_counter() - started
        sweep_started = time.perf_counter()
        sent = await running.runtime.dispatcher.sweep()
        sweep = time.perf_counter() - sweep_started
        after = _rss_mib()
        await running.close()
    print(f"start-up with {users * 10:,} pending tasks ({users:,} users)")
    print(f"  seeding (not the bot)  {seeded:.1f} s")
    print(f"  start-up               {startup:.2f} s")
    print(f"  first sweep            {sweep * 1000:.0f} ms, {sent} sent (none due)")
    print(f"  memory after a sweep   {after:.0f} MiB (was {before:.0f} MiB before start-up)")
