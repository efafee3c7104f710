"""Which updates of a burst get at the database first.

Hundreds of updates handled at once (bot/updates.py) would otherwise take turns at the
database step by step: each reads its state, waits behind all the others, runs its handler's
query, waits again... and the first reply of a burst of 500 leaves only once nearly all of them
have done their reading, a second or more after the burst came in, while Telegram's budget of
30 messages a second goes unused. Here a few updates at a time, in the order they came, are let
through to the database; each gives its place up as soon as it first speaks to Telegram (from
then on it mostly waits for Telegram's budget) or when it ends. Updates still run side by side:
the places bound only the work before an update's first request.

An update takes its place after its user's lock (bot/shared_state.py), so it never holds a
place while it waits for an earlier update of the same user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

_LEAVE: ContextVar[Callable[[], None] | None] = ContextVar("afterview_admission", default=None)

# enough updates at the database at once to keep it busy (the pool has fifteen connections);
# few enough that the earliest of a burst finish their reading first
PLACES = 16


class Admission:
    """At most ``places`` updates between their start and their first request to Telegram."""

    def __init__(self, places: int = PLACES) -> None:
        self.places = places
        self._places = asyncio.Semaphore(places)
        self._held = 0

    @property
    def free(self) -> int:
        """Places no update holds now."""
        return self.places - self._held

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        await self._places.acquire()
        self._held += 1
        left = False

        def leave() -> None:
            nonlocal left
            if not left:
                left = True
                self._held -= 1
                self._places.release()

        token = _LEAVE.set(leave)
        try:
            yield
        finally:
            _LEAVE.reset(token)
            leave()


def first_request() -> None:
    """Called before every request to Telegram: the update this task handles gives its place up."""
    leave = _LEAVE.get()
    if leave is not None:
        leave()
