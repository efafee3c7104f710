"""/clubsettings in a group: the check-in's day, hour and zone, language, switches, deletion."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from html import escape

from babel.dates import format_time
from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.clubs.life import remember_topic
from bot.clubs.members import forget_club, reschedule
from bot.clubs.settings import (
    BUDDIES,
    CELEBRATIONS,
    DAY,
    HOUR,
    LANGUAGE,
    ZONE,
    apply_setting,
    club_translator,
)
from bot.db.models import Club
from bot.domain.zones import (
    MAX_ZONE_TEXT,
    place_choices,
    place_labels,
    zone_choices,
    zone_from_text,
    zone_label,
)
from bot.i18n import SUPPORTED_LANGUAGES, Translator, language_name
from bot.runtime import Scope, scope
from handlers.club_life import ensure_group_club, message_topic
from handlers.common import Context, answer, edit_in_place, is_private, refuse_foreign_tap

ACTION = "cset"
# the zone question's Back button; a reply to a message that carries it answers the question
ZONE_QUESTION = "zq"
BACK, DELETE = "back", "del"
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_ADMINS = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def is_group_admin(
    context: Context, message: Message | None, chat_id: int, user_id: int
) -> bool | None:
    """Whether Telegram says the user administers the group, asked afresh every time; None
    when Telegram could not be asked. An anonymous admin speaks as the group itself, which
    only Telegram can set."""
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat_id
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return None
    return member.status in _ADMINS


async def _refuse(update: Update, s: Scope, allowed: bool | None) -> None:
    """Tells someone who may not change the settings so: an alert for a tap, else a reply."""
    if allowed is None:
        text = s._("I couldn't check who is an admin here just now. Please try again in a minute.")
    else:
        text = s._("Only the group's admins can change the club's settings.")
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
    else:
        await answer(update, text)


async def clubsettings_command(update: Update, context: Context) -> None:
    """Shows the club's settings to an admin (creating the club if the group has none)."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    async with scope(update, context) as s:
        if is_private(update) or chat.type not in _GROUPS:
            await answer(
                update,
                s._(
                    "/clubsettings works in your job club's group: send it there. Only the "
                    "group's admins can change the club's settings."
                ),
            )
            return
        allowed = await is_group_admin(context, message, chat.id, s.user.id)
        if not allowed:
            await _refuse(update, s, allowed)
            return
        now = s.runtime.clock.now()
        topic = message_topic(message)
        club = await ensure_group_club(s.session, s.runtime, chat, s.user, now, thread_id=topic)
        # the latest admin's topic is where the club's posts go from now on
        remember_topic(club, topic, by_admin=True)
        # a command from the group shows the bot is in it, whatever was missed meanwhile
        club.active = True
        if club.next_checkin_at is None:
            reschedule(club, now)
        tr = club_translator(club, s.runtime.settings.default_language)
        text, markup = main_view(club, tr)
        await answer(update, text, reply_markup=markup)


# --- the views of the one settings message -----------------------------------------------------


def _weekday(tr: Translator, day: int) -> str:
    return str(tr.locale.days["format"]["wide"][day])


def _hour(tr: Translator, hour: int) -> str:
    return format_time(time(hour), "short", locale=tr.locale)


def _zone(club: Club, tr: Translator) -> str:
    return escape(zone_label(club.timezone or "UTC", tr.language))


def _back(tr: Translator, action: str = BACK) -> list[InlineKeyboardButton]:
    return [keyboards.button(tr.gettext("« Back"), ACTION, action)]


