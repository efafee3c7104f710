"""Outcomes that start a short conversation: an offer (when must you decide?), its acceptance,
the next round, and the buttons of the no-answer question."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.clubs.celebrate import queue_celebrations
from bot.db.models import Interview, Task
from bot.domain import plan
from bot.i18n import Translator
from bot.runtime import Scope, scope
from handlers.cards import InterviewView, render_card
from handlers.club_checkin import flush_club_posts_soon
from handlers.common import Context, LapsingConversation, answer, edit_in_place
from handlers.interviews import card_keyboard
from handlers.next_round import (
    next_round_chosen,
    no_answer_tapped,
    person_tapped,
    round_date_typed,
    save_tapped,
)
from handlers.outcomes_common import (
    ACTION,
    DECIDE_DAYS,
    DRAFT,
    END,
    draft_of,
    forget,
    owned,
    read_day,
    replan_everything,
    say_gone,
)
from handlers.steps import Step, with_legacy_steps

# --- the offer -------------------------------------------------------------------------------


def _decide_keyboard(s: Scope, interview_id: int) -> Any:
    _ = s._
    labels = {3: _("In 3 days"), 7: _("In a week"), 14: _("In two weeks"), 0: _("Not sure")}
    buttons = [
        keyboards.button(labels[days], ACTION, "decide", interview_id, days) for days in DECIDE_DAYS
    ]
    return keyboards.keyboard([buttons[:2], buttons[2:]])


async def offer_chosen(update: Update, context: Context) -> int:
    """Records an offer; when other interviews still wait, asks when the user must decide."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    interview_id = keyboards.int_arg(keyboards.decode(query.data), 2)
    async with scope(update, context) as s:
        _ = s._
        interview = await owned(s, interview_id)
        if interview is None:
            return await say_gone(update, s)
        now = s.runtime.clock.now()
        interview.outcome = "offer"
        interview.outcome_at = now
        interview.offer_accepted_at = None
        interview.updated_at = now
        await s.session.flush()
        # the other interviews get their casual mention from the plan (bot/domain/plan.py)
        await replan_everything(s, now)
        waiting = (
            await s.session.scalar(
                select(Interview.id)
                .where(
                    Interview.user_id == s.user.id,
                    Interview.id != interview.id,
                    Interview.outcome == "awaiting",
                )
                .limit(1)
            )
        ) is not None
        card = render_card(s.tr, InterviewView.of(interview, now))
        markup = card_keyboard(s, interview)
        celebrations = await queue_celebrations(
            s.session, s.user, interview, now, s.runtime.settings.default_language
        )
        await s.session.commit()
        await query.answer(_("Saved."))
        await edit_in_place(update, card, markup)
        if celebrations:
            flush_club_posts_soon(context)
        if not waiting:
            return END
        context.user_data[DRAFT] = {"kind": "offer", "id": interview.id}
        await answer(
            update,
            _("Congratulations on the offer from <b>{company}</b>!").format(
                company=escape(interview.company)
            )
            + " "
            + _(
                "Other interviews still wait for an answer: each now has a task to let them know, "
                "casually, with a ready draft."
            )
            + "\n\n"
            + _(
                "When must you answer this offer? Tap a choice, or type a date such as "
                "<i>Friday</i> or <i>the 12th</i>."
            ),
            reply_markup=_decide_keyboard(s, interview.id),
        )
        return Step.DECIDE


async def _store_decision(update: Update, s: Scope, interview: Interview, day: date | None) -> None:
    interview.decide_by = day
    interview.updated_at = s.runtime.clock.now()
    await s.session.commit()
    if day is None:
        text = s._("Noted. The drafts will say you must decide soon.")
    else:
        noon = datetime.combine(day, time(12, 0), tzinfo=s.tr.tz)
        text = s._("Noted: you must decide by {day}. The drafts will say so.").format(
            day=s.tr.day(noon)
        )
    if update.callback_query is not None:
        await update.callback_query.answer()
        await edit_in_place(update, text)
    else:
        await answer(update, text)


