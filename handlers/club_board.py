"""/club: the club board of this club week, in the group (the group's) or in private (yours)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.clubs.board import MESSAGE_LIMIT, board_pages, counts, shared_details
from bot.clubs.intro import club_translator
from bot.clubs.members import clubs_of, membership
from bot.clubs.queries import board_week
from bot.db.models import Club, User
from bot.domain.text import shorten, visible_length
from bot.i18n import Translator
from bot.runtime import Runtime, Scope, runtime_of, scope
from handlers.club_join import join_keyboard
from handlers.club_prefs import club_title, not_in_any_club
from handlers.common import Context, answer, edit_in_place, is_private, refuse_foreign_tap

BOARD = "cboard"


def _pager(page: int, pages: int, *club: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ between pages; in private the club rides along, in a group the chat says which."""
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(keyboards.button("◀", BOARD, page - 1, *club))
    if page < pages - 1:
        row.append(keyboards.button("▶", BOARD, page + 1, *club))
    return keyboards.keyboard([row])


async def _group_board(runtime: Runtime, club: Club, page: int) -> tuple[str, int, int] | None:
    """The group's board page (text, page, pages), or None if no one has joined."""
    async with runtime.session() as session:
        period, entries = await board_week(session, club, runtime.clock.now())
    if not entries:
        return None
    tr = club_translator(club, runtime.settings.default_language)
    pages = board_pages(tr, club.title, period, entries)
    page = min(max(page, 0), len(pages) - 1)
    return pages[page], page, len(pages)


async def club_command(update: Update, context: Context) -> None:
    """Shows the board: the group's in a group; in private, the member's clubs'."""
    if is_private(update):
        await _private_club_command(update, context)
        return
    runtime = runtime_of(context)
    chat, person = update.effective_chat, update.effective_user
    assert chat is not None and person is not None
    # a plain session: reading the board does not make the reader a user of the bot
    async with runtime.session() as session:
        club = await session.get(Club, chat.id)
        user = await session.get(User, person.id)
    board = await _group_board(runtime, club, 0) if club is not None else None
    if board is None:
        tr = (
            club_translator(club, runtime.settings.default_language)
            if club is not None
            else runtime.translator_for(user, person.language_code)
        )
        await answer(
            update,
            tr.gettext("No one has joined this club yet. Tap <b>Join</b> or send /join."),
            reply_markup=join_keyboard(tr, False),
        )
        return
    text, page, pages = board
    await answer(update, text, reply_markup=_pager(page, pages))


def _own_part(tr: Translator, title: str, counted: str, details: str | None) -> str:
    lines = [
        f"👥 <b>{title}</b>",
        tr.gettext("Your week so far: {counts}").format(counts=counted),
    ]
    if details:
        lines.append(tr.gettext("Only you see this here: {details}").format(details=details))
    return "\n".join(lines)


async def _private_board(
    s: Scope, club: Club, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The member's own line, then the board exactly as the group sees it."""
    period, entries = await board_week(s.session, club, s.runtime.clock.now())
    club_tr = club_translator(club, s.runtime.settings.default_language)
    own = next((e for e in entries if e.week.user_id == s.user.id), None)
    title = club_title(s.tr, club)
    top = (
        _own_part(s.tr, title, counts(s.tr, own.week), shared_details(s.tr, own.week))
        if own is not None
        else f"👥 <b>{title}</b>"
    )
    pages = board_pages(
        club_tr, club.title, period, entries, limit=MESSAGE_LIMIT - visible_length(top) - 2
    )
    page = min(max(page, 0), len(pages) - 1)
    return top + "\n\n" + pages[page], _pager(page, len(pages), club.id)


def _which_club(s: Scope, clubs: list[Club]) -> InlineKeyboardMarkup:
    return keyboards.keyboard(
        [
            [keyboards.button(shorten(club.title, 60) or s._("your club"), BOARD, 0, club.id)]
            for club in clubs
        ]
    )


async def _private_club_command(update: Update, context: Context) -> None:
    async with scope(update, context) as s:
        clubs = [club for club, _member in await clubs_of(s.session, s.user.id)]
        if not clubs:
            await answer(update, not_in_any_club(s.tr))
            return
        if len(clubs) > 1:
            await answer(update, s._("Which club's board?"), reply_markup=_which_club(s, clubs))
            return
        text, markup = await _private_board(s, clubs[0], 0)
        await answer(update, text, reply_markup=markup)


async def board_tapped(update: Update, context: Context) -> None:
    """A page button: in the group anyone may turn the group's pages; in private the tapper
    must be a member of the club the button names. Everything is read again from the database."""
    query = update.callback_query
    assert query is not None and query.message is not None
    if await refuse_foreign_tap(update, context):
        return
    parts = keyboards.decode(query.data)
    page = keyboards.int_arg(parts, 1) or 0
    runtime = runtime_of(context)
    if not is_private(update):
        async with runtime.session() as session:
            club = await session.get(Club, query.message.chat.id)
        board = await _group_board(runtime, club, page) if club is not None else None
        await query.answer()
        if board is not None:
            text, page, pages = board
            await edit_in_place(update, text, _pager(page, pages))
        return
    club_id = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        club = await s.session.get(Club, club_id) if club_id is not None else None
        member = await membership(s.session, club.id, s.user.id) if club is not None else None
        if club is None or member is None:
            await query.answer(s._("You're not a member of that club."), show_alert=True)
            return
        text, markup = await _private_board(s, club, page)
        await query.answer()
        await edit_in_place(update, text, markup)


def club_board_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("club", club_command),
        CallbackQueryHandler(board_tapped, pattern=keyboards.pattern(BOARD)),
    ]
