"""Updates about the chat itself: the user blocking or unblocking the bot, edited messages."""

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
from handlers.common import Context, answer


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
        ChatMemberHandler(private_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.UpdateType.EDITED, edited_message),
    ]
