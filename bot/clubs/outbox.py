"""The club outbox: posts a club is owed (check-ins, celebrations, buddy summaries, reminders)
are rows written in the transaction that decides them; the poster sends them after the commit,
with no transaction open, and records each send only while it still holds the claim."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clubs.life import move_club
from bot.clubs.schedule import club_zone
from bot.db.models import Club, ClubMember, ClubPost, User
from bot.domain.plan import Prefs, within_waking_hours
from bot.domain.zones import zone_info
from bot.runtime import Runtime, outside_any_scope

log = logging.getLogger(__name__)

# a claim older than this belongs to a process that died mid-send: the post is sent again
CLAIM_FOR = timedelta(minutes=10)
BATCH = 200
# Telegram's limits are kept by the bot's rate limiter; this only bounds open requests
CONCURRENCY = 16
# a post that keeps failing for a reason that may pass is retried with growing pauses, then
# given up, so a club that vanished does not cost a request a minute forever
MAX_ATTEMPTS = 8
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# what Telegram says when a post names a forum topic it cannot go to any more
_TOPIC_GONE = ("message thread not found", "topic_closed", "topic closed", "topic_deleted")


def _topic_gone(exc: BadRequest) -> bool:
    return any(words in exc.message.lower() for words in _TOPIC_GONE)


def retry_pause(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed try, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def private_due(user: User, club: Club, now: datetime) -> datetime:
    """When a club's private message to ``user`` goes out: now if it is their waking hours,
    else the next time they are awake (their nudge hour), in their zone (else the club's), so
    a Berlin member of a New York club is not written to at 02:00."""
    tz = zone_info(user.timezone) if user.timezone else club_zone(club.timezone)
    prefs = Prefs(tz=tz, nudge_hour=user.nudge_hour, quiet_hour=user.quiet_hour)
    return within_waking_hours(now, prefs)


async def queue_post(
    session: AsyncSession,
    *,
    club_id: int,
    chat_id: int,
    kind: str,
    key: str,
    text: str,
    now: datetime,
    markup: InlineKeyboardMarkup | None = None,
    due_at: datetime | None = None,
    period: tuple[datetime, datetime] | None = None,
) -> ClubPost | None:
    """Adds a post unless one with the same club, chat, kind and key exists (then None): the
    unique key is what makes "one check-in per club per week" hold under retries and replicas."""
    existing = await session.scalar(
        select(ClubPost.id).where(
            ClubPost.club_id == club_id,
            ClubPost.chat_id == chat_id,
            ClubPost.kind == kind,
            ClubPost.key == key,
        )
    )
    if existing is not None:
        return None
    post = ClubPost(
        club_id=club_id,
        chat_id=chat_id,
        kind=kind,
        key=key,
        text=text,
        markup=markup.to_dict() if markup is not None else None,
        state="pending",
        attempts=0,
        due_at=due_at or now,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        created_at=now,
    )
    try:
        # a savepoint, so a replica that queued the same post a moment earlier costs nothing
        async with session.begin_nested():
            session.add(post)
    except IntegrityError:
        return None
    return post


class ClubPoster:
    """Sends pending club posts; the database says which, so a restart or a second replica
    neither loses nor repeats one (a send whose answer never came is the one exception: it is
    sent again, as Telegram may or may not have delivered it)."""

    def __init__(self, runtime: Runtime, bot: Bot) -> None:
        self.runtime = runtime
        self.bot = bot
        self.sent = 0
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def flush(self) -> int:
        """Sends everything due now; returns how many posts went out. Started from a handler
        or not, it speaks for no update: its sends commit no handler's session."""
        with outside_any_scope():
            return await self._flush()

    async def _flush(self) -> int:
        async with self._lock:
            total = 0
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(post_id: int, claimed_at: datetime) -> int:
                async with gate:
                    try:
                        return await self._deliver(post_id, claimed_at)
                    except Exception:
                        # the claim stays until it expires: the pause before a retry
                        log.exception("could not deliver a club post")
                        return 0

            while True:
                claimed = await self._claim()
                if not claimed:
                    return total
                results = await asyncio.gather(*(one(p, at) for p, at in claimed))
                total += sum(results)
                self.sent += sum(results)

    async def _claim(self) -> Sequence[tuple[int, datetime]]:
        now = self.runtime.clock.now()
        async with self.runtime.session() as session, session.begin():
            due = (
                select(ClubPost.id)
                .where(
                    or_(
                        ClubPost.state == "pending",
                        (ClubPost.state == "sending") & (ClubPost.claimed_at < now - CLAIM_FOR),
                    ),
                    ClubPost.due_at <= now,
                )
                # the oldest first: in a busy hour, no club waits behind later ones
                .order_by(ClubPost.due_at, ClubPost.id)
                .limit(BATCH)
            )
            engine = self.runtime.engine
            if engine is not None and engine.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            ids = list((await session.scalars(due)).all())
            if not ids:
                return []
            await session.execute(
                update(ClubPost)
                .where(ClubPost.id.in_(ids))
                .values(state="sending", claimed_at=now, attempts=ClubPost.attempts + 1)
            )
        return [(post_id, now) for post_id in ids]

    async def _deliver(self, post_id: int, claimed_at: datetime) -> int:
        """Sends one claimed post. A refusal that says where the club is now (its group became
        a supergroup, its topic is gone) is learnt and the post sent again there; one that
        says the bot may not write there (removed, blocked) is learnt and the post dropped.
        Each lesson is stored in a short transaction of its own, after the send."""
        # a move and a lost topic at most, each followed by one more send
        for _ in range(3):
            async with self.runtime.session() as session:
                post = await session.get(ClubPost, post_id)
                club = await session.get(Club, post.club_id) if post is not None else None
                # a goal reminder waits for the member's morning: a goal set meanwhile answers it
                answered = (
                    post is not None
                    and post.kind == "goal_reminder"
                    and await session.scalar(
                        select(ClubMember.id)
                        .where(
                            ClubMember.user_id == post.chat_id,
                            ClubMember.goal_set_at >= post.created_at,
                        )
                        .limit(1)
                    )
                    is not None
                )
            if post is None or club is None or post.state != "sending":
                return 0
            if answered:
                await self._finish(post_id, claimed_at, "dropped")
                return 0
            in_group = post.chat_id == club.id
            if in_group and not club.active:
                # the bot is not in the group: nothing is posted there, the post is dropped
                await self._finish(post_id, claimed_at, "failed")
                return 0
            kwargs: dict[str, Any] = {"link_preview_options": NO_PREVIEW}
            if post.markup is not None:
                kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(post.markup, self.bot)
            if in_group and club.thread_id is not None:
                kwargs["message_thread_id"] = club.thread_id
            try:
                message = await self.bot.send_message(post.chat_id, post.text, **kwargs)
            except RetryAfter as exc:
                pause = exc.retry_after
                seconds = pause if isinstance(pause, int | float) else pause.total_seconds()
                pause_for = timedelta(seconds=float(seconds))
                await self._retry(post_id, claimed_at, pause_for, post.attempts)
                return 0
            except ChatMigrated as exc:
                if in_group and await self._follow_move(club.id, exc.new_chat_id):
                    # the post went with the club: the next round sends it to the new chat
                    continue
                await self._finish(post_id, claimed_at, "failed")
                return 0
            except Forbidden:
                # the bot was removed from the group, or the member blocked it: no retry, and
                # nothing more is tried there until the group or the member says otherwise
                await self._unreachable(club.id if in_group else None, post.chat_id)
                await self._finish(post_id, claimed_at, "failed")
                return 0
            except BadRequest as exc:
                if in_group and club.thread_id is not None and _topic_gone(exc):
                    # the club's topic was deleted or closed: the General chat takes its posts
                    await self._leave_topic(club.id, club.thread_id)
                    continue
                log.error("Telegram refused a club post (kind %s); it is parked", post.kind)
                await self._finish(post_id, claimed_at, "failed")
                return 0
            except (TimedOut, NetworkError):
                # unavailable, or no answer: try again later (a lost answer may mean a repeat)
                await self._retry(post_id, claimed_at, retry_pause(post.attempts), post.attempts)
                return 0
            await self._finish(post_id, claimed_at, "sent", message.message_id)
            return 1
        log.error("a club post kept moving (post %s); it is parked", post_id)
        await self._finish(post_id, claimed_at, "failed")
        return 0

    async def _follow_move(self, old_id: int, new_id: int) -> bool:
        """The group became a supergroup and the bot missed the news: its club (posts, members
        and all) moves to the new chat id, as the migration message would have moved it."""
        try:
            async with self.runtime.session() as session, session.begin():
                moved = await move_club(session, old_id, new_id)
        except IntegrityError:
            # another send of the same club (or the migration message) moved it meanwhile
            return True
        if moved is None:
            return False
        log.info("club %s moved to supergroup %s (learnt from a refused post)", old_id, new_id)
        return True

    async def _unreachable(self, club_id: int | None, chat_id: int) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.session() as session, session.begin():
            if club_id is not None:
                await session.execute(update(Club).where(Club.id == club_id).values(active=False))
            else:
                await session.execute(
                    update(User).where(User.id == chat_id).values(reachable=False, updated_at=now)
                )

    async def _leave_topic(self, club_id: int, thread_id: int) -> None:
        async with self.runtime.session() as session, session.begin():
            # only the topic that was refused: an admin may have chosen another meanwhile
            await session.execute(
                update(Club)
                .where(Club.id == club_id, Club.thread_id == thread_id)
                .values(thread_id=None)
            )

    async def _finish(
        self, post_id: int, claimed_at: datetime, state: str, message_id: int | None = None
    ) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.session() as session, session.begin():
            await session.execute(
                update(ClubPost)
                .where(
                    ClubPost.id == post_id,
                    ClubPost.state == "sending",
                    ClubPost.claimed_at == claimed_at,
                )
                .values(state=state, sent_at=now, message_id=message_id)
            )

    async def _retry(
        self, post_id: int, claimed_at: datetime, pause: timedelta, attempts: int
    ) -> None:
        now = self.runtime.clock.now()
        state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        async with self.runtime.session() as session, session.begin():
            await session.execute(
                update(ClubPost)
                .where(
                    ClubPost.id == post_id,
                    ClubPost.state == "sending",
                    ClubPost.claimed_at == claimed_at,
                )
                .values(state=state, due_at=now + pause)
            )
