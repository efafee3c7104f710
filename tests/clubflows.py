"""Helpers that set up a job club quickly: people who use the bot, their group, their club."""

from __future__ import annotations

from bot.clubs.members import ensure_club, join, reschedule
from bot.db.models import User
from fakeapi import FakeGroup, FakeUser
from fakeapi.running import RunningBot


async def known_users(
    bot: RunningBot, names: list[str], *, zone: str = "Europe/Berlin", language: str = "en"
) -> list[FakeUser]:
    """People who already use the bot in private (stored with a zone), awake around the clock."""
    people = [bot.fake.add_user(name, language_code=language) for name in names]
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        for person in people:
            person.started = True
            session.add(
                User(
                    id=person.id,
                    first_name=person.first_name,
                    timezone=zone,
                    nudge_hour=0,
                    quiet_hour=24,
                    created_at=now,
                    updated_at=now,
                )
            )
    return people


async def club_of(
    bot: RunningBot,
    members: list[FakeUser],
    *,
    title: str = "Monday job club",
    admins: int = 1,
    zone: str | None = "Europe/Berlin",
) -> FakeGroup:
    """A supergroup of ``members`` (the first ``admins`` of them its admins) with the bot in it,
    and every one of them a member of its club: the state after everyone has joined."""
    group = bot.fake.add_group(title, members=list(members), admins=list(members[:admins]))
    await bot.fake.add_bot_to(group, by=members[0])
    await bot.fake.settle()
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        club, _ = await ensure_club(session, group.id, title, now, added_by=members[0].id)
        if zone is not None and club.timezone != zone:
            club.timezone = zone
            reschedule(club, now)
        for person in members:
            await join(session, group.id, person.id, now)
    return group
