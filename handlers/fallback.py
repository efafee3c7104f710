"""What answers when nothing else does: stale buttons, stray text in private, unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.domain.text import has_visible_text
from bot.runtime import scope
from handlers.common import Context, answer


async def stale_button(update: Update, context: Context) -> None:
    """Answers a tap on a button that no longer does anything."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        await query.answer(s._("This button is no longer active."))


async def unknown_command(update: Update, context: Context) -> None:
    """Answers a command the bot does not know, in private chats."""
    async with scope(update, context) as s:
        await answer(update, s._("I don't know that command. /help lists what I can do."))


async def stray_message(update: Update, context: Context) -> None:
    """Answers a private message that is not part of any conversation."""
    message = update.effective_message
    typed = message.text if message is not None else None
    async with scope(update, context) as s:
        if typed is not None and not has_visible_text(typed):
            # a zero-width space or the like: say what we see, rather than "not sure"
            await answer(update, s._("That message has nothing visible in it."))
            return
        await answer(
            update,
            s._(
                "I'm not sure what to do with that. Send /log to log an interview, "
                "or /help to see everything I can do."
            ),
        )


def fallback_handlers() -> list[BaseHandler[Update, Context, object]]:
    private = filters.ChatType.PRIVATE
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, stray_message),
    ]
