"""Saving the draft of the log conversation as an interview, and showing its card."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from telegram import Update
from telegram.error import NetworkError

from bot.db.models import Interview, Interviewer, Task
from bot.domain.plan import DEBRIEF, NOT_TOLD
from bot.interviews import find_interview
from bot.nudges.planner import replan_interview
from bot.persistence import close_with
from bot.runtime import Scope
from handlers.cards import render_card, saved_card_view
from handlers.common import (
    Context,
    answer,
)
from handlers.interviews import card_keyboard
from handlers.log_draft import (
    DRAFT,
    END,
    Draft,
    Person,
    forget,
    is_ahead,
)
from handlers.log_questions import (
    clear_previous_question,
    go,
)
from handlers.steps import Step

log = logging.getLogger(__name__)


async def save(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    """Stores the draft as a new interview or over the one being edited, then shows its card."""
    _ = s._
    draft.ahead = is_ahead(s, draft)
    # before the interview, how it went and their answer are asked after it, not now
    needed: tuple[str, ...] = ("company", "role", "when", "format")
    if not draft.ahead:
        needed += ("timeframe", "feeling")
    told = {
        "company": draft.company,
        "role": draft.role,
        "when": draft.when,
        "format": draft.format,
        "timeframe": draft.timeframe,
        "feeling": draft.feeling,
    }
    missing = [key for key in needed if not told[key]]
    if missing:
        target = {
            "company": Step.COMPANY,
            "role": Step.ROLE,
            "when": Step.WHEN,
            "format": Step.FORMAT,
            "timeframe": Step.TIMEFRAME,
            "feeling": Step.FEELING,
        }[missing[0]]
        await answer(update, _("One thing is still missing."))
        draft.editing = True
        return await go(update, context, s, draft, target)
    now = s.runtime.clock.now()
    interview: Interview | None = None
    if draft.interview_id is not None:
        interview = await find_interview(s.session, s.user.id, draft.interview_id)
        if interview is None:
            await answer(update, _("That interview was deleted in the meantime; nothing saved."))
            forget(context)
            return END
    if interview is None:
        interview = Interview(
            user_id=s.user.id, club_id=draft.club_id, created_at=now, interviewers=[]
        )
        s.session.add(interview)
    debriefed = interview.feeling == NOT_TOLD and bool(draft.feeling)
    # all four were checked above
    assert draft.company and draft.role and draft.when and draft.format
    interview.company = draft.company
    interview.role = draft.role
    interview.scheduled_at = draft.when
    interview.time_known = draft.time_known
    interview.format = draft.format
    interview.response_timeframe = draft.timeframe or NOT_TOLD
    interview.response_by = draft.response_by
    interview.feeling = draft.feeling or NOT_TOLD
    interview.updated_at = now
    _apply_people(interview, draft.people)
    await s.session.flush()
    if debriefed:
        await _close_debrief(s, interview.id, now)
    await replan_interview(s.session, s.user, interview, now, s.runtime.settings.default_timezone)
    heading = (
        _("Thank you. I have planned what comes next; here is the card of your interview:")
        if draft.debrief
        else _("Saved. Here is the card of your interview:")
    )
    text = render_card(s.tr, await saved_card_view(s.session, interview, now), heading)
    markup = card_keyboard(s, interview)
    if update.effective_chat is not None:
        # the conversation ends with the save, in its transaction: after a crash right here the
        # restarted bot has no draft left to save a second time
        await close_with(s.session, "log", (update.effective_chat.id, s.user.id), s.user.id, DRAFT)
    # commit, then speak: the interview is stored before anything is said about it
    await s.session.commit()
    forget(context)
    try:
        await clear_previous_question(update, context, draft)
        await answer(update, text, reply_markup=markup)
    except NetworkError as error:
        # the interview is saved and the conversation over; the card is in /interviews, and a
        # second tap on Save finds nothing left to save twice
        log.warning("the card of a saved interview did not reach the user: %s", error)
    return END


async def _close_debrief(s: Scope, interview_id: int, now: datetime) -> None:
    """The question after the interview is answered: its nudge is done, not cancelled."""
    rows = await s.session.scalars(
        select(Task).where(
            Task.interview_id == interview_id,
            Task.kind == DEBRIEF,
            Task.state.in_(("pending", "sent", "snoozed")),
        )
    )
    for task in rows:
        task.state = "done"
        task.done_at = now
        task.done_via = "answered"
        task.next_nudge_at = None
        # a nudge being sent right now must not write over this
        task.claim_token = None
        task.claimed_until = None
        task.updated_at = now


def _apply_people(interview: Interview, people: list[Person]) -> None:
    """Update interviewers in place so their tasks keep pointing at the same rows."""
    by_id = {p.id: p for p in interview.interviewers}
    kept: list[Interviewer] = []
    for position, person in enumerate(people):
        row = by_id.pop(person.id, None) if person.id is not None else None
        if row is None:
            row = Interviewer(name=person.name)
        row.name = person.name
        row.title = person.title
        row.contact = person.contact
        row.position = position
        kept.append(row)
    interview.interviewers = kept
