"""How tasks read in a nudge or in /tasks: their text, their draft and their buttons."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from html import escape

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot import keyboards
from bot.db.models import Application, Interview, Interviewer, Task, User
from bot.domain import plan
from bot.domain.drafts import COPY_LIMIT, DraftFacts, draft_for
from bot.domain.progress import WeekProgress
from bot.i18n import N_, Translator
from bot.nudges.reference_views import (
    ReferenceFacts,
    addressee,
    heads_up_text,
    load_reference_facts,
    reference_rows,
    thank_text,
)
from bot.progress import keep_applying_progress
from bot.progress_words import progress_lines, short_week_line

ACTION = "tk"
# Telegram's limit is 4096 after parsing; the rest is room for a heading or a closing line
SAFE_LENGTH = 3800
_TAGS = re.compile(r"<[^>]+>")
TASK_TITLES = {
    plan.THANK_YOU: N_("Thank-you due: {company}"),
    plan.CHECK_IN: N_("Check in with {company}"),
    plan.REFERENCES: N_("Tell your references about {company}"),
    plan.BEFORE_YOU_LEAVE: N_("Interview at {company}: ask about next steps"),
    plan.COURTESY: N_("Courteous note to {company}"),
    plan.THANK_REFERENCES: N_("Thank your references ({company})"),
    plan.KEEP_APPLYING: N_("Keep applying while you wait"),
    plan.DEBRIEF: N_("How did it go at {company}?"),
    plan.MENTION_OFFER: N_("Mention your offer to {company}"),
    plan.DECLINE_OFFER: N_("Decline the offer from {company}"),
    plan.WITHDRAW_NOTE: N_("Withdraw from {company}"),
    plan.NO_ANSWER: N_("No answer from {company}?"),
}
# a thank-you names its interviewer, so two of them in one list do not read as one repeated
THANK_YOU_TO = N_("Thank-you to {name} due: {company}")
OPEN_STATES = ("pending", "sent", "snoozed")
STATE_MARKS = {"done": "✅", "skipped": "⏭", "cancelled": "✖"}
SNOOZES = (("later", 3), ("tomorrow", 24), ("days", 72))
# the buttons under a keep-applying reminder: log one the /applied way, later, stop them
KEEP_APPLYING_ACTIONS = ("apply", "snoozemenu", "snooze", "stop")


@dataclass
class TaskView:
    """A task with what its text needs: its interview, its interviewer, a count."""

    task: Task
    interview: Interview | None
    interviewer: Interviewer | None
    applications_since: int = 0
    # a keep-applying reminder: this week against the goal, and last week when it fell short
    progress: WeekProgress | None = None
    last_week: WeekProgress | None = None
    # a mention of an offer elsewhere: the day the user must answer it by, when they said
    decide_by: date | None = None
    # a references heads-up or thank-you: the user's references and who was told
    references: ReferenceFacts | None = None


async def load_views(
    session: AsyncSession,
    tasks: Sequence[Task],
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> list[TaskView]:
    """Fetch the interviews and interviewers the tasks refer to, in two queries; with the
    moment and the user's zone, a keep-applying reminder gets this week's progress too."""
    interview_ids = {t.interview_id for t in tasks if t.interview_id is not None}
    person_ids = {t.interviewer_id for t in tasks if t.interviewer_id is not None}
    interviews = {}
    if interview_ids:
        interviews = {
            i.id: i
            for i in (
                await session.scalars(select(Interview).where(Interview.id.in_(interview_ids)))
            ).all()
        }
    people = {}
    if person_ids:
        people = {
            p.id: p
            for p in (
                await session.scalars(select(Interviewer).where(Interviewer.id.in_(person_ids)))
            ).all()
        }
    decide_by = None
    if any(t.kind == plan.MENTION_OFFER for t in tasks):
        decide_by = await _decide_by(session, tasks[0].user_id)
    reference_facts = await load_reference_facts(session, tasks)
    views = []
    for task in tasks:
        count = 0
        if task.kind == plan.KEEP_APPLYING:
            since = task.last_nudged_at or task.created_at
            count = (
                await session.scalar(
                    select(func.count())
                    .select_from(Application)
                    .where(Application.user_id == task.user_id, Application.applied_at >= since)
                )
                or 0
            )
        progress = last_week = None
        if task.kind == plan.KEEP_APPLYING and now is not None and tz is not None:
            progress, last_week = await keep_applying_progress(session, task, now, tz)
        views.append(
            TaskView(
                task,
                interviews.get(task.interview_id) if task.interview_id else None,
                people.get(task.interviewer_id) if task.interviewer_id else None,
                count,
                progress,
                last_week,
                decide_by if task.kind == plan.MENTION_OFFER else None,
                reference_facts.get(task.id),
            )
        )
    return views


async def _decide_by(session: AsyncSession, user_id: int) -> date | None:
    """The earliest day the user must answer an open offer by, if they said."""
    return await session.scalar(
        select(func.min(Interview.decide_by)).where(
            Interview.user_id == user_id,
            Interview.outcome == "offer",
            Interview.offer_accepted_at.is_(None),
        )
    )


def _facts(view: TaskView, user: User, tr: Translator | None = None) -> DraftFacts:
    interview = view.interview
    person = view.interviewer
    decide_by = ""
    if tr is not None and view.decide_by is not None:
        decide_by = tr.day(datetime.combine(view.decide_by, datetime.min.time(), tr.tz))
    return DraftFacts(
        decide_by=decide_by,
        sender=user.first_name,
        company=interview.company if interview else "",
        role=interview.role if interview else "",
        person=person.name if person else addressee(view.task.kind, view.references),
        person_title=person.title if person else "",
    )


def is_late(task: Task, now: datetime | None) -> bool:
    """Whether the task's deadline has passed while it is still open."""
    return now is not None and task.state in OPEN_STATES and task.due_at <= now


