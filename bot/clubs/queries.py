"""Reads the club's handlers need: how many members a club has, and the board's week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clubs.activity import club_week
from bot.clubs.board import BoardEntry
from bot.clubs.members import members_of
from bot.clubs.schedule import club_zone, current_period
from bot.db.models import Club, ClubMember


async def count_members(session: AsyncSession, club_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ClubMember).where(ClubMember.club_id == club_id)
    )
    return int(count or 0)


async def board_week(
    session: AsyncSession, club: Club, now: datetime
) -> tuple[tuple[datetime, datetime], list[BoardEntry]]:
    """This club week (from the last check-in moment to the next, in the club's zone) and each
    member's line of it, in the club's order, with whether they share with THIS club."""
    period = current_period(now, club.checkin_weekday, club.checkin_hour, club_zone(club.timezone))
    members = await members_of(session, club.id)
    weeks = await club_week(session, [m.user_id for m in members], period[0], period[1], now)
    entries = [
        BoardEntry(weeks[m.user_id], m.share_companies) for m in members if m.user_id in weeks
    ]
    return period, entries
