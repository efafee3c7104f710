"""A club's life with its group: open or closed, its topic, a move to a supergroup, members gone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clubs.members import leave
from bot.db.models import Club, ClubLead, ClubMember, ClubPost, Interview

# the columns a club carries over to its supergroup (everything but its id)
_CARRIED = (
    "title",
    "language",
    "timezone",
    "celebrate_offers",
    "buddies",
    "checkin_weekday",
    "checkin_hour",
    "thread_id",
    "active",
    "added_by",
    "next_checkin_at",
    "last_checkin_at",
    "created_at",
)


def club_is_open(club: Club | None) -> bool:
    """Whether the bot may post to the club's group: it exists and the bot is still in it."""
    return club is not None and club.active


def post_kwargs(club: Club) -> dict[str, Any]:
    """Where a post to the club goes, for ``bot.send_message(text=..., **post_kwargs(club))``:
    the group, and in a forum the topic the club was set up in."""
    where: dict[str, Any] = {"chat_id": club.id}
    if club.thread_id is not None:
        where["message_thread_id"] = club.thread_id
    return where


def remember_topic(club: Club, thread_id: int | None, *, by_admin: bool) -> bool:
    """Notes the forum topic the club is used in; True if it changed. The first topic the club
    is used in is kept; an admin's /clubsettings moves it (General included, as None)."""
    if by_admin:
        changed = club.thread_id != thread_id
        club.thread_id = thread_id
        return changed
    if club.thread_id is None and thread_id is not None:
        club.thread_id = thread_id
        return True
    return False


async def member_count(session: AsyncSession, club_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ClubMember).where(ClubMember.club_id == club_id)
    )
    return int(count or 0)


async def move_club(session: AsyncSession, old_id: int, new_id: int) -> Club | None:
    """Moves a club to its group's new chat id (a group upgraded to a supergroup), with its
    members, posts, leads and interviews; a second call finds nothing left to move. Where the
    new chat already has a club (someone used it before the move was seen), the old club's
    members join it; its settings stay if it has members, else the old club's are carried."""
    old = await session.get(Club, old_id)
    new = await session.get(Club, new_id)
    if old is None:
        return new
    if new is None:
        new = Club(id=new_id, **{name: getattr(old, name) for name in _CARRIED})
        session.add(new)
        await session.flush()
    else:
        if await member_count(session, new_id) == 0:
            # Telegram also adds the bot to the new supergroup, which can make a fresh, empty
            # club there before the move is seen: the club the members built keeps its settings
            for name in _CARRIED:
                if name not in ("created_at",):
                    setattr(new, name, getattr(old, name))
        # someone already in the new club keeps that membership; the old one goes with the club
        kept = aliased(ClubMember)
        await session.execute(
            delete(ClubMember).where(
                ClubMember.club_id == old_id,
                ClubMember.user_id.in_(select(kept.user_id).where(kept.club_id == new_id)),
            )
        )
        owed = aliased(ClubPost)
        await session.execute(
            delete(ClubPost).where(
                ClubPost.club_id == old_id,
                tuple_(ClubPost.kind, ClubPost.key).in_(
                    select(owed.kind, owed.key).where(owed.club_id == new_id)
                ),
            )
        )
    await session.execute(
        update(ClubMember).where(ClubMember.club_id == old_id).values(club_id=new_id)
    )
    # a post to the group itself names the group's chat; a private one keeps its member's
    await session.execute(
        update(ClubPost)
        .where(ClubPost.club_id == old_id, ClubPost.chat_id == old_id)
        .values(chat_id=new_id)
    )
    await session.execute(update(ClubPost).where(ClubPost.club_id == old_id).values(club_id=new_id))
    await session.execute(update(ClubLead).where(ClubLead.club_id == old_id).values(club_id=new_id))
    await session.execute(
        update(Interview).where(Interview.club_id == old_id).values(club_id=new_id)
    )
    await session.execute(delete(Club).where(Club.id == old_id))
    session.expunge(old)
    await session.flush()
    return new


async def leave_every_club(session: AsyncSession, user_id: int) -> int:
    """Takes a user out of every club (before their data is deleted): their memberships, any
    buddy who was paired with them, and the private club messages still owed to them."""
    club_ids = (
        await session.scalars(select(ClubMember.club_id).where(ClubMember.user_id == user_id))
    ).all()
    for club_id in club_ids:
        await leave(session, club_id, user_id)
    await session.execute(
        update(ClubMember).where(ClubMember.buddy_id == user_id).values(buddy_id=None)
    )
    await session.execute(delete(ClubPost).where(ClubPost.chat_id == user_id))
    await session.flush()
    return len(club_ids)
