"""/log: the guided conversation that records an interview, its people and how it went.

Its entry points and its wiring live here; the answers typed in handlers/log_answers.py, the
buttons ("lg:<action>") in handlers/log_buttons.py, saving in handlers/log_save.py, the questions
in handlers/log_questions.py, the draft in handlers/log_draft.py and its steps in handlers/steps.py.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.db.models import Club
from bot.i18n import Translator
from bot.interviews import find_interview
from bot.runtime import Scope, scope
from handlers.common import (
    Context,
    Farewell,
    LapsingConversation,
    answer,
    club_of_link,
    deep_link,
    holding_input,
    make_way,
)
from handlers.debrief import debrief_from_nudge
from handlers.log_answers import TEXT_HANDLERS, text_of
from handlers.log_buttons import tapped
from handlers.log_draft import (
    ACTION,
    DRAFT,
    END,
    Draft,
    draft_of,
    drafting,
    forget,
    get_draft,
    is_ahead,
    keep,
    start_draft,
)
from handlers.log_questions import (
    ASKERS,
    ask_company,
    ask_person_name,
    clear_previous_question,
    go,
    show_edit_menu,
)
from handlers.references_edit import command_inside
from handlers.steps import Step

# --- entry points ----------------------------------------------------------------------------


def _gated(callback: Callable[[Update, Context], Awaitable[int]]) -> Any:
    """Starts logging only when no reference is half typed; a goal or zone question still open
    gives way, so that only one conversation at a time takes what the user types."""

    @functools.wraps(callback)
    async def run(update: Update, context: Context) -> int:
        if holding_input(update, context) == "references":
            # the reference keeps its question; the user finishes it or cancels it first
            await command_inside(update, context)
            return END
        make_way(update, context, "log")
        return await callback(update, context)

    return run


async def _begin(update: Update, context: Context, s: Scope, club_id: int | None) -> int:
    draft = Draft(club_id=club_id)
    start_draft(context, draft)
    try:
        await answer(
            update,
            s._("Let's log your interview. It takes about a minute; /cancel stops at any point."),
        )
        return await ask_company(update, context, s, draft)
    finally:
        keep(context, draft)


async def log_command(update: Update, context: Context) -> int:
    """Starts logging an interview in the private chat."""
    async with scope(update, context) as s:
        return await _begin(update, context, s, None)


async def log_button(update: Update, context: Context) -> int:
    """Starts logging from the button on /start or /help."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with scope(update, context) as s:
        return await _begin(update, context, s, None)


async def log_from_link(update: Update, context: Context) -> int:
    """Starts logging from a group's deep link, remembering the club it came from."""
    payload = context.args[0] if context.args else ""
    async with scope(update, context) as s:
        club_id = await club_of_link(context, s.session, payload, s.user.id)
        return await _begin(update, context, s, club_id)


async def log_in_group(update: Update, context: Context) -> None:
    """In a group: sends the member to the private chat with a link that carries the club."""
    chat = update.effective_chat
    assert chat is not None
    async with scope(update, context) as s:
        club = await s.session.get(Club, chat.id)
        if club is None:
            s.session.add(
                Club(id=chat.id, title=(chat.title or "")[:256], created_at=s.runtime.clock.now())
            )
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        s._("Log it in private"), url=deep_link(context, f"log_{chat.id}")
                    )
                ]
            ]
        )
        await answer(
            update,
            s._("Interview details stay between us: tap the button to log it in our private chat."),
            reply_markup=markup,
        )


