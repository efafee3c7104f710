"""The dispatcher: claims due tasks from the database, bundles them per user and sends them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.db.models import ConversationRecord, Interview, Task, User
from bot.domain import plan
from bot.domain.plan import at_local, within_waking_hours
from bot.nudges.messages import OPEN_STATES, load_views, render_nudge
from bot.nudges.planner import prefs_of, replan_interview, replan_keep_applying
from bot.nudges.sending import schedule_after_send, send_nudge
from bot.runtime import Runtime

log = logging.getLogger(__name__)

LATER = timedelta(hours=3)
# one bundle per send time: the next one comes no sooner than this after the last
BUNDLE_GAP = timedelta(hours=3)
# a conversation the user left open holds nudges only this long after its last step, so one
# abandoned mid-way does not silence them until it times out (or forever, with no timeout)
HOLD_AT_MOST = timedelta(hours=1)
# how soon held nudges look again whether the conversation is over
HOLD_RETRY = timedelta(minutes=5)
BATCH = 400
BUNDLE = 5
CONCURRENCY = 16
# when a nudge whose answer was lost is sent again, and one Telegram could not take
UNKNOWN_RETRY = timedelta(minutes=10)
UNAVAILABLE_RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class _AfterSend:
    """What a nudge message sent changes beyond its tasks: the user's count for the day, and
    the next keep-applying reminder when this one went out."""

    user_id: int
    local_day: date
    counted: bool
    keep_applying: bool


class Dispatcher:
    """Sends due nudges; the database is the only record of what is due and what was sent."""

    def __init__(self, runtime: Runtime, bot: Bot) -> None:
        self.runtime = runtime
        self.bot = bot
        self.sent_messages = 0
        # on the monotonic clock, for /healthz: when the last sweep ended, and when the
        # dispatcher last showed it works (a sweep ended, or a nudge sent during a long one)
        self.last_sweep_finished: float | None = None
        self.last_progress = time.monotonic()
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def sweep(self) -> int:
        """Send everything due now; returns how many messages went out.

        The next batch is claimed as soon as the last users of the current one are being sent,
        not after they are: Telegram's budget is a rolling second, and what a pause between two
        batches leaves unused is lost for good. The users of both batches take their places in
        one line (``gate``), so the longest-waiting are still served first."""
        async with self._lock:
            gate = asyncio.Semaphore(CONCURRENCY)
            batches: list[asyncio.Task[int]] = []
            try:
                while True:
                    token, claimed = await self._claim()
                    if not claimed:
                        break
                    nearly_sent = asyncio.Event()
                    batches.append(
                        asyncio.create_task(self._deliver(token, claimed, gate, nearly_sent))
                    )
                    await nearly_sent.wait()
                    self.last_progress = time.monotonic()
            except BaseException:
                # a claim that failed, or the sweep cancelled at shutdown: the batches under
                # way stop with it, and their claims run out as after any failure
                for batch in batches:
                    batch.cancel()
                await asyncio.gather(*batches, return_exceptions=True)
                raise
            total = sum(await asyncio.gather(*batches))
            self.last_sweep_finished = self.last_progress = time.monotonic()
            return total

    async def _claim(self) -> tuple[str, dict[int, list[int]]]:
        """Mark a batch of due tasks as ours for a while, so no other replica sends them."""
        now = self.runtime.clock.now()
        token = str(uuid.uuid4())
        async with self.runtime.session() as session, session.begin():
            due = (
                select(Task.id)
                .join(User, User.id == Task.user_id)
                .where(
                    Task.state.in_(OPEN_STATES),
                    Task.next_nudge_at <= now,
                    or_(Task.claimed_until.is_(None), Task.claimed_until < now),
                    User.reachable.is_(True),
                    User.paused.is_(False),
                )
                .order_by(Task.next_nudge_at)
                .limit(BATCH)
            )
            if self.runtime.engine is not None and self.runtime.engine.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True, of=Task)
            ids = list((await session.scalars(due)).all())
            if not ids:
                return token, {}
            await session.execute(
                update(Task)
                .where(
                    Task.id.in_(ids),
                    or_(Task.claimed_until.is_(None), Task.claimed_until < now),
                )
                .values(
                    claim_token=token,
                    claimed_until=now
                    + timedelta(seconds=self.runtime.settings.nudge_claim_seconds),
                )
            )
            rows = (
                await session.execute(
                    select(Task.id, Task.user_id)
                    .where(Task.claim_token == token)
                    # the longest-waiting first within the batch too: users are served in
                    # this order (see _deliver)
                    .order_by(Task.next_nudge_at, Task.id)
                )
            ).all()
        by_user: dict[int, list[int]] = defaultdict(list)
        for task_id, user_id in rows:
            by_user[user_id].append(task_id)
        return token, by_user

    async def _deliver(
        self,
        token: str,
        claimed: dict[int, list[int]],
        gate: asyncio.Semaphore | None = None,
        nearly_sent: asyncio.Event | None = None,
    ) -> int:
        """Send a claimed batch, its users in the order given, at most CONCURRENCY at a time;
        ``nearly_sent`` is set once every user left is being sent (or the batch ended)."""
        gate = gate or asyncio.Semaphore(CONCURRENCY)
        nearly_sent = nearly_sent or asyncio.Event()
        left = len(claimed)

        async def one(user_id: int, task_ids: list[int]) -> int:
            nonlocal left
            async with gate:
                try:
                    return await self._deliver_user(token, user_id, task_ids)
                except Exception:
                    # the claim stays until it expires: that is the back-off before a retry
                    log.exception("could not deliver the nudges of a user")
                    return 0
                finally:
                    left -= 1
                    if left <= CONCURRENCY:
                        nearly_sent.set()

        if left <= CONCURRENCY:
            nearly_sent.set()
        renewer = asyncio.create_task(self._renew(token))
        try:
            results = await asyncio.gather(*(one(u, ids) for u, ids in claimed.items()))
        finally:
            nearly_sent.set()
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        return sum(results)

    async def _renew(self, token: str) -> None:
        """Keep the batch's claim while it is being sent, however long Telegram's limits make
        that take: a claim that ran out mid-batch would let another replica send the same
        nudges. If this process dies, renewals stop and the claim runs out as it should."""
        seconds = self.runtime.settings.nudge_claim_seconds
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                async with self.runtime.session() as session, session.begin():
                    await session.execute(
                        update(Task)
                        .where(Task.claim_token == token)
                        .values(claimed_until=self.runtime.clock.now() + timedelta(seconds=seconds))
                    )
            except SQLAlchemyError:
                log.warning("could not renew a claim on nudges; it may run out")

    async def _deliver_user(self, token: str, user_id: int, task_ids: list[int]) -> int:
        """Read, then send with no transaction open, then record: a slow send blocks no one."""
        runtime = self.runtime
        now = runtime.clock.now()
        async with runtime.session() as session:
            user = await session.get(User, user_id)
            tasks = list(
                (
                    await session.scalars(
                        # read again just before the send: a task done, skipped, moved or
                        # deleted since the claim has lost the claim and is not sent
                        select(Task)
                        .where(
                            Task.id.in_(task_ids),
                            Task.claim_token == token,
                            Task.state.in_(OPEN_STATES),
                        )
                        .order_by(Task.due_at, Task.id)
                    )
                ).all()
            )
            if user is None or not tasks:
                return 0
            lapsing = {
                t.id
                for t in tasks
                if t.kind == plan.DEBRIEF and t.due_at <= now and t.interview_id is not None
            }
            if lapsing:
                # a "how did it go?" past its deadline unanswered: the plan goes on without
                # the answers, and what is left of the claim is read again after the re-plan
                await session.rollback()
                lapsed = await self._lapse_debriefs(user_id, sorted(lapsing), now)
                rest = [t for t in task_ids if t not in lapsed]
                return await self._deliver_user(token, user_id, rest) if rest else 0
            prefs = prefs_of(user, runtime.settings.default_timezone)
            local_day = now.astimezone(prefs.tz).date()
            # a before-you-leave reminder is worthless once the interview has started
            expired = {t.id for t in tasks if t.kind == plan.BEFORE_YOU_LEAVE and t.due_at <= now}
            tasks = [t for t in tasks if t.id not in expired]
            if await self._in_conversation(session, user_id, now):
                # a nudge in the middle of a question would push the question's buttons out
                # of sight; it comes once the conversation is over (or has lapsed)
                await session.rollback()
                await self._postpone(task_ids, now + HOLD_RETRY, token)
                return 0
            opening = within_waking_hours(now, prefs)
            capped = user.nudge_day == local_day and user.nudges_on_day >= user.daily_nudge_cap
            last_bundle = await self._last_bundle_at(session, user_id)
            spaced = last_bundle is None or now >= last_bundle + BUNDLE_GAP
            if opening > now or capped or not spaced:
                # only a before-you-leave reminder may go out early, between bundles or past
                # the cap (it does not count towards it): its interview will not wait
                tasks = [t for t in tasks if t.kind == plan.BEFORE_YOU_LEAVE]
            bundle_ids: set[int] = set()
            text = markup = None
            if tasks:
                tr = runtime.translator_for(user)
                views = await load_views(session, tasks[:BUNDLE], now=now, tz=tr.tz)
                text, markup, shown = render_nudge(tr, user, views, now)
                bundle_ids = set(shown)
            # a message holding only a before-you-leave reminder is not counted in the cap
            counted = any(t.kind != plan.BEFORE_YOU_LEAVE for t in tasks if t.id in bundle_ids)
            keep_applying = any(t.kind == plan.KEEP_APPLYING for t in tasks if t.id in bundle_ids)
            await session.rollback()

        if text is None:
            if opening > now:
                later = opening
            elif capped:
                later = at_local(local_day + timedelta(days=1), prefs.nudge_hour, prefs)
            else:
                assert last_bundle is not None
                later = within_waking_hours(last_bundle + BUNDLE_GAP, prefs)
            await self._record(token, task_ids, None, now, prefs, bundle_ids, expired, later)
            return 0
        after = _AfterSend(user_id, local_day, counted, keep_applying)

        try:
            message_id, reachable = await self._send(user_id, text, markup)
        except BadRequest:
            # Telegram refuses this message as it is: a retry would change nothing, so the
            # tasks are parked (still listed in /tasks, no more nudges) and the log says which
            log.exception("Telegram refused a nudge message; parked tasks %s", sorted(bundle_ids))
            await self._park(task_ids, token)
            return 0
        except TimedOut:
            # the request went out and no answer came: Telegram may have delivered it. It is
            # sent again after a pause, so a nudge is never lost; this is the one way the same
            # nudge can arrive twice (once per lost answer)
            log.warning("no answer to a nudge for user %s; sending again later", user_id)
            await self._postpone(task_ids, now + UNKNOWN_RETRY, token)
            return 0
        except NetworkError:
            # Telegram or the network unavailable: not delivered, tried again after a pause
            log.warning("Telegram unavailable for a nudge to user %s; retrying later", user_id)
            await self._postpone(task_ids, now + UNAVAILABLE_RETRY, token)
            return 0
        if not reachable:
            await self._mark_unreachable(user_id)
        later = within_waking_hours(now + max(LATER, BUNDLE_GAP), prefs)
        await self._record(
            token,
            task_ids,
            message_id,
            now,
            prefs,
            bundle_ids,
            expired,
            later,
            after if message_id is not None else None,
        )
        if message_id is None:
            return 0
        self.sent_messages += 1
        return 1

    async def _lapse_debriefs(
        self, user_id: int, task_ids: Sequence[int], now: datetime
    ) -> set[int]:
        """Re-plan the interviews whose "how did it go?" passed its deadline unanswered: the plan
        then goes on without the answers (and the question's row is withdrawn)."""
        async with self.runtime.session() as session, session.begin():
            lapsed = (
                await session.scalars(
                    select(Task).where(
                        Task.id.in_(task_ids),
                        Task.kind == plan.DEBRIEF,
                        Task.due_at <= now,
                        Task.interview_id.is_not(None),
                    )
                )
            ).all()
            if not lapsed:
                return set()
            user = await session.get(User, user_id)
            interviews = (
                await session.scalars(
                    select(Interview)
                    .where(Interview.id.in_({t.interview_id for t in lapsed}))
                    .options(selectinload(Interview.interviewers))
                )
            ).all()
            if user is not None:
                for interview in interviews:
                    await replan_interview(
                        session, user, interview, now, self.runtime.settings.default_timezone
                    )
            return {t.id for t in lapsed}

    async def _record(
        self,
        token: str,
        task_ids: Sequence[int],
        message_id: int | None,
        now: datetime,
        prefs: Any,
        sent_ids: set[int],
        expired: set[int],
        later: datetime,
        after: _AfterSend | None = None,
    ) -> None:
        """Write down what happened, but only to rows that are still ours: a tap or a re-plan
        during the send took the claim away, and what they wrote stands. A message sent also
        counts towards the user's day, in the same transaction.

        Everything is read before anything changes (no autoflush): on SQLite the first write
        locks the database until the commit, and every other send would wait behind it."""
        async with self.runtime.session() as session, session.begin():
            with session.no_autoflush:
                rows = (
                    await session.scalars(
                        select(Task).where(Task.id.in_(task_ids), Task.claim_token == token)
                    )
                ).all()
                user = await session.get(User, after.user_id) if after is not None else None
                for task in rows:
                    task.claim_token = None
                    task.claimed_until = None
                    if task.id in expired:
                        task.state = "cancelled"
                        task.next_nudge_at = None
                    elif message_id is not None and task.id in sent_ids:
                        schedule_after_send(task, message_id, now, prefs)
                    elif message_id is not None or not sent_ids:
                        # held back by the size of one message, the waking window or the
                        # daily cap: it waits, never back to back
                        task.next_nudge_at = later
                if user is None or after is None:
                    return
                if user.nudge_day != after.local_day:
                    user.nudge_day = after.local_day
                    user.nudges_on_day = 0
                if after.counted:
                    user.nudges_on_day += 1
            if after.keep_applying:
                # a keep-applying reminder sent is done: the next cycle is planned from it (the
                # plan reads what was just written, so this one write comes before the reads)
                await replan_keep_applying(
                    session, user, now, self.runtime.settings.default_timezone
                )

    async def _in_conversation(self, session: AsyncSession, user_id: int, now: datetime) -> bool:
        """Whether the user is answering one of the bot's questions in their private chat.
        A conversation's row says when it last moved, on the bot's clock, and goes once the
        conversation ends or lapses (handlers/lapses.py)."""
        timeout = timedelta(seconds=self.runtime.settings.conversation_timeout_seconds)
        since = now - min(HOLD_AT_MOST, timeout)
        found = await session.scalar(
            select(ConversationRecord.id)
            .where(
                # the key of a private chat's conversation: (chat id, user id), both the user's
                ConversationRecord.key == json.dumps([user_id, user_id]),
                ConversationRecord.updated_at > since,
            )
            .limit(1)
        )
        return found is not None

    async def _last_bundle_at(self, session: AsyncSession, user_id: int) -> datetime | None:
        """When the user last got a nudge that counts towards the daily cap."""
        last: datetime | None = await session.scalar(
            select(func.max(Task.last_nudged_at)).where(
                Task.user_id == user_id, Task.kind != plan.BEFORE_YOU_LEAVE
            )
        )
        if last is not None and last.tzinfo is None:
            # an aggregate comes back without the column's type on SQLite
            last = last.replace(tzinfo=UTC)
        return last

    async def _mark_unreachable(self, user_id: int) -> None:
        async with self.runtime.session() as session, session.begin():
            user = await session.get(User, user_id)
            if user is not None:
                user.reachable = False

    async def _park(self, task_ids: Sequence[int], token: str) -> None:
        async with self.runtime.session() as session, session.begin():
            await session.execute(
                update(Task)
                .where(Task.id.in_(task_ids), Task.claim_token == token)
                .values(next_nudge_at=None, claim_token=None, claimed_until=None)
            )

    async def _postpone(
        self, task_ids: Sequence[int], later: datetime, token: str | None = None
    ) -> None:
        async with self.runtime.session() as session, session.begin():
            mine: ColumnElement[bool] = Task.id.in_(task_ids)
            if token is not None:
                # only rows still ours: a tap meanwhile wrote what stands
                mine = and_(mine, Task.claim_token == token)
            await session.execute(
                update(Task)
                .where(mine)
                .values(next_nudge_at=later, claim_token=None, claimed_until=None)
            )

    async def _send(self, chat_id: int, text: str, markup: Any) -> tuple[int | None, bool]:
        """Send with retries (bot/nudges/sending.py); each nudge sent shows the dispatcher is
        alive, since a batch at Telegram's pace can outlast a short sweep interval."""

        def alive() -> None:
            self.last_progress = time.monotonic()

        return await send_nudge(self.bot, chat_id, text, markup, alive)
