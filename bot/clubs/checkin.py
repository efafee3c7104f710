"""The club sweep: claims the clubs whose weekly check-in is due, writes each one's post to the
outbox in the same transaction that moves its schedule on, queues next-day goal reminders, and
then has the poster send what is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup

from bot import keyboards
from bot.clubs.activity import club_week
from bot.clubs.buddies import queue_buddy_summaries
from bot.clubs.leads import leads_of_week, leads_section
from bot.clubs.outbox import ClubPoster, private_due, queue_post
from bot.clubs.schedule import WEEK, club_zone, next_checkin, previous_checkin
from bot.clubs.summary import CheckinWeek, MemberReport, render_checkin
from bot.db.models import Club, ClubMember, ClubPost, ClubReport, User
from bot.domain.progress import GOAL_CHOICES, GOAL_MAX, GOAL_MIN
from bot.i18n import Translator, pick_language
from bot.runtime import Runtime

log = logging.getLogger(__name__)

GOAL_ACTION = "cgoal"
# clubs claimed per transaction; a busy hour takes several rounds, each committed
BATCH = 50
# members reminded per transaction
REMINDER_BATCH = 500
# a member who has not answered the goal question this long after the check-in is reminded
REMIND_AFTER = timedelta(hours=24)
# one goal is one question: someone reminded by any of their clubs this recently is not
# reminded again by another club checking in at a different hour
REMINDED_WITHIN = timedelta(hours=20)


def club_translator(club: Club, default_language: str) -> Translator:
    """The club's language (else the bot's default) and the club's zone."""
    return Translator(
        pick_language(club.language, None, default_language), club_zone(club.timezone)
    )


def goal_keyboard(tr: Translator, current: int | None = None) -> InlineKeyboardMarkup:
    """The goal numbers; a tap acts for whoever taps, so the data names no one."""
    return keyboards.keyboard(
        [
            [
                keyboards.button(
                    f"✓ {tr.number(n)}" if n == current else tr.number(n), GOAL_ACTION, n
                )
                for n in GOAL_CHOICES
            ]
        ]
    )


def checkin_key(moment: datetime) -> str:
    return moment.isoformat()


# Sections a check-in adds before its goal prompt, given the club, its week and the club's
# translator: the place where "this week's leads" plug in (each returns escaped HTML or "").
ExtraSection = Callable[[AsyncSession, Club, datetime, datetime, Translator], Awaitable[str]]


async def week_leads(
    session: AsyncSession, club: Club, start: datetime, end: datetime, tr: Translator
) -> str:
    """The check-in's "this week's leads" section."""
    return leads_section(tr, await leads_of_week(session, club.id, start, end))


@dataclass(frozen=True)
class _Planned:
    """A check-in composed and not yet queued."""

    club: Club
    start: datetime
    end: datetime
    text: str
    markup: InlineKeyboardMarkup


