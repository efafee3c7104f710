"""A club in its group: the bot's arrival, joining (by button, /join or a private link), /leave."""

from __future__ import annotations

import asyncio
import enum
import logging
import re
import time
from dataclasses import dataclass
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import User as TelegramUser
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.clubs.intro import club_translator, introduction, welcome_back
from bot.clubs.life import post_kwargs
from bot.clubs.members import ensure_club, join, leave
from bot.clubs.queries import count_members
from bot.db.models import Club, User
from bot.domain.text import has_visible_text
from bot.i18n import Translator
from bot.runtime import Runtime, runtime_of, scope
from handlers.club_prefs import member_card
from handlers.common import Context, answer, deep_link, is_private, refuse_foreign_tap
from handlers.onboarding import ZONE_MISSES_KEY, ZONE_SET_ASIDE_KEY, ask_for_zone, greeting

log = logging.getLogger(__name__)

JOIN = "cjoin"
# on the introduction, a join also updates its "N members" line
ON_INTRODUCTION = "i"
# "/start join_<group chat id>": a group's chat id is negative and fits in 52 bits
_JOIN_LINK = re.compile(r"join_(-\d{1,16})")


def join_link(context: Context, club_id: int) -> str:
    return deep_link(context, f"join_{club_id}")


def join_keyboard(tr: Translator, on_introduction: bool) -> InlineKeyboardMarkup:
    args = (ON_INTRODUCTION,) if on_introduction else ()
    return keyboards.keyboard([[keyboards.button("✅ " + tr.gettext("Join"), JOIN, *args)]])


def _first_name(tr: Translator, person: TelegramUser) -> str:
    name = person.first_name or ""
    return escape(name) if has_visible_text(name) else tr.gettext("New member")


# --- arrival -------------------------------------------------------------------------------


async def arrival(update: Update, context: Context) -> None:
    """The bot was added to a group: the club is created (in the adder's language and, if the
    bot knows it, zone) and introduced once; a club the bot kept is welcomed back instead."""
    change = update.my_chat_member
    assert change is not None
    runtime = runtime_of(context)
    adder, chat = change.from_user, change.chat
    now = runtime.clock.now()
    async with runtime.session() as session:
        # the adder may never have written to the bot: nothing is stored about them here
        known = await session.get(User, adder.id)
        language = runtime.translator_for(known, adder.language_code).language
        club, created = await ensure_club(
            session,
            chat.id,
            chat.title or "",
            now,
            added_by=adder.id,
            zone=known.timezone if known else None,
            language=language,
        )
        if club.language is None:
            # a club made before the bot introduced itself (by /log in the group)
            club.language = language
        club.active = True
        members = await count_members(session, club.id)
        tr = club_translator(club, runtime.settings.default_language)
        # a club no one has joined yet still needs the whole introduction
        fresh = created or members == 0
        text = introduction(tr, club, members) if fresh else welcome_back(tr, members)
        await session.commit()
    await context.bot.send_message(
        text=text, reply_markup=join_keyboard(tr, fresh), **post_kwargs(club)
    )


# --- joining -------------------------------------------------------------------------------


class Joined(enum.Enum):
    NOW = "now"
    ALREADY = "already"
    # the bot cannot write to them yet: they finish joining in the private chat
    NEEDS_PRIVATE_CHAT = "needs-private-chat"


@dataclass
class JoinResult:
    outcome: Joined
    club: Club
    members: int
    # how to speak to the person who joined, and to the group
    tr: Translator
    club_tr: Translator


async def _club_of_group(
    session: AsyncSession, runtime: Runtime, chat: Chat, language: str
) -> Club:
    """The group's club; a group the bot was in before clubs existed gets one now."""
    club, _created = await ensure_club(
        session, chat.id, chat.title or "", runtime.clock.now(), language=language
    )
    return club


async def join_in_group(update: Update, context: Context) -> JoinResult:
    """Joins the person who tapped or typed, if the bot can write to them in private: the club
    is stored first, then their private card is sent; if that is refused, the join is undone
    and they are sent to the private chat to finish it."""
    runtime = runtime_of(context)
    chat, person = update.effective_chat, update.effective_user
    assert chat is not None and person is not None
    now = runtime.clock.now()
    # a plain session, not the update's scope: a tap in a group must not create a user, so that
    # "has a row" keeps meaning "has opened the private chat"
    async with runtime.session() as session:
        user = await session.get(User, person.id)
        tr = runtime.translator_for(user, person.language_code)
        club = await _club_of_group(session, runtime, chat, tr.language)
        club_tr = club_translator(club, runtime.settings.default_language)
        if user is None or not user.reachable:
            await session.commit()
            members = await count_members(session, club.id)
            return JoinResult(Joined.NEEDS_PRIVATE_CHAT, club, members, tr, club_tr)
        member, created = await join(session, club.id, user.id, now)
        members = await count_members(session, club.id)
        card = member_card(tr, club, member, welcome=True)
        await session.commit()
        if not created:
            return JoinResult(Joined.ALREADY, club, members, tr, club_tr)
    try:
        await context.bot.send_message(person.id, card[0], reply_markup=card[1])
    except Forbidden:
        # they have a row (from a group command, say) but never opened the private chat, or
        # blocked the bot since: no half-joined member the bot cannot reach
        async with runtime.session() as session, session.begin():
            await leave(session, club.id, person.id)
            stored = await session.get(User, person.id)
            if stored is not None:
                stored.reachable = False
            members = await count_members(session, club.id)
        return JoinResult(Joined.NEEDS_PRIVATE_CHAT, club, members, tr, club_tr)
    return JoinResult(Joined.NOW, club, members, tr, club_tr)


