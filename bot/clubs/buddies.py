"""Accountability buddies within a club: pairing, proposals, ending a pair, weekly summaries.

A pair is two memberships of one club whose ``buddy_id`` name each other. A membership whose
``buddy_id`` names someone who does not name it back is a proposal waiting for that member's
answer: the proposal lives in the database, so only the member it names can accept it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clubs.activity import MemberWeek, club_week
from bot.clubs.leads import lead_what
from bot.clubs.members import members_of, membership
from bot.clubs.outbox import private_due, queue_post
from bot.db.models import Club, ClubMember, ClubPost, User
from bot.domain.text import shorten
from bot.domain.zones import zone_info
from bot.i18n import Translator, pick_language

# the language of a summary for someone who never chose one and whose Telegram gave none
FALLBACK_LANGUAGE = "en"
# how many companies a summary lists for a partner who shares them, before "and N more"
SHOWN_COMPANIES = 10
PLACE_LENGTH = 60


async def buddy_of(session: AsyncSession, member: ClubMember) -> ClubMember | None:
    """The member's buddy in this club, if the two are paired (each names the other)."""
    if member.buddy_id is None:
        return None
    partner = await membership(session, member.club_id, member.buddy_id)
    if partner is None or partner.buddy_id != member.user_id:
        return None
    return partner


def pair(first: ClubMember, second: ClubMember) -> None:
    """Makes two members of one club each other's buddy; any proposal either had is dropped."""
    first.buddy_id = second.user_id
    second.buddy_id = first.user_id
    first.wants_buddy = True
    second.wants_buddy = True


async def willing_partner(session: AsyncSession, member: ClubMember) -> ClubMember | None:
    """Another willing member of the club with no buddy and no proposal of their own out,
    the one who has waited longest first. A buddy_id naming someone no longer in the club
    (who left, or deleted their data) counts as none."""
    here = aliased(ClubMember)
    still_here = select(here.user_id).where(here.club_id == member.club_id)
    return await session.scalar(
        select(ClubMember)
        .where(
            ClubMember.club_id == member.club_id,
            ClubMember.user_id != member.user_id,
            ClubMember.wants_buddy.is_(True),
            or_(ClubMember.buddy_id.is_(None), ClubMember.buddy_id.not_in(still_here)),
        )
        .order_by(ClubMember.joined_at, ClubMember.id)
        .limit(1)
    )


async def end_pair(session: AsyncSession, member: ClubMember) -> ClubMember | None:
    """Ends the member's pair for both; the one who ended it is off the waiting list, the other
    stays willing. Returns the former buddy (None if there was no pair)."""
    partner = await buddy_of(session, member)
    member.buddy_id = None
    member.wants_buddy = False
    if partner is not None:
        partner.buddy_id = None
    await session.flush()
    return partner


async def names_of(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, str]:
    """First names by user id."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.first_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}


def _translator(user: User, club: Club) -> Translator:
    """The receiver's language and zone; where they never said, the club's."""
    language = pick_language(
        user.language, user.telegram_language or club.language, FALLBACK_LANGUAGE
    )
    return Translator(language, zone_info(user.timezone or club.timezone or "UTC"))


def _listed(tr: Translator, pairs: Sequence[tuple[str, str]]) -> str:
    # each place shortened, so two full lists still fit one message (4096 characters)
    shown = [
        lead_what(shorten(company, PLACE_LENGTH), shorten(role, PLACE_LENGTH))
        for company, role in pairs[:SHOWN_COMPANIES]
    ]
    rest = len(pairs) - len(shown)
    listed = ", ".join(shown)
    if rest:
        listed += " " + tr.ngettext("and {count} more", "and {count} more", rest).format(
            count=tr.number(rest)
        )
    return listed


def buddy_summary(
    tr: Translator, club_title: str, week: MemberWeek, shares: bool, start: datetime, end: datetime
) -> str:
    """A buddy's week, for the other buddy: counts and goal, companies only when shared."""
    _ = tr.gettext
    name = escape(week.name) or "—"
    lines = [
        _("🤝 <b>Your buddy {name}'s week</b> in {club}").format(
            name=name, club=escape(club_title)
        ),
        _("{start} to {end}").format(
            start=tr.date(tr.local(start).date(), "medium"),
            end=tr.date(tr.local(end).date(), "medium"),
        ),
        "",
    ]
    if week.goal is not None:
        lines.append(
            _("Applications: {done} of {goal}").format(
                done=tr.number(week.applications), goal=tr.number(week.goal)
            )
            + (" ✅" if week.reached_goal else "")
        )
    else:
        lines.append(
            _("Applications: {done} (no weekly goal set)").format(done=tr.number(week.applications))
        )
    lines += [
        tr.ngettext("{count} interview", "{count} interviews", week.interviews).format(
            count=tr.number(week.interviews)
        ),
        tr.ngettext(
            "{count} follow-up sent on time",
            "{count} follow-ups sent on time",
            week.follow_ups_on_time,
        ).format(count=tr.number(week.follow_ups_on_time)),
        tr.ngettext(
            "{count} reference told", "{count} references told", week.references_told
        ).format(count=tr.number(week.references_told)),
    ]
    if shares:
        # outcomes, like companies, are theirs to share with the club or not
        if week.offers:
            lines.append(
                tr.ngettext("{count} offer 🎉", "{count} offers 🎉", week.offers).format(
                    count=tr.number(week.offers)
                )
            )
        if week.applied_to:
            lines.append(
                _("Applied to: {companies}").format(companies=_listed(tr, week.applied_to))
            )
        if week.interviewed_at:
            lines.append(
                _("Interviewed at: {companies}").format(companies=_listed(tr, week.interviewed_at))
            )
    lines += [
        "",
        _("A word of encouragement goes a long way: why not send them a message?")
        if week.anything
        else _("A quiet week for them: a friendly word may help them get going."),
    ]
    return "\n".join(lines)


async def queue_buddy_summaries(
    session: AsyncSession, club: Club, start: datetime, end: datetime, now: datetime
) -> list[ClubPost]:
    """Queues, for each member of a pair in this club, a private summary of the other's week
    from ``start`` to ``end``, in the receiver's language and zone, sent in their waking hours;
    once per week and member."""
    members = list(await members_of(session, club.id))
    by_user = {member.user_id: member for member in members}
    pairs = [
        (member, by_user[member.buddy_id])
        for member in members
        if member.buddy_id is not None
        and member.buddy_id in by_user
        and by_user[member.buddy_id].buddy_id == member.user_id
    ]
    if not pairs:
        return []
    weeks = await club_week(session, [partner.user_id for _, partner in pairs], start, end, now)
    receivers = {
        user.id: user
        for user in await session.scalars(
            select(User).where(User.id.in_([member.user_id for member, _ in pairs]))
        )
    }
    queued = []
    for member, partner in pairs:
        receiver = receivers.get(member.user_id)
        week = weeks.get(partner.user_id)
        # someone known to have blocked the bot is not sent a request to be refused
        if receiver is None or week is None or not receiver.reachable:
            continue
        text = buddy_summary(
            _translator(receiver, club), club.title, week, partner.share_companies, start, end
        )
        post = await queue_post(
            session,
            club_id=club.id,
            chat_id=member.user_id,
            kind="buddy",
            key=end.isoformat(),
            text=text,
            now=now,
            due_at=private_due(receiver, club, now),
            period=(start, end),
        )
        if post is not None:
            queued.append(post)
    return queued
