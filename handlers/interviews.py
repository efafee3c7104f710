"""/interviews: the list of the user's interviews, each card, its outcome and its deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from sqlalchemy import func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import keyboards
from bot.db.models import Interview
from bot.domain.interviews import OUTCOMES
from bot.domain.text import shorten
from bot.interviews import find_interview
from bot.nudges.planner import replan_all_interviews, replan_keep_applying
from bot.runtime import Scope, scope
from bot.texts import OUTCOME_LABELS
from handlers.cards import render_card, saved_card_view
from handlers.common import Context, answer, edit_in_place, send_to_private_chat

PAGE_SIZE = 6
ACTION = "iv"


def card_keyboard(s: Scope, interview: Interview) -> InlineKeyboardMarkup:
    _ = s._
    return keyboards.keyboard(
        [
            [
                keyboards.button(_("✏️ Edit"), ACTION, "edit", interview.id),
                keyboards.button(_("➕ Interviewer"), ACTION, "addperson", interview.id),
            ],
            [
                keyboards.button(_("🏁 Outcome"), ACTION, "outcome", interview.id),
                keyboards.button(_("🗑 Delete"), ACTION, "delete", interview.id),
            ],
            # an offer not yet taken: accepting it plans the declines and withdrawals
            [keyboards.button(_("🤝 I accepted this offer"), "oc", "accept", interview.id)]
            if interview.outcome == "offer" and interview.offer_accepted_at is None
            else [],
            [keyboards.button(_("⬅ All interviews"), ACTION, "page", 0)],
        ]
    )


async def _list_page(s: Scope, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = s._
    total = (
        await s.session.scalar(
            select(func.count()).select_from(Interview).where(Interview.user_id == s.user.id)
        )
        or 0
    )
    if total == 0:
        return (
            _("You have not logged any interview yet. Send /log to add the first one."),
            keyboards.keyboard([[keyboards.button(_("Log an interview"), "log", "start")]]),
        )
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    rows_db = (
        await s.session.scalars(
            select(Interview)
            .where(Interview.user_id == s.user.id)
            .order_by(Interview.scheduled_at.desc(), Interview.id.desc())
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    rows: list[list[InlineKeyboardButton]] = []
    for interview in rows_db:
        day = s.tr.date(s.tr.local(interview.scheduled_at).date(), "medium")
        label = f"{shorten(interview.company, 28)} · {shorten(interview.role, 20)} · {day}"
        rows.append([keyboards.button(label, ACTION, "open", interview.id)])
    pager: list[InlineKeyboardButton] = []
    if page > 0:
        pager.append(keyboards.button(_("◀ Newer"), ACTION, "page", page - 1))
    if page < pages - 1:
        pager.append(keyboards.button(_("Older ▶"), ACTION, "page", page + 1))
    rows.append(pager)
    # the order and the page count only mean something when there is more than one
    if total == 1:
        text = _("Your interview:")
    elif pages == 1:
        text = s.tr.ngettext(
            "Your {count} interview, newest first:", "Your {count} interviews, newest first:", total
        ).format(count=s.tr.number(total))
    else:
        text = s.tr.ngettext(
            "Your interview, newest first (page {page} of {pages}):",
            "Your {count} interviews, newest first (page {page} of {pages}):",
            total,
        ).format(count=s.tr.number(total), page=page + 1, pages=pages)
    return text, keyboards.keyboard(rows)


async def interviews_command(update: Update, context: Context) -> None:
    """Lists the user's interviews, newest first."""
    async with scope(update, context) as s:
        if update.effective_chat is None or update.effective_chat.type != "private":
            await send_to_private_chat(update, context, s, "interviews")
            return
        text, markup = await _list_page(s, 0)
        await answer(update, text, reply_markup=markup)


async def _owned(s: Scope, interview_id: int | None) -> Interview | None:
    return await find_interview(s.session, s.user.id, interview_id)


