"""The updates the webhook took: an update Telegram posts again is handled once, a user's updates
keep their order when different replicas take them, and an update whose replica died holding it
is handled by another.

Telegram posts an update again when our 200 did not reach it in time (lost on the way, or a proxy
timed out), and the second post may land on another replica. Before an update is queued, its id,
its sender and its body are recorded in the database in one short transaction; a post whose id is
already there is answered 200 and dropped.

The 200 goes back before the update is handled (Telegram holds a connection until it has it), so
Telegram forgets the update at once. The replica holding it renews a hold on it (`held_until`,
LEASE ahead) every RENEW_EVERY until it is handled; a replica killed in the meantime stops
renewing, and once the hold has lapsed any replica takes the update from its stored body and
handles it (the sweep here, every RENEW_EVERY). An update can then be handled twice only when the
replica died after its work was saved and before it was marked handled: the reply goes out again,
and a one-step command (/applied) may act twice; a /log's save does not (handlers/log_save.py).

Behind a load balancer, a user's next update may reach replica B while replica A is still
handling the one before (B would then read the conversation state A has not written yet). So
before B handles it, B waits until every earlier update of that user (a smaller update_id, as
Telegram numbers them in order) is marked handled, by whichever replica took it. An earlier one
whose hold has lapsed is taken over by B and handled first, in order.

Telegram keeps an undelivered update for at most 24 hours, so ids older than KEEP cannot come
again and are forgotten now and then. Long polling needs none of this: getUpdates' offset
confirms only what was taken, and one process takes every update.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram import Bot, Update

from bot.db.models import ReceivedUpdate
from bot.runtime import Runtime

log = logging.getLogger(__name__)

KEEP = timedelta(hours=25)
FORGET_EVERY = 1000
# a hold not renewed for this long belongs to a dead replica
LEASE = timedelta(seconds=30)
# how often a replica renews its holds and looks for lapsed ones (seconds)
RENEW_EVERY = 10.0
# how often a waiting update asks again whether the earlier one is handled (seconds)
HANDOFF_POLL = 0.02
# a waiting update goes on after this, whatever holds it up: no user is stuck for good
MOST_WAIT = 2 * LEASE
# lapsed updates taken over in one sweep; the rest wait for the next
RESCUE_BATCH = 100
_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for update_id in ids:
        batch.append(update_id)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class ReceivedUpdates:
    """Records the webhook's updates; hands a user's turn from one replica to the next; keeps
    this replica's holds alive and takes over those a dead replica left."""

    def __init__(self, runtime: Runtime, bot: Bot, taken_over: Callable[[], None]) -> None:
        self._runtime = runtime
        self._bot = bot
        # counts one update taken over (for /metrics)
        self._count_taken_over = taken_over
        self._recorded = 0
        # the ids this replica took (through the webhook or from a dead replica) and has not
        # finished handling
        self.in_hand: set[int] = set()
        # taken over from a dead replica by the sweep, queued here, not yet started: a later
        # update of the same user that runs first takes them along, and their queued copy is
        # then skipped (handled_already)
        self._taken_over: dict[int, Update] = {}
        self._handled_inline: set[int] = set()
        # handled, but the database was away when they were to be marked so
        self._unmarked: set[int] = set()
        self.renew_every = RENEW_EVERY

    def _engine(self) -> AsyncEngine:
        engine = self._runtime.engine
        if engine is None:
            raise RuntimeError("the database is not open")
        return engine

    async def first_time(self, update_id: int, user_id: int | None, payload: str) -> bool:
        """Record the update; False when it was recorded before (by this replica or another).

        Raises what the database raises: the caller then refuses the post, and Telegram posts it
        again later rather than losing it."""
        engine = self._engine()
        now = self._runtime.clock.now()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(ReceivedUpdate)
            .values(
                update_id=update_id,
                received_at=now,
                user_id=user_id,
                payload=payload,
                held_until=now + LEASE,
            )
            .on_conflict_do_nothing(index_elements=[ReceivedUpdate.update_id])
        )
        async with engine.begin() as connection:
            result = await connection.execute(insert)
            self._recorded += 1
            if self._recorded % FORGET_EVERY == 0:
                await connection.execute(
                    delete(ReceivedUpdate).where(ReceivedUpdate.received_at < now - KEEP)
                )
        first = result.rowcount == 1
        if first:
            # handled by SharedStateApplication, which marks it handled (turn_done)
            self.in_hand.add(update_id)
        return first

    async def _take_over(self, connection: AsyncConnection, update_id: int) -> bool:
        """Claim an update whose hold has lapsed; False when another replica was quicker."""
        now = self._runtime.clock.now()
        result = await connection.execute(
            sql_update(ReceivedUpdate)
            .where(
                ReceivedUpdate.update_id == update_id,
                ReceivedUpdate.handled_at.is_(None),
                ReceivedUpdate.held_until <= now,
            )
            .values(held_until=now + LEASE)
        )
        if result.rowcount != 1:
            return False
        self.in_hand.add(update_id)
        self._count_taken_over()
        return True

    def _update_of(self, update_id: int, payload: str) -> Update | None:
        try:
            update = Update.de_json(json.loads(payload), self._bot)
        except Exception:
            # recorded by this very code from a body that parsed once: should not happen
            log.exception("the stored body of update %s could not be read", update_id)
            return None
        return update

    async def wait_for_turn(self, update: Update, user_id: int) -> list[Update]:
        """Return once no earlier update of the user is being handled on any replica: with the
        earlier ones whose replica died, taken over here, to be handled first and in order.

        Never raises: with the database away the update goes on, as it would have without
        replicas. Waits MOST_WAIT at most."""
        if update.update_id not in self.in_hand:
            return []
        self._taken_over.pop(update.update_id, None)
        runtime = self._runtime
        first: list[Update] = []
        started = runtime.clock.now()
        try:
            engine = self._engine()
            while True:
                now = runtime.clock.now()
                earlier = (
                    select(
                        ReceivedUpdate.update_id,
                        ReceivedUpdate.held_until,
                        ReceivedUpdate.payload,
                    )
                    .where(
                        ReceivedUpdate.user_id == user_id,
                        ReceivedUpdate.update_id < update.update_id,
                        ReceivedUpdate.handled_at.is_(None),
                        ReceivedUpdate.received_at > now - KEEP,
                    )
                    .order_by(ReceivedUpdate.update_id)
                )
                waiting = False
                async with engine.begin() as connection:
                    for update_id, held_until, payload in (await connection.execute(earlier)).all():
                        queued = self._taken_over.pop(update_id, None)
                        if queued is not None:
                            # taken over by this replica's sweep and still queued behind this
                            # one: handled here first instead
                            self._handled_inline.add(update_id)
                            first.append(queued)
                            continue
                        if update_id in self.in_hand:
                            # this replica's own: it cannot be running (the user's lock is ours)
                            continue
                        if held_until is not None and held_until > now:
                            waiting = True
                        elif payload is not None and await self._take_over(connection, update_id):
                            taken = self._update_of(update_id, payload)
                            if taken is not None:
                                first.append(taken)
                        elif payload is not None:
                            # another replica took it over just now
                            waiting = True
                if not waiting or now - started > MOST_WAIT:
                    return first
                await asyncio.sleep(HANDOFF_POLL)
        except Exception:
            log.warning("could not check for a user's earlier update; handling this one now")
            return first

    def handled_already(self, update: Update) -> bool:
        """True for the queued copy of an update a later one took along (see wait_for_turn)."""
        if update.update_id in self._handled_inline:
            self._handled_inline.discard(update.update_id)
            return True
        return False

    async def turn_done(self, update: Update) -> None:
        """Mark the update handled, so the user's next one may go, on whichever replica."""
        self._taken_over.pop(update.update_id, None)
        if update.update_id not in self.in_hand:
            return
        try:
            await self._mark_handled([update.update_id])
        except Exception:
            # Kept in hand (so its hold is renewed and no replica handles it again) and marked
            # by the next renewal: handled twice, a conversation's answer would count twice.
            # The user's next update waits until then.
            self._unmarked.add(update.update_id)
            log.warning("could not mark update %s handled; trying again soon", update.update_id)

    async def _mark_handled(self, ids: list[int]) -> None:
        async with self._engine().begin() as connection:
            for batch in _chunks(ids):
                await connection.execute(
                    sql_update(ReceivedUpdate)
                    .where(ReceivedUpdate.update_id.in_(batch))
                    .values(handled_at=self._runtime.clock.now(), payload=None)
                )
        self.in_hand.difference_update(ids)
        self._unmarked.difference_update(ids)

    # ------------------------------------------------------------------ holds

    async def renew(self) -> None:
        """Push this replica's holds LEASE ahead (they stay ours while we live)."""
        await self._hold_until(list(self.in_hand), self._runtime.clock.now() + LEASE)

    async def _hold_until(self, ids: list[int], moment: datetime) -> None:
        """Set the hold of these updates, those still unhandled, to end at ``moment``."""
        if not ids:
            return
        async with self._engine().begin() as connection:
            for batch in _chunks(ids):
                await connection.execute(
                    sql_update(ReceivedUpdate)
                    .where(
                        ReceivedUpdate.update_id.in_(batch),
                        ReceivedUpdate.handled_at.is_(None),
                    )
                    .values(held_until=moment)
                )

    async def lapsed(self, room: int) -> list[Update]:
        """Take over up to `room` updates whose replica died holding them, oldest first."""
        if room <= 0:
            return []
        now = self._runtime.clock.now()
        query = (
            select(ReceivedUpdate.update_id, ReceivedUpdate.payload)
            .where(
                ReceivedUpdate.handled_at.is_(None),
                ReceivedUpdate.held_until <= now,
                ReceivedUpdate.payload.is_not(None),
            )
            .order_by(ReceivedUpdate.update_id)
            .limit(min(room, RESCUE_BATCH))
        )
        taken: list[Update] = []
        async with self._engine().begin() as connection:
            for update_id, payload in (await connection.execute(query)).all():
                if payload is None or update_id in self.in_hand:
                    continue
                if not await self._take_over(connection, update_id):
                    continue
                update = self._update_of(update_id, payload)
                if update is not None:
                    self._taken_over[update_id] = update
                    taken.append(update)
        if taken:
            log.warning("took over %s update(s) a stopped replica had not handled", len(taken))
        return taken

    async def release(self) -> None:
        """On a clean stop with updates still unhandled: let another replica take them now
        rather than after the hold lapses."""
        if self._unmarked:
            # handled: marked now if the database allows, and never handed over
            with contextlib.suppress(Exception):
                await self._mark_handled(list(self._unmarked))
        held = [update_id for update_id in self.in_hand if update_id not in self._unmarked]
        await self._hold_until(held, self._runtime.clock.now())
        self.in_hand.clear()

    async def keep(self, queue_room: Callable[[], int], enqueue: Callable[[Update], Any]) -> None:
        """Every renew_every seconds: renew this replica's holds, then take over lapsed updates
        while the queue has room. Runs until cancelled; a database away is tried next time."""
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                if self._unmarked:
                    await self._mark_handled(list(self._unmarked))
                await self.renew()
                for update in await self.lapsed(queue_room()):
                    await enqueue(update)
            except Exception:
                log.warning("could not renew or take over held updates; trying again soon")
