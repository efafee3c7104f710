"""/tasks and the buttons on every nudge: done (and how), snooze, skip."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy import update as update_rows
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.db.models import Interview, Task
from bot.domain import plan
from bot.domain.plan import at_local, within_waking_hours
from bot.nudges.messages import (
    ACTION,
    KEEP_APPLYING_ACTIONS,
    OPEN_STATES,
    SAFE_LENGTH,
    draft_message,
    load_views,
    render_tasks,
    task_title,
    visible_length,
)
from bot.nudges.planner import first_nudges, prefs_of, replan_interview, replan_keep_applying
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, send_to_private_chat

PAGE_SIZE = 4
COMING_LIMIT = 8
# how much of one message the list of what comes next may take
COMING_ROOM = 1200
VIAS = ("email", "phone", "letter")


async def _commit(s: Scope) -> None:
    """Commit, then speak: no Telegram request waits inside an open transaction."""
    await s.session.commit()


def _is_due(task: Task, now: datetime, today_ends: datetime, first_nudge: datetime | None) -> bool:
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


def _order(task: Task) -> tuple[datetime, int]:
    """Where a task stands in /tasks: soonest deadline first; stable however the list changes."""
    return (task.due_at, task.id)


async def _due_and_coming(s: Scope, now: datetime) -> tuple[list[Task], list[Task]]:
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
    due = [t for t in tasks if _is_due(t, now, today_ends, firsts.get(t.id))]
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


async def _compose(
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
    first, last = min(map(_order, shown), default=None), max(map(_order, shown), default=None)
    before = sum(1 for t in due if first is not None and _order(t) < first)
    after = sum(1 for t in due if last is not None and _order(t) > last)
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


async def _tasks_page(
    s: Scope, anchor_id: int | None = None, direction: str = ""
) -> tuple[str, InlineKeyboardMarkup | None, list[Task]] | None:
    """A page of /tasks: the first one, or the one after ("n") or before ("p") a task; what is
    due (soonest deadline first) with its buttons, how many more there are, and what comes
    next by its deadline, all in one message; None when there is nothing at all."""
    now = s.runtime.clock.now()
    due, coming = await _due_and_coming(s, now)
    if not due and not coming:
        return None
    anchor = None
    if anchor_id is not None and direction in ("n", "p"):
        anchor = await s.session.scalar(
            select(Task).where(Task.id == anchor_id, Task.user_id == s.user.id)
        )
    start = 0
    if anchor is not None and direction == "n":
        start = sum(1 for t in due if _order(t) <= _order(anchor))
    elif anchor is not None:
        start = max(0, sum(1 for t in due if _order(t) < _order(anchor)) - PAGE_SIZE)
    if start >= len(due):
        # everything after the page the button was on is done: the last page there is
        start = max(0, len(due) - PAGE_SIZE)
    return await _compose(s, due[start : start + PAGE_SIZE], due, coming)


async def tasks_command(update: Update, context: Context) -> None:
    """Shows what is due now, a page at a time, with the same buttons as a nudge, and a list of
    what comes next."""
    async with scope(update, context) as s:
        _ = s._
        if update.effective_chat is None or update.effective_chat.type != "private":
            await _commit(s)
            await send_to_private_chat(update, context, s, "tasks")
            return
        found = await _tasks_page(s)
        await _commit(s)
        if found is None:
            await answer(
                update,
                _(
                    "Nothing to do right now. Log an interview with /log and I'll plan "
                    "the next steps."
                ),
            )
            return
        text, markup, shown = found
        message = await answer(update, text, reply_markup=markup)
        if message is not None and shown:
            # the buttons of the message act on its tasks; written after speaking, in a
            # transaction of its own
            async with s.runtime.session() as session, session.begin():
                await session.execute(
                    update_rows(Task)
                    .where(Task.id.in_([t.id for t in shown]))
                    .values(message_id=message.message_id)
                )


async def _turn_page(update: Update, s: Scope, anchor_id: int | None, direction: str) -> None:
    """Shows another page of /tasks in the same message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    message_id = query.message.message_id
    found = await _tasks_page(s, anchor_id, direction)
    if found is None:
        await _commit(s)
        await query.answer()
        await edit_in_place(update, s._("Nothing is due right now."))
        return
    text, markup, shown = found
    # the buttons of this message now act on this page's tasks
    await s.session.execute(
        update_rows(Task)
        .where(Task.user_id == s.user.id, Task.message_id == message_id)
        .values(message_id=None)
    )
    for task in shown:
        task.message_id = message_id
    await _commit(s)
    await query.answer()
    await edit_in_place(update, text, markup)


