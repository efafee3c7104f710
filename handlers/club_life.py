"""A club's group life: the bot removed and re-added, the group upgraded, members leaving."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Chat, ChatMember, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.clubs.life import move_club
from bot.clubs.members import ensure_club, leave, reschedule
from bot.db.models import Club, User
from bot.runtime import Runtime, runtime_of
from handlers.common import Context

log = logging.getLogger(__name__)

_OUTSIDE = (ChatMember.LEFT, ChatMember.BANNED)
_INSIDE = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


def message_topic(message: Message | None) -> int | None:
    """The forum topic a message was written in; None for a group's general chat (a reply
    thread in a group without topics is not a topic)."""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def ensure_group_club(
    session: AsyncSession,
    runtime: Runtime,
    chat: Chat,
    founder: User | None,
    now: datetime,
    *,
    telegram_language: str | None = None,
    thread_id: int | None = None,
    added_by: int | None = None,
) -> Club:
    """The group's club, created if new with the founder's language and (if the bot knows it)
    zone, else the default language and UTC."""
    language = runtime.translator_for(founder, telegram_language).language
    club, _created = await ensure_club(
        session,
        chat.id,
        chat.title or "",
        now,
        added_by=added_by if added_by is not None else (founder.id if founder else None),
        zone=founder.timezone if founder is not None else None,
        language=language,
        thread_id=thread_id,
    )
    return club


async def bot_moved(update: Update, context: Context) -> None:
    """Closes a club when the bot leaves its group and reopens it when the bot returns; a new
    group gets its club here (the introduction follows in handlers/club_join.py)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    old, new = change.old_chat_member.status, change.new_chat_member.status
    runtime = runtime_of(context)
    now = runtime.clock.now()
    if new in _OUTSIDE:
        async with runtime.session() as session, session.begin():
            club = await session.get(Club, change.chat.id)
            if club is not None:
                # nothing goes to the group from now on; everything it holds is kept
                club.active = False
        return
    if old not in _OUTSIDE or new not in _INSIDE:
        return
    async with runtime.session() as session, session.begin():
        club = await session.get(Club, change.chat.id)
        if club is None:
            adder = await session.get(User, change.from_user.id)
            await ensure_group_club(
                session,
                runtime,
                change.chat,
                adder,
                now,
                telegram_language=change.from_user.language_code,
                added_by=change.from_user.id,
            )
        elif club.active:
            # the bot never left: Telegram says "joined" again for the supergroup a group was
            # upgraded to, once the club has moved there. Nothing to say.
            raise ApplicationHandlerStop
        else:
            # back in a group whose club it kept: the club reopens; the welcome back (or, for
            # a club no one had joined, the introduction) follows in handlers/club_join.py
            club.active = True
            # the weeks it was away are not posted now: the next check-in is the next one due
            reschedule(club, now)
            if change.chat.title:
                club.title = change.chat.title[:256]


async def group_migrated(update: Update, context: Context) -> None:
    """Moves the club of a group upgraded to a supergroup to its new chat id; each of the two
    service messages Telegram sends does it, whichever comes first, and the other finds it done."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    runtime = runtime_of(context)
    async with runtime.session() as session, session.begin():
        moved = await move_club(session, old_id, new_id)
    if moved is not None:
        log.info("club %s moved to supergroup %s", old_id, new_id)


async def member_left(update: Update, context: Context) -> None:
    """Drops a member who left the group (or was removed) off its club; their own data stays."""
    message = update.effective_message
    gone = message.left_chat_member if message is not None else None
    if message is None or gone is None or gone.id == context.bot.id:
        return
    runtime = runtime_of(context)
    async with runtime.session() as session, session.begin():
        await leave(session, message.chat.id, gone.id)


def club_life_handlers() -> list[BaseHandler[Update, Context, object]]:
    """Handlers that run ahead of the bot's own membership handling (see bot/app.py)."""
    return [
        ChatMemberHandler(bot_moved, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated),
        MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, member_left),
    ]
