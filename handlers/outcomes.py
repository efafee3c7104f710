"""Outcomes that start a short conversation: an offer (when must you decide?), its acceptance,
the next round (its date, the interviewers carried over), and the no-answer question."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import keyboards
from bot.db.models import Interview, Interviewer, Task
from bot.domain import plan
from bot.domain.when import parse_when
from bot.domain.when_types import ParsedWhen, WhenChoice, WhenError
from bot.nudges.planner import prefs_of, replan_all_interviews, replan_keep_applying
from bot.runtime import Scope, scope
from handlers.cards import InterviewView, render_card
from handlers.common import Context, answer, edit_in_place
from handlers.interviews import card_keyboard
from handlers.log_when import region_of

ACTION = "oc"
DRAFT = "outcome_draft"
END = ConversationHandler.END
DECIDE = 0
ROUND_DATE = 1
ROUND_PEOPLE = 2
# the quick answers to "when must you decide?", in days; 0 is "not sure"
DECIDE_DAYS = (3, 7, 14, 0)
# "still waiting": the no-answer question comes back this many days later
ASK_AGAIN_DAYS = 7

Draft = dict[str, Any]


async def _owned(s: Scope, interview_id: int | None) -> Interview | None:
    if interview_id is None:
        return None
    return await s.session.scalar(
        select(Interview)
        .where(Interview.id == interview_id, Interview.user_id == s.user.id)
        .options(selectinload(Interview.interviewers))
    )


async def _replan(s: Scope, now: datetime) -> None:
    zone = s.runtime.settings.default_timezone
    await replan_all_interviews(s.session, s.user, now, zone)
    await replan_keep_applying(s.session, s.user, now, zone)


def _draft(context: Context) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT)
    return draft if isinstance(draft, dict) else None


def _forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def _gone(update: Update, s: Scope) -> int:
    query = update.callback_query
    if query is not None:
        await query.answer(s._("That interview no longer exists."), show_alert=True)
    return END


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
        interview = await _owned(s, interview_id)
        if interview is None:
            return await _gone(update, s)
        now = s.runtime.clock.now()
        interview.outcome = "offer"
        interview.outcome_at = now
        interview.offer_accepted_at = None
        interview.updated_at = now
        await s.session.flush()
        # the other interviews get their casual mention from the plan (bot/domain/plan.py)
        await _replan(s, now)
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
        await s.session.commit()
        await query.answer(_("Saved."))
        await edit_in_place(update, card, markup)
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
        return DECIDE


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
        interview = await _owned(s, keyboards.int_arg(parts, 2))
        if interview is None or interview.outcome != "offer":
            _forget(context)
            return await _gone(update, s)
        if days not in DECIDE_DAYS:
            await query.answer(s._("That choice is no longer offered."))
            return DECIDE if _draft(context) else END
        _forget(context)
        today = s.tr.local(s.runtime.clock.now()).date()
        day = today + timedelta(days=days) if days else None
        await _store_decision(update, s, interview, day)
        return END


async def decide_typed(update: Update, context: Context) -> int:
    """Reads a typed decision day: ahead of today, a single clear date."""
    message = update.effective_message
    assert message is not None
    async with scope(update, context) as s:
        draft = _draft(context)
        interview = await _owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None or interview.outcome != "offer":
            _forget(context)
            await answer(update, s._("I lost track of that offer. /interviews shows it."))
            return END
        day = await _typed_day(update, s, message.text or "")
        if day is None:
            await answer(
                update,
                s._("When must you answer the offer? Tap a choice, or type a date."),
                reply_markup=_decide_keyboard(s, interview.id),
            )
            return DECIDE
        _forget(context)
        await _store_decision(update, s, interview, day)
        return END


async def _typed_day(update: Update, s: Scope, text: str) -> date | None:
    """A day ahead read from the text, or None after telling the user what was wrong."""
    reading = _reading(s, text)
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


def _reading(s: Scope, text: str) -> ParsedWhen | None:
    now_local = s.tr.local(s.runtime.clock.now())
    parsed = parse_when(text, now_local, s.tr.language, "future", region_of(s))
    if isinstance(parsed, WhenError):
        return None
    if isinstance(parsed, WhenChoice):
        # "12/11" read two ways is a question this short exchange does not ask: a clearer
        # date is asked for instead
        return None
    return parsed


async def accept_tapped(update: Update, context: Context) -> None:
    """Marks an offer as accepted: the other offers get a courteous decline, the interviews
    still waiting a polite withdrawal, and the keep-applying reminders stop."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        _ = s._
        interview = await _owned(s, keyboards.int_arg(keyboards.decode(query.data), 2))
        if interview is None:
            await _gone(update, s)
            return
        if interview.outcome != "offer" or interview.offer_accepted_at is not None:
            await query.answer(_("This button is no longer active."))
            return
        now = s.runtime.clock.now()
        interview.offer_accepted_at = now
        interview.updated_at = now
        await s.session.flush()
        await _replan(s, now)
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


