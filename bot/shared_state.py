"""The application that reads each update's conversation state from the database and writes it
back before moving on, so replicas on one database share every conversation.

For an update of user U, under U's lock on this replica:
1. conversation changes made to memory outside any update (code that ended a conversation from
   a job, say) are written first, as PTB's periodic flush would have;
2. the states of every persistent conversation at this update's keys, and U's data, are read
   from the database into PTB's in-memory structures, replacing what this replica remembered
   (a conversation the database no longer holds is dropped: it ended or lapsed elsewhere);
3. the handlers run as usual;
4. what changed (states, the moment a conversation moved, keys of U's data) is written at once.

The lock is per user and held only by this update (and by the lapse sweep and the flush for the
same user), never across users: updates of different users run side by side (bot/updates.py)
and, since every row here belongs to one user, none can overwrite another's. No transaction is
open while a handler runs or while anything is sent: reading and writing are each a short
transaction of their own.

One window stays: a step's next state is its handler's return value, known only after the
handler has sent the next question, so the write follows the reply by a few milliseconds (PTB's
flush used to follow it by seconds). A replica killed in between leaves the step before stored.

What stays in memory afterwards is a cache for code that looks outside an update; every update
reads afresh, and a user idle for IDLE_AFTER on the bot's clock is forgotten by the periodic
flush, so memory holds the active users only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from copy import deepcopy
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application, ConversationHandler
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationKey

from bot.persistence import Changes, DatabasePersistence, Loaded, Slot, UserData, as_json
from bot.runtime import runtime_of

log = logging.getLogger(__name__)

# a user with no update for this long (on the bot's clock) leaves this replica's memory
IDLE_AFTER = timedelta(minutes=15)


class UserLocks:
    """One asyncio lock per user, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(user_id) or (asyncio.Lock(), 0)
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)

    def busy(self, user_id: int) -> bool:
        return user_id in self._locks


def _user_of(update: object) -> int | None:
    if not isinstance(update, Update) or update.effective_user is None:
        return None
    return update.effective_user.id


def _key_for(handler: ConversationHandler[Any], update: Update) -> ConversationKey | None:
    """The key the handler would file this update under, or None where it would not look
    (the same conditions as ConversationHandler.check_update)."""
    if update.channel_post or update.edited_channel_post:
        return None
    if handler.per_chat and update.effective_chat is None:
        return None
    if handler.per_message and update.callback_query is None:
        return None
    if update.callback_query and handler.per_chat and not update.callback_query.message:
        return None
    return handler._get_key(update)


def _settled(state: object) -> object:
    """A state as it can be stored: a non-blocking step that has not finished keeps the old one."""
    if isinstance(state, PendingState):
        return state.resolve() if state.done() else state.old_state
    return state


class Turns(Protocol):
    """Turn-taking across replicas for one user's updates (bot/web/received.py, webhook mode)."""

    async def wait_for_turn(self, update: Update, user_id: int) -> list[Update]: ...

    def handled_already(self, update: Update) -> bool: ...

    async def turn_done(self, update: Update) -> None: ...


class SharedStateApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application whose conversations and user data live in the database, per update."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user_locks = UserLocks()
        self._persistent: dict[str, ConversationHandler[Any]] = {}
        # the user -> their conversation slots this replica has in memory, and when last seen
        self._remembered: dict[int, set[Slot]] = {}
        self._last_seen: dict[int, datetime] = {}
        # set in webhook mode, where another replica may hold the user's previous update
        self.turns: Turns | None = None

    @property
    def _store(self) -> DatabasePersistence:
        persistence = self.persistence
        if not isinstance(persistence, DatabasePersistence):
            raise RuntimeError("SharedStateApplication needs DatabasePersistence")
        return persistence

    async def initialize(self) -> None:
        await super().initialize()
        self._persistent = {}
        for handlers in self.handlers.values():
            for handler in handlers:
                if isinstance(handler, ConversationHandler):
                    self._collect(handler)

    def _collect(self, handler: ConversationHandler[Any]) -> None:
        if handler.persistent and handler.name:
            if not handler.per_user or handler.per_message:
                # the lock, the flush and the lapse all find the user as the key's last part
                raise ValueError(f"conversation {handler.name} must be per user, not per message")
            self._persistent[handler.name] = handler
        for child in handler._child_conversations:
            self._collect(child)

    def _states(self, name: str) -> TrackingDict[ConversationKey, object]:
        return self._conversation_handler_conversations[name]

    # --- one update ---------------------------------------------------------------------

    async def process_update(self, update: object) -> None:
        """Reads the update's state from the database, handles it, writes what it changed.

        Cost: one read transaction of two indexed lookups per update with a user, and one
        short write transaction when something changed: each about what the user lookup every
        handler makes anyway costs (bench/conversation_state.py prints them side by side), and
        small next to a reply to Telegram, which takes tens of milliseconds. It buys what a
        per-process cache cannot: any replica may take the next update, and a replica that dies
        has nothing unwritten but the step whose reply left a moment before its write."""
        user_id = _user_of(update)
        turns = self.turns
        if user_id is None or not isinstance(update, Update):
            try:
                await super().process_update(update)
            finally:
                if turns is not None and isinstance(update, Update):
                    await turns.turn_done(update)
            return
        async with self.user_locks.hold(user_id):
            if turns is not None and turns.handled_already(update):
                return
            # the user's earlier updates a dead replica left come first, in order
            earlier = [] if turns is None else await turns.wait_for_turn(update, user_id)
            for taken in [*earlier, update]:
                try:
                    await self._process_with_state(taken, user_id)
                finally:
                    if turns is not None:
                        await turns.turn_done(taken)

    async def _process_with_state(self, update: Update, user_id: int) -> None:
        try:
            await self._write_outside_changes(user_id)
            slots = self._slots_of(update)
            loaded = await self._store.load(slots, user_id)
        except Exception as exc:
            # the database is away: handling without the state would answer out of turn
            await self.process_error(update=update, error=exc)
            return
        self._install(user_id, slots, loaded)
        await super().process_update(update)
        try:
            await self._store.store(user_id, self._changes(user_id, slots, loaded))
        except Exception as exc:
            await self.process_error(update=update, error=exc)
        finally:
            self._forget_tracking(user_id)

    def _slots_of(self, update: Update) -> list[Slot]:
        slots = []
        for name, handler in self._persistent.items():
            key = _key_for(handler, update)
            if key is not None:
                slots.append((name, key))
        return slots

    def _install(self, user_id: int, slots: list[Slot], loaded: Loaded) -> None:
        """Puts the stored state in PTB's structures, untracked: it is not a change."""
        for slot in slots:
            name, key = slot
            states = self._states(name)
            if slot in loaded.states:
                states.update_no_track({key: loaded.states[slot]})
            else:
                states.data.pop(key, None)
        # a copy: the loaded dict stays as it was, to compare with afterwards
        self._user_data[user_id] = deepcopy(loaded.user_data)
        self._remembered.setdefault(user_id, set()).update(slots)
        self._last_seen[user_id] = runtime_of(self).clock.now()

    def _changes(self, user_id: int, slots: list[Slot], loaded: Loaded) -> Changes:
        changes = Changes()
        for slot in slots:
            name, key = slot
            state = _settled(self._states(name).get(key))
            if state != loaded.states.get(slot):
                changes.states[slot] = state
        moves = self._store.take_moves(slots)
        for slot, moved in moves.items():
            changes.moved_at[slot] = moved
            if slot not in changes.states and slot in loaded.states:
                # the same question asked again is a step too: its lapse counts from now
                changes.states[slot] = loaded.states[slot]
        after = as_json(self._user_data.get(user_id, {}))
        for name, value in after.items():
            if name not in loaded.user_data or loaded.user_data[name] != value:
                changes.data_set[name] = value
        changes.data_removed = {name for name in loaded.user_data if name not in after}
        return changes

    # --- PTB's in-memory change tracking --------------------------------------------------

    def _tracked(self, user_id: int) -> dict[Slot, object]:
        """Takes the user's tracked conversation writes out of PTB's tracking, leaving others'."""
        taken: dict[Slot, object] = {}
        for name in self._persistent:
            states = self._states(name)
            for key, state in states.pop_accessed_write_items():
                if int(key[-1]) == user_id:
                    taken[(name, key)] = state
                else:
                    states.mark_as_accessed(key)
        return taken

    def _forget_tracking(self, user_id: int) -> None:
        # this update's writes are stored: the flush must not store them again later, when
        # another replica may have moved the conversation on
        self._tracked(user_id)

    async def _write_outside_changes(self, user_id: int) -> None:
        """Stores conversation changes made to memory outside any update; the caller holds the
        user's lock."""
        for (name, key), state in self._tracked(user_id).items():
            settled = _settled(state)
            await self._store.update_conversation(
                name, key, None if settled is TrackingDict.DELETED else settled
            )

    async def update_persistence(self) -> None:
        """The periodic (and the final) flush: each update has stored its own changes, so this
        stores only changes made outside updates, each under its user's lock, then forgets the
        users idle for a while. PTB's own flush is not called: it would store again, later,
        states that another replica may have moved on since."""
        users = {int(key[-1]) for name in self._persistent for key, _ in self._peek_tracked(name)}
        for user_id in users:
            async with self.user_locks.hold(user_id):
                await self._write_outside_changes(user_id)
        # PTB marks every update's user and chat for its own flush, which is not run here
        self._user_ids_to_be_updated_in_persistence.clear()
        self._chat_ids_to_be_updated_in_persistence.clear()
        self._forget_idle()

    def _peek_tracked(self, name: str) -> Iterator[tuple[ConversationKey, object]]:
        states = self._states(name)
        items = states.pop_accessed_write_items()
        for key, _ in items:
            states.mark_as_accessed(key)
        yield from items

    def _forget_idle(self) -> None:
        since = runtime_of(self).clock.now() - IDLE_AFTER
        for user_id, seen in list(self._last_seen.items()):
            if seen > since or self.user_locks.busy(user_id):
                continue
            self.forget_user(user_id)

    # --- for code outside updates (the lapse sweep) ---------------------------------------

    def forget_user(self, user_id: int) -> None:
        """Drops what this replica remembers of the user; the database keeps it all."""
        for name, key in self._remembered.pop(user_id, set()):
            self._states(name).data.pop(key, None)
        self._user_data.pop(user_id, None)
        self._last_seen.pop(user_id, None)

    def forget_conversation(self, name: str, key: ConversationKey) -> None:
        """Drops a conversation from memory without counting it as a change to store."""
        if name in self._persistent:
            self._states(name).data.pop(key, None)

    def remember_user_data(self, user_id: int, data: UserData) -> None:
        """Replaces the cached data of a user whose stored data was just written."""
        if user_id in self._user_data:
            self._user_data[user_id] = deepcopy(data)
