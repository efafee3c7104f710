"""The interview card: one rendering for the summary of a draft and for a saved interview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview
from bot.i18n import Translator
from bot.references import told_for
from bot.texts import FEELING_LABELS, FORMAT_LABELS, OUTCOME_LABELS, TIMEFRAME_LABELS


@dataclass
class PersonView:
    name: str
    title: str = ""
    contact: str = ""


@dataclass
class InterviewView:
    """What a card shows, whether it comes from a draft or from the database."""

    company: str
    role: str
    scheduled_at: datetime | None
    time_known: bool = True
    format: str | None = None
    interviewers: list[PersonView] = field(default_factory=list)
    timeframe: str | None = None
    response_by: date | None = None
    feeling: str | None = None
    status: str | None = None
    # set when the card should say how far away an upcoming interview is
    now: datetime | None = None
    # still to come: how it went is not known yet, only how the user feels about it
    ahead: bool = False
    # the names of the references told about this interview, in the order they were added
    references_told: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, interview: Interview, now: datetime) -> InterviewView:
        status = interview.outcome
        if status == "awaiting" and interview.scheduled_at > now:
            status = "upcoming"
        return cls(
            company=interview.company,
            role=interview.role,
            scheduled_at=interview.scheduled_at,
            time_known=interview.time_known,
            format=interview.format,
            interviewers=[PersonView(p.name, p.title, p.contact) for p in interview.interviewers],
            timeframe=interview.response_timeframe,
            response_by=interview.response_by,
            feeling=interview.feeling,
            status=status,
            now=now,
            ahead=interview.scheduled_at > now,
        )


async def saved_card_view(
    session: AsyncSession, interview: Interview, now: datetime
) -> InterviewView:
    """The card of a saved interview, with the references told about it."""
    view = InterviewView.of(interview, now)
    told = await told_for(session, interview.user_id, interview.id)
    view.references_told = [reference.name for reference in told]
    return view


def when_text(tr: Translator, moment: datetime, time_known: bool) -> str:
    if time_known:
        return tr.day_and_time(moment)
    return tr.day(moment)


def person_line(tr: Translator, person: PersonView) -> str:
    text = f"<b>{escape(person.name)}</b>"
    if person.title:
        text += tr.gettext(", {title}").format(title=escape(person.title))
    if person.contact:
        text += f" · {escape(person.contact)}"
    return text


def render_card(tr: Translator, view: InterviewView, heading: str | None = None) -> str:
    """The card text: company, role, when, format, people, time frame, feeling, status."""
    _ = tr.gettext
    missing = _("—")
    lines = []
    if heading:
        lines += [heading, ""]
    lines.append(
        _("<b>{company}</b> · {role}").format(
            company=escape(view.company or missing), role=escape(view.role or missing)
        )
    )
    if view.scheduled_at is not None:
        when = when_text(tr, view.scheduled_at, view.time_known)
        if view.now is not None and view.scheduled_at > view.now:
            when = _("{when} ({relative})").format(
                when=when, relative=tr.until(view.scheduled_at, view.now)
            )
        lines.append(_("When: {when}").format(when=when))
    if view.format:
        lines.append(_("Format: {format}").format(format=_(FORMAT_LABELS[view.format])))
    if view.interviewers:
        lines.append(_("Interviewers:"))
        lines += [f"• {person_line(tr, person)}" for person in view.interviewers]
    else:
        lines.append(_("Interviewers: none noted"))
    if view.timeframe == "unknown" and view.response_by is not None:
        # no promise to quote: say which day the plan assumes instead
        lines.append(
            _("Answer expected: they didn't say, so I'm planning for {day}").format(
                day=tr.date(view.response_by)
            )
        )
    elif view.timeframe == "date" and view.response_by is not None:
        # the date they gave is the whole answer; "By a date" is only the button's label
        lines.append(_("Answer expected: {timeframe}").format(timeframe=tr.date(view.response_by)))
    elif view.timeframe:
        frame = _(TIMEFRAME_LABELS[view.timeframe])
        if view.response_by is not None:
            frame = _("{timeframe} (by {day})").format(
                timeframe=frame, day=tr.date(view.response_by)
            )
        lines.append(_("Answer expected: {timeframe}").format(timeframe=frame))
    if view.feeling and view.ahead:
        lines.append(_("Your chances: {feeling}").format(feeling=_(FEELING_LABELS[view.feeling])))
    elif view.feeling:
        lines.append(_("How it went: {feeling}").format(feeling=_(FEELING_LABELS[view.feeling])))
    elif view.ahead:
        lines.append(
            _(
                "After the interview, I'll ask how it went, who was there and when they will "
                "answer, and plan your follow-ups from that."
            )
        )
    elif view.scheduled_at is not None:
        lines.append(_("How it went: not told yet"))
    if view.references_told:
        names = format_list(
            [f"<b>{escape(name)}</b>" for name in view.references_told], locale=tr.locale
        )
        lines.append(_("References told: {names}").format(names=names))
    if view.status:
        lines.append(_("Status: {status}").format(status=_(OUTCOME_LABELS[view.status])))
    return "\n".join(lines)
