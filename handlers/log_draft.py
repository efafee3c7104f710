"""The draft of an interview being logged: the conversation's states and its stored answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram.ext import ConversationHandler

from bot.db.models import Interview
from bot.i18n import N_
from bot.runtime import Scope
from handlers.cards import InterviewView, PersonView
from handlers.common import Context
from handlers.steps import Step

DRAFT = "draft"
ACTION = "lg"
END = ConversationHandler.END

# what can only be told once an interview has happened
AFTER_FIELDS = ("timeframe", "feeling")

EDITABLE_FIELDS: tuple[tuple[str, str, Step], ...] = (
    ("company", N_("Company"), Step.COMPANY),
    ("role", N_("Role"), Step.ROLE),
    ("when", N_("Date and time"), Step.WHEN),
    ("format", N_("Format"), Step.FORMAT),
    ("people", N_("Interviewers"), Step.PERSON_MORE),
    ("timeframe", N_("Answer expected"), Step.TIMEFRAME),
    ("feeling", N_("How it went"), Step.FEELING),
)

Draft = dict[str, Any]


def new_draft(club_id: int | None = None) -> Draft:
    return {
        "company": None,
        "role": None,
        "when": None,
        "time_known": True,
        "format": None,
        "people": [],
        "person": None,
        "timeframe": None,
        "response_by": None,
        "feeling": None,
        "club_id": club_id,
        "interview_id": None,
        "editing": False,
        "question_id": None,
        # logged ahead: the questions speak of what will happen, and skip what only comes after
        "ahead": False,
        # the questions asked once an interview logged ahead has happened
        "debrief": False,
    }


def draft_of(interview: Interview) -> Draft:
    draft = new_draft(interview.club_id)
    draft.update(
        company=interview.company,
        role=interview.role,
        when=interview.scheduled_at.isoformat(),
        time_known=interview.time_known,
        format=interview.format,
        people=[
            {"id": p.id, "name": p.name, "title": p.title, "contact": p.contact}
            for p in interview.interviewers
        ],
        timeframe=interview.response_timeframe,
        response_by=interview.response_by.isoformat() if interview.response_by else None,
        feeling=interview.feeling,
        interview_id=interview.id,
        editing=True,
    )
    return draft


def get_draft(context: Context) -> Draft | None:
    if context.user_data is None:
        return None
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, dict) else None


def view_of(draft: Draft) -> InterviewView:
    return InterviewView(
        company=draft["company"] or "",
        role=draft["role"] or "",
        scheduled_at=datetime.fromisoformat(draft["when"]) if draft["when"] else None,
        time_known=bool(draft["time_known"]),
        format=draft["format"],
        interviewers=[PersonView(p["name"], p["title"], p["contact"]) for p in draft["people"]],
        timeframe=draft["timeframe"],
        response_by=date.fromisoformat(draft["response_by"]) if draft["response_by"] else None,
        feeling=draft["feeling"],
        ahead=bool(draft.get("ahead")),
    )


def is_ahead(s: Scope, draft: Draft) -> bool:
    """Whether the interview being logged is still to come (never so when asking after it)."""
    if draft.get("debrief") or not draft["when"]:
        return False
    return datetime.fromisoformat(draft["when"]) > s.runtime.clock.now()


def interview_day(s: Scope, draft: Draft) -> date:
    moment = datetime.fromisoformat(draft["when"]) if draft["when"] else s.runtime.clock.now()
    return s.tr.local(moment).date()


def forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