def _pager_rows(update: Update) -> list[tuple[InlineKeyboardButton, ...]]:
    """The page buttons of a /tasks message, kept when one of its tasks is tapped."""
    query = update.callback_query
    markup = getattr(query.message, "reply_markup", None) if query else None
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        row
        for row in markup.inline_keyboard
        if any(str(b.callback_data or "").startswith(f"{ACTION}:page:") for b in row)
    ]


async def _rerender(
    update: Update, s: Scope, tapped: Task, expanded: dict[int, str], note: str | None = None
) -> None:
    """Commits, answers the tap with the note, and shows the message's tasks as they are now."""
    query = update.callback_query
    assert query is not None and query.message is not None
    message_id = query.message.message_id
    tasks = list(
        (
            await s.session.scalars(
                select(Task)
                .where(Task.user_id == s.user.id, Task.message_id == message_id)
                .order_by(Task.due_at, Task.id)
            )
        ).all()
    )
    if tapped not in tasks:
        tasks.append(tapped)
    now = s.runtime.clock.now()
    if _pager_rows(update):
        # a page of /tasks: its heading, the rest and the page buttons are counted again from
        # the list as it is now, never kept from before the tap
        due, coming = await _due_and_coming(s, now)
        text, markup, _page = await _compose(s, sorted(tasks, key=_order), due, coming, expanded)
    else:
        views = await load_views(s.session, tasks, now=now, tz=s.tr.tz)
        old_text = getattr(query.message, "text_html", None) or ""
        heading = old_text.split("\n\n", 1)[0] if old_text else s._("<b>Your tasks</b>")
        text, markup, _ids = render_tasks(s.tr, s.user, views, heading, expanded, now=now)
    await _commit(s)
    await query.answer(note[:200] if note else None)
    await edit_in_place(update, text, markup)


async def _send_draft(update: Update, s: Scope, task: Task) -> None:
    """Sends a draft too long for Telegram's copy button as a message of its own."""
    query = update.callback_query
    assert query is not None
    views = await load_views(s.session, [task])
    text = draft_message(s.tr, s.user, views[0])
    await _commit(s)
    if text is None:
        await query.answer(s._("This button is no longer active."))
        return
    await query.answer(s._("Tap the draft to copy it."))
    await answer(update, text)


async def _keep_applying_tapped(
    update: Update, s: Scope, task: Task, action: str, choice: str
) -> None:
    """The buttons of a keep-applying reminder: they act on the reminders to come."""
    query = update.callback_query
    assert query is not None
    _ = s._
    now = s.runtime.clock.now()
    default_zone = s.runtime.settings.default_timezone
    if action == "apply":
        await _commit(s)
        await query.answer()
        await answer(
            update,
            _("Tell me where you applied, in one line: <code>/applied Company — Role</code>"),
        )
        return
    if action == "stop":
        s.user.keep_applying_days = 0
        s.user.updated_at = now
        await replan_keep_applying(s.session, s.user, now, default_zone)
        await s.session.flush()
        await _rerender(
            update, s, task, {}, _("Stopped. You can turn them on again in /reminders.")
        )
        return
    upcoming = await s.session.scalar(
        select(Task).where(
            Task.user_id == s.user.id,
            Task.kind == plan.KEEP_APPLYING,
            Task.state.in_(OPEN_STATES),
        )
    )
    if upcoming is None or s.user.keep_applying_days <= 0:
        await _commit(s)
        await query.answer(_("This button is no longer active."))
        return
    if action == "snoozemenu":
        await _rerender(update, s, task, {task.id: "snooze"})
        return
    moment = _snooze_moment(choice, now, prefs_of(s.user, default_zone))
    if moment is None:
        await _commit(s)
        await query.answer(_("This button is no longer active."))
        return
    upcoming.next_nudge_at = moment
    upcoming.state = "snoozed"
    upcoming.updated_at = now
    upcoming.claim_token = None
    upcoming.claimed_until = None
    await s.session.flush()
    note = _("Snoozed until {when}.").format(when=s.tr.day_and_time(moment))
    await _rerender(update, s, task, {}, note)


