"""The answers to the zone question: a typed place or offset, a shared location, a tap."""

from __future__ import annotations

import asyncio
import contextlib
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
    ConversationHandler,
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
from bot.nudges.planner import replan_user
from bot.runtime import Scope, runtime_of, scope
from handlers.common import (
    Context,
    answer,
    deep_link,
    holding_input,
    open_conversations,
    refuse_foreign_tap,
)
from handlers.onboarding import (
    LINK_CLUB_KEY,
    LINK_NEXT_KEY,
    ZONE_MISSES_KEY,
    ZONE_SET_ASIDE_KEY,
)
from handlers.steps import Step

# a tap on one of the places a typed name fits: "place:<zone>:<country>"
PLACE_ACTION = "place"
# the places last offered, zone -> the name shown, so the confirmation names the town chosen
ZONE_PLACES_KEY = "zone-places"
# what apply_zone answers when it offered candidates: the question stays open, and it is not a
# miss to remind the user about
OFFERED_CHOICES = -101


def user_data_of(context: Context) -> dict[Any, Any]:
    return context.user_data if context.user_data is not None else {}


async def after_zone_question(update: Update, context: Context, s: Scope, state: int) -> int:
    """What follows an answer to the zone question: the next step once it is closed, and once,
    while it stays open, how to leave it."""
    user_data = user_data_of(context)
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


async def zone_from_message(update: Update, context: Context) -> int:
    """Reads a typed zone, city or offset."""
    message = update.effective_message
    assert message is not None and message.text is not None
    async with scope(update, context) as s:
        if message.text.strip() == s._("Skip"):
            return await skip_zone(update, context, s)
        state = await apply_zone(update, context, s, message.text)
        return await after_zone_question(update, context, s, state)


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
        return await after_zone_question(update, context, s, state)


async def zone_not_text(update: Update, context: Context) -> int:
    """Answers a sticker, photo or the like while a zone was asked for."""
    async with scope(update, context) as s:
        await answer(
            update,
            s._("Please send your city or time zone as text, or share your location."),
        )
    return Step.WAITING_FOR_ZONE


async def apply_zone(update: Update, context: Context, s: Scope, text: str) -> int:
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
    user_data_of(context)[ZONE_PLACES_KEY] = {place.zone: place.name for place in places}
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
        offered = user_data_of(context).pop(ZONE_PLACES_KEY, None)
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
        return await after_zone_question(update, context, s, state)


def _log_button(s: Scope) -> InlineKeyboardMarkup:
    return keyboards.keyboard([[keyboards.button(s._("📝 Log an interview"), "log", "start")]])


async def skip_zone(update: Update, context: Context, s: Scope) -> int:
    zone = s.user.timezone or runtime_of(context).settings.default_timezone
    await answer(
        update,
        s._(
            "All right: I'll use {zone} for now. Set your own with /timezone whenever you like."
        ).format(zone=escape(zone_label(zone, s.tr.language))),
        reply_markup=ReplyKeyboardRemove(),
    )
    user_data_of(context)[ZONE_SET_ASIDE_KEY] = True
    if LINK_CLUB_KEY in user_data_of(context) or LINK_NEXT_KEY in user_data_of(context):
        return await after_zone_question(update, context, s, ConversationHandler.END)
    return ConversationHandler.END
