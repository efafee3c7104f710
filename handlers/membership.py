"""Updates about the chat itself: blocking and unblocking, joining a group, edited messages."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.db.models import User
from bot.runtime import runtime_of, scope
from handlers.club_join import arrival
from handlers.common import Context, answer

_OUTSIDE = (ChatMember.LEFT, ChatMember.BANNED)
_INSIDE = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


async def bot_membership(update: Update, context: Context) -> None:
    """Follows the bot's own membership: of a private chat (blocking), or of a group."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == "private":
        await private_membership(update, context)
    elif change.chat.type in ("group", "supergroup"):
        await added_to_group(update, context)


async def added_to_group(update: Update, context: Context) -> None:
    """Decides whether the bot has just arrived in a group; the club's arrival does the rest."""
    change = update.my_chat_member
    assert change is not None
    old, new = change.old_chat_member.status, change.new_chat_member.status
    # a promotion to admin, or any change inside the group, is not an arrival
    if old not in _OUTSIDE or new not in _INSIDE:
        return
    await arrival(update, context)


async def private_membership(update: Update, context: Context) -> None:
    """Marks the user unreachable when they block the bot, and reachable when they come back."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    runtime = runtime_of(context)
    async with runtime.session() as session, session.begin():
        # only an existing row: someone who deleted their data and then blocks stays deleted
        user = await session.get(User, change.chat.id)
        if user is None:
            return
        blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
        user.reachable = not blocked
        user.updated_at = runtime.clock.now()


async def edited_message(update: Update, context: Context) -> None:
    """Says that editing a sent message changes nothing, so no one thinks it did."""
    if update.effective_chat is not None and update.effective_chat.type == "private":
        async with scope(update, context) as s:
            await answer(
                update,
                s._(
                    "I saw you edited a message. Edits don't change what I saved: use the "
                    "Edit button on the interview's card (/interviews) instead."
                ),
            )
    # an edit is never a new answer to whatever question is open
    raise ApplicationHandlerStop


def membership_handlers() -> list[BaseHandler[Update, Context, object]]:
    """Handlers for the group that runs before all others."""
    return [
        ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.UpdateType.EDITED, edited_message),
    ]
