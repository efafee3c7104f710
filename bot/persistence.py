"""Keeps conversations and their drafts in the database, so a restart loses nothing."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db.models import ConversationRecord, UserDataRecord
from bot.runtime import Runtime

UserData = dict[Any, Any]


def _key_text(key: ConversationKey) -> str:
    return json.dumps(list(key))


def key_from_text(text: str) -> ConversationKey:
    return tuple(json.loads(text))


class DatabasePersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    """Stores conversation states and per-user drafts in the bot's own database.

    A conversation's row carries when it last moved, on the bot's clock: the moment of the step
    (noted by handlers.common.LapsingConversation), not that of the flush a moment later, which
    a moved clock could put far ahead. Its lapse counts from there (handlers/lapses.py)."""

    def __init__(
        self, runtime: Runtime, opener: Callable[[], Awaitable[None]], update_interval: float
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._runtime = runtime
        self._open = opener
        # (name, key) -> when the conversation last moved, until the next flush stores it
        self._moved_at: dict[tuple[str, str], datetime] = {}

    def note_change(self, name: str, key: ConversationKey) -> None:
        """Notes that a conversation took a step now, on the bot's clock."""
        self._moved_at[(name, _key_text(key))] = self._runtime.clock.now()

    def pending_change(self, name: str, key: ConversationKey) -> datetime | None:
        """When the conversation moved, if the database does not know it yet."""
        return self._moved_at.get((name, _key_text(key)))

    async def get_user_data(self) -> dict[int, UserData]:
        await self._open()
        async with self._runtime.session() as session:
            rows = (await session.scalars(select(UserDataRecord))).all()
        return {row.user_id: dict(row.data) for row in rows}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self._open()
        async with self._runtime.session() as session:
            rows = (
                await session.scalars(
                    select(ConversationRecord).where(ConversationRecord.name == name)
                )
            ).all()
        return {key_from_text(row.key): row.state.get("state") for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        key_text = _key_text(key)
        now = self._moved_at.pop((name, key_text), None) or self._runtime.clock.now()
        async with self._runtime.session() as session, session.begin():
            row = await session.scalar(
                select(ConversationRecord).where(
                    ConversationRecord.name == name, ConversationRecord.key == key_text
                )
            )
            if new_state is None:
                if row is not None:
                    await session.delete(row)
                return
            if row is None:
                session.add(
                    ConversationRecord(
                        name=name, key=key_text, state={"state": new_state}, updated_at=now
                    )
                )
            else:
                row.state = {"state": new_state}
                row.updated_at = now

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        now = self._runtime.clock.now()
        clean = json.loads(json.dumps(data, default=str))
        async with self._runtime.session() as session, session.begin():
            row = await session.get(UserDataRecord, user_id)
            if not clean:
                if row is not None:
                    await session.delete(row)
                return
            if row is None:
                session.add(UserDataRecord(user_id=user_id, data=clean, updated_at=now))
            else:
                row.data = clean
                row.updated_at = now

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
    transaction. The periodic flush would write the same a few seconds later; doing it in the
    transaction that saves what the conversation was for means a crash between the two (or a
    restart before the flush) cannot bring the finished conversation back to be saved twice."""
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
