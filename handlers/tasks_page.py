"""The pages of /tasks: what is due now, a page at a time by a stable order, and what comes next."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from telegram import InlineKeyboardMarkup

from bot import keyboards
from bot.db.models import Task
from bot.domain import plan
from bot.nudges.messages import (
    ACTION,
    OPEN_STATES,
    SAFE_LENGTH,
    load_views,
    render_tasks,
    task_title,
    visible_length,
)
from bot.nudges.planner import first_nudges, prefs_of
from bot.runtime import Scope

PAGE_SIZE = 4
COMING_LIMIT = 8
# how much of one message the list of what comes next may take
COMING_ROOM = 1200


def is_due(task: Task, now: datetime, today_ends: datetime, first_nudge: datetime | None) -> bool:
    """To do now: already nudged, its first nudge time has come (however the dispatcher's
    bundling moved the next one since), a snooze has run out, or (unless snoozed) its deadline
    is today or past."""
    if task.state == "sent":
        return True
    if task.state == "snoozed":
        return task.next_nudge_at is not None and task.next_nudge_at <= now
    if first_nudge is not None and first_nudge <= now:
        return True
    if task.next_nudge_at is not None and task.next_nudge_at <= now:
        return True
    return task.due_at <= today_ends


def task_order(task: Task) -> tuple[datetime, int]:
    """Where a task stands in /tasks: soonest deadline first; stable however the list changes."""
    return (task.due_at, task.id)


async def due_and_coming(s: Scope, now: datetime) -> tuple[list[Task], list[Task]]:
    """The user's open tasks: those due now and those to come, each soonest deadline first."""
    tasks = [
        task
        for task in (
            await s.session.scalars(
                select(Task)
                .where(Task.user_id == s.user.id, Task.state.in_(OPEN_STATES))
                .order_by(Task.due_at, Task.id)
            )
        ).all()
        # a morning reminder for an interview that has started is of no use any more
        if not (task.kind == plan.BEFORE_YOU_LEAVE and task.due_at <= now)
    ]
    default_zone = s.runtime.settings.default_timezone
    prefs = prefs_of(s.user, default_zone)
    today_ends = plan.end_of_day(now.astimezone(prefs.tz).date(), prefs)
    firsts = await first_nudges(s.session, s.user, tasks, now, default_zone)
    due = [t for t in tasks if is_due(t, now, today_ends, firsts.get(t.id))]
    coming = [t for t in tasks if t not in due]
    return due, coming


async def _coming_text(s: Scope, coming: list[Task]) -> str:
    """What comes next, by deadline, in the room one message leaves for it."""
    if not coming:
        return ""
    _ = s._
    lines = [_("<b>Coming up</b>")]
    views = await load_views(s.session, coming[:COMING_LIMIT])
    for view in views:
        # the deadline, not the first reminder: the day the list names is the day it is due
        deadline = view.task.due_at - timedelta(seconds=1)
        line = _("{day}: {task}").format(day=s.tr.day(deadline), task=task_title(s.tr, view))
        if visible_length("\n".join([*lines, line])) > COMING_ROOM:
            break
        lines.append(line)
    extra = len(coming) - (len(lines) - 1)
    if extra > 0:
        lines.append(
            s.tr.ngettext("…and {count} more later.", "…and {count} more later.", extra).format(
                count=s.tr.number(extra)
            )
        )
    return "\n".join(lines)


async def compose_page(
    s: Scope,
    page: list[Task],
    due: list[Task],
    coming: list[Task],
    expanded: dict[int, str] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None, list[Task]]:
    """A /tasks message showing `page` (tasks just marked stay, with their mark): its heading
    counts where the page's open tasks stand among all that is due now, and its page buttons
    name the tasks they continue from, so a task done meanwhile shifts nothing out of sight."""
    _ = s._
    now = s.runtime.clock.now()
    coming_text = await _coming_text(s, coming)
    markup: InlineKeyboardMarkup | None = None
    shown: list[Task] = []
    if page:
        views = await load_views(s.session, page, now=now, tz=s.tr.tz)
        # room for the heading's numbers, the count of the rest and what comes next
        room = SAFE_LENGTH - visible_length(coming_text) - 200
        text, markup, shown_ids = render_tasks(
            s.tr, s.user, views, "", expanded, now=now, limit=room
        )
        shown = [t for t in page if t.id in shown_ids]
    if not shown:
        text = _("Nothing is due right now.")
    first, last = (
        min(map(task_order, shown), default=None),
        max(map(task_order, shown), default=None),
    )
    before = sum(1 for t in due if first is not None and task_order(t) < first)
    after = sum(1 for t in due if last is not None and task_order(t) > last)
    if shown:
        still_due = [t for t in shown if t in due]
        heading = _("<b>Your tasks</b>")
        if still_due and len(still_due) < len(due):
            heading = _("<b>Your tasks</b> ({first}–{last} of {total})").format(
                first=s.tr.number(before + 1),
                last=s.tr.number(before + len(still_due)),
                total=s.tr.number(len(due)),
            )
        text = heading + text
        if after > 0:
            text += "\n\n" + s.tr.ngettext(
                "…and {count} more after these.",
                "…and {count} more after these.",
                after,
            ).format(count=s.tr.number(after))
    if coming_text:
        text += "\n\n" + coming_text
    pager = []
    if before > 0:
        pager.append(keyboards.button(_("◀ Previous"), ACTION, "page", shown[0].id, "p"))
    if after > 0:
        pager.append(keyboards.button(_("Next ▶"), ACTION, "page", shown[-1].id, "n"))
    if pager:
        rows = list(markup.inline_keyboard) if markup is not None else []
        rows.append(tuple(pager))
        markup = InlineKeyboardMarkup(rows)
    return text, markup, shown


async def tasks_page(
    s: Scope, anchor_id: int | None = None, direction: str = ""
) -> tuple[str, InlineKeyboardMarkup | None, list[Task]] | None:
    """A page of /tasks: the first one, or the one after ("n") or before ("p") a task; what is
    due (soonest deadline first) with its buttons, how many more there are, and what comes
    next by its deadline, all in one message; None when there is nothing at all."""
    now = s.runtime.clock.now()
    due, coming = await due_and_coming(s, now)
    if not due and not coming:
        return None
    anchor = None
    if anchor_id is not None and direction in ("n", "p"):
        anchor = await s.session.scalar(
            select(Task).where(Task.id == anchor_id, Task.user_id == s.user.id)
        )
    start = 0
    if anchor is not None and direction == "n":
        start = sum(1 for t in due if task_order(t) <= task_order(anchor))
    elif anchor is not None:
        start = max(0, sum(1 for t in due if task_order(t) < task_order(anchor)) - PAGE_SIZE)
    if start >= len(due):
        # everything after the page the button was on is done: the last page there is
        start = max(0, len(due) - PAGE_SIZE)
    return await compose_page(s, due[start : start + PAGE_SIZE], due, coming)
