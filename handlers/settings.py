"""/language and /timezone: how and when the bot speaks to the user; /cancel."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from html import escape

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.domain.zones import (
    MAX_ZONE_TEXT,
    ZoneMatch,
    zone_choices,
    zone_from_location,
    zone_from_text,
    zone_label,
)
from bot.i18n import SUPPORTED_LANGUAGES, language_name
from bot.nudges.planner import replan_user
from bot.runtime import Scope, runtime_of, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

WAITING_FOR_ZONE = 0
ZONE_QUESTION_TIMEOUT = timedelta(minutes=15)
ONBOARDING_KEY = "onboarding"


def _zone_keyboard(s: Scope) -> ReplyKeyboardMarkup:
    _ = s._
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📍 Share my location"), request_location=True)], [_("Skip")]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_for_zone(update: Update, s: Scope, onboarding: bool = False) -> int:
    """Asks where the user is, with a button to share their location."""
    _ = s._
    text = _(
        "Which time zone are you in? I use it for every date I show and every reminder I plan.\n\n"
        "Send a city (<i>Berlin</i>), a time zone name (<i>Europe/Berlin</i>), an offset "
        "(<i>UTC+2</i>), or tap the button to share your location."
    )
    await answer(update, text, reply_markup=_zone_keyboard(s))
    return WAITING_FOR_ZONE


async def timezone_command(update: Update, context: Context) -> int:
    """Sets the zone from the command's argument, or asks for it."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "timezone")
            return ConversationHandler.END
        if context.args:
            return await _apply_zone(update, s, " ".join(context.args))
        zone = s.user.timezone
        if zone:
            await answer(
                update,
                s._("Your time zone is {zone}; it is {time} there now.").format(
                    zone=escape(zone_label(zone)), time=s.tr.time(s.runtime.clock.now())
                ),
            )
        return await ask_for_zone(update, s)


async def zone_from_message(update: Update, context: Context) -> int:
    """Reads a typed zone, city or offset."""
    message = update.effective_message
    assert message is not None and message.text is not None
    async with scope(update, context) as s:
        if message.text.strip() == s._("Skip"):
            return await _skip_zone(update, context, s)
        return await _apply_zone(update, s, message.text)


async def zone_from_shared_location(update: Update, context: Context) -> int:
    """Reads the zone of a shared location."""
    message = update.effective_message
    assert message is not None and message.location is not None
    async with scope(update, context) as s:
        match = await asyncio.to_thread(
            zone_from_location, message.location.latitude, message.location.longitude
        )
        if match is None:
            await answer(
                update,
                s._("I could not tell the time zone of that place. Please type your city instead."),
            )
            return WAITING_FOR_ZONE
        return await _save_zone(update, s, match)


async def zone_not_text(update: Update, context: Context) -> int:
    """Answers a sticker, photo or the like while a zone was asked for."""
    async with scope(update, context) as s:
        await answer(
            update,
            s._("Please send your city or time zone as text, or share your location."),
        )
    return WAITING_FOR_ZONE


async def _apply_zone(update: Update, s: Scope, text: str) -> int:
    _ = s._
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_ZONE_TEXT:
        await answer(
            update,
            _(
                "That is too long for a place name: please send at most {limit} characters, "
                "like <i>Lisbon</i> or <i>UTC+1</i>."
            ).format(limit=MAX_ZONE_TEXT),
        )
        return WAITING_FOR_ZONE
    shared = zone_choices(cleaned)
    if shared:
        # "IST" is India, Ireland or Israel: a wrong guess would move every reminder
        await answer(
            update,
            _("“{text}” is used in more than one place. Tap yours, or send your city.").format(
                text=escape(cleaned)
            ),
            reply_markup=ReplyKeyboardMarkup(
                [list(shared[i : i + 2]) for i in range(0, len(shared), 2)],
                resize_keyboard=True,
                one_time_keyboard=True,
            ),
        )
        return WAITING_FOR_ZONE
    # the first lookup may build the city table: keep the event loop free meanwhile
    match = await asyncio.to_thread(zone_from_text, cleaned)
    if match is None:
        await answer(
            update,
            _(
                "I don't know a time zone called “{text}”. Try a big city near you "
                "(<i>Madrid</i>), a zone name (<i>America/Sao_Paulo</i>) or an offset "
                "(<i>UTC-3</i>)."
            ).format(text=escape(cleaned)),
        )
        return WAITING_FOR_ZONE
    return await _save_zone(update, s, match)


async def _save_zone(update: Update, s: Scope, match: ZoneMatch) -> int:
    _ = s._
    s.user.timezone = match.name
    if match.country:
        s.user.country = match.country
    s.user.updated_at = s.runtime.clock.now()
    # due days and nudge hours follow the new zone
    await replan_user(s.session, s.user, s.user.updated_at, s.runtime.settings.default_timezone)
    # the confirmation must speak in the new zone
    s.tr = s.runtime.translator_for(s.user)
    where = (
        _("{zone} ({place})").format(zone=escape(zone_label(match.name)), place=escape(match.place))
        if match.place
        else escape(zone_label(match.name))
    )
    await answer(
        update,
        _("Done: your time zone is {zone}. It is {time} there now.").format(
            zone=where, time=s.tr.day_and_time(s.runtime.clock.now())
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    await answer(update, s._("Next: tell me about an interview."), reply_markup=_log_button(s))
    return ConversationHandler.END


def _log_button(s: Scope) -> InlineKeyboardMarkup:
    return keyboards.keyboard([[keyboards.button(s._("📝 Log an interview"), "log", "start")]])


async def _skip_zone(update: Update, context: Context, s: Scope) -> int:
    zone = s.user.timezone or runtime_of(context).settings.default_timezone
    await answer(
        update,
        s._(
            "All right: I'll use {zone} for now. Set your own with /timezone whenever you like."
        ).format(zone=escape(zone_label(zone))),
        reply_markup=ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """Ends the conversation the user is in."""
    if context.user_data is not None:
        context.user_data.clear()
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
                language=escape(language_name(s.tr.language))
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
            language=escape(language_name(tr.language))
        )
        await query.answer()
        await edit_in_place(update, text)


def settings_conversation() -> ConversationHandler[Context]:
    from handlers.start import start

    return ConversationHandler(
        entry_points=[CommandHandler("start", start), CommandHandler("timezone", timezone_command)],
        states={
            WAITING_FOR_ZONE: [
                MessageHandler(filters.LOCATION, zone_from_shared_location),
                MessageHandler(filters.TEXT & ~filters.COMMAND, zone_from_message),
                MessageHandler(~filters.COMMAND, zone_not_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="settings",
        persistent=True,
        allow_reentry=True,
        # an unanswered zone question lapses quietly, so a city typed much later (say, a
        # company's town) is not taken for a new time zone
        conversation_timeout=ZONE_QUESTION_TIMEOUT,
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
