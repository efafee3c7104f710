"""Updates handled side by side, while each user's and each chat's keep the order they came in.

python-telegram-bot hands every update to the processor in its own task, in arrival order. An
update takes its turn in the line of its user and the line of its chat (a group message from A
stands in A's line and in the group's), and runs once every earlier update in either line has
finished. Updates that share neither run at the same time, up to ``max_concurrent_updates``.

Why ConversationHandler is safe here, though PTB warns against concurrent updates with it: a
conversation's key is built from the update's chat and/or user, so two updates of the same
conversation always share a line and never overlap; each sees the state the previous one left.
The same holds for ``context.user_data`` and ``context.chat_data``, and for everything a handler
reads and writes about its own user or chat in the database.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from bot.db.pool import since_update_arrived

# a line an update stands in: ("user", id) or ("chat", id)
LineKey = tuple[str, int]

# How many updates may be inside the processor, waiting for their turn or running, per running
# place. PTB's own semaphore (BaseUpdateProcessor.process_update) admits them; it must not be the
# running limit, since an update waiting for an earlier one of its user would then sit on a
# place that a runnable update of someone else could use, and a busy group (its replies paced at
# 20 a minute) could fill every place with updates that cannot run. Beyond this many, PTB's
# semaphore (first come, first served) holds the rest in arrival order, so the lines and the
# memory they take stay bounded.
WAITING_PER_RUNNING = 16


def lines_of(update: object) -> tuple[LineKey, ...]:
    """The lines an update must keep its place in: its user's and its chat's (one line in a
    private chat, where they are the same person), and both chats of a group's upgrade."""
    if not isinstance(update, Update):
        return ()
    keys: list[LineKey] = []
    user = update.effective_user
    chat = update.effective_chat
    if user is not None:
        keys.append(("user", user.id))
    if chat is not None and not (
        chat.type == ChatType.PRIVATE and user is not None and chat.id == user.id
    ):
        keys.append(("chat", chat.id))
    message = update.effective_message
    if message is not None:
        # a group upgraded to a supergroup speaks of both chats: its club moves from one to the
        # other, and nothing of either may overtake the move
        for other in (message.migrate_to_chat_id, message.migrate_from_chat_id):
            if other is not None and ("chat", other) not in keys:
                keys.append(("chat", other))
    return tuple(keys)


class _Turn:
    """One update's place in its lines; ``finished`` is done once it and all before it are."""

    __slots__ = ("ahead", "finished", "keys")

    def __init__(self, keys: tuple[LineKey, ...], ahead: list[_Turn]) -> None:
        self.keys = keys
        self.ahead = ahead
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different users and chats concurrently, each line in order.

    No deadlock: an update only ever waits for updates that arrived before it, and one waiting
    for its turn holds no running place, so the oldest update of every line can always run.
    No unbounded memory: a line is remembered only while an update in it is unfinished.
    """

    __slots__ = ("_limit", "_running", "_tails")

    def __init__(self, max_concurrent_updates: int) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        super().__init__(max_concurrent_updates * WAITING_PER_RUNNING)
        self._limit = max_concurrent_updates
        self._running = asyncio.Semaphore(max_concurrent_updates)
        # the newest unfinished update of each line
        self._tails: dict[LineKey, _Turn] = {}

    @property
    def running_limit(self) -> int:
        """How many updates' handlers may run at the same time."""
        return self._limit

    @property
    def waiting_lines(self) -> int:
        """How many lines have an unfinished update (for tests and metrics)."""
        return len(self._tails)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # the update's requests for a database connection rank by its arrival (bot/db/pool.py)
        since_update_arrived()
        keys = lines_of(update)
        if not keys:
            # a poll, or anything else no one person or chat owns: nothing to keep order with
            async with self._running:
                await coroutine
            return
        # taken before the first await, so the places follow the order PTB started the tasks in
        turn = self._take_turn(keys)
        try:
            for earlier in turn.ahead:
                # shielded: a cancelled waiter must not cancel the turn it waits for
                await asyncio.shield(earlier.finished)
            async with self._running:
                await coroutine
        finally:
            if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == (
                inspect.CORO_CREATED
            ):
                # cancelled before its turn (a shutdown): it will never run
                coroutine.close()
            self._leave(turn)

    def _take_turn(self, keys: tuple[LineKey, ...]) -> _Turn:
        ahead: list[_Turn] = []
        for key in keys:
            tail = self._tails.get(key)
            if tail is not None and tail not in ahead:
                ahead.append(tail)
        turn = _Turn(keys, ahead)
        for key in keys:
            self._tails[key] = turn
        return turn

    def _leave(self, turn: _Turn) -> None:
        """Mark the turn finished, but never before the turns ahead of it: one cancelled while
        it waited (a shutdown) must not let the next in line overtake an update still running."""
        pending = [earlier for earlier in turn.ahead if not earlier.finished.done()]
        if not pending:
            self._finish(turn)
            return
        remaining = len(pending)

        def one_done(_: asyncio.Future[None]) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                self._finish(turn)

        for earlier in pending:
            earlier.finished.add_done_callback(one_done)

    def _finish(self, turn: _Turn) -> None:
        if not turn.finished.done():
            turn.finished.set_result(None)
        turn.ahead = []
        for key in turn.keys:
            # the line is forgotten when its newest update is done; a later one replaced it else
            if self._tails.get(key) is turn:
                del self._tails[key]


class PendingQueue(asyncio.Queue[object]):
    """The application's update queue, which also knows how many updates it took that are not
    yet handled: PTB marks each one done (``task_done``) only once its handling finished, while
    ``qsize`` falls as soon as an update is handed to the processor. The webhook refuses new
    updates past a bound of these, so a flood waits at Telegram rather than in our memory."""

    def __init__(self) -> None:
        super().__init__()
        self.unfinished = 0

    def put_nowait(self, item: object) -> None:
        super().put_nowait(item)
        # put() ends in put_nowait(), so every way in is counted once
        self.unfinished += 1

    def task_done(self) -> None:
        super().task_done()
        self.unfinished -= 1
