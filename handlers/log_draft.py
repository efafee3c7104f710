"""The draft of an interview being logged: its typed fields and how it is kept as JSON."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@dataclass
class Person:
    """An interviewer as told so far; the id is the stored row's, when editing a saved one."""

    name: str
    title: str = ""
    contact: str = ""
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "title": self.title, "contact": self.contact}
        if self.id is not None:
            data["id"] = self.id
        return data

    @classmethod
    def from_json(cls, data: object) -> Person | None:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        known = data.get("id")
        return cls(
            name=data["name"],
            title=_text(data.get("title")) or "",
            contact=_text(data.get("contact")) or "",
            id=known if isinstance(known, int) else None,
        )


@dataclass
class Draft:
    """The interview being logged or edited. It lives in context.user_data, which is stored in
    the database as JSON (bot/persistence.py), as the plain dict of to_json(): the same keys and
    values the free dict of earlier versions held, so a draft they left open loads unchanged."""

    company: str | None = None
    role: str | None = None
    when: datetime | None = None
    time_known: bool = True
    format: str | None = None
    people: list[Person] = field(default_factory=list)
    # the interviewer being told about, until their contact is given or skipped
    person: Person | None = None
    timeframe: str | None = None
    response_by: date | None = None
    feeling: str | None = None
    club_id: int | None = None
    # the saved interview being edited or asked about, if any
    interview_id: int | None = None
    editing: bool = False
    # the message whose buttons are the current question's
    question_id: int | None = None
    # logged ahead: the questions speak of what will happen, and skip what only comes after
    ahead: bool = False
    # the questions asked once an interview logged ahead has happened
    debrief: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "role": self.role,
            "when": self.when.isoformat() if self.when else None,
            "time_known": self.time_known,
            "format": self.format,
            "people": [p.to_json() for p in self.people],
            "person": self.person.to_json() if self.person else None,
            "timeframe": self.timeframe,
            "response_by": self.response_by.isoformat() if self.response_by else None,
            "feeling": self.feeling,
            "club_id": self.club_id,
            "interview_id": self.interview_id,
            "editing": self.editing,
            "question_id": self.question_id,
            "ahead": self.ahead,
            "debrief": self.debrief,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """The draft a stored dict describes; a key missing (older versions had fewer) or of
        an unexpected type is left at its default rather than failing the conversation."""
        people = [p for p in map(Person.from_json, _list(data.get("people"))) if p]
        return cls(
            company=_text(data.get("company")),
            role=_text(data.get("role")),
            when=_moment(data.get("when")),
            time_known=bool(data.get("time_known", True)),
            format=_text(data.get("format")),
            people=people,
            person=Person.from_json(data.get("person")),
            timeframe=_text(data.get("timeframe")),
            response_by=_day(data.get("response_by")),
            feeling=_text(data.get("feeling")),
            club_id=_number(data.get("club_id")),
            interview_id=_number(data.get("interview_id")),
            editing=bool(data.get("editing", False)),
            question_id=_number(data.get("question_id")),
            ahead=bool(data.get("ahead", False)),
            debrief=bool(data.get("debrief", False)),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def draft_of(interview: Interview) -> Draft:
    return Draft(
        company=interview.company,
        role=interview.role,
        when=interview.scheduled_at,
        time_known=interview.time_known,
        format=interview.format,
        people=[Person(p.name, p.title, p.contact, p.id) for p in interview.interviewers],
        timeframe=interview.response_timeframe,
        response_by=interview.response_by,
        feeling=interview.feeling,
        club_id=interview.club_id,
        interview_id=interview.id,
        editing=True,
    )


def get_draft(context: Context) -> Draft | None:
    """The draft held in the user's data, if any; keep() writes changes to it back."""
    if context.user_data is None:
        return None
    stored = context.user_data.get(DRAFT)
    return Draft.from_json(stored) if isinstance(stored, dict) else None


def start_draft(context: Context, draft: Draft) -> None:
    """Holds a new draft in the user's data, in place of any other."""
    if context.user_data is not None:
        context.user_data[DRAFT] = draft.to_json()


def keep(context: Context, draft: Draft) -> None:
    """Writes a step's changes to the draft back to the user's data, unless the step ended the
    draft (saved, discarded or cancelled it): a forgotten draft stays forgotten."""
    if context.user_data is not None and DRAFT in context.user_data:
        context.user_data[DRAFT] = draft.to_json()


@contextmanager
def drafting(context: Context) -> Iterator[Draft | None]:
    """The draft for one step of the conversation, kept when the step is done."""
    draft = get_draft(context)
    try:
        yield draft
    finally:
        if draft is not None:
            keep(context, draft)


def view_of(draft: Draft) -> InterviewView:
    return InterviewView(
        company=draft.company or "",
        role=draft.role or "",
        scheduled_at=draft.when,
        time_known=draft.time_known,
        format=draft.format,
        interviewers=[PersonView(p.name, p.title, p.contact) for p in draft.people],
        timeframe=draft.timeframe,
        response_by=draft.response_by,
        feeling=draft.feeling,
        ahead=draft.ahead,
    )


def is_ahead(s: Scope, draft: Draft) -> bool:
    """Whether the interview being logged is still to come (never so when asking after it)."""
    if draft.debrief or draft.when is None:
        return False
    return draft.when > s.runtime.clock.now()


def interview_day(s: Scope, draft: Draft) -> date:
    return s.tr.local(draft.when or s.runtime.clock.now()).date()


def forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
