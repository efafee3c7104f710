"""The next round (its date, the earlier interviewers carried over with a tap) and the
no-answer question's buttons."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from html import escape

from sqlalchemy import select
from telegram import InlineKeyboardButton, Update

from bot import keyboards
from bot.db.models import Interview, Interviewer, Task
from bot.domain import plan
from bot.nudges.planner import prefs_of
from bot.runtime import Scope, scope
from handlers.cards import InterviewView, render_card
from handlers.common import Context, answer, edit_in_place
from handlers.interviews import card_keyboard
from handlers.outcomes_common import (
    ACTION,
    ASK_AGAIN_DAYS,
    DRAFT,
    END,
    Draft,
    draft_of,
    forget,
    owned,
    read_day,
    replan_everything,
    say_gone,
)
from handlers.steps import Step
from handlers.tasks import rerender_tapped

# --- the next round --------------------------------------------------------------------------


async def next_round_chosen(update: Update, context: Context) -> int:
    """Starts the next round: asks for its date."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    async with scope(update, context) as s:
        interview = await owned(s, keyboards.int_arg(keyboards.decode(query.data), 2))
        if interview is None:
            return await say_gone(update, s)
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
        return Step.ROUND_DATE


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
        draft = draft_of(context)
        interview = await owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None:
            forget(context)
            await answer(update, s._("I lost track of that interview. /interviews shows it."))
            return END
        reading = read_day(s, message.text or "")
        if reading is None:
            await answer(
                update,
                s._(
                    "I could not read that as one date. Try <i>Friday at 10</i>, "
                    "<i>the 12th</i> or <i>12 March at 3pm</i>."
                ),
            )
            await answer(update, _date_question(s, interview))
            return Step.ROUND_DATE
        at = reading.at or time(12, 0)
        moment = datetime.combine(reading.day, at, tzinfo=s.tr.tz).astimezone(UTC)
        if moment <= interview.scheduled_at:
            await answer(update, s._("That is not after the earlier round. When is the next one?"))
            return Step.ROUND_DATE
        draft["at"] = moment.isoformat()
        draft["time_known"] = reading.at is not None
        if not draft["people"]:
            return await _save_round(update, context, s, interview, draft)
        await _ask_people(update, s, interview, draft, edit=False)
        return Step.ROUND_PEOPLE


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
        draft = draft_of(context)
        interview = await owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None:
            forget(context)
            return await say_gone(update, s)
        people = interview.interviewers
        if index is None or not 0 <= index < len(people):
            await query.answer(s._("That choice is no longer offered."))
            return Step.ROUND_PEOPLE
        person_id = people[index].id
        picked: list[int] = draft["picked"]
        if person_id in picked:
            picked.remove(person_id)
        else:
            picked.append(person_id)
        await query.answer()
        await _ask_people(update, s, interview, draft, edit=True)
        return Step.ROUND_PEOPLE


async def save_tapped(update: Update, context: Context) -> int:
    """Saves the next round with the people picked."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        draft = draft_of(context)
        interview = await owned(s, draft.get("id") if draft else None)
        if draft is None or interview is None or not draft.get("at"):
            forget(context)
            return await say_gone(update, s)
        await query.answer()
        return await _save_round(update, context, s, interview, draft)


async def _save_round(
    update: Update, context: Context, s: Scope, earlier: Interview, draft: Draft
) -> int:
    """The next round is an interview of its own, so it gets its own date, thank-yous, debrief
    and time frame; the earlier round keeps its history and is marked 'next round'."""
    forget(context)
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
    await replan_everything(s, now)
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
        interview = await owned(s, task.interview_id)
        if interview is None:
            await say_gone(update, s)
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
            await replan_everything(s, now)
            note = _("Marked as no answer. I'll stop checking in; their contacts stay saved.")
        else:
            local = s.tr.local(now).date() + timedelta(days=ASK_AGAIN_DAYS)
            task.state = "snoozed"
            task.next_nudge_at = plan.at_local(
                local, s.user.nudge_hour, prefs_of(s.user, s.runtime.settings.default_timezone)
            )
            task.updated_at = now
            note = _("Still waiting: I'll ask again in a week.")
        await rerender_tapped(update, s, task, note)