def task_line(tr: Translator, view: TaskView, now: datetime | None = None) -> str:
    """One sentence saying what to do, with the facts escaped; a thank-you whose deadline has
    passed says so, kindly, and what to do now."""
    _ = tr.gettext
    task = view.task
    interview = view.interview
    company = escape(interview.company) if interview else ""
    role = escape(interview.role) if interview else ""
    due = tr.day(task.due_at - timedelta(seconds=1))
    if task.kind == plan.THANK_YOU and is_late(task, now):
        person = view.interviewer
        who = f"<b>{escape(person.name)}</b>" if person is not None else _("the interviewers")
        return _(
            "The thank-you to {person} for the {role} interview at <b>{company}</b> was due "
            "{due}. A late thank-you is still worth sending: send it today, and it will still "
            "be read gladly."
        ).format(person=who, role=role, company=company, due=due)
    if task.kind == plan.THANK_YOU:
        person = view.interviewer
        if person is not None:
            who = f"<b>{escape(person.name)}</b>"
            if person.title:
                who = _("{name} ({title})").format(name=who, title=escape(person.title))
            return _(
                "Thank {person} for the {role} interview at <b>{company}</b>, by {due}: "
                "a call, an email or a letter."
            ).format(person=who, role=role, company=company, due=due)
        return _(
            "Thank the people who interviewed you for the {role} role at <b>{company}</b>, "
            "by {due}."
        ).format(role=role, company=company, due=due)
    if task.kind == plan.CHECK_IN:
        promised = interview.response_by if interview else None
        return _(
            "<b>{company}</b> expected to answer by {day} and has not. A short, polite check-in "
            "about the {role} role is fine now."
        ).format(
            company=company,
            role=role,
            day=tr.day(datetime.combine(promised, datetime.min.time(), tr.tz)) if promised else due,
        )
    if task.kind == plan.REFERENCES:
        line = _(
            "You feel good about <b>{company}</b>: give your references a heads-up now, so they "
            "can answer quickly when called."
        ).format(company=company)
        if view.references is not None:
            more = heads_up_text(tr, view.references, task.state in OPEN_STATES)
            if more:
                line += " " + more
        return line
    if task.kind == plan.KEEP_APPLYING and view.progress is not None:
        # the same count as /applied and /goal: this week, from Monday in the user's zone
        lines = [short_week_line(tr, view.last_week)] if view.last_week is not None else []
        if view.progress.applications == 0:
            lines.append(
                _(
                    "While you wait, keep applying elsewhere: recruiting takes longer than "
                    "anyone expects, and a second option gives you leverage. One application "
                    "today is a good start."
                )
            )
        else:
            lines.append(
                _(
                    "While you wait, keep applying elsewhere: recruiting takes longer than "
                    "anyone expects, and a second option gives you leverage."
                )
            )
        return " ".join(lines + progress_lines(tr, view.progress))
    if task.kind == plan.KEEP_APPLYING and view.applications_since == 0:
        return _(
            "While you wait, keep applying elsewhere: recruiting takes longer than anyone "
            "expects, and a second option gives you leverage. One application today is a "
            "good start."
        )
    if task.kind == plan.KEEP_APPLYING:
        # zero has its own sentence above: "0 applications" takes the singular in some languages
        return tr.ngettext(
            "While you wait, keep applying elsewhere: recruiting takes longer than anyone "
            "expects. You logged {count} application since the last reminder.",
            "While you wait, keep applying elsewhere: recruiting takes longer than anyone "
            "expects. You logged {count} applications since the last reminder.",
            view.applications_since,
        ).format(count=tr.number(view.applications_since))
    if task.kind == plan.BEFORE_YOU_LEAVE:
        tip = _(
            "Before you leave: ask when they will decide, and collect everyone's name and job "
            "title (business cards are ideal)."
        )
        if interview and interview.time_known:
            return (
                _("Interview at <b>{company}</b> today at {time}.").format(
                    company=company, time=tr.time(interview.scheduled_at)
                )
                + " "
                + tip
            )
        return _("Interview at <b>{company}</b> today.").format(company=company) + " " + tip
    if task.kind == plan.DEBRIEF:
        return _(
            "Your interview at <b>{company}</b> for the {role} role is over: how did it go? "
            "Three short questions, then I'll plan your thank-yous and what comes next."
        ).format(company=company, role=role)
    if task.kind == plan.COURTESY:
        return _(
            "Not this time at <b>{company}</b>. Send a courteous thank-you anyway and keep "
            "their contacts: they may offer you a job later."
        ).format(company=company)
    if task.kind == plan.THANK_REFERENCES and view.references is not None:
        return thank_text(tr, company, view.references)
    if task.kind == plan.THANK_REFERENCES:
        return _(
            "Congratulations on the offer from <b>{company}</b>! Thank your references."
        ).format(company=company)
    if task.kind == plan.MENTION_OFFER:
        return _(
            "You have an offer elsewhere: let <b>{company}</b> know, casually, and say when you "
            "must decide. Share it as news, never as an ultimatum."
        ).format(company=company)
    if task.kind == plan.DECLINE_OFFER:
        return _(
            "You accepted another offer: decline the offer from <b>{company}</b> courteously, "
            "and thank them for it."
        ).format(company=company)
    if task.kind == plan.WITHDRAW_NOTE:
        return _(
            "You accepted another offer: tell <b>{company}</b> politely that you are withdrawing "
            "from the {role} process, so they can move on."
        ).format(company=company, role=role)
    if task.kind == plan.NO_ANSWER:
        return _(
            "Nothing from <b>{company}</b> about the {role} role, though their time frame and a "
            "check-in have passed. Shall I mark it as no answer and stop checking in?"
        ).format(company=company, role=role)
    return escape(task.kind)