async def _open(update: Update, s: Scope, interview: Interview, parts: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit_in_place(
        update,
        render_card(s.tr, await saved_card_view(s.session, interview, s.runtime.clock.now())),
        card_keyboard(s, interview),
    )


async def _ask_delete(update: Update, s: Scope, interview: Interview, parts: list[str]) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    await query.answer()
    markup = keyboards.keyboard(
        [
            [
                keyboards.button(_("Yes, delete it"), ACTION, "confirmdelete", interview.id),
                keyboards.button(_("No, keep it"), ACTION, "open", interview.id),
            ]
        ]
    )
    await edit_in_place(
        update,
        _(
            "Delete the interview at <b>{company}</b> and all its reminders? This cannot be undone."
        ).format(company=escape(interview.company)),
        markup,
    )


async def _delete(update: Update, s: Scope, interview: Interview, parts: list[str]) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    now = s.runtime.clock.now()
    company = interview.company
    await s.session.delete(interview)
    await s.session.flush()
    # the keep-applying reminder stops when nothing is left waiting for an answer
    await replan_keep_applying(s.session, s.user, now, s.runtime.settings.default_timezone)
    await query.answer(_("Deleted."))
    await edit_in_place(
        update,
        _("The interview at <b>{company}</b> is deleted.").format(company=escape(company)),
        keyboards.keyboard([[keyboards.button(_("⬅ All interviews"), ACTION, "page", 0)]]),
    )


async def _outcome_menu(update: Update, s: Scope, interview: Interview, parts: list[str]) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    await query.answer()
    choices = [o for o in OUTCOMES if o != interview.outcome]
    buttons = [
        keyboards.button(_(OUTCOME_LABELS[o]), ACTION, "setoutcome", interview.id, o)
        for o in choices
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([keyboards.button(_("⬅ Back"), ACTION, "open", interview.id)])
    await edit_in_place(
        update,
        _("What happened with <b>{company}</b>?").format(company=escape(interview.company)),
        keyboards.keyboard(rows),
    )


async def _set_outcome(update: Update, s: Scope, interview: Interview, parts: list[str]) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    outcome = parts[3] if len(parts) > 3 else ""
    if outcome not in OUTCOMES:
        await query.answer(_("That choice is no longer offered."))
        return
    now = s.runtime.clock.now()
    interview.outcome = outcome
    interview.outcome_at = now if outcome != "awaiting" else None
    if outcome != "offer":
        interview.offer_accepted_at = None
        interview.decide_by = None
    interview.updated_at = now
    await s.session.flush()
    # the plan withdraws what the outcome no longer calls for (bot/domain/plan.py); an
    # offer taken back changes what the other interviews call for too
    zone = s.runtime.settings.default_timezone
    await replan_all_interviews(s.session, s.user, now, zone)
    await replan_keep_applying(s.session, s.user, now, zone)
    card = render_card(s.tr, await saved_card_view(s.session, interview, now))
    markup = card_keyboard(s, interview)
    # commit, then speak
    await s.session.commit()
    await query.answer(_("Saved."))
    await edit_in_place(update, card, markup)


# "iv:<action>:<interview id>[:<argument>]" -> what a tap on a card's button does, for the
# interview's owner; "iv:page:<n>" turns the list's page. The card's other buttons
# (edit, addperson, debrief, and setoutcome's offer and next_round) start conversations:
# handlers/log.py and handlers/outcomes.py.
CARD_BUTTONS: dict[str, Callable[[Update, Scope, Interview, list[str]], Awaitable[None]]] = {
    "open": _open,
    "delete": _ask_delete,
    "confirmdelete": _delete,
    "outcome": _outcome_menu,
    "setoutcome": _set_outcome,
}


async def tapped(update: Update, context: Context) -> None:
    """Opens a card, turns a page, records an outcome or deletes, for the owner only."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    number = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        if action == "page":
            await query.answer()
            text, markup = await _list_page(s, number or 0)
            await edit_in_place(update, text, markup)
            return
        interview = await _owned(s, number)
        if interview is None:
            await query.answer(s._("That interview no longer exists."), show_alert=True)
            return
        handler = CARD_BUTTONS.get(action)
        if handler is None:
            await query.answer(s._("This button is no longer active."))
            return
        await handler(update, s, interview, parts)


def interview_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("interviews", interviews_command, filters=filters.ALL),
        CallbackQueryHandler(tapped, pattern=rf"^iv:(page|{'|'.join(CARD_BUTTONS)})(:|$)"),
    ]
