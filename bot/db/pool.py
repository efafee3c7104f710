"""The connection pool, which serves the oldest work first.

In a burst, hundreds of updates are handled at once (bot/updates.py), each taking a connection
several times: to read its conversation state, to do its work, to write the state back. With
SQLAlchemy's own asyncio pool they are served in no useful order: a returned connection wakes the
first waiter, but any task that asks before that waiter runs takes the connection instead, and
the waiter goes to the back of the line. Every update then advances a step at a time with all
the others, and the first reply of a burst of 500 leaves only when nearly all of them have done
their reading.

Here a returned connection goes straight to the waiter whose work is oldest: an update counts
from the moment it reached the bot (``since_update_arrived``), other work from the moment it
asked. The first updates of a burst finish first and their replies leave at once, while no work
waits behind anything that came later than it did. The number of connections, and so how many
transactions run at once, is the same as before.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon

_T = TypeVar("_T")

# when the work the current task does began: the update's arrival, set by the update processor
_WORK_SINCE: ContextVar[float | None] = ContextVar("work_since", default=None)


def work_since() -> float | None:
    """When the current task's update arrived (time.monotonic()), None for other work."""
    return _WORK_SINCE.get()


def since_update_arrived() -> None:
    """Marks the current task's work as an update that arrived now: its requests for a
    connection rank by this moment from here on (the task's other steps included)."""
    _WORK_SINCE.set(time.monotonic())


class OldestFirstQueue(QueueCommon[_T]):
    """The pool's idle connections, and its waiters ordered by the age of their work.

    A connection put back is handed to the oldest waiter directly, so nothing can take it in
    between. SQLAlchemy calls ``get`` and ``put`` from inside its greenlet, on the event loop's
    thread."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self._idle: deque[_T] = deque()
        # (since, order of asking, future): a heap, the oldest work first
        self._waiters: list[tuple[float, int, asyncio.Future[_T]]] = []
        self._asked = itertools.count()

    def empty(self) -> bool:
        return not self._idle

    def full(self) -> bool:
        return self.maxsize > 0 and len(self._idle) >= self.maxsize

    def qsize(self) -> int:
        return len(self._idle)

    @property
    def waiting(self) -> int:
        """How many requests wait for a connection (for tests)."""
        return sum(1 for *_, waiter in self._waiters if not waiter.done())

    def put(self, item: _T, block: bool = True, timeout: float | None = None) -> None:
        while self._waiters:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._idle.append(item)

    def get(self, block: bool = True, timeout: float | None = None) -> _T:
        if self._idle:
            # idle connections exist only while nobody waits (put hands over directly)
            return self._idle.pop() if self.use_lifo else self._idle.popleft()
        if not block:
            raise Empty()
        since = work_since()
        waiter: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._waiters,
            (time.monotonic() if since is None else since, next(self._asked), waiter),
        )
        try:
            return await_(asyncio.wait_for(waiter, timeout))
        except TimeoutError as err:
            raise Empty() from err
        except BaseException:
            # cancelled after a connection was handed over, but before this task ran again:
            # the connection goes to the next waiter rather than out of the pool
            if waiter.done() and not waiter.cancelled():
                self.put(waiter.result())
            raise


class OldestFirstPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio pool with connections served oldest work first."""

    _queue_class: Any = OldestFirstQueue