def welcome_line(club_tr: Translator, name: str, members: int) -> str:
    return club_tr.ngettext(
        "Welcome to the club, {name}! {count} member now.",
        "Welcome to the club, {name}! {count} members now.",
        members,
    ).format(name=name, count=club_tr.number(members))


async def join_tapped(update: Update, context: Context) -> None:
    """The Join button: it acts for whoever taps it, and only from a message that carries it
    (the introduction's count is edited only on the introduction)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    if is_private(update):
        await query.answer()
        return
    if await refuse_foreign_tap(update, context):
        return
    result = await join_in_group(update, context)
    person = update.effective_user
    assert person is not None
    if result.outcome is Joined.NEEDS_PRIVATE_CHAT:
        # Telegram opens the private chat with this link; /start there finishes the joining
        await query.answer(url=join_link(context, result.club.id))
        return
    if result.outcome is Joined.ALREADY:
        await query.answer(result.tr.gettext("You're already a member of this club."))
        return
    await query.answer(
        result.tr.gettext("Welcome to the club, {name}! I've written to you in private.").format(
            name=person.first_name
        )
    )
    if keyboards.decode(query.data)[1:2] == [ON_INTRODUCTION]:
        # the introduction's last line keeps the count, instead of a message per member; in
        # the background, so a rush of taps never waits on the group's 20 messages a minute
        context.application.create_task(
            refresh_introduction(context, query.message.chat.id, query.message.message_id),
            update=update,
        )


# seconds between two edits of one introduction: a cosmetic count may spend only a few of the
# group's 20 messages a minute, which the club's real posts need
INTRO_EDIT_GAP = 10.0


async def refresh_introduction(context: Context, chat_id: int, message_id: int) -> None:
    """Shows the club's current member count on its introduction. Joins that come within
    INTRO_EDIT_GAP of the last edit are folded into one edit after the gap, not one edit each."""
    runtime = runtime_of(context)
    refreshing = runtime.intro_refreshes
    edited_at = runtime.intro_edited_at
    key = (chat_id, message_id)
    if key in refreshing:
        refreshing[key] = True
        return
    refreshing[key] = False
    try:
        while True:
            wait = edited_at.get(key, 0.0) + INTRO_EDIT_GAP - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            refreshing[key] = False
            async with runtime.session() as session:
                club = await session.get(Club, chat_id)
                if club is None:
                    return
                members = await count_members(session, chat_id)
            tr = club_translator(club, runtime.settings.default_language)
            try:
                await context.bot.edit_message_text(
                    introduction(tr, club, members),
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=join_keyboard(tr, True),
                )
            except TelegramError as exc:
                if "not modified" not in str(exc).lower():
                    log.info("could not update the introduction's member count", exc_info=True)
            if len(edited_at) > 10_000:
                edited_at.clear()
            edited_at[key] = time.monotonic()
            if not refreshing[key]:
                return
    finally:
        del refreshing[key]


async def join_command(update: Update, context: Context) -> None:
    """/join in a group joins the sender; in private it says where to send it."""
    if is_private(update):
        async with scope(update, context) as s:
            await answer(
                update,
                s._(
                    "To join a club, send /join in its group, or tap <b>Join</b> on my "
                    "introduction there. /clubs lists the clubs you're in."
                ),
            )
        return
    result = await join_in_group(update, context)
    person = update.effective_user
    assert person is not None
    if result.outcome is Joined.NEEDS_PRIVATE_CHAT:
        button = InlineKeyboardButton(
            result.tr.gettext("Finish joining in private"), url=join_link(context, result.club.id)
        )
        await answer(
            update,
            result.tr.gettext(
                "{name}, your reminders and choices live in a private chat with me: tap the "
                "button to open it and finish joining."
            ).format(name=_first_name(result.tr, person)),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
        return
    if result.outcome is Joined.ALREADY:
        await answer(
            update,
            result.tr.gettext("{name}, you're already a member of this club.").format(
                name=_first_name(result.tr, person)
            ),
        )
        return
    await answer(
        update, welcome_line(result.club_tr, _first_name(result.club_tr, person), result.members)
    )


async def club_of_join_link(
    context: Context, session: AsyncSession, payload: str, user_id: int
) -> Club | None:
    """The club a "join_<chat id>" link names, if it exists and Telegram says the user is in
    its group: the link is only a hint, never a proof. The database is asked first, so a forged
    link to a group the bot does not know costs no request to Telegram."""
    match = _JOIN_LINK.fullmatch(payload)
    if match is None:
        return None
    club = await session.get(Club, int(match.group(1)))
    if club is None or not club.active:
        return None
    try:
        member = await context.bot.get_chat_member(club.id, user_id)
    except TelegramError:
        return None
    return club if member.status not in ("left", "kicked") else None


async def join_from_link(update: Update, context: Context, payload: str) -> int:
    """Finishes a join in the private chat that a group's Join link opened; a newcomer is then
    asked for their time zone, as anyone starting the bot is. Returns the conversation state."""
    runtime = runtime_of(context)
    person = update.effective_user
    assert person is not None
    announce: tuple[int, int | None, str] | None = None
    user_data = context.user_data if context.user_data is not None else {}
    async with scope(update, context) as s:
        newcomer = not s.user.timezone and not user_data.get(ZONE_SET_ASIDE_KEY)
        if newcomer:
            user_data.pop(ZONE_MISSES_KEY, None)
        if newcomer:
            await answer(update, greeting(s))
        club = await club_of_join_link(context, s.session, payload, s.user.id)
        if club is None:
            await answer(
                update,
                s._(
                    "That link is not for a club whose group you are in. Send /join in your "
                    "club's group, or tap <b>Join</b> there, for a fresh one."
                ),
            )
        else:
            member, created = await join(s.session, club.id, s.user.id, runtime.clock.now())
            text, card_markup = member_card(s.tr, club, member, welcome=created)
            markup: InlineKeyboardMarkup | None = card_markup
            if not created:
                text = s._("You were already a member of this club.") + "\n\n" + text
            else:
                club_tr = club_translator(club, runtime.settings.default_language)
                members = await _members(s.session, club.id)
                line = welcome_line(club_tr, _first_name(club_tr, person), members)
                announce = (club.id, club.thread_id, line)
            if newcomer:
                # the time zone question comes next, and a tap on a choice would set it aside:
                # the choices wait for /clubs
                text += "\n\n" + s._("/clubs — your job clubs and what each one sees of you")
                markup = None
            await answer(update, text, reply_markup=markup)
        if announce is not None:
            await _tell_group(context, *announce)
        if newcomer:
            return await ask_for_zone(update, s, onboarding=True)
    return -1


async def _members(session: AsyncSession, club_id: int) -> int:
    await session.flush()
    return await count_members(session, club_id)


async def _tell_group(context: Context, chat_id: int, thread_id: int | None, text: str) -> None:
    """A short line in the group about a join finished in private; a group the bot has just
    lost is no reason to fail the member's join."""
    try:
        if thread_id is not None:
            await context.bot.send_message(chat_id, text, message_thread_id=thread_id)
        else:
            await context.bot.send_message(chat_id, text)
    except TelegramError:
        log.info("could not tell group %s about a new member", chat_id, exc_info=True)


