"""/applications: the applications logged, newest first, a page at a time, each removable."""

from __future__ import annotations

from html import escape

from sqlalchemy import func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.db.models import Application
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "apl"
PAGE_SIZE = 5


def what_of(company: str, role: str) -> str:
    """'Company · Role', escaped for HTML."""
    return escape(company) + (f" · {escape(role)}" if role else "")


async def _page(s: Scope, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = s._
    mine = Application.user_id == s.user.id
    total = await s.session.scalar(select(func.count()).select_from(Application).where(mine)) or 0
    if total == 0:
        return (
            _(
                "You have not logged any application yet. Log one with "
                "<code>/applied Company — Role</code>."
            ),
            None,
        )
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    rows = await s.session.scalars(
        select(Application)
        .where(mine)
        .order_by(Application.applied_at.desc(), Application.id.desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    first = page * PAGE_SIZE + 1
    heading = (
        s.tr.ngettext(
            "Your application:",
            "Your {count} applications, newest first:",
            total,
        ).format(count=s.tr.number(total))
        if pages == 1
        else _("Your {count} applications, newest first (page {page} of {pages}):").format(
            count=s.tr.number(total), page=s.tr.number(page + 1), pages=s.tr.number(pages)
        )
    )
    lines = [heading, ""]
    buttons: list[InlineKeyboardButton] = []
    for number, application in enumerate(rows, start=first):
        lines.append(
            f"{number}. {what_of(application.company, application.role)} — "
            f"{s.tr.day(application.applied_at)}"
        )
        buttons.append(keyboards.button(f"🗑 {number}", ACTION, "ask", application.id, page))
    pager: list[InlineKeyboardButton] = []
    if page > 0:
        pager.append(keyboards.button(_("◀ Newer"), ACTION, "page", page - 1))
    if page < pages - 1:
        pager.append(keyboards.button(_("Older ▶"), ACTION, "page", page + 1))
    return "\n".join(lines), keyboards.keyboard([buttons, pager])


async def applications_command(update: Update, context: Context) -> None:
    """Lists the applications, newest first, with a button to remove each."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "applications")
            return
        text, markup = await _page(s, 0)
        await answer(update, text, reply_markup=markup)


async def tapped(update: Update, context: Context) -> None:
    """Turns a page, asks before removing, removes: only the owner's own applications."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    async with scope(update, context) as s:
        _ = s._
        if action == "page":
            await query.answer()
            text, markup = await _page(s, keyboards.int_arg(parts, 2) or 0)
            await edit_in_place(update, text, markup)
            return
        application_id = keyboards.int_arg(parts, 2)
        page = keyboards.int_arg(parts, 3) or 0
        application = (
            await s.session.scalar(
                select(Application).where(
                    Application.id == application_id, Application.user_id == s.user.id
                )
            )
            if application_id is not None
            else None
        )
        if application is None:
            # removed already, or someone else's: the same answer, so nothing leaks
            await query.answer(_("That application is no longer there."))
            return
        what = what_of(application.company, application.role)
        if action == "ask":
            await query.answer()
            await edit_in_place(
                update,
                _("Remove {what}, logged on {day}? It will no longer count.").format(
                    what=what, day=s.tr.day(application.applied_at)
                ),
                keyboards.keyboard(
                    [
                        [
                            keyboards.button(
                                _("Yes, remove it"), ACTION, "del", application.id, page
                            )
                        ],
                        [keyboards.button(_("No, don't remove it"), ACTION, "page", page)],
                    ]
                ),
            )
            return
        if action == "del":
            await s.session.delete(application)
            await s.session.flush()
            await query.answer(_("Removed."))
            text, markup = await _page(s, page)
            await edit_in_place(
                update, _("Removed: {what}.").format(what=what) + "\n\n" + text, markup
            )
            return
        await query.answer(_("This button is no longer active."))


def application_list_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("applications", applications_command),
        CallbackQueryHandler(tapped, pattern=keyboards.pattern(ACTION)),
    ]
