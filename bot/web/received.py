"""The update ids the webhook took, so that an update Telegram posts again is handled once.

Telegram posts an update again when our 200 did not reach it in time (lost on the way, or a proxy
timed out), and the second post may land on another replica. Before an update is queued, its id
is recorded in the database in one short transaction; a post whose id is already there is answered
200 and dropped. Telegram keeps an undelivered update for at most 24 hours, so ids older than KEEP
cannot come again and are forgotten now and then.

Long polling needs none of this: getUpdates' offset confirms what was taken.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.db.models import ReceivedUpdate

KEEP = timedelta(hours=25)
FORGET_EVERY = 1000


class ReceivedUpdates:
    """Records update ids; says whether an update arrives for the first time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._recorded = 0

    async def first_time(self, engine: AsyncEngine, update_id: int) -> bool:
        """Record the id; False when it was recorded before (by this replica or another).

        Raises what the database raises: the caller then refuses the post, and Telegram posts it
        again later rather than losing it."""
        now = self._clock.now()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(ReceivedUpdate)
            .values(update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=[ReceivedUpdate.update_id])
        )
        async with engine.begin() as connection:
            result = await connection.execute(insert)
            self._recorded += 1
            if self._recorded % FORGET_EVERY == 0:
                await connection.execute(
                    delete(ReceivedUpdate).where(ReceivedUpdate.received_at < now - KEEP)
                )
        return result.rowcount == 1
