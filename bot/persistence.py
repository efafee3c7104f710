"""Conversation states and per-user drafts in the database, read and written one user at a time.

The database is the only truth: every update reads its user's rows before it is handled and
writes what it changed right after (bot/shared_state.py), so any replica can take a user's next
update and a replica that dies loses nothing already answered. Nothing is loaded at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db.models import ConversationRecord, UserDataRecord
from bot.runtime import Runtime

UserData = dict[Any, Any]
# a conversation as the database names it: (the ConversationHandler's name, its key)
Slot = tuple[str, ConversationKey]


def _key_text(key: ConversationKey) -> str:
    return json.dumps(list(key))


def key_from_text(text: str) -> ConversationKey:
    return tuple(json.loads(text))


def as_json(value: Any) -> Any:
    """The value as the JSON column gives it back, so a comparison after a reload holds."""
    return json.loads(json.dumps(value, default=str))


@dataclass
class Loaded:
    """What the database holds for one update: its conversations' states and the user's data."""

    states: dict[Slot, object] = field(default_factory=dict)
    user_data: UserData = field(default_factory=dict)


@dataclass
class Changes:
    """What one update changed: states to store (None ends the conversation), the moment each
    conversation moved, and the keys of the user's data set or removed."""

    states: dict[Slot, object | None] = field(default_factory=dict)
    moved_at: dict[Slot, datetime] = field(default_factory=dict)
    data_set: dict[str, Any] = field(default_factory=dict)
    data_removed: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.states or self.data_set or self.data_removed)


def _upsert(session: AsyncSession, model: type[Any]) -> Any:
    """INSERT ... ON CONFLICT for the database in use: two replicas may create the same row."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"no upsert for the {dialect} database")


def _upsert_state(session: AsyncSession, slot: Slot, state: object, at: datetime) -> Insert:
    name, key = slot
    statement = _upsert(session, ConversationRecord).values(
        name=name, key=_key_text(key), state={"state": state}, updated_at=at
    )
    updated: Insert = statement.on_conflict_do_update(
        index_elements=["name", "key"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )
    return updated


async def write_user_data(
    session: AsyncSession, user_id: int, data: Mapping[str, Any], at: datetime
) -> None:
    """Stores the user's data as given, inside the caller's transaction; empty, the row goes."""
    if not data:
        await session.execute(delete(UserDataRecord).where(UserDataRecord.user_id == user_id))
        return
    statement = _upsert(session, UserDataRecord).values(
        user_id=user_id, data=dict(data), updated_at=at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
        )
    )


async def locked_user_data(session: AsyncSession, user_id: int) -> UserData:
    """The user's stored data, its row locked until the caller's transaction ends (PostgreSQL;
    SQLite has one writer at a time anyway), so a read-modify-write loses no other write."""
    row = await session.scalar(
        select(UserDataRecord).where(UserDataRecord.user_id == user_id).with_for_update()
    )
    return dict(row.data) if row is not None else {}


class DatabasePersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    """Python-telegram-bot's persistence for the conversations, reduced to what is not per update.

    PTB keeps data in memory and stores it every few seconds; here the application reads and
    writes each update's rows itself (``load`` and ``store``, called by SharedStateApplication),
    so PTB loads nothing at start-up (``get_conversations`` is empty) and user data is not PTB's
    to store at all (``store_data`` is off). ``update_conversation`` stays for a conversation
    that code changed outside any update; SharedStateApplication calls it under the user's lock.

    A conversation's row carries when it last moved, on the bot's clock: the moment of the step
    (noted by handlers.common.LapsingConversation). Its lapse counts from there
    (handlers/lapses.py)."""

    def __init__(self, runtime: Runtime, update_interval: float) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._runtime = runtime
        # (name, key) -> when the conversation last moved, until its state is stored
        self._moved_at: dict[Slot, datetime] = {}

    def note_change(self, name: str, key: ConversationKey) -> None:
        """Notes that a conversation took a step now, on the bot's clock."""
        self._moved_at[(name, key)] = self._runtime.clock.now()

    def take_moves(self, slots: Iterable[Slot]) -> dict[Slot, datetime]:
        """The noted moments of these conversations, forgotten here once handed over."""
        return {slot: moved for slot in slots if (moved := self._moved_at.pop(slot, None))}

    # --- per update -----------------------------------------------------------------------

    async def load(self, slots: Iterable[Slot], user_id: int) -> Loaded:
        """The stored states of these conversations and the user's data, in one short read.

        The conversations are found through the unique (name, key) index, the data by its
        primary key: two indexed lookups of a row or two each."""
        wanted = list(slots)
        loaded = Loaded()
        async with self._runtime.session() as session:
            if wanted:
                rows = await session.execute(
                    select(
                        ConversationRecord.name, ConversationRecord.key, ConversationRecord.state
                    )
                    .where(ConversationRecord.name.in_({name for name, _ in wanted}))
                    .where(ConversationRecord.key.in_({_key_text(key) for _, key in wanted}))
                )
                by_text = {(name, _key_text(key)): (name, key) for name, key in wanted}
                for name, key_text, state in rows:
                    slot = by_text.get((name, key_text))
                    if slot is not None:
                        loaded.states[slot] = state.get("state")
            row = await session.get(UserDataRecord, user_id)
            if row is not None:
                loaded.user_data = dict(row.data)
        return loaded

    async def store(self, user_id: int, changes: Changes) -> None:
        """Writes what an update changed, in one transaction.

        The user's data is merged key by key into what the row holds now, so a write from another
        replica to other keys meanwhile is kept rather than overwritten."""
        if not changes:
            return
        now = self._runtime.clock.now()
        async with self._runtime.session() as session, session.begin():
            for slot, state in changes.states.items():
                name, key = slot
                if state is None:
                    await session.execute(
                        delete(ConversationRecord).where(
                            ConversationRecord.name == name,
                            ConversationRecord.key == _key_text(key),
                        )
                    )
                else:
                    moved = changes.moved_at.get(slot, now)
                    await session.execute(_upsert_state(session, slot, state, moved))
            if changes.data_set or changes.data_removed:
                data = await locked_user_data(session, user_id)
                for removed in changes.data_removed:
                    data.pop(removed, None)
                data.update(changes.data_set)
                await write_user_data(session, user_id, data, now)

    # --- python-telegram-bot's interface ----------------------------------------------------

    async def get_user_data(self) -> dict[int, UserData]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        # loaded per update instead: at start-up with 100,000 users this would read every row
        return {}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        moved = self._moved_at.pop((name, key), None) or self._runtime.clock.now()
        await self.store(
            int(key[-1]), Changes(states={(name, key): new_state}, moved_at={(name, key): moved})
        )

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        async with self._runtime.session() as session, session.begin():
            await session.execute(delete(UserDataRecord).where(UserDataRecord.user_id == user_id))

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None


async def close_with(
    session: AsyncSession, name: str, key: ConversationKey, user_id: int, *drop: str
) -> None:
    """Ends a conversation and drops keys of the user's stored data inside the caller's
    transaction, the one that saves what the conversation was for: a crash right after it (before
    the update's own write) cannot bring the finished conversation back to be saved twice."""
    await session.execute(
        delete(ConversationRecord).where(
            ConversationRecord.name == name, ConversationRecord.key == _key_text(key)
        )
    )
    if not drop:
        return
    row = await session.get(UserDataRecord, user_id)
    if row is not None and any(k in row.data for k in drop):
        row.data = {k: v for k, v in row.data.items() if k not in drop}