class ClubSweep:
    """Runs the club check-ins; the database says what is due, so replicas and restarts
    neither skip nor double a week."""

    def __init__(self, runtime: Runtime, bot: Bot, poster: ClubPoster | None = None) -> None:
        self.runtime = runtime
        self.poster = poster or ClubPoster(runtime, bot)
        # what the check-in adds before its goal prompt, in order (this week's leads)
        self.extra_sections: list[ExtraSection] = [week_leads]
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked() or self.poster.busy

    async def run(self) -> int:
        """Queues every due check-in and reminder, then sends what is due; returns the number
        of check-ins queued."""
        async with self._lock:
            queued = 0
            while True:
                count = await self.claim()
                queued += count
                if count < BATCH:
                    break
            while await self.remind() >= REMINDER_BATCH:
                pass
        await self.poster.flush()
        return queued

    async def claim(self) -> int:
        """One transaction: claims up to BATCH due clubs, queues their check-in posts and moves
        their schedules on. Returns how many clubs it claimed.

        The posts are composed first, with the schedule changes held back in the session, and
        written together at the end: on SQLite a write locks the whole database until the
        commit, so the lock is held for the writes alone, not while fifty check-ins are read
        and composed (the nudge sweep and the handlers write beside it)."""
        now = self.runtime.clock.now()
        async with self.runtime.session() as session, session.begin():
            due = (
                select(Club)
                .where(Club.active.is_(True), Club.next_checkin_at <= now)
                .order_by(Club.next_checkin_at, Club.id)
                .limit(BATCH)
            )
            engine = self.runtime.engine
            if engine is not None and engine.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            clubs = list((await session.scalars(due)).all())
            planned: list[_Planned] = []
            with session.no_autoflush:
                for club in clubs:
                    check_in = await self._plan_check_in(session, club, now)
                    if check_in is not None:
                        planned.append(check_in)
            for check_in in planned:
                await self._queue(session, check_in, now)
        return len(clubs)

    async def _plan_check_in(
        self, session: AsyncSession, club: Club, now: datetime
    ) -> _Planned | None:
        """Moves the club's schedule on (in the session) and composes its post, if one is due."""
        tz = club_zone(club.timezone)
        # the latest check-in moment that has come: a bot that was down for weeks posts once,
        # for the last week, not a backlog
        end = previous_checkin(now, club.checkin_weekday, club.checkin_hour, tz)
        club.next_checkin_at = next_checkin(now, club.checkin_weekday, club.checkin_hour, tz)
        if club.last_checkin_at is not None and end <= club.last_checkin_at:
            # the schedule moved since the last post: nothing new to report yet
            return None
        members = await session.scalar(
            select(func.count())
            .select_from(ClubMember)
            .where(ClubMember.club_id == club.id, ClubMember.joined_at < end)
        )
        if not members:
            # no one to report on or to ask: the schedule moves on, nothing is posted
            return None
        start = previous_checkin(
            end - timedelta(seconds=1), club.checkin_weekday, club.checkin_hour, tz
        )
        if club.last_checkin_at is not None and club.last_checkin_at > start:
            # the day or hour changed mid-week: the week runs from the last post on
            start = club.last_checkin_at
        club.last_checkin_at = end
        tr = club_translator(club, self.runtime.settings.default_language)
        text = await self.compose(session, club, start, end, now, tr)
        return _Planned(club, start, end, text, goal_keyboard(tr))

    async def _queue(self, session: AsyncSession, check_in: _Planned, now: datetime) -> None:
        club = check_in.club
        await queue_post(
            session,
            club_id=club.id,
            chat_id=club.id,
            kind="checkin",
            key=checkin_key(check_in.end),
            text=check_in.text,
            now=now,
            markup=check_in.markup,
            period=(check_in.start, check_in.end),
        )
        if club.buddies:
            # each buddy's private summary of the other's week, at the same moment
            await queue_buddy_summaries(session, club, check_in.start, check_in.end, now)

    async def compose(
        self,
        session: AsyncSession,
        club: Club,
        start: datetime,
        end: datetime,
        now: datetime,
        tr: Translator,
    ) -> str:
        """The check-in text for the week from ``start`` to ``end``."""
        members = (
            await session.scalars(
                select(ClubMember)
                .where(ClubMember.club_id == club.id, ClubMember.joined_at < end)
                .order_by(ClubMember.joined_at, ClubMember.id)
            )
        ).all()
        ids = [m.user_id for m in members]
        weeks = await club_week(session, ids, start, end, now)
        extra = []
        for section in self.extra_sections:
            extra.append(await section(session, club, start, end, tr))
        return render_checkin(
            tr,
            CheckinWeek(
                title=club.title,
                start=start,
                end=end,
                weeks=[weeks[i] for i in ids if i in weeks],
                sharing=frozenset(m.user_id for m in members if m.share_companies),
                reports=await self._reports(session, club.id, ids, end),
                extra_sections=extra,
            ),
        )

    async def _reports(
        self, session: AsyncSession, club_id: int, member_ids: Sequence[int], end: datetime
    ) -> list[MemberReport]:
        """What current members said in reply to the check-in before this one."""
        previous = await session.scalar(
            select(ClubPost.id)
            .where(
                ClubPost.club_id == club_id,
                ClubPost.chat_id == club_id,
                ClubPost.kind == "checkin",
                ClubPost.period_end < end,
            )
            .order_by(ClubPost.period_end.desc())
            .limit(1)
        )
        if previous is None:
            return []
        rows = await session.execute(
            select(User.first_name, ClubReport.text)
            .join(User, User.id == ClubReport.user_id)
            .where(ClubReport.post_id == previous, ClubReport.user_id.in_(list(member_ids)))
            .order_by(ClubReport.created_at, ClubReport.id)
        )
        return [MemberReport(name, text) for name, text in rows]

    async def remind(self) -> int:
        """One transaction: queues the private goal reminder for members who have not set a
        goal by a day after their club's check-in (once per check-in). Returns how many."""
        now = self.runtime.clock.now()
        async with self.runtime.session() as session, session.begin():
            waiting = (
                select(ClubMember, Club, User)
                .join(Club, Club.id == ClubMember.club_id)
                .join(User, User.id == ClubMember.user_id)
                .where(
                    Club.active.is_(True),
                    Club.last_checkin_at <= now - REMIND_AFTER,
                    # a club back after a long absence is not reminded of an old week
                    Club.last_checkin_at > now - WEEK,
                    ClubMember.joined_at < Club.last_checkin_at,
                    or_(
                        ClubMember.goal_set_at.is_(None),
                        ClubMember.goal_set_at < Club.last_checkin_at,
                    ),
                    or_(
                        ClubMember.goal_reminded_at.is_(None),
                        ClubMember.goal_reminded_at < Club.last_checkin_at,
                    ),
                )
                .order_by(ClubMember.id)
                .limit(REMINDER_BATCH)
            )
            engine = self.runtime.engine
            if engine is not None and engine.dialect.name == "postgresql":
                waiting = waiting.with_for_update(skip_locked=True, of=ClubMember)
            rows = (await session.execute(waiting)).all()
            # read before this pass marks its rows: who any club reminded lately
            reminded = set(
                await session.scalars(
                    select(ClubMember.user_id).where(
                        ClubMember.user_id.in_([user.id for _, _, user in rows]),
                        ClubMember.goal_reminded_at > now - REMINDED_WITHIN,
                    )
                )
            )
            for member, club, user in rows:
                member.goal_reminded_at = now
                if not user.reachable or user.paused or user.id in reminded:
                    # blocked or paused: no reminder, and none later for this check-in; and
                    # one goal is one question, however many clubs ask it on the same day
                    # (in this pass or an earlier one)
                    continue
                reminded.add(user.id)
                assert club.last_checkin_at is not None
                tr = self.runtime.translator_for(user)
                await queue_post(
                    session,
                    club_id=club.id,
                    chat_id=user.id,
                    kind="goal_reminder",
                    key=checkin_key(club.last_checkin_at),
                    text=reminder_text(tr, club.title),
                    now=now,
                    # in the member's waking hours, whatever the club's zone
                    due_at=private_due(user, club, now),
                    markup=goal_keyboard(tr, user.weekly_goal),
                )
        return len(rows)


def reminder_text(tr: Translator, club_title: str) -> str:
    return "\n".join(
        [
            tr.gettext(
                "Your club <b>{club}</b> checked in yesterday, and your goal for this week "
                "is still open. How many applications will you send?"
            ).format(club=escape(club_title)),
            tr.gettext(
                "Tap a number, or send /goal to type any number from {low} to {high}."
            ).format(low=tr.number(GOAL_MIN), high=tr.number(GOAL_MAX)),
        ]
    )