# --- the next round --------------------------------------------------------------------------


async def next_round_chosen(update: Update, context: Context) -> int:
    """Starts the next round: asks for its date."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    async with scope(update, context) as s:
        interview = await _owned(s, keyboards.int_arg(keyboards.decode(query.data), 2))
        if interview is None:
            return await _gone(update, s)
        await query.answer()
        draft: Draft = {
            "kind": "round",
            "id": interview.id,
            "people": [p.id for p in interview.interviewers],
            "picked": [],
            "at": None,
            "time_known": True,
        }
        context.user_data[DRAFT] = draft
        await answer(update, _date_question(s, interview))
        return ROUND_DATE


def _date_question(s: Scope, interview: Interview) -> str:
    return (
        s._(
            "The next round at <b>{company}</b>: when is it? For example: <i>Tuesday at 10</i>, "
            "<i>the 12th at 3pm</i>."
        ).format(company=escape(interview.company))
        + "\n"
        + s._("/cancel stops at any point.")
    )


async def round_date_typed(update: Update, context: Context) -> int:
    """Reads the next round's date, then offers the earlier interviewers (or saves)."""
    message = update.effective_message
    assert message is not None
    async with scope(update, context) as s:
        draft = _draft(context)
        interview = await _owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None:
            _forget(context)
            await answer(update, s._("I lost track of that interview. /interviews shows it."))
            return END
        reading = _reading(s, message.text or "")
        if reading is None:
            await answer(
                update,
                s._(
                    "I could not read that as one date. Try <i>Friday at 10</i>, "
                    "<i>the 12th</i> or <i>12 March at 3pm</i>."
                ),
            )
            await answer(update, _date_question(s, interview))
            return ROUND_DATE
        at = reading.at or time(12, 0)
        moment = datetime.combine(reading.day, at, tzinfo=s.tr.tz).astimezone(UTC)
        if moment <= interview.scheduled_at:
            await answer(update, s._("That is not after the earlier round. When is the next one?"))
            return ROUND_DATE
        draft["at"] = moment.isoformat()
        draft["time_known"] = reading.at is not None
        if not draft["people"]:
            return await _save_round(update, context, s, interview, draft)
        await _ask_people(update, s, interview, draft, edit=False)
        return ROUND_PEOPLE


async def _ask_people(
    update: Update, s: Scope, interview: Interview, draft: Draft, edit: bool
) -> None:
    _ = s._
    rows: list[list[InlineKeyboardButton]] = []
    for index, person in enumerate(interview.interviewers[:10]):
        mark = "☑" if person.id in draft["picked"] else "☐"
        rows.append([keyboards.button(f"{mark} {person.name[:40]}", ACTION, "pick", index)])
    rows.append([keyboards.button(_("✅ Save"), ACTION, "save")])
    text = _(
        "Who from the earlier round will be there? Tap a name to bring them along; you can add "
        "new people from the card afterwards."
    )
    if edit:
        await edit_in_place(update, text, keyboards.keyboard(rows))
    else:
        await answer(update, text, reply_markup=keyboards.keyboard(rows))


async def person_tapped(update: Update, context: Context) -> int:
    """Brings an earlier interviewer along, or leaves them out."""
    query = update.callback_query
    assert query is not None
    index = keyboards.int_arg(keyboards.decode(query.data), 2)
    async with scope(update, context) as s:
        draft = _draft(context)
        interview = await _owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None:
            _forget(context)
            return await _gone(update, s)
        people = interview.interviewers
        if index is None or not 0 <= index < len(people):
            await query.answer(s._("That choice is no longer offered."))
            return ROUND_PEOPLE
        person_id = people[index].id
        picked: list[int] = draft["picked"]
        if person_id in picked:
            picked.remove(person_id)
        else:
            picked.append(person_id)
        await query.answer()
        await _ask_people(update, s, interview, draft, edit=True)
        return ROUND_PEOPLE


