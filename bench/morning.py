"""A busy hour: 1,000 clubs check in at 09:00 in Berlin while their 30,000 members' morning
nudges fall due, through the fake Bot API with Telegram's limits. Everything must go out in about
the time those limits allow (30 messages a second), without a 429, the longest-waiting first."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench.club_checkin import seed_clubs
from bench.startup import _rss_mib
from bot.clubs.checkin import ClubSweep
from bot.db.models import Interview, Task, User
from bot.nudges.dispatcher import Dispatcher
from fakeapi.running import RunningBot

# Monday 23 November 2026, 09:00 in Berlin
MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
COMPANY = "Morning Ltd"
# the nudges fell due over the hour before, one minute apart by member
SPREAD_MINUTES = 60


async def _seed_nudges(running: RunningBot) -> dict[int, datetime]:
    """One thank-you nudge for every member, due at some minute of the last hour."""
    start = MORNING - timedelta(days=2)
    async with running.runtime.session() as session, session.begin():
        ids = list((await session.scalars(select(User.id).order_by(User.id))).all())
        due = {uid: MORNING - timedelta(minutes=n % SPREAD_MINUTES) for n, uid in enumerate(ids)}
        await session.execute(
            insert(Interview),
            [
                dict(
                    id=n + 1,
                    user_id=uid,
                    company=COMPANY,
                    role="Tester",
                    scheduled_at=start,
                    time_known=True,
                    format="phone",
                    response_timeframe="week",
                    feeling="unsure",
                    outcome="awaiting",
                    created_at=start,
                    updated_at=start,
                )
                for n, uid in enumerate(ids)
            ],
        )
        await session.execute(
            insert(Task),
            [
                dict(
                    user_id=uid,
                    interview_id=n + 1,
                    kind="thank_you",
                    cycle=0,
                    state="pending",
                    due_at=MORNING + timedelta(days=1),
                    next_nudge_at=due[uid],
                    nudges_sent=0,
                    created_at=start,
                    updated_at=start,
                )
                for n, uid in enumerate(ids)
            ],
        )
    for uid in ids:
        running.fake.users[uid].started = True
    return due


async def run_morning(clubs: int, members: int, latency: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        running = RunningBot(
            Path(folder) / "bench.db",
            settle=True,
            start=MORNING - timedelta(hours=1),
            latency=latency,
            enforce_rate_limits=True,
            nudge_sweep_seconds=24 * 3600,
        )
        await running.start()
        try:
            group_ids = await seed_clubs(running, clubs, members, checkin=MORNING)
            due = await _seed_nudges(running)
            running.clock.set(MORNING)
            dispatcher = running.runtime.dispatcher
            club_sweep = running.runtime.club_sweep
            assert isinstance(dispatcher, Dispatcher) and isinstance(club_sweep, ClubSweep)
            before = _rss_mib()
            started = time.perf_counter()
            await asyncio.gather(dispatcher.sweep(), club_sweep.run())
            elapsed = time.perf_counter() - started
            after = _rss_mib()
            fake = running.fake
            nudges = [
                (r.at, r.params.get("chat_id"))
                for r in fake.requests
                if r.method == "sendMessage" and r.status == 200 and COMPANY in str(r.params)
            ]
            per_user = Counter(int(chat) for _, chat in nudges if chat is not None)
            posts = [len(fake.messages(g)) for g in group_ids]
            too_many = sum(1 for r in fake.refusals if r.error_code == 429)
        finally:
            await running.close()
    lost = sum(1 for uid in due if per_user[uid] == 0)
    duplicated = sum(n - 1 for n in per_user.values() if n > 1)
    # the longest-waiting first: the median moment the nudges of each due minute went out,
    # from the most overdue minute to the latest; it should rise
    sent_at: dict[int, list[float]] = {}
    for moment, chat in sorted(nudges):
        minutes = int((MORNING - due[int(chat)]).total_seconds() // 60)
        sent_at.setdefault(minutes, []).append(moment)
    medians = [statistics.median(sent_at[m]) for m in sorted(sent_at, reverse=True)]
    in_order = sum(1 for a, b in itertools.pairwise(medians) if a <= b)
    total = len(nudges) + sum(posts)
    print(
        f"a busy hour: {clubs} clubs checking in and {len(due):,} morning nudges due at 09:00 "
        f"in Berlin, {latency * 1000:.0f} ms per request, Telegram's limits enforced"
    )
    print(f"  messages sent          {total:,} ({len(nudges):,} nudges, {sum(posts)} posts)")
    print(
        f"  minutes                {elapsed / 60:.1f}   (Telegram's floor: {total / 30 / 60:.1f})"
    )
    print(f"  messages a second      {total / elapsed:.1f}   (Telegram allows 30)")
    print(f"  429s received          {too_many}   (target 0)")
    print(f"  nudges lost, doubled   {lost}, {duplicated}   (target 0, 0)")
    print(f"  clubs without a post   {sum(1 for n in posts if n == 0)}   (target 0)")
    print(
        f"  longest-waiting first  {in_order} of {max(len(medians) - 1, 0)} due minutes went "
        "out no earlier than the minute before them"
    )
    print(f"  memory, MiB            {before:.0f} before, {after:.0f} after")