async def edit_from_card(update: Update, context: Context) -> int:
    """Opens a saved interview's summary for editing, or its interviewer list."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    parts = keyboards.decode(query.data)
    interview_id = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        interview = await find_interview(s.session, s.user.id, interview_id)
        if interview is None:
            await query.answer(s._("That interview no longer exists."), show_alert=True)
            return END
        await query.answer()
        draft = draft_of(interview)
        draft.ahead = is_ahead(s, draft)
        start_draft(context, draft)
        try:
            if parts[1] == "addperson":
                return await ask_person_name(update, context, s, draft)
            return await show_edit_menu(update, context, s, draft)
        finally:
            keep(context, draft)


async def _lost(update: Update, context: Context) -> int:
    async with scope(update, context) as s:
        await answer(
            update,
            s._("I lost track of that interview, sorry. Send /log to start again."),
        )
    return END


def _texts(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                return await TEXT_HANDLERS[state](update, context, s, draft, text_of(update))

    return handle


def _buttons_only_text(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                await answer(update, s._("Please choose one of the buttons."))
                return await go(update, context, s, draft, state)

    return handle


def _not_text(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                await answer(update, s._("I can only read text here. Please type your answer."))
                return await go(update, context, s, draft, state)

    return handle


def _command_inside(state: Step) -> Any:
    """A command, or a button of another message, while a question is open: say so, ask again."""

    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            if update.callback_query is not None:
                await update.callback_query.answer()
            async with scope(update, context) as s:
                await answer(
                    update,
                    s._(
                        "We are in the middle of logging an interview. Answer the question below, "
                        "or send /cancel to stop."
                    ),
                )
                return await go(update, context, s, draft, state)

    return handle


async def cancel(update: Update, context: Context) -> int:
    """Stops logging; nothing is saved."""
    async with scope(update, context) as s:
        draft = get_draft(context)
        if draft is not None:
            await clear_previous_question(update, context, draft)
        forget(context)
        if draft is not None and draft.debrief:
            await answer(
                update,
                s._(
                    "Stopped. The interview stays as it was; the button on my reminder brings "
                    "these questions back."
                ),
            )
        else:
            await answer(update, s._("Stopped. I did not save that interview."))
    return END


def lapsed(user_data: dict[Any, Any], tr: Translator) -> Farewell:
    """After a long silence: sets the draft aside and says so."""
    stored = user_data.pop(DRAFT, None)
    draft = Draft.from_json(stored) if isinstance(stored, dict) else Draft()
    company = draft.company or ""
    if draft.debrief:
        # the interview is stored; only the answers about how it went were left unfinished
        return Farewell(
            tr.gettext(
                "We did not finish talking about your interview at {company}. The button on my "
                "reminder brings the questions back."
            ).format(company=escape(company))
        )
    return Farewell(
        tr.gettext(
            "We did not finish logging the interview at {company}, so I set it aside. "
            "Send /log when you want to start again."
        ).format(company=escape(company))
        if company
        else tr.gettext(
            "We did not finish logging that interview, so I set it aside. "
            "Send /log when you want to start again."
        )
    )


def log_conversation() -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {}
    for state in ASKERS:
        handlers: list[BaseHandler[Update, Context, object]] = [
            CallbackQueryHandler(tapped(state), pattern=keyboards.pattern(ACTION))
        ]
        if state in TEXT_HANDLERS:
            handlers.append(MessageHandler(text, _texts(state)))
        else:
            handlers.append(MessageHandler(text, _buttons_only_text(state)))
        handlers.append(MessageHandler(other, _not_text(state)))
        handlers.append(
            MessageHandler(filters.COMMAND & ~filters.Regex(r"^/cancel\b"), _command_inside(state))
        )
        handlers.append(
            CallbackQueryHandler(
                # starting a reference would leave this draft hanging, unseen
                _command_inside(state),
                pattern=r"^(log:start|iv:(edit|addperson|debrief):|ref:(add|edit)(:|$))",
            )
        )
        states[state] = handlers
    private = filters.ChatType.PRIVATE
    # it lapses after CONVERSATION_TIMEOUT_SECONDS on the bot's clock (handlers/lapses.py)
    return LapsingConversation(
        entry_points=[
            CommandHandler("log", _gated(log_command), filters=private),
            CommandHandler(
                "start", _gated(log_from_link), filters=private & filters.Regex(r"^/start log")
            ),
            CallbackQueryHandler(_gated(log_button), pattern=r"^log:start$"),
            CallbackQueryHandler(_gated(edit_from_card), pattern=r"^iv:(edit|addperson):\d+$"),
            CallbackQueryHandler(_gated(debrief_from_nudge), pattern=r"^iv:debrief:\d+$"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="log",
        persistent=True,
    )


def log_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("log", log_in_group, filters=filters.ChatType.GROUPS)]
