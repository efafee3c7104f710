"""/timezone (the zone question; its answers: handlers/zone_answers.py), /language, /pause,
/resume: how and when the bot speaks to the user; /cancel."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.domain.zones import zone_label
from bot.i18n import SUPPORTED_LANGUAGES, Translator, language_in_text, language_name
from bot.runtime import Scope, scope
from handlers.common import (
    Context,
    Farewell,
    LapsingConversation,
    answer,
    edit_in_place,
    holding_input,
    is_private,
    make_way,
    open_conversations,
    send_to_private_chat,
)
from handlers.onboarding import (
    LINK_CLUB_KEY,
    LINK_NEXT_KEY,
    PASS_ON,
    ZONE_MISSES_KEY,
    ZONE_SET_ASIDE_KEY,
    ask_for_zone,
)
from handlers.steps import Step
from handlers.zone_answers import (
    PLACE_ACTION,
    after_zone_question,
    apply_zone,
    place_chosen,
    user_data_of,
    zone_from_message,
    zone_from_shared_location,
    zone_not_text,
)

ZONE_QUESTION_TIMEOUT = timedelta(minutes=15)
Callback = Callable[[Update, Context], Coroutine[Any, Any, int]]


def settled(callback: Callback) -> Callback:
    """Runs a callback of the settings conversation, which has a handler group of its own ahead
    of the others, and keeps the update from them unless the callback passes it on. The stop is
    raised here, after the callback's session has been committed."""

    @functools.wraps(callback)
    async def run(update: Update, context: Context) -> int:
        state = await callback(update, context)
        if state == PASS_ON:
            return ConversationHandler.END
        if state == Step.WAITING_FOR_ZONE:
            # one question at a time: an open goal question gives way to this one
            make_way(update, context, "settings")
        raise ApplicationHandlerStop(state)

    return run


def unless_elsewhere(callback: Callback) -> Callback:
    """Lets the zone question take a message only while no other conversation is open; if one
    is, the question closes quietly and the message goes to that conversation."""

    @functools.wraps(callback)
    async def run(update: Update, context: Context) -> int:
        if any(name != "settings" for name in open_conversations(update, context)):
            _forget_zone_question(context)
            return PASS_ON
        return await callback(update, context)

    return run


def _forget_zone_question(context: Context) -> None:
    _forget_zone_answers(user_data_of(context))


def _forget_zone_answers(user_data: dict[Any, Any]) -> None:
    user_data.pop(ZONE_MISSES_KEY, None)
    user_data.pop(LINK_CLUB_KEY, None)
    user_data.pop(LINK_NEXT_KEY, None)


async def timezone_command(update: Update, context: Context) -> int:
    """Sets the zone from the command's argument, or asks for it."""
    if is_private(update) and holding_input(update, context) is not None:
        # an interview or a reference is being typed: its conversation says how to go on
        return PASS_ON
    user_data_of(context).pop(ZONE_MISSES_KEY, None)
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "timezone")
            return ConversationHandler.END
        if context.args:
            state = await apply_zone(update, context, s, " ".join(context.args))
            return await after_zone_question(update, context, s, state)
        zone = s.user.timezone
        if zone:
            await answer(
                update,
                s._("Your time zone is {zone}; it is {time} there now.").format(
                    zone=escape(zone_label(zone, s.tr.language)),
                    time=s.tr.time(s.runtime.clock.now()),
                ),
            )
        return await ask_for_zone(update, s)


async def command_ends_zone_question(update: Update, context: Context) -> int:
    """Any command or button tap while the zone question is open closes it, then goes on to its
    own handler: a button may start a conversation whose answers the question must not take."""
    _forget_zone_question(context)
    user_data_of(context)[ZONE_SET_ASIDE_KEY] = True
    async with scope(update, context) as s:
        await answer(
            update,
            s._("I've set the time zone question aside; /timezone brings it back."),
            reply_markup=ReplyKeyboardRemove(),
        )
    return PASS_ON


def lapsed(user_data: dict[Any, Any], tr: Translator) -> Farewell:
    """An unanswered zone question, after a while: set aside, as a command would."""
    _forget_zone_answers(user_data)
    user_data[ZONE_SET_ASIDE_KEY] = True
    return Farewell(
        tr.gettext("I've set the time zone question aside; /timezone brings it back."),
        reply_markup=ReplyKeyboardRemove(),
    )


async def cancel(update: Update, context: Context) -> int:
    """Ends the conversation the user is in."""
    if any(name != "settings" for name in open_conversations(update, context)):
        # that conversation's own /cancel says what it stops
        _forget_zone_question(context)
        return PASS_ON
    user_data_of(context).pop(ZONE_MISSES_KEY, None)
    user_data_of(context).pop(LINK_CLUB_KEY, None)
    async with scope(update, context) as s:
        await answer(
            update,
            s._("Okay, stopped. Nothing was changed."),
            reply_markup=ReplyKeyboardRemove() if is_private(update) else None,
        )
    return ConversationHandler.END


