"""Clubs and their members in the database: the club of a group, joining, leaving, listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clubs.schedule import club_zone, next_checkin
from bot.db.models import Club, ClubMember

# what a club title may hold; Telegram allows 128 characters, the column more
TITLE_LIMIT = 256


def reschedule(club: Club, now: datetime) -> None:
    """Sets the next check-in from the club's day, hour and zone (after any change to them)."""
    club.next_checkin_at = next_checkin(
        now, club.checkin_weekday, club.checkin_hour, club_zone(club.timezone)
    )


async def ensure_club(
    session: AsyncSession,
    chat_id: int,
    title: str,
    now: datetime,
    *,
    added_by: int | None = None,
    zone: str | None = None,
    language: str | None = None,
    thread_id: int | None = None,
) -> tuple[Club, bool]:
    """The club of a group, created (with its first check-in scheduled) if it is new. An
    existing club keeps its settings; its title follows the group's."""
    club = await session.get(Club, chat_id)
    if club is not None:
        if title:
            club.title = title[:TITLE_LIMIT]
        return club, False
    club = Club(
        id=chat_id,
        title=title[:TITLE_LIMIT],
        language=language,
        timezone=zone,
        added_by=added_by,
        thread_id=thread_id,
        celebrate_offers=True,
        buddies=True,
        checkin_weekday=0,
        checkin_hour=18,
        active=True,
        created_at=now,
    )
    reschedule(club, now)
    session.add(club)
    await session.flush()
    return club, True


async def membership(session: AsyncSession, club_id: int, user_id: int) -> ClubMember | None:
    return await session.scalar(
        select(ClubMember).where(ClubMember.club_id == club_id, ClubMember.user_id == user_id)
    )


async def join(
    session: AsyncSession, club_id: int, user_id: int, now: datetime
) -> tuple[ClubMember, bool]:
    """Makes the user a member (sharing nothing yet); (member, False) if they already were."""
    member = await membership(session, club_id, user_id)
    if member is not None:
        return member, False
    member = ClubMember(
        club_id=club_id,
        user_id=user_id,
        share_companies=False,
        celebrate=False,
        wants_buddy=False,
        joined_at=now,
    )
    session.add(member)
    await session.flush()
    return member, True


async def leave(session: AsyncSession, club_id: int, user_id: int) -> bool:
    """Ends a membership, and the buddy pair it was part of; False if there was none."""
    member = await membership(session, club_id, user_id)
    if member is None:
        return False
    if member.buddy_id is not None:
        partner = await membership(session, club_id, member.buddy_id)
        if partner is not None and partner.buddy_id == user_id:
            partner.buddy_id = None
    await session.delete(member)
    await session.flush()
    return True


async def members_of(session: AsyncSession, club_id: int) -> Sequence[ClubMember]:
    """A club's members, oldest first (the board's order)."""
    return (
        await session.scalars(
            select(ClubMember)
            .where(ClubMember.club_id == club_id)
            .order_by(ClubMember.joined_at, ClubMember.id)
        )
    ).all()


async def clubs_of(session: AsyncSession, user_id: int) -> Sequence[tuple[Club, ClubMember]]:
    """The clubs a user belongs to, with their membership, by title."""
    rows = await session.execute(
        select(Club, ClubMember)
        .join(ClubMember, ClubMember.club_id == Club.id)
        .where(ClubMember.user_id == user_id)
        .order_by(Club.title, Club.id)
    )
    return [(club, member) for club, member in rows]


async def forget_club(session: AsyncSession, club_id: int) -> None:
    """Deletes a club and everything it holds (members, posts, reports, leads)."""
    await session.execute(delete(Club).where(Club.id == club_id))
