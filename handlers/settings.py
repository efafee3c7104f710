"""/language and /timezone: how and when the bot speaks to the user; /cancel."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine
from datetime import timedelta
from html import escape
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
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
from bot.domain.zones import (
    MAX_ZONE_TEXT,
    PlaceChoice,
    ZoneMatch,
    is_known_zone,
    place_choices,
    place_labels,
    zone_choices,
    zone_from_location,
    zone_from_text,
    zone_label,
)
from bot.i18n import SUPPORTED_LANGUAGES, Translator, language_in_text, language_name
from bot.nudges.planner import replan_user
from bot.runtime import Scope, runtime_of, scope
from handlers.common import (
    Context,
    Farewell,
    LapsingConversation,
    answer,
    deep_link,
    edit_in_place,
    holding_input,
    is_private,
    make_way,
    open_conversations,
    refuse_foreign_tap,
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

ZONE_QUESTION_TIMEOUT = timedelta(minutes=15)
# a tap on one of the places a typed name fits: "place:<zone>:<country>"
PLACE_ACTION = "place"
# the places last offered, zone -> the name shown, so the confirmation names the town chosen
ZONE_PLACES_KEY = "zone-places"
# what _apply_zone answers when it offered candidates: the question stays open, and it is not a
# miss to remind the user about
OFFERED_CHOICES = -101

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
    _forget_zone_answers(_user_data(context))


def _forget_zone_answers(user_data: dict[Any, Any]) -> None:
    user_data.pop(ZONE_MISSES_KEY, None)
    user_data.pop(LINK_CLUB_KEY, None)
    user_data.pop(LINK_NEXT_KEY, None)


def _user_data(context: Context) -> dict[Any, Any]:
    return context.user_data if context.user_data is not None else {}


async def _after_zone_question(update: Update, context: Context, s: Scope, state: int) -> int:
    """What follows an answer to the zone question: the next step once it is closed, and once,
    while it stays open, how to leave it."""
    user_data = _user_data(context)
    if state == OFFERED_CHOICES:
        return Step.WAITING_FOR_ZONE
    if state == Step.WAITING_FOR_ZONE:
        misses = int(user_data.get(ZONE_MISSES_KEY, 0)) + 1
        user_data[ZONE_MISSES_KEY] = misses
        if misses == 1:
            # said once, so that a message meant for something else later is not a mystery
            await answer(
                update,
                s._(
                    "I'm still waiting for your time zone. To leave this question, tap Skip "
                    "or send any command."
                ),
            )
        return state
    user_data.pop(ZONE_MISSES_KEY, None)
    next_command = user_data.pop(LINK_NEXT_KEY, None)
    if isinstance(next_command, str):
        button = InlineKeyboardButton(
            s._("Go on: /{command}").format(command=next_command),
            url=deep_link(context, next_command),
        )
        await answer(
            update,
            s._("Thank you. Now, what you came for:"),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
        return state
    club = user_data.pop(LINK_CLUB_KEY, None)
    if isinstance(club, int):
        # the interview came from a group's link: the button keeps the club it belongs to
        button = InlineKeyboardButton(
            s._("📝 Log an interview"), url=deep_link(context, f"log_{club}")
        )
        markup = InlineKeyboardMarkup([[button]])
    else:
        markup = _log_button(s)
    await answer(update, s._("Next: tell me about an interview."), reply_markup=markup)
    return state


async def timezone_command(update: Update, context: Context) -> int:
    """Sets the zone from the command's argument, or asks for it."""
    if is_private(update) and holding_input(update, context) is not None:
        # an interview or a reference is being typed: its conversation says how to go on
        return PASS_ON
    _user_data(context).pop(ZONE_MISSES_KEY, None)
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "timezone")
            return ConversationHandler.END
        if context.args:
            state = await _apply_zone(update, context, s, " ".join(context.args))
            return await _after_zone_question(update, context, s, state)
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


async def zone_from_message(update: Update, context: Context) -> int:
    """Reads a typed zone, city or offset."""
    message = update.effective_message
    assert message is not None and message.text is not None
    async with scope(update, context) as s:
        if message.text.strip() == s._("Skip"):
            return await _skip_zone(update, context, s)
        state = await _apply_zone(update, context, s, message.text)
        return await _after_zone_question(update, context, s, state)


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
            return Step.WAITING_FOR_ZONE
        state = await _save_zone(update, s, match)
        return await _after_zone_question(update, context, s, state)


async def zone_not_text(update: Update, context: Context) -> int:
    """Answers a sticker, photo or the like while a zone was asked for."""
    async with scope(update, context) as s:
        await answer(
            update,
            s._("Please send your city or time zone as text, or share your location."),
        )
    return Step.WAITING_FOR_ZONE