def visible_length(text: str) -> int:
    """Length as Telegram counts it: after the markup is parsed, in UTF-16 code units."""
    plain = html.unescape(_TAGS.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


def task_title(tr: Translator, view: TaskView) -> str:
    """A few words naming a task, and the person it is for, for lists."""
    interview = view.interview
    values = {
        "company": escape(interview.company) if interview else "",
        "role": escape(interview.role) if interview else "",
    }
    if view.task.kind == plan.THANK_YOU and view.interviewer is not None:
        return tr.gettext(THANK_YOU_TO).format(
            name=escape(view.interviewer.name), company=values["company"]
        )
    return tr.gettext(TASK_TITLES.get(view.task.kind, "{company}")).format(**values)


def render_tasks(
    tr: Translator,
    user: User,
    views: Sequence[TaskView],
    heading: str,
    expanded: dict[int, str] | None = None,
    limit: int = SAFE_LENGTH,
    now: datetime | None = None,
) -> tuple[str, InlineKeyboardMarkup | None, list[int]]:
    """A message listing tasks, each with its draft and its own row of buttons, as many as fit
    in one message; also returns the ids of the tasks it shows."""
    _ = tr.gettext
    expanded = expanded or {}
    numbered = len(views) > 1
    blocks = [heading]
    shown: list[int] = []
    rows: list[list[InlineKeyboardButton]] = []
    for index, view in enumerate(views, 1):
        task = view.task
        # a keep-applying reminder is closed once sent, yet its buttons still act on the next
        reminder = task.kind == plan.KEEP_APPLYING
        mark = "" if reminder else STATE_MARKS.get(task.state, "")
        prefix = f"{index}. " if numbered else ""
        line = prefix + (f"{mark} " if mark else "") + task_line(tr, view, now)
        snoozed = task.state == "snoozed" and task.next_nudge_at is not None
        # once the snooze has run out (the nudge is back), it no longer says "snoozed until"
        if snoozed and task.next_nudge_at is not None and (now is None or task.next_nudge_at > now):
            when = tr.day_and_time(task.next_nudge_at)
            if task.kind != plan.BEFORE_YOU_LEAVE and task.next_nudge_at >= task.due_at > (
                now or task.next_nudge_at
            ):
                line += " " + _("(snoozed until {when}, after its deadline)").format(when=when)
            else:
                line += " " + _("(snoozed until {when})").format(when=when)
        draft = (
            draft_for(task.kind, _, _facts(view, user, tr)) if task.state in OPEN_STATES else None
        )
        block = line
        if draft:
            # a code block: Telegram's apps copy it whole with one tap
            block += "\n" + _("Draft:") + f"\n<pre>{escape(draft)}</pre>"
        if shown and visible_length("\n\n".join([*blocks, block])) > limit:
            break
        blocks.append(block)
        shown.append(task.id)
        number = index if numbered else None
        if reminder and user.keep_applying_days > 0:
            rows += _keep_applying_buttons(tr, task, number, expanded.get(task.id))
        if task.state == "done" and expanded.get(task.id) == "via":
            # just done: how it was sent may still be told, but need not be
            rows += _task_buttons(tr, task, number, "via", None)
            continue
        if task.state not in OPEN_STATES or reminder:
            continue
        if expanded.get(task.id) is None:
            tag = f" {number}" if number is not None else ""
            rows += reference_rows(tr, task, view.references, tag)
        rows += _task_buttons(tr, task, number, expanded.get(task.id), draft)
    text = "\n\n".join(blocks)
    return text, InlineKeyboardMarkup(rows) if rows else None, shown


def _task_buttons(
    tr: Translator, task: Task, number: int | None, mode: str | None, draft: str | None
) -> list[list[InlineKeyboardButton]]:
    _ = tr.gettext
    tag = f" {number}" if number is not None else ""
    if mode == "snooze":
        return [
            [
                keyboards.button(_("In 3 hours") + tag, ACTION, "snooze", task.id, "later"),
                keyboards.button(_("Tomorrow") + tag, ACTION, "snooze", task.id, "tomorrow"),
                keyboards.button(_("In 3 days") + tag, ACTION, "snooze", task.id, "days"),
            ]
        ]
    if mode == "via":
        return [
            [
                keyboards.button(_("Email") + tag, ACTION, "via", task.id, "email"),
                keyboards.button(_("Phone") + tag, ACTION, "via", task.id, "phone"),
                keyboards.button(_("Letter") + tag, ACTION, "via", task.id, "letter"),
            ]
        ]
    if task.kind == plan.BEFORE_YOU_LEAVE:
        # a reminder for the moment, closed as soon as it is sent: Done, Later or Skip on it
        # could only answer "already taken care of"
        return []
    if task.kind == plan.DEBRIEF and task.interview_id is not None:
        # answering is the way to be done with it: the button opens the short conversation
        return [
            [
                keyboards.button(
                    _("📝 Tell me how it went") + tag, "iv", "debrief", task.interview_id
                )
            ],
            [
                keyboards.button(_("⏰ Later") + tag, ACTION, "snoozemenu", task.id),
                keyboards.button(_("Skip") + tag, ACTION, "skip", task.id),
            ],
        ]
    if task.kind == plan.NO_ANSWER:
        # the answer is the way to be done with it (handlers/outcomes.py)
        return [
            [keyboards.button(_("Yes, mark no answer") + tag, "oc", "ghost", task.id)],
            [keyboards.button(_("Still waiting: ask me in a week") + tag, "oc", "wait", task.id)],
        ]
    rows = [
        [
            keyboards.button(_("✅ Done") + tag, ACTION, "done", task.id),
            keyboards.button(_("⏰ Later") + tag, ACTION, "snoozemenu", task.id),
            keyboards.button(_("Skip") + tag, ACTION, "skip", task.id),
        ]
    ]
    if draft:
        rows.append([copy_button(_("📋 Copy the draft") + tag, task, draft)])
    return rows


def copy_button(label: str, task: Task, draft: str) -> InlineKeyboardButton:
    """Copies the draft in one tap: Telegram's own copy button when the draft fits in it, else
    a button that sends the draft alone, as a block the apps copy on a tap."""
    if visible_length(escape(draft)) <= COPY_LIMIT:
        return InlineKeyboardButton(label, copy_text=CopyTextButton(draft))
    return keyboards.button(label, ACTION, "draft", task.id)


def draft_message(tr: Translator, user: User, view: TaskView) -> str | None:
    """The draft of a task alone, for the copy button of a draft too long for Telegram's."""
    draft = draft_for(view.task.kind, tr.gettext, _facts(view, user, tr))
    return f"<pre>{escape(draft)}</pre>" if draft else None


def _keep_applying_buttons(
    tr: Translator, task: Task, number: int | None, mode: str | None
) -> list[list[InlineKeyboardButton]]:
    _ = tr.gettext
    tag = f" {number}" if number is not None else ""
    if mode == "snooze":
        return [
            [
                keyboards.button(_("In 3 hours") + tag, ACTION, "snooze", task.id, "later"),
                keyboards.button(_("Tomorrow") + tag, ACTION, "snooze", task.id, "tomorrow"),
                keyboards.button(_("In 3 days") + tag, ACTION, "snooze", task.id, "days"),
            ]
        ]
    return [
        [
            keyboards.button(_("📝 Log an application") + tag, ACTION, "apply", task.id),
            keyboards.button(_("⏰ Later") + tag, ACTION, "snoozemenu", task.id),
            keyboards.button(_("Stop these") + tag, ACTION, "stop", task.id),
        ]
    ]


def render_nudge(
    tr: Translator, user: User, views: Sequence[TaskView], now: datetime | None = None
) -> tuple[str, InlineKeyboardMarkup | None, list[int]]:
    """A nudge: a heading that counts what it holds, then the tasks that fit."""

    def heading(count: int) -> str:
        return tr.ngettext(
            "<b>One thing for today</b>", "<b>{count} things for today</b>", count
        ).format(count=count)

    text, markup, shown = render_tasks(tr, user, views, heading(len(views)), now=now)
    if len(shown) < len(views):
        text, markup, shown = render_tasks(
            tr, user, views[: len(shown)], heading(len(shown)), now=now
        )
    return text, markup, shown
