"""The update ids the webhook took: an update Telegram posts again is handled once, and a user's
updates keep their order when different replicas take them.

Telegram posts an update again when our 200 did not reach it in time (lost on the way, or a proxy
timed out), and the second post may land on another replica. Before an update is queued, its id
and its sender are recorded in the database in one short transaction; a post whose id is already
there is answered 200 and dropped.

Behind a load balancer, a user's next update may reach replica B while replica A is still
handling the one before (B would then read the conversation state A has not written yet). So
before B handles it, B waits until every earlier update of that user (a smaller update_id, as
Telegram numbers them in order) is marked handled, by whichever replica took it. An earlier one
left unhandled for HANDOFF_WAIT (its replica died) no longer holds anyone up.

Telegram keeps an undelivered update for at most 24 hours, so ids older than KEEP cannot come
again and are forgotten now and then. Long polling needs none of this: getUpdates' offset
confirms what was taken, and one process takes every update.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.db.models import ReceivedUpdate
from bot.runtime import Runtime

log = logging.getLogger(__name__)

KEEP = timedelta(hours=25)
FORGET_EVERY = 1000
HANDOFF_WAIT = timedelta(seconds=30)
# how often a waiting update asks again whether the earlier one is handled
HANDOFF_POLL = 0.02


class ReceivedUpdates:
    """Records the webhook's updates; hands a user's turn from one replica to the next."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._recorded = 0
        # the ids this replica took through the webhook and has not finished handling
        self.in_hand: set[int] = set()

    def _engine(self) -> AsyncEngine:
        engine = self._runtime.engine
        if engine is None:
            raise RuntimeError("the database is not open")
        return engine

    async def first_time(self, update_id: int, user_id: int | None) -> bool:
        """Record the update; False when it was recorded before (by this replica or another).

        Raises what the database raises: the caller then refuses the post, and Telegram posts it
        again later rather than losing it."""
        engine = self._engine()
        now = self._runtime.clock.now()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(ReceivedUpdate)
            .values(update_id=update_id, received_at=now, user_id=user_id)
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
        if first and user_id is not None:
            # handled by SharedStateApplication, which takes the turn and gives it back
            self.in_hand.add(update_id)
        return first

    async def wait_for_turn(self, update: Update, user_id: int) -> None:
        """Return once no earlier update of the user is being handled on any replica (or the
        earlier one has been left for HANDOFF_WAIT). Never raises: with the database away the
        update goes on, as it would have without replicas."""
        if update.update_id not in self.in_hand:
            return
        runtime = self._runtime
        try:
            engine = self._engine()
            while True:
                since = runtime.clock.now() - HANDOFF_WAIT
                earlier = select(
                    exists().where(
                        ReceivedUpdate.user_id == user_id,
                        ReceivedUpdate.update_id < update.update_id,
                        ReceivedUpdate.handled_at.is_(None),
                        ReceivedUpdate.received_at > since,
                    )
                )
                async with engine.connect() as connection:
                    waiting = bool((await connection.execute(earlier)).scalar())
                if not waiting:
                    return
                await asyncio.sleep(HANDOFF_POLL)
        except Exception:
            log.warning("could not check for a user's earlier update; handling this one now")

    async def turn_done(self, update: Update) -> None:
        """Mark the update handled, so the user's next one may go, on whichever replica."""
        if update.update_id not in self.in_hand:
            return
        self.in_hand.discard(update.update_id)
        try:
            async with self._engine().begin() as connection:
                await connection.execute(
                    sql_update(ReceivedUpdate)
                    .where(ReceivedUpdate.update_id == update.update_id)
                    .values(handled_at=self._runtime.clock.now())
                )
        except Exception:
            # the next update then waits HANDOFF_WAIT at most
            log.warning("could not mark update %s handled", update.update_id)