def main_view(club: Club, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The settings as they are, with a button for each; nothing about any member."""
    lines = [
        tr.gettext("<b>Club settings</b> for {title}").format(title=escape(club.title)),
        "",
        tr.gettext("Weekly check-in: {day} at {time} ({zone})").format(
            day=_weekday(tr, club.checkin_weekday),
            time=_hour(tr, club.checkin_hour),
            zone=_zone(club, tr),
        ),
    ]
    if club.next_checkin_at is not None:
        lines.append(
            tr.gettext("Next check-in: {when}").format(when=tr.day_and_time(club.next_checkin_at))
        )
    lines += [
        tr.gettext("Language of the club's posts: {language}").format(
            language=escape(language_name(tr.language))
        ),
        tr.gettext("Offers are celebrated in the group (for members who opt in).")
        if club.celebrate_offers
        else tr.gettext("Offers are not celebrated in the group."),
        tr.gettext("Members can pair up as accountability buddies with /buddy.")
        if club.buddies
        else tr.gettext("Accountability buddies are off."),
        "",
        tr.gettext("Only the group's admins can change these settings."),
    ]
    celebrations = "off" if club.celebrate_offers else "on"
    buddies = "off" if club.buddies else "on"
    markup = keyboards.keyboard(
        [
            [
                keyboards.button(tr.gettext("Check-in day"), ACTION, DAY),
                keyboards.button(tr.gettext("Check-in hour"), ACTION, HOUR),
            ],
            [
                keyboards.button(tr.gettext("Time zone"), ACTION, ZONE),
                keyboards.button(tr.gettext("Language"), ACTION, LANGUAGE),
            ],
            [
                keyboards.button(
                    tr.gettext("Turn celebrations off")
                    if club.celebrate_offers
                    else tr.gettext("Turn celebrations on"),
                    ACTION,
                    CELEBRATIONS,
                    celebrations,
                ),
                keyboards.button(
                    tr.gettext("Turn buddies off")
                    if club.buddies
                    else tr.gettext("Turn buddies on"),
                    ACTION,
                    BUDDIES,
                    buddies,
                ),
            ],
            [keyboards.button(tr.gettext("Delete this club"), ACTION, DELETE)],
        ]
    )
    return "\n".join(lines), markup


def _mark(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def day_view(club: Club, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    days = [
        keyboards.button(_mark(_weekday(tr, d), d == club.checkin_weekday), ACTION, DAY, d)
        for d in range(7)
    ]
    rows = [days[0:3], days[3:6], days[6:7], _back(tr)]
    return tr.gettext("On which day of the week should I post the club's check-in?"), (
        keyboards.keyboard(rows)
    )


def hour_view(club: Club, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    hours = [
        keyboards.button(_mark(_hour(tr, h), h == club.checkin_hour), ACTION, HOUR, h)
        for h in range(24)
    ]
    rows = [hours[i : i + 4] for i in range(0, 24, 4)] + [_back(tr)]
    text = tr.gettext("At what time should I post the club's check-in? Times are in {zone}.")
    return text.format(zone=_zone(club, tr)), keyboards.keyboard(rows)


def language_view(club: Club, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    choices = [
        keyboards.button(_mark(language_name(code), code == tr.language), ACTION, LANGUAGE, code)
        for code in SUPPORTED_LANGUAGES
    ]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)] + [_back(tr)]
    return tr.gettext("In which language should I write the club's posts?"), (
        keyboards.keyboard(rows)
    )


def zone_view(club: Club, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    text = tr.gettext(
        "The club's time zone is {zone}. To change it, an admin replies to this message with "
        "a city (<i>Berlin</i>), a time zone name (<i>Europe/Berlin</i>) or an offset "
        "(<i>UTC+2</i>)."
    ).format(zone=_zone(club, tr))
    return text, keyboards.keyboard([_back(tr, ZONE_QUESTION)])


def zone_choices_view(
    tr: Translator, typed: str, choices: list[tuple[str, str]], per_row: int = 2
) -> tuple[str, InlineKeyboardMarkup]:
    """The zones a reply may mean, as (label, zone name) pairs, each a button that sets it."""
    buttons = [keyboards.button(label, ACTION, ZONE, name) for label, name in choices]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rows.append(_back(tr, ZONE_QUESTION))
    text = tr.gettext("“{text}” is used in more than one place. Tap yours, or send your city.")
    return text.format(text=escape(typed)), keyboards.keyboard(rows)


def delete_view(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    text = tr.gettext(
        "Delete this club? Its member list, goals, reports, leads and check-ins go for good. "
        "Members keep everything in their private chats with me, and I stay in the group."
    )
    markup = keyboards.keyboard(
        [
            [
                keyboards.button(tr.gettext("Yes, delete the club"), ACTION, DELETE, "yes"),
                keyboards.button(tr.gettext("No, keep it"), ACTION, BACK),
            ]
        ]
    )
    return text, markup


_MENUS = {DAY: day_view, HOUR: hour_view, LANGUAGE: language_view, ZONE: zone_view}


# --- taps and replies ----------------------------------------------------------------------------


async def settings_tapped(update: Update, context: Context) -> None:
    """Opens a menu, changes a setting or deletes the club, for an admin only, in place."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    message = query.message
    # a menu opens in place of the tapped message: only the settings message may become one
    if await refuse_foreign_tap(update, context):
        return
    async with scope(update, context) as s:
        if not isinstance(message, Message) or message.chat.type not in _GROUPS:
            await query.answer(s._("This button is no longer active."))
            return
        chat_id = message.chat.id
        # asked at every tap: the button's data says nothing about who may press it
        allowed = await is_group_admin(context, None, chat_id, query.from_user.id)
        if not allowed:
            await _refuse(update, s, allowed)
            return
        club = await s.session.get(Club, chat_id)
        if club is None:
            await query.answer(
                s._("This group has no club now. An admin can start one with /clubsettings."),
                show_alert=True,
            )
            return
        default = s.runtime.settings.default_language
        tr = club_translator(club, default)
        name = parts[1] if len(parts) > 1 else ""
        value = parts[2] if len(parts) > 2 else None
        if name == DELETE and value == "yes":
            await forget_club(s.session, chat_id)
            s.session.expunge(club)
            await query.answer()
            await edit_in_place(
                update,
                tr.gettext(
                    "Done: the club is deleted. I'm still in the group: an admin can start a "
                    "new club with /clubsettings."
                ),
            )
            return
        if value is not None:
            before = _values(club)
            if not apply_setting(club, name, value, s.runtime.clock.now()):
                await query.answer(s._("That choice is no longer offered."), show_alert=True)
                return
            tr = club_translator(club, default)
            text, markup = main_view(club, tr)
            await query.answer(s._("Saved."))
            # a second tap on the same choice shows what is shown already: nothing to edit
            if _values(club) != before or message.reply_markup != markup:
                await edit_in_place(update, text, markup)
            return
        if name in _MENUS:
            text, markup = _MENUS[name](club, tr)
        elif name == DELETE:
            text, markup = delete_view(tr)
        else:
            text, markup = main_view(club, tr)
        await query.answer()
        await edit_in_place(update, text, markup)


def _values(club: Club) -> tuple[object, ...]:
    return (
        club.checkin_weekday,
        club.checkin_hour,
        club.timezone,
        club.language,
        club.celebrate_offers,
        club.buddies,
    )


def _asks_for_zone(message: Message | None, bot_id: int) -> bool:
    """Whether a message is the bot's zone question: its Back button says so, in any language."""
    if message is None or message.from_user is None or message.from_user.id != bot_id:
        return False
    markup = message.reply_markup
    marker = keyboards.encode(ACTION, ZONE_QUESTION)
    return markup is not None and any(
        button.callback_data == marker for row in markup.inline_keyboard for button in row
    )


async def zone_replied(update: Update, context: Context) -> None:
    """Reads a city or zone an admin replied to the zone question with; any other reply to the
    bot goes on to the handlers that want it."""
    message = update.message
    chat = update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    question = message.reply_to_message
    if question is None or not _asks_for_zone(question, context.bot.id):
        return
    async with scope(update, context) as s:
        allowed = await is_group_admin(context, message, chat.id, s.user.id)
        club = await s.session.get(Club, chat.id)
        if not allowed:
            await _refuse(update, s, allowed)
        elif club is None:
            await answer(
                update,
                s._("This group has no club now. An admin can start one with /clubsettings."),
            )
        else:
            await _apply_zone(update, context, s, club, question)
    raise ApplicationHandlerStop


async def _apply_zone(
    update: Update, context: Context, s: Scope, club: Club, question: Message
) -> None:
    assert update.message is not None and update.message.text is not None
    tr = club_translator(club, s.runtime.settings.default_language)
    typed = " ".join(update.message.text.split())
    if len(typed) > MAX_ZONE_TEXT:
        await answer(
            update,
            s._(
                "That is too long for a place name: please send at most {limit} characters, "
                "like <i>Lisbon</i> or <i>UTC+1</i>."
            ).format(limit=MAX_ZONE_TEXT),
        )
        return
    shared = zone_choices(typed)
    if shared:
        # "IST" is India, Ireland or Israel: the admin picks, no guess moves the check-in
        labelled = [(zone_label(name, tr.language), name) for name in shared]
        text, markup = zone_choices_view(tr, typed, labelled)
        await _edit(context, question, text, markup)
        return
    # the first lookup may build the city table: keep the event loop free meanwhile
    places = await asyncio.to_thread(place_choices, typed)
    if places:
        # "Portland": Oregon or Maine; the check-in moves only once an admin taps one
        labels = place_labels(places, tr.language, s.runtime.clock.now())
        # a club keeps no country, so one button for each zone: the likeliest place's
        choices: list[tuple[str, str]] = []
        for place, label in zip(places, labels, strict=True):
            if all(place.zone != zone for _label, zone in choices):
                choices.append((label, place.zone))
        text, markup = zone_choices_view(tr, typed, choices, per_row=1)
        await _edit(context, question, text, markup)
        return
    match = await asyncio.to_thread(zone_from_text, typed)
    if match is None or not apply_setting(club, ZONE, match.name, s.runtime.clock.now()):
        await answer(
            update,
            s._(
                "I don't know a time zone called “{text}”. Try a big city near you "
                "(<i>Madrid</i>), a zone name (<i>America/Sao_Paulo</i>) or an offset "
                "(<i>UTC-3</i>)."
            ).format(text=escape(typed)),
        )
        return
    tr = club_translator(club, s.runtime.settings.default_language)
    text, markup = main_view(club, tr)
    await _edit(context, question, text, markup)
    await answer(update, _saved_zone(club, tr))


def _saved_zone(club: Club, tr: Translator) -> str:
    when: datetime | None = club.next_checkin_at
    return tr.gettext("Done: the club's time zone is {zone}. Next check-in: {when}.").format(
        zone=_zone(club, tr), when=tr.day_and_time(when) if when else "—"
    )


async def _edit(
    context: Context, message: Message, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Edits the settings message a reply answered; an unchanged one is not an error."""
    try:
        await context.bot.edit_message_text(
            text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def club_settings_handlers() -> list[BaseHandler[Update, Context, object]]:
    """The command and its buttons (handler group 0)."""
    return [
        CommandHandler("clubsettings", clubsettings_command),
        CallbackQueryHandler(settings_tapped, pattern=keyboards.pattern(ACTION)),
    ]


def club_zone_reply_handler() -> BaseHandler[Update, Context, object]:
    """The answer to the zone question; it runs ahead of the other handlers (see bot/app.py),
    and stops there only when the reply was to that question."""
    return MessageHandler(
        filters.UpdateType.MESSAGE
        & filters.ChatType.GROUPS
        & filters.REPLY
        & filters.TEXT
        & ~filters.COMMAND,
        zone_replied,
    )