async def save_tapped(update: Update, context: Context) -> int:
    """Saves the next round with the people picked."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        draft = _draft(context)
        interview = await _owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None or not draft.get("at"):
            _forget(context)
            return await _gone(update, s)
        await query.answer()
        return await _save_round(update, context, s, interview, draft)


async def _save_round(
    update: Update, context: Context, s: Scope, earlier: Interview, draft: Draft
) -> int:
    """The next round is an interview of its own, so it gets its own date, thank-yous, debrief
    and time frame; the earlier round keeps its history and is marked 'next round'."""
    _forget(context)
    now = s.runtime.clock.now()
    carried = [p for p in earlier.interviewers if p.id in draft["picked"]]
    scheduled = datetime.fromisoformat(draft["at"])
    round_ = Interview(
        user_id=s.user.id,
        club_id=earlier.club_id,
        company=earlier.company,
        role=earlier.role,
        scheduled_at=scheduled,
        time_known=bool(draft["time_known"]),
        format=earlier.format,
        # how it went and when they will answer are asked after it (the debrief)
        response_timeframe=plan.NOT_TOLD,
        feeling=plan.NOT_TOLD,
        created_at=now,
        updated_at=now,
        interviewers=[
            Interviewer(position=i, name=p.name, title=p.title, contact=p.contact)
            for i, p in enumerate(carried)
        ],
    )
    s.session.add(round_)
    earlier.outcome = "next_round"
    earlier.outcome_at = now
    earlier.updated_at = now
    await s.session.flush()
    # the earlier round's check-in and no-answer question no longer fit and are withdrawn
    await _replan(s, now)
    card = render_card(s.tr, InterviewView.of(round_, now))
    markup = card_keyboard(s, round_)
    await s.session.commit()
    if update.callback_query is not None:
        await edit_in_place(update, s._("Saved."))
    await answer(
        update,
        s._("The next round is saved, and its reminders are planned.") + "\n\n" + card,
        reply_markup=markup,
    )
    return END


# --- no answer -------------------------------------------------------------------------------


async def no_answer_tapped(update: Update, context: Context) -> None:
    """Marks an interview as no answer, or asks again in a week."""
    from handlers.tasks import _rerender

    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    task_id = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        _ = s._
        task = None
        if task_id is not None:
            task = await s.session.scalar(
                select(Task).where(
                    Task.id == task_id, Task.user_id == s.user.id, Task.kind == plan.NO_ANSWER
                )
            )
        if task is None or task.state not in ("pending", "sent", "snoozed"):
            await query.answer(_("This button is no longer active."))
            return
        interview = await _owned(s, task.interview_id)
        if interview is None:
            await _gone(update, s)
            return
        now = s.runtime.clock.now()
        if action == "ghost":
            task.state = "done"
            task.done_at = now
            task.done_via = "answered"
            task.next_nudge_at = None
            task.updated_at = now
            interview.outcome = "ghosted"
            interview.outcome_at = now
            interview.updated_at = now
            await s.session.flush()
            # no more check-ins; the contacts stay, for later
            await _replan(s, now)
            note = _("Marked as no answer. I'll stop checking in; their contacts stay saved.")
        else:
            local = s.tr.local(now).date() + timedelta(days=ASK_AGAIN_DAYS)
            task.state = "snoozed"
            task.next_nudge_at = plan.at_local(
                local, s.user.nudge_hour, prefs_of(s.user, s.runtime.settings.default_timezone)
            )
            task.updated_at = now
            note = _("Still waiting: I'll ask again in a week.")
        await _rerender(update, s, task, {}, note)


# --- the conversation ------------------------------------------------------------------------


async def cancel(update: Update, context: Context) -> int:
    """Stops; what was saved stays saved."""
    _forget(context)
    async with scope(update, context) as s:
        await answer(update, s._("Okay, stopped. Nothing else was changed."))
    return END


async def not_text(update: Update, context: Context) -> int:
    """Answers a photo, sticker or file where a typed date was asked for."""
    async with scope(update, context) as s:
        await answer(update, s._("I can only read text here. Please type a date, or /cancel."))
    draft = _draft(context)
    if draft is None:
        return END
    return DECIDE if draft.get("kind") == "offer" else ROUND_DATE


async def timed_out(update: Update, context: Context) -> None:
    """Forgets a half-answered question after a long silence; what was saved stays."""
    _forget(context)


def outcome_conversation(timeout: timedelta | None) -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {
        DECIDE: [
            CallbackQueryHandler(decide_tapped, pattern=r"^oc:decide:"),
            MessageHandler(text, decide_typed),
            MessageHandler(other, not_text),
        ],
        ROUND_DATE: [MessageHandler(text, round_date_typed), MessageHandler(other, not_text)],
        ROUND_PEOPLE: [
            CallbackQueryHandler(person_tapped, pattern=r"^oc:pick:"),
            CallbackQueryHandler(save_tapped, pattern=r"^oc:save$"),
        ],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
    }
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(offer_chosen, pattern=r"^iv:setoutcome:\d+:offer$"),
            CallbackQueryHandler(next_round_chosen, pattern=r"^iv:setoutcome:\d+:next_round$"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="outcomes",
        persistent=True,
        conversation_timeout=timeout,
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
