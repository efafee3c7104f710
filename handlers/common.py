"""Small pieces every handler module uses: answering, private-chat checks, deep links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes, ConversationHandler
from telegram.ext._handlers.conversationhandler import _CheckUpdateType
from telegram.ext._utils.types import ConversationKey

from bot.db.models import Club, User
from bot.persistence import DatabasePersistence
from bot.runtime import AnyApplication, Scope, runtime_of

Context = ContextTypes.DEFAULT_TYPE

# a group's or supergroup's chat id is negative; Telegram's ids fit in 52 bits
_CLUB_IN_LINK = re.compile(r"log_?(-\d{1,16})")


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def answer(update: Update, text: str, reply_markup: Any = None) -> Message | None:
    """Reply in the chat the update came from; in groups, as a reply to the member."""
    message = update.effective_message
    if message is None:
        chat = update.effective_chat
        if chat is None:
            return None
        return await chat.send_message(text, reply_markup=reply_markup)
    if is_private(update):
        return await message.reply_text(text, reply_markup=reply_markup, do_quote=False)
    return await message.reply_text(text, reply_markup=reply_markup)


async def edit_in_place(update: Update, text: str, reply_markup: Any = None) -> None:
    """Edit the message a button sits on; a double tap that changes nothing is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def is_own_button(query: CallbackQuery) -> bool:
    """Whether the tapped data is one of the tapped message's own inline buttons. A modified
    client can send any data from any message, so a handler that edits the tapped message asks
    this first: else a forged tap turns an unrelated bot message into something else."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None or query.data is None:
        return False
    return any(
        button.callback_data == query.data for row in markup.inline_keyboard for button in row
    )


async def refuse_foreign_tap(update: Update, context: Context) -> bool:
    """True (after a short alert, in the tapper's language) when the tapped data is not on the
    tapped message; the caller then changes nothing. Call it before opening a transaction: it
    reads the tapper's language in a session of its own."""
    query = update.callback_query
    assert query is not None
    if is_own_button(query):
        return False
    runtime = runtime_of(context)
    # a plain session: a forged tap must not make the tapper a user of the bot
    async with runtime.session() as session:
        user = await session.get(User, query.from_user.id)
    tr = runtime.translator_for(user, query.from_user.language_code)
    await query.answer(tr.gettext("That choice is no longer offered."), show_alert=True)
    return True


def deep_link(context: Context, payload: str) -> str:
    """t.me link that opens the private chat and starts it with a payload."""
    return f"https://t.me/{context.bot.username}?start={payload}"


async def send_to_private_chat(
    update: Update, context: Context, scope: Scope, payload: str
) -> None:
    """In a group, point the member to the private chat instead of asking for details here."""
    _ = scope._
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Open a private chat"), url=deep_link(context, payload))]]
    )
    await answer(
        update,
        _("That is personal, so let's do it in a private chat: tap the button below."),
        reply_markup=markup,
    )


async def club_of_link(
    context: Context, session: AsyncSession, payload: str, user_id: int
) -> int | None:
    """The club a "log_<chat id>" link names, if the database knows it and the user is in it.
    The database is asked first, so a forged link costs no request to Telegram."""
    match = _CLUB_IN_LINK.fullmatch(payload)
    if match is None:
        return None
    chat_id = int(match.group(1))
    if await session.get(Club, chat_id) is None:
        return None
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return None
    return chat_id if member.status not in ("left", "kicked") else None


# --- which conversation is open --------------------------------------------------------------
# A user has at most one conversation open at a time. The log and the references hold what the
# user typed, so they refuse to be interrupted; the goal and zone questions hold nothing yet, so
# they give way to whatever starts next. Only python-telegram-bot knows which conversation is in
# which state, in each ConversationHandler's private mapping, so this is the one place that
# reads it and ends a conversation from outside; everything else asks these helpers.
HOLDS_INPUT = ("log", "references")
GIVES_WAY = ("goal", "settings")


def _conversation(application: AnyApplication, name: str) -> ConversationHandler[Any] | None:
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.name == name:
                return handler
    return None


def open_conversations(update: Update, context: Context) -> list[str]:
    """The names of the conversations this user has open in this chat."""
    names = []
    for name in (*HOLDS_INPUT, *GIVES_WAY):
        handler = _conversation(context.application, name)
        if handler is None or update.effective_chat is None or update.effective_user is None:
            continue
        if handler._get_key(update) in handler._conversations:
            names.append(name)
    return names


def holding_input(update: Update, context: Context) -> str | None:
    """The conversation that holds unsaved input and must be finished or cancelled first."""
    return next((n for n in open_conversations(update, context) if n in HOLDS_INPUT), None)


def end_conversation(update: Update, context: Context, name: str) -> bool:
    """Ends a conversation of this user from outside it; True if it was open."""
    handler = _conversation(context.application, name)
    if handler is None or update.effective_chat is None or update.effective_user is None:
        return False
    return end_conversation_at(context.application, name, handler._get_key(update))


def is_open_at(application: AnyApplication, name: str, key: ConversationKey) -> bool:
    """Whether the conversation with this key (chat id, user id) is open."""
    handler = _conversation(application, name)
    return handler is not None and key in handler._conversations


def end_conversation_at(application: AnyApplication, name: str, key: ConversationKey) -> bool:
    """Ends the conversation with this key (chat id, user id); True if it was open."""
    handler = _conversation(application, name)
    if handler is None:
        return False
    was_open = key in handler._conversations
    # the mapping tracks the removal, so the persisted state follows on the next flush
    handler._update_state(ConversationHandler.END, key)
    return was_open


def make_way(update: Update, context: Context, starting: str) -> None:
    """Closes the light questions (nothing typed yet) before another conversation starts."""
    for name in GIVES_WAY:
        if name != starting:
            end_conversation(update, context, name)


class LapsingConversation(ConversationHandler[Context]):
    """A ConversationHandler that notes, on the bot's clock, when each conversation last moved.
    The persistence stores that moment, and the conversation lapses a while after it
    (handlers/lapses.py): no in-memory timer, so a restart or a moved clock changes nothing."""

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: AnyApplication,
        check_result: _CheckUpdateType[Context],
        context: Context,
    ) -> object | None:
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            # the check result is (state, key, handler, the handler's own check result)
            key = check_result[1]
            persistence = application.persistence
            if isinstance(persistence, DatabasePersistence) and key in self._conversations:
                assert self.name is not None  # a persistent conversation has a name
                persistence.note_change(self.name, key)


@dataclass(frozen=True)
class Farewell:
    """What a conversation tells the user when it lapses."""

    text: str
    reply_markup: ReplyKeyboardRemove | None = None
