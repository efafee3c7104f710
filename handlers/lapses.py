"""Open conversations lapse on the bot's clock, from what the database holds.

A conversation lapses its ``timeout`` after its last step: ConversationRecord.updated_at, the
moment of that step on the bot's clock (bot/persistence.py). No timer lives in memory, so a
restart loses nothing and a moved clock (tests, the sandbox's ``:wait``) moves the lapses too.
A periodic job (bot/app.py) runs the sweep, as do RunningBot.sweep() and the sandbox's ``:wait``;
it ends each lapsed conversation in the database (and in this replica's memory), forgets what it
held in the user's stored data, and tells the user what that conversation says when it lapses.
Any replica may sweep: the database says which conversation lapsed, and every replica reads a
user's conversations from the database before handling their next update (bot/shared_state.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import CursorResult
from telegram.error import TelegramError

from bot.config import Settings
from bot.db.models import ConversationRecord, User
from bot.i18n import Translator
from bot.persistence import key_from_text, locked_user_data, write_user_data
from bot.runtime import AnyApplication, Runtime, runtime_of
from bot.shared_state import SharedStateApplication
from handlers import goal, log, outcomes, references_edit, settings
from handlers.common import Farewell

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lapse:
    """How long a conversation waits for its next step, and what ending it says."""

    timeout: Callable[[Settings], timedelta]
    # forgets what the conversation held in the user's data; returns what to tell the user
    farewell: Callable[[dict[Any, Any], Translator], Farewell | None]


def _long(config: Settings) -> timedelta:
    return timedelta(seconds=config.conversation_timeout_seconds)


def _quietly(user_data: dict[Any, Any], tr: Translator) -> None:
    return None


LAPSES: dict[str, Lapse] = {
    "log": Lapse(_long, log.lapsed),
    "references": Lapse(_long, references_edit.lapsed),
    "outcomes": Lapse(_long, outcomes.lapsed),
    "goal": Lapse(lambda _: goal.GOAL_QUESTION_TIMEOUT, _quietly),
    "settings": Lapse(lambda _: settings.ZONE_QUESTION_TIMEOUT, settings.lapsed),
}


async def next_lapse(runtime: Runtime, after: datetime) -> datetime | None:
    """When the next open conversation lapses, if one does after ``after``."""
    async with runtime.session() as session:
        rows = (
            await session.execute(select(ConversationRecord.name, ConversationRecord.updated_at))
        ).all()
    moments = [
        since + LAPSES[name].timeout(runtime.settings) for name, since in rows if name in LAPSES
    ]
    return min((m for m in moments if m > after), default=None)


class LapseSweep:
    """Ends the conversations whose time is up; one sweep at a time."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application
        self.runtime = runtime_of(application)
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def run(self) -> int:
        """Ends every lapsed conversation; returns how many."""
        async with self._lock:
            now = self.runtime.clock.now()
            lapsed = or_(
                *(
                    and_(
                        ConversationRecord.name == name,
                        ConversationRecord.updated_at <= now - lapse.timeout(self.runtime.settings),
                    )
                    for name, lapse in LAPSES.items()
                )
            )
            async with self.runtime.session() as session:
                rows = (await session.scalars(select(ConversationRecord).where(lapsed))).all()
            ended = 0
            for row in rows:
                if await self._end(row, now):
                    ended += 1
            return ended

    async def _end(self, row: ConversationRecord, now: datetime) -> bool:
        lapse = LAPSES[row.name]
        key = key_from_text(row.key)
        chat_id, user_id = int(key[0]), int(key[-1])
        application = self.application
        shared = application if isinstance(application, SharedStateApplication) else None
        # the user's lock: an update of theirs being handled here stores its step first, and
        # then the row's moment no longer matches below
        async with shared.user_locks.hold(user_id) if shared else contextlib.nullcontext():
            async with self.runtime.session() as session, session.begin():
                # only if no step was stored meanwhile (here or on another replica), and only
                # once, whoever else sweeps
                result = await session.execute(
                    delete(ConversationRecord).where(
                        ConversationRecord.id == row.id,
                        ConversationRecord.updated_at == row.updated_at,
                    )
                )
                if not isinstance(result, CursorResult) or result.rowcount != 1:
                    return False
                user = await session.get(User, user_id)
                # what the conversation held goes in the same transaction as the conversation
                user_data = await locked_user_data(session, user_id)
                farewell = lapse.farewell(user_data, self.runtime.translator_for(user))
                await write_user_data(session, user_id, user_data, now)
            if shared is not None:
                shared.forget_conversation(row.name, key)
                shared.remember_user_data(user_id, user_data)
        logger.info("conversation %s of user %s lapsed", row.name, user_id)
        # only in the private chat, and never to someone who deleted their data or blocked us
        if farewell is None or chat_id != user_id or user is None or not user.reachable:
            return True
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_message(
                chat_id, farewell.text, reply_markup=farewell.reply_markup
            )
        return True