async def decide_tapped(update: Update, context: Context) -> int:
    """Stores the day the user must answer the offer by, from a quick button."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    days = keyboards.int_arg(parts, 3)
    async with scope(update, context) as s:
        interview = await owned(s, keyboards.int_arg(parts, 2))
        if interview is None or interview.outcome != "offer":
            forget(context)
            return await say_gone(update, s)
        if days not in DECIDE_DAYS:
            await query.answer(s._("That choice is no longer offered."))
            return Step.DECIDE if draft_of(context) else END
        forget(context)
        today = s.tr.local(s.runtime.clock.now()).date()
        day = today + timedelta(days=days) if days else None
        await _store_decision(update, s, interview, day)
        return END


async def decide_typed(update: Update, context: Context) -> int:
    """Reads a typed decision day: ahead of today, a single clear date."""
    message = update.effective_message
    assert message is not None
    async with scope(update, context) as s:
        draft = draft_of(context)
        interview = await owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None or interview.outcome != "offer":
            forget(context)
            await answer(update, s._("I lost track of that offer. /interviews shows it."))
            return END
        day = await _typed_day(update, s, message.text or "")
        if day is None:
            await answer(
                update,
                s._("When must you answer the offer? Tap a choice, or type a date."),
                reply_markup=_decide_keyboard(s, interview.id),
            )
            return Step.DECIDE
        forget(context)
        await _store_decision(update, s, interview, day)
        return END


async def _typed_day(update: Update, s: Scope, text: str) -> date | None:
    """A day ahead read from the text, or None after telling the user what was wrong."""
    reading = read_day(s, text)
    today = s.tr.local(s.runtime.clock.now()).date()
    if reading is None:
        await answer(
            update,
            s._(
                "I could not read that as one date. Try <i>Friday</i>, <i>the 12th</i> or "
                "<i>12 March</i>."
            ),
        )
        return None
    if reading.day < today:
        await answer(update, s._("That date has already passed."))
        return None
    return reading.day


async def accept_tapped(update: Update, context: Context) -> None:
    """Marks an offer as accepted: the other offers get a courteous decline, the interviews
    still waiting a polite withdrawal, and the keep-applying reminders stop."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        _ = s._
        interview = await owned(s, keyboards.int_arg(keyboards.decode(query.data), 2))
        if interview is None:
            await say_gone(update, s)
            return
        if interview.outcome != "offer" or interview.offer_accepted_at is not None:
            await query.answer(_("This button is no longer active."))
            return
        now = s.runtime.clock.now()
        interview.offer_accepted_at = now
        interview.updated_at = now
        await s.session.flush()
        await replan_everything(s, now)
        notes = (
            await s.session.scalars(
                select(Task.kind).where(
                    Task.user_id == s.user.id,
                    Task.kind.in_((plan.DECLINE_OFFER, plan.WITHDRAW_NOTE)),
                    Task.state.in_(("pending", "sent", "snoozed")),
                )
            )
        ).all()
        card = render_card(s.tr, InterviewView.of(interview, now))
        markup = card_keyboard(s, interview)
        await s.session.commit()
        await query.answer(_("Saved."))
        await edit_in_place(update, card, markup)
        lines = [
            _("Congratulations on accepting the offer from <b>{company}</b>!").format(
                company=escape(interview.company)
            )
        ]
        declines = sum(1 for kind in notes if kind == plan.DECLINE_OFFER)
        withdrawals = len(notes) - declines
        if declines:
            lines.append(
                s.tr.ngettext(
                    "I added a task with a courteous draft to decline your other offer.",
                    "I added tasks with courteous drafts to decline your {count} other offers.",
                    declines,
                ).format(count=s.tr.number(declines))
            )
        if withdrawals:
            lines.append(
                s.tr.ngettext(
                    "I added a task with a polite note to withdraw from the interview still "
                    "waiting.",
                    "I added tasks with polite notes to withdraw from the {count} interviews "
                    "still waiting.",
                    withdrawals,
                ).format(count=s.tr.number(withdrawals))
            )
        await answer(update, " ".join(lines))


# --- the conversation ------------------------------------------------------------------------


async def cancel(update: Update, context: Context) -> int:
    """Stops; what was saved stays saved."""
    forget(context)
    async with scope(update, context) as s:
        await answer(update, s._("Okay, stopped. Nothing else was changed."))
    return END


async def not_text(update: Update, context: Context) -> int:
    """Answers a photo, sticker or file where a typed date was asked for."""
    async with scope(update, context) as s:
        await answer(update, s._("I can only read text here. Please type a date, or /cancel."))
    draft = draft_of(context)
    if draft is None:
        return END
    return Step.DECIDE if draft.get("kind") == "offer" else Step.ROUND_DATE


def lapsed(user_data: dict[Any, Any], tr: Translator) -> None:
    """Forgets a half-answered question after a long silence, quietly; what was saved stays."""
    user_data.pop(DRAFT, None)


def outcome_conversation() -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    states = with_legacy_steps(
        "outcomes",
        {
            Step.DECIDE: [
                CallbackQueryHandler(decide_tapped, pattern=r"^oc:decide:"),
                MessageHandler(text, decide_typed),
                MessageHandler(other, not_text),
            ],
            Step.ROUND_DATE: [
                MessageHandler(text, round_date_typed),
                MessageHandler(other, not_text),
            ],
            Step.ROUND_PEOPLE: [
                CallbackQueryHandler(person_tapped, pattern=r"^oc:pick:"),
                CallbackQueryHandler(save_tapped, pattern=r"^oc:save$"),
            ],
        },
    )
    # it lapses after CONVERSATION_TIMEOUT_SECONDS on the bot's clock (handlers/lapses.py)
    return LapsingConversation(
        entry_points=[
            CallbackQueryHandler(offer_chosen, pattern=r"^iv:setoutcome:\d+:offer$"),
            CallbackQueryHandler(next_round_chosen, pattern=r"^iv:setoutcome:\d+:next_round$"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="outcomes",
        persistent=True,
        allow_reentry=True,
    )


def outcome_handlers() -> list[BaseHandler[Update, Context, object]]:
    """The buttons that work outside the conversation too: a late decision, an acceptance,
    the no-answer question."""
    return [
        CallbackQueryHandler(decide_tapped, pattern=r"^oc:decide:"),
        CallbackQueryHandler(accept_tapped, pattern=r"^oc:accept:"),
        CallbackQueryHandler(no_answer_tapped, pattern=r"^oc:(ghost|wait):"),
    ]