async def _apply_zone(update: Update, context: Context, s: Scope, text: str) -> int:
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
        return Step.WAITING_FOR_ZONE
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
        return OFFERED_CHOICES
    # the first lookup may build the city table: keep the event loop free meanwhile
    places = await asyncio.to_thread(place_choices, cleaned)
    if places:
        # "Valencia" is in Spain and in Venezuela: nothing is re-planned until the user picks
        return await _offer_places(update, context, s, cleaned, places)
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
        return Step.WAITING_FOR_ZONE
    return await _save_zone(update, s, match, cleaned)


async def _save_zone(update: Update, s: Scope, match: ZoneMatch, typed: str | None = None) -> int:
    _ = s._
    s.user.timezone = match.name
    if match.country:
        s.user.country = match.country
    s.user.updated_at = s.runtime.clock.now()
    # due days and nudge hours follow the new zone
    await replan_user(s.session, s.user, s.user.updated_at, s.runtime.settings.default_timezone)
    # the confirmation must speak in the new zone
    s.tr = s.runtime.translator_for(s.user)
    # a matched city is echoed in the user's own words, or in their language's name for it
    place = (typed or match.place) if match.place else None
    where = escape(zone_label(match.name, s.tr.language, place))
    await answer(
        update,
        _("Done: your time zone is {zone}. It is {time} there now.").format(
            zone=where, time=s.tr.day_and_time(s.runtime.clock.now())
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


async def _offer_places(
    update: Update, context: Context, s: Scope, typed: str, places: tuple[PlaceChoice, ...]
) -> int:
    """Offers the places a name fits as buttons: town, country and the time there now."""
    labels = place_labels(places, s.tr.language, s.runtime.clock.now())
    rows = [
        [keyboards.button(label, PLACE_ACTION, place.zone, place.country)]
        for label, place in zip(labels, places, strict=True)
    ]
    _user_data(context)[ZONE_PLACES_KEY] = {place.zone: place.name for place in places}
    await answer(
        update,
        s._("“{text}” is used in more than one place. Tap yours, or send your city.").format(
            text=escape(typed)
        ),
        reply_markup=keyboards.keyboard(rows),
    )
    return OFFERED_CHOICES


async def place_chosen(update: Update, context: Context) -> int:
    """Saves the place tapped among those offered, and only now re-plans the nudges. The tap
    counts while the question is open and after it lapsed: it says plainly where the user is."""
    query = update.callback_query
    assert query is not None
    open_question = "settings" in open_conversations(update, context)
    unchanged = Step.WAITING_FOR_ZONE if open_question else ConversationHandler.END
    # the data must be one of the tapped message's own buttons, so a place the bot offered
    if await refuse_foreign_tap(update, context):
        return unchanged
    parts = keyboards.decode(query.data)
    zone = parts[1] if len(parts) > 1 else ""
    country = parts[2] if len(parts) > 2 else ""
    async with scope(update, context) as s:
        if not (is_known_zone(zone) and len(country) == 2 and country.isalpha()):
            await query.answer(s._("That choice is no longer offered."))
            return unchanged
        offered = _user_data(context).pop(ZONE_PLACES_KEY, None)
        place = offered.get(zone) if isinstance(offered, dict) else None
        await query.answer()
        state = await _save_zone(
            update, s, ZoneMatch(zone, country.upper(), place if isinstance(place, str) else None)
        )
        # a second tap on the same buttons would re-plan once more for nothing
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
        if not open_question and holding_input(update, context) is not None:
            # an interview or a reference is being typed: no "next" to interrupt it
            return state
        return await _after_zone_question(update, context, s, state)


def _log_button(s: Scope) -> InlineKeyboardMarkup:
    return keyboards.keyboard([[keyboards.button(s._("📝 Log an interview"), "log", "start")]])


async def _skip_zone(update: Update, context: Context, s: Scope) -> int:
    zone = s.user.timezone or runtime_of(context).settings.default_timezone
    await answer(
        update,
        s._(
            "All right: I'll use {zone} for now. Set your own with /timezone whenever you like."
        ).format(zone=escape(zone_label(zone, s.tr.language))),
        reply_markup=ReplyKeyboardRemove(),
    )
    _user_data(context)[ZONE_SET_ASIDE_KEY] = True
    if LINK_CLUB_KEY in _user_data(context) or LINK_NEXT_KEY in _user_data(context):
        return await _after_zone_question(update, context, s, ConversationHandler.END)
    return ConversationHandler.END


async def command_ends_zone_question(update: Update, context: Context) -> int:
    """Any command or button tap while the zone question is open closes it, then goes on to its
    own handler: a button may start a conversation whose answers the question must not take."""
    _forget_zone_question(context)
    _user_data(context)[ZONE_SET_ASIDE_KEY] = True
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
    _user_data(context).pop(ZONE_MISSES_KEY, None)
    _user_data(context).pop(LINK_CLUB_KEY, None)
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