# --- leaving -------------------------------------------------------------------------------


async def leave_command(update: Update, context: Context) -> None:
    """/leave in a group takes the sender out of its club; in private, /clubs does it."""
    runtime = runtime_of(context)
    chat, person = update.effective_chat, update.effective_user
    assert chat is not None and person is not None
    if is_private(update):
        async with scope(update, context) as s:
            await answer(
                update,
                s._("Send /leave in the club's group, or use the Leave button in /clubs."),
            )
        return
    async with runtime.session() as session:
        user = await session.get(User, person.id)
        tr = runtime.translator_for(user, person.language_code)
        club = await session.get(Club, chat.id)
        left = club is not None and await leave(session, club.id, person.id)
        members = await count_members(session, chat.id) if club is not None else 0
        club_tr = club_translator(club, runtime.settings.default_language) if club else tr
        await session.commit()
    if not left:
        await answer(
            update,
            tr.gettext("{name}, you're not a member of this club.").format(
                name=_first_name(tr, person)
            ),
        )
        return
    await answer(
        update,
        club_tr.ngettext(
            "{name} has left the club. {count} member now.",
            "{name} has left the club. {count} members now.",
            members,
        ).format(name=_first_name(club_tr, person), count=club_tr.number(members)),
    )


def club_join_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("join", join_command),
        CommandHandler("leave", leave_command),
        CallbackQueryHandler(join_tapped, pattern=keyboards.pattern(JOIN)),
    ]