def _snooze_moment(choice: str, now: datetime, prefs: plan.Prefs) -> datetime | None:
    local_today = now.astimezone(prefs.tz).date()
    if choice == "later":
        return within_waking_hours(now + timedelta(hours=3), prefs)
    if choice == "tomorrow":
        return at_local(local_today + timedelta(days=1), prefs.nudge_hour, prefs)
    if choice == "days":
        return at_local(local_today + timedelta(days=3), prefs.nudge_hour, prefs)
    return None


async def task_tapped(update: Update, context: Context) -> None:
    """Marks a task done, snoozed or skipped, for its owner only, and updates the message."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    task_id = keyboards.int_arg(parts, 2)
    choice = parts[3] if len(parts) > 3 else ""
    async with scope(update, context) as s:
        _ = s._
        now = s.runtime.clock.now()
        if action == "page":
            await _turn_page(update, s, task_id, choice)
            return
        task = None
        if task_id is not None:
            task = await s.session.scalar(
                select(Task).where(Task.id == task_id, Task.user_id == s.user.id)
            )
        if task is None:
            await _commit(s)
            await query.answer(_("This reminder no longer exists."), show_alert=True)
            return
        if task.kind == plan.KEEP_APPLYING and action in KEEP_APPLYING_ACTIONS:
            await _keep_applying_tapped(update, s, task, action, choice)
            return
        if task.state not in OPEN_STATES:
            await _commit(s)
            await query.answer(_("Already taken care of."))
            return
        if action == "draft":
            await _send_draft(update, s, task)
            return
        prefs = prefs_of(s.user, s.runtime.settings.default_timezone)
        expanded: dict[int, str] = {}
        note = ""
        if action == "done" and task.kind in (plan.THANK_YOU, plan.CHECK_IN, plan.COURTESY):
            expanded[task.id] = "via"
            note = _("How did you send it?")
        elif action == "done" or (action == "via" and choice in VIAS):
            task.state = "done"
            task.done_at = now
            task.done_via = choice if action == "via" else None
            task.next_nudge_at = None
            note = _("Done. Well done!")
        elif action == "snoozemenu":
            expanded[task.id] = "snooze"
        elif action == "snooze" and (moment := _snooze_moment(choice, now, prefs)) is not None:
            task.state = "snoozed"
            task.next_nudge_at = moment
            note = _("Snoozed until {when}.").format(when=s.tr.day_and_time(moment))
            if task.kind != plan.BEFORE_YOU_LEAVE and moment >= task.due_at > now:
                # never silently past a deadline: say so where it is read, and in the message
                note = _("Snoozed until {when}, after its deadline.").format(
                    when=s.tr.day_and_time(moment)
                )
        elif action == "skip":
            task.state = "skipped"
            task.next_nudge_at = None
            note = _("Skipped.")
        else:
            await _commit(s)
            await query.answer(_("This button is no longer active."))
            return
        task.updated_at = now
        # a nudge being sent right now must not write over this choice
        task.claim_token = None
        task.claimed_until = None
        await s.session.flush()
        if task.kind == plan.KEEP_APPLYING and task.state not in OPEN_STATES:
            await replan_keep_applying(s.session, s.user, now, s.runtime.settings.default_timezone)
        if task.kind == plan.DEBRIEF and task.state == "skipped":
            await _plan_without_debrief(s, task, now)
            note = _("Skipped. I'll plan your thank-yous without it.")
        await _rerender(update, s, task, expanded, note)


async def _plan_without_debrief(s: Scope, task: Task, now: datetime) -> None:
    """The thank-yous and the check-in of an interview whose "how did it go?" was skipped are
    planned without the answers."""
    interview = await s.session.scalar(
        select(Interview)
        .where(Interview.id == task.interview_id, Interview.user_id == s.user.id)
        .options(selectinload(Interview.interviewers))
    )
    if interview is not None:
        default_zone = s.runtime.settings.default_timezone
        await replan_interview(s.session, s.user, interview, now, default_zone)


def task_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("tasks", tasks_command),
        CallbackQueryHandler(task_tapped, pattern=keyboards.pattern(ACTION)),
    ]
