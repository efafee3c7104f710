"""A check-in hour: 1,000 clubs of 30 members all due at once, composed and posted through the
fake Bot API with Telegram's limits (time, memory, and whether any post was refused)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.startup import _rss_mib
from bot.clubs.checkin import ClubSweep
from bot.db.models import Application, Club, ClubMember, User
from fakeapi.running import RunningBot

# Monday 23 November 2026, 18:00 in Berlin
CHECKIN = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


async def seed_clubs(
    running: RunningBot, clubs: int, members: int, checkin: datetime = CHECKIN
) -> list[int]:
    """The clubs (each a group the bot is in, checking in at ``checkin``, Berlin time), their
    members as users of the bot, and a few applications each in the week that ends then."""
    fake = running.fake
    start = checkin - timedelta(days=8)
    hour = checkin.astimezone(ZoneInfo("Europe/Berlin")).hour
    group_ids = [fake.add_group(f"Club {n}").id for n in range(clubs)]
    people = [fake.add_user(f"Member {n}") for n in range(clubs * members)]
    users = [
        {
            "id": person.id,
            "first_name": person.first_name,
            "timezone": "Europe/Berlin",
            "weekly_goal": 3 + n % 5,
            "created_at": start,
            "updated_at": start,
        }
        for n, person in enumerate(people)
    ]
    club_rows = [
        {
            "id": group_id,
            "title": f"Club {n}",
            "timezone": "Europe/Berlin",
            "checkin_weekday": 0,
            "checkin_hour": hour,
            "active": True,
            "next_checkin_at": checkin,
            "created_at": start,
        }
        for n, group_id in enumerate(group_ids)
    ]
    member_rows = [
        {"club_id": group_ids[n // members], "user_id": person.id, "joined_at": start}
        for n, person in enumerate(people)
    ]
    applications = [
        {
            "user_id": person.id,
            "company": f"Company {k}",
            "role": "Engineer",
            "applied_at": checkin - timedelta(days=1 + k),
        }
        for n, person in enumerate(people)
        for k in range(n % 4)
    ]
    async with running.runtime.session() as session, session.begin():
        for model, rows in (
            (User, users),
            (Club, club_rows),
            (ClubMember, member_rows),
            (Application, applications),
        ):
            await session.execute(insert(model), rows)
    return group_ids


async def run_club_checkin(clubs: int, members: int, latency: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        running = RunningBot(
            Path(folder) / "bench.db",
            settle=True,
            start=CHECKIN - timedelta(hours=1),
            latency=latency,
            enforce_rate_limits=True,
            nudge_sweep_seconds=24 * 3600,
        )
        await running.start()
        try:
            group_ids = await seed_clubs(running, clubs, members)
            running.clock.set(CHECKIN)
            sweep = running.runtime.club_sweep
            assert isinstance(sweep, ClubSweep)
            before = _rss_mib()
            started = time.perf_counter()
            queued = await sweep.run()
            elapsed = time.perf_counter() - started
            after = _rss_mib()
            fake = running.fake
            posted = [len(fake.messages(group_id)) for group_id in group_ids]
            longest = max(
                (len(m.plain) for group_id in group_ids for m in fake.messages(group_id)),
                default=0,
            )
            too_many = sum(1 for r in fake.refusals if r.error_code == 429)
            other = sum(1 for r in fake.refusals if r.error_code != 429)
            # the baseline, in the same run: one plain message per group straight through the
            # bot's rate limiter, with no database, no composing and no outbox
            assert running.application is not None
            bot = running.application.bot
            started = time.perf_counter()
            await asyncio.gather(*(bot.send_message(g, "baseline") for g in group_ids))
            baseline = time.perf_counter() - started
        finally:
            await running.close()
    print(
        f"club check-in hour: {clubs} clubs of {members} members, fake Bot API with "
        f"Telegram's limits and {latency * 1000:.0f} ms per request"
    )
    print(f"  check-ins queued       {queued}")
    print(f"  posts sent             {sum(posted)}")
    print(f"  clubs without a post   {sum(1 for n in posted if n == 0)}   (target 0)")
    print(f"  clubs with two or more {sum(1 for n in posted if n > 1)}   (target 0)")
    print(f"  seconds                {elapsed:.1f}   (at least {clubs / 30:.0f}: 30 a second)")
    print(f"  baseline, plain sends  {baseline:.1f}   (the same number, no database)")
    print(f"  memory, MiB            {before:.0f} before, {after:.0f} after")
    print(f"  longest post, chars    {longest}   (limit 4096)")
    print(f"  429s received          {too_many}   (target 0)")
    print(f"  other refusals         {other}")
