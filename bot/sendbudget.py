"""Telegram's sending budget shared by every replica on one PostgreSQL database.

Each process keeps its own windows (bot/ratelimit.py), but Telegram counts per bot: two replicas
each within 30 messages a second can send 60 together. So on PostgreSQL a counted request also
takes a slot in the ``send_slots`` table. A slot counts, as in the local windows, from the moment
it is taken until a period after its answer came back; time is read from the database server's
``clock_timestamp()``, the one clock all replicas share, and slots are taken one at a time under
a transaction-level advisory lock, so two replicas never both take the last free slot.

The limits are Telegram's own (30 a second overall, 20 a minute per group), with no margin: the
count is causal. A slot is stamped before its request leaves and freed only after the answer is
back, both by the one database clock, and it counts for a full period after that; Telegram saw the
request arrive somewhere between the two stamps, so two requests it received less than a period
apart are always both counted, whatever the network's delays. A slot whose request never came back
(its process was killed) stops counting after STALE_AFTER.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

OVERALL_SCOPE = "all"
# an arbitrary constant that names this lock among the database's advisory locks
ADVISORY_KEY = 0x41665456
STALE_AFTER = 30.0
# rows older than this count for nothing and are deleted now and then
FORGET_AFTER = 120.0
FORGET_EVERY = 200
# when every slot is a request still on its way, its answer frees one soon
IN_FLIGHT_POLL = 0.02


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests in any ``period`` seconds."""

    count: int
    period: float


OVERALL = Limit(30, 1.0)
GROUP = Limit(20, 60.0)

_COUNT = text(
    """
    SELECT count(*) AS taken,
           min(freed_at) FILTER (WHERE freed_at IS NOT NULL) AS oldest_freed,
           clock_timestamp() AS now
    FROM send_slots
    WHERE scope = :scope
      AND ((freed_at IS NULL AND taken_at > clock_timestamp() - make_interval(secs => :stale))
           OR freed_at > clock_timestamp() - make_interval(secs => :period))
    """
)
_TAKE = text(
    "INSERT INTO send_slots (scope, taken_at) VALUES (:scope, clock_timestamp()) RETURNING id"
)
# A slot lives for seconds: its commit need not wait for the disk (a crash of the database
# loses at most the last slots, and stops every send with them), so both transactions turn
# synchronous_commit off for themselves, in the same round trip as their first statement.
_LOCK = text("SELECT pg_advisory_xact_lock(:key), set_config('synchronous_commit', 'off', true)")
_FREE = text(
    "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)) "
    "UPDATE send_slots SET freed_at = clock_timestamp() FROM quick WHERE id = ANY(:ids)"
)
_FORGET = text(
    "DELETE FROM send_slots "
    "WHERE coalesce(freed_at, taken_at) < clock_timestamp() - make_interval(secs => :age)"
)


def scopes_for(chat_id: int | str | None) -> list[tuple[str, Limit]]:
    """The budgets a counted request to this chat draws on: a group's own, and the overall one.

    Private chats have no shared budget of their own: a user's messages come from whichever
    replica handles that user's update, a handful a second at most, kept by the local window."""
    scopes = [(OVERALL_SCOPE, OVERALL)]
    if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
        scopes.insert(0, (f"chat:{chat_id}", GROUP))
    return scopes


class SharedBudget:
    """Slots in the database, so that replicas together stay within Telegram's limits."""

    def __init__(self, engine_of: Callable[[], AsyncEngine | None]) -> None:
        # the engine opens after the application is built, so it is looked up at each request
        self._engine_of = engine_of
        self._taken = 0
        self.waits = 0
        # Requests of this process that draw on the same budgets queue here, first come first
        # served, and only the head asks the database: a full budget then costs one query per
        # freed slot, not one per waiting request, and the slots go out in the order asked for.
        # A group's requests queue apart, so a group at its limit never holds up anyone else.
        self._queues: dict[str, asyncio.Lock] = {}

    def _engine(self) -> AsyncEngine | None:
        engine = self._engine_of()
        if engine is None or engine.dialect.name != "postgresql":
            return None
        return engine

    async def take(self, chat_id: int | str | None) -> list[int]:
        """Wait for a slot in every budget the request draws on; the ids to free afterwards.

        With no shared database (SQLite, or before the database is open) there is nothing to
        share and nothing is taken. If the database fails here the request goes on under the
        local windows alone: a brief outage must not stop the bot from answering anyone."""
        engine = self._engine()
        if engine is None:
            return []
        scopes = scopes_for(chat_id)
        key = scopes[0][0]
        queue = self._queues.get(key)
        if queue is None:
            if len(self._queues) > 10_000:
                # forget the queues of groups gone quiet, so memory stays flat
                self._queues = {k: q for k, q in self._queues.items() if q.locked()}
            queue = self._queues[key] = asyncio.Lock()
        try:
            async with queue:
                return await self._take(engine, scopes)
        except (SQLAlchemyError, DBAPIError, OSError):
            log.warning("the shared send budget is unavailable; going on with the local limits")
            return []

    async def _take(self, engine: AsyncEngine, scopes: list[tuple[str, Limit]]) -> list[int]:
        while True:
            async with engine.begin() as connection:
                await connection.execute(_LOCK, {"key": ADVISORY_KEY})
                wait = 0.0
                for scope, limit in scopes:
                    row = (
                        await connection.execute(
                            _COUNT,
                            {"scope": scope, "stale": STALE_AFTER, "period": limit.period},
                        )
                    ).one()
                    if row.taken < limit.count:
                        continue
                    if row.oldest_freed is None:
                        wait = max(wait, IN_FLIGHT_POLL)
                    else:
                        age = (row.now - row.oldest_freed).total_seconds()
                        wait = max(wait, limit.period - age, 0.001)
                if wait == 0.0:
                    ids = [
                        int((await connection.execute(_TAKE, {"scope": scope})).scalar_one())
                        for scope, _ in scopes
                    ]
                    self._taken += 1
                    if self._taken % FORGET_EVERY == 0:
                        await connection.execute(_FORGET, {"age": FORGET_AFTER})
                    return ids
            # the lock and the transaction are released before waiting
            self.waits += 1
            await asyncio.sleep(wait)

    async def free(self, ids: list[int]) -> None:
        """Start the slots' last period: their request has had its answer (or failed)."""
        engine = self._engine()
        if not ids or engine is None:
            return
        try:
            async with engine.begin() as connection:
                await connection.execute(_FREE, {"ids": ids})
        except (SQLAlchemyError, DBAPIError, OSError):
            # the slots then count until STALE_AFTER: slower for a while, never over the limit
            log.warning("could not free a shared send slot")