async def nothing_to_cancel(update: Update, context: Context) -> None:
    """Answers /cancel outside any conversation."""
    async with scope(update, context) as s:
        await answer(update, s._("There is nothing to cancel right now."))


def _language_keyboard(s: Scope) -> InlineKeyboardMarkup:
    current = s.user.language
    rows = []
    for code in SUPPORTED_LANGUAGES:
        mark = "✓ " if code == current else ""
        rows.append([keyboards.button(mark + language_name(code), "lang", code)])
    auto_mark = "✓ " if current is None else ""
    rows.append([keyboards.button(auto_mark + s._("Same as my Telegram app"), "lang", "auto")])
    return keyboards.keyboard(rows)


async def language_command(update: Update, context: Context) -> None:
    """Shows the languages to choose from."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "language")
            return
        await answer(
            update,
            s._("I speak to you in {language}. Choose another:").format(
                language=escape(language_in_text(s.tr.language))
            ),
            reply_markup=_language_keyboard(s),
        )


async def language_chosen(update: Update, context: Context) -> None:
    """Saves the chosen language and confirms in it."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    choice = parts[1] if len(parts) > 1 else ""
    async with scope(update, context) as s:
        if choice != "auto" and choice not in SUPPORTED_LANGUAGES:
            await query.answer(s._("That choice is no longer offered."))
            return
        s.user.language = None if choice == "auto" else choice
        s.user.updated_at = s.runtime.clock.now()
        tr = s.runtime.translator_for(
            s.user, update.effective_user.language_code if update.effective_user else None
        )
        s.tr = tr
        text = s._("Done: I'll speak {language} from now on.").format(
            language=escape(language_in_text(tr.language))
        )
        await query.answer()
        await edit_in_place(update, text)


def settings_conversation(
    *entry_points: BaseHandler[Update, Context, object],
) -> ConversationHandler[Context]:
    """The zone question, opened by /timezone and by the given entry points (/start, from
    handlers/start.py: its greeting asks a newcomer for their zone), each wrapped in settled()."""
    # This conversation has a handler group of its own, ahead of group 0 (see bot/app.py), so
    # that any command can close its question on the way to the command's own handler.
    return LapsingConversation(
        entry_points=[
            *entry_points,
            CommandHandler("timezone", settled(timezone_command)),
            # before the state's own catch-all for taps, which would close the question
            CallbackQueryHandler(settled(place_chosen), pattern=keyboards.pattern(PLACE_ACTION)),
        ],
        states={
            Step.WAITING_FOR_ZONE: [
                MessageHandler(
                    filters.LOCATION, settled(unless_elsewhere(zone_from_shared_location))
                ),
                MessageHandler(
                    filters.TEXT & ~filters.COMMAND, settled(unless_elsewhere(zone_from_message))
                ),
                MessageHandler(
                    filters.COMMAND & ~filters.Regex(r"^/cancel(@\w+)?(\s|$)"),
                    settled(command_ends_zone_question),
                ),
                CallbackQueryHandler(settled(command_ends_zone_question)),
                MessageHandler(~filters.COMMAND, settled(unless_elsewhere(zone_not_text))),
            ],
        },
        fallbacks=[CommandHandler("cancel", settled(cancel))],
        name="settings",
        persistent=True,
        allow_reentry=True,
        # an unanswered zone question lapses after ZONE_QUESTION_TIMEOUT (handlers/lapses.py),
        # so a city typed much later (say, a company's town) is not taken for a new time zone
    )


def settings_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("language", language_command),
        CommandHandler("pause", pause_command),
        CommandHandler("resume", resume_command),
        CallbackQueryHandler(language_chosen, pattern=keyboards.pattern("lang")),
    ]


async def pause_command(update: Update, context: Context) -> None:
    """Stops all nudges until /resume."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "pause")
            return
        s.user.paused = True
        s.user.updated_at = s.runtime.clock.now()
        await answer(
            update,
            s._(
                "Paused: I won't send reminders until you send /resume. Your tasks stay in /tasks."
            ),
        )


async def resume_command(update: Update, context: Context) -> None:
    """Starts the nudges again."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "resume")
            return
        was_paused = s.user.paused
        s.user.paused = False
        s.user.updated_at = s.runtime.clock.now()
        await answer(
            update,
            s._("Welcome back: reminders are on again.")
            if was_paused
            else s._("Reminders are already on."),
        )


def cancel_handler() -> BaseHandler[Update, Context, object]:
    return CommandHandler("cancel", nothing_to_cancel)
