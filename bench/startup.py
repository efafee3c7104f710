"""Start-up of the bot as its own process, with 100,000 users and a million pending tasks in the
database: seconds until it has answered a /start that was waiting for it, and its resident memory
once settled, next to a bare python-telegram-bot process started the same way in the same run."""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed import seed
from fakeapi.server import FakeTelegram

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
# long enough for the first nudge sweep, the club sweep and the city table's warm-up
SETTLE_SECONDS = 15.0

# the baseline: python-telegram-bot with default settings, one handler, polling
BARE_BOT = """
import os
from telegram.ext import ApplicationBuilder, CommandHandler
async def start(update, context):
    await update.message.reply_text("hello")
app = ApplicationBuilder().token(os.environ["BOT_TOKEN"]).base_url(
    os.environ["TELEGRAM_BASE_URL"]).build()
app.add_handler(CommandHandler("start", start))
app.run_polling()
"""


def _rss_mib() -> float:
    """Resident memory of this process now (Linux), else the peak so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory_of(pid: int) -> tuple[float, float]:
    """(resident now, resident at its peak) of a process, in MiB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


async def _measure(fake: FakeTelegram, argv: list[str], env: dict[str, str]) -> tuple[float, ...]:
    """Seconds from launch until the bot has answered a /start sent before it started, then
    its memory once settled."""
    person = fake.add_user("Early bird", language_code="en")
    await person.send("/start")
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    ready = float("nan")
    try:
        while time.perf_counter() - started < 120:
            if person.messages:
                ready = time.perf_counter() - started
                break
            if process.returncode is not None:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(SETTLE_SECONDS)
        resident, peak = _memory_of(process.pid)
    finally:
        process.terminate()
        await process.wait()
    return ready, resident, peak


async def run_startup(pending: int) -> None:
    users = max(1, pending // 10)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        async with FakeTelegram(token=TOKEN) as fake:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
            env.update(
                BOT_TOKEN=TOKEN,
                TELEGRAM_BASE_URL=fake.base_url,
                DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                LOG_LEVEL="WARNING",
            )
            migrate = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "migrate", env=env, stdout=asyncio.subprocess.DEVNULL
            )
            await migrate.wait()
            seeding = time.perf_counter()
            # due next week: pending, not yet due, as most tasks are
            seed(
                database,
                users=users,
                tasks_per_user=10,
                due_at=datetime.now(UTC) + timedelta(days=7),
                first_user_id=5_000_000_000,
            )
            seeded = time.perf_counter() - seeding
            bot = await _measure(fake, [sys.executable, "-m", "bot", "run"], env)
            bare = await _measure(fake, [sys.executable, "-c", BARE_BOT], env)
    print(
        f"start-up of the bot process, {users * 10:,} pending tasks of {users:,} users "
        "(from launch to its answer to a /start that waited for it)"
    )
    print(f"  (seeding the database, not the bot: {seeded:.0f} s; targets: < 2 s, < 150 MiB)")
    print("                          answered after   resident after 15 s   peak resident")
    for name, (ready, resident, peak) in (("Afterview", bot), ("bare PTB bot", bare)):
        print(f"  {name:<22}  {ready:8.2f} s     {resident:10.0f} MiB       {peak:8.0f} MiB")
