"""10,000 due nudges through the dispatcher against the fake Bot API with Telegram's limits."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.seed import add_fake_users, seed
from bot.nudges.dispatcher import UNAVAILABLE_RETRY
from fakeapi.faults import Fault
from fakeapi.running import RunningBot

DUE = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def run_nudge_throughput(tasks: int, latency: float, server_errors: float = 0.0) -> None:
    """With ``server_errors``, that share of the sends is answered 500: the dispatcher tries
    again after a few seconds, then on a later sweep (the clock is moved on to it)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        running = RunningBot(
            database,
            settle=True,
            start=DUE,
            latency=latency,
            enforce_rate_limits=True,
            nudge_sweep_seconds=24 * 3600,
        )
        await running.start()
        try:
            ids = add_fake_users(running.fake, tasks)
            seed(database, users=tasks, tasks_per_user=1, due_at=DUE, first_user_id=ids[0])
            dispatcher = running.runtime.dispatcher
            assert dispatcher is not None
            if server_errors:
                running.faults.add(
                    Fault.SERVER_ERROR, method="sendMessage", share=server_errors, seed=7
                )
            started = time.perf_counter()
            sent = await dispatcher.sweep()
            sweeps = 1
            # what Telegram could not take waits for a later sweep; at most a few are needed
            while sent < tasks and sweeps < 10:
                running.clock.advance(UNAVAILABLE_RETRY)
                sent += await dispatcher.sweep()
                sweeps += 1
            elapsed = time.perf_counter() - started
            fake = running.fake
            per_user = Counter(
                {
                    user_id: sum(1 for m in fake.messages(user_id) if "Bench Ltd" in m.plain)
                    for user_id in ids
                }
            )
            lost = sum(1 for user_id in ids if per_user[user_id] == 0)
            duplicated = sum(count - 1 for count in per_user.values() if count > 1)
            too_many = sum(1 for r in fake.refusals if r.error_code == 429)
            other = sum(1 for r in fake.refusals if r.error_code != 429)
        finally:
            await running.close()
    faults = f", {server_errors:.0%} of sends answered 500" if server_errors else ""
    print(
        "nudge dispatcher, fake Bot API with Telegram's limits and "
        f"{latency * 1000:.0f} ms per request{faults}"
    )
    print(f"  due tasks              {tasks}")
    print(f"  messages sent          {sent}")
    print(f"  seconds                {elapsed:.1f}   ({sweeps} sweeps)")
    print(f"  messages per second    {sent / elapsed:.1f}   (target >= 27)")
    print(f"  429s received          {too_many}   (target 0)")
    print(f"  other refusals         {other}")
    print(f"  lost                   {lost}   (target 0)")
    print(f"  duplicated             {duplicated}   (target 0)")
