"""Celebrating an offer in the clubs of a member who opted in: one short post per club, queued
in the transaction that records the offer."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clubs.checkin import club_translator
from bot.clubs.outbox import queue_post
from bot.db.models import Club, ClubMember, Interview, User


async def queue_celebrations(
    session: AsyncSession, user: User, interview: Interview, now: datetime, default_language: str
) -> int:
    """Queues a celebration in each club where celebrations are on and the member opted in;
    the company is named only where the member shares companies. Once per interview, so an
    offer marked again after a change of mind is not celebrated twice. Returns how many."""
    rows = await session.execute(
        select(Club, ClubMember)
        .join(ClubMember, ClubMember.club_id == Club.id)
        .where(
            ClubMember.user_id == user.id,
            ClubMember.celebrate.is_(True),
            Club.celebrate_offers.is_(True),
            Club.active.is_(True),
        )
    )
    queued = 0
    for club, member in rows:
        tr = club_translator(club, default_language)
        name = escape(user.first_name or "?")
        if member.share_companies:
            text = tr.gettext(
                "🎉 <b>{name}</b> has a job offer from <b>{company}</b>! Congratulations!"
            ).format(name=name, company=escape(interview.company))
        else:
            text = tr.gettext("🎉 <b>{name}</b> has a job offer! Congratulations!").format(
                name=name
            )
        post = await queue_post(
            session,
            club_id=club.id,
            chat_id=club.id,
            kind="celebration",
            key=f"offer-{interview.id}",
            text=text,
            now=now,
        )
        queued += post is not None
    return queued
