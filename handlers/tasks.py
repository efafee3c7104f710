"""/tasks and the buttons on every nudge: done (and how), snooze, skip."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy import update as update_rows
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.db.models import Task
from bot.domain import plan
from bot.domain.plan import at_local, within_waking_hours
from bot.interviews import find_interview
from bot.nudges.messages import (
    ACTION,
    KEEP_APPLYING_ACTIONS,
    OPEN_STATES,
    draft_message,
    load_views,
    render_tasks,
)
from bot.nudges.planner import prefs_of, replan_interview, replan_keep_applying
from bot.runtime import Scope, scope
from handlers.applications import ask_where_applied
from handlers.common import Context, answer, edit_in_place, send_to_private_chat
from handlers.tasks_page import compose_page, due_and_coming, task_order, tasks_page

VIAS = ("email", "phone", "letter")


async def _commit(s: Scope) -> None:
    """Commit, then speak: no Telegram request waits inside an open transaction."""
    await s.session.commit()


async def tasks_command(update: Update, context: Context) -> None:
    """Shows what is due now, a page at a time, with the same buttons as a nudge, and a list of
    what comes next."""
    async with scope(update, context) as s:
        _ = s._
        if update.effective_chat is None or update.effective_chat.type != "private":
            await _commit(s)
            await send_to_private_chat(update, context, s, "tasks")
            return
        found = await tasks_page(s)
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
    found = await tasks_page(s, anchor_id, direction)
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
        due, coming = await due_and_coming(s, now)
        text, markup, _page = await compose_page(
            s, sorted(tasks, key=task_order), due, coming, expanded
        )
    else:
        views = await load_views(s.session, tasks, now=now, tz=s.tr.tz)
        old_text = getattr(query.message, "text_html", None) or ""
        heading = old_text.split("\n\n", 1)[0] if old_text else s._("<b>Your tasks</b>")
        text, markup, _ids = render_tasks(s.tr, s.user, views, heading, expanded, now=now)
    await _commit(s)
    await query.answer(note[:200] if note else None)
    await edit_in_place(update, text, markup)


async def rerender_tapped(update: Update, s: Scope, tapped: Task, note: str | None) -> None:
    """For buttons of other modules on a task message: commit, answer the tap, and show the
    message's tasks as they are now."""
    await _rerender(update, s, tapped, {}, note)


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
    update: Update, context: Context, s: Scope, task: Task, action: str, choice: str
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
        # the same question as /applied alone: the reply is the application
        await ask_where_applied(update, context, s)
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
            await _keep_applying_tapped(update, context, s, task, action, choice)
            return
        if action == "via" and choice in VIAS and task.state == "done":
            # the optional "how did you send it?" after Done
            task.done_via = choice
            task.updated_at = now
            await s.session.flush()
            await _rerender(update, s, task, {}, _("Noted. Thank you!"))
            return
        if task.state not in OPEN_STATES:
            await _commit(s)
            await query.answer(_("Already taken care of."))
            return
        if action == "draft":
            await _send_draft(update, s, task)
            return
        change = _CHANGES.get(action)
        outcome = change(s, task, choice, now) if change is not None else None
        if outcome is None:
            await _commit(s)
            await query.answer(_("This button is no longer active."))
            return
        note, opened = outcome
        expanded = {task.id: opened} if opened else {}
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


# What a button on a task does: the note to show and the part of the card to open ("via",
# "snooze" or ""); None when the button does not apply (a snooze choice no longer on offer).
Outcome = tuple[str, str]
Change = Callable[[Scope, Task, str, datetime], Outcome | None]


def _done(s: Scope, task: Task, choice: str, now: datetime) -> Outcome:
    """Done counts at once; for a note to someone, how it was sent may follow (optional)."""
    task.state = "done"
    task.done_at = now
    task.done_via = None
    task.next_nudge_at = None
    if task.kind in (plan.THANK_YOU, plan.CHECK_IN, plan.COURTESY):
        return s._("Done. Well done! How did you send it?"), "via"
    return s._("Done. Well done!"), ""


def _done_via(s: Scope, task: Task, choice: str, now: datetime) -> Outcome | None:
    """Done, and how it was sent, in one tap."""
    if choice not in VIAS:
        return None
    _done(s, task, choice, now)
    task.done_via = choice
    return s._("Done. Well done!"), ""


def _snooze_menu(s: Scope, task: Task, choice: str, now: datetime) -> Outcome:
    return "", "snooze"


def _snooze(s: Scope, task: Task, choice: str, now: datetime) -> Outcome | None:
    prefs = prefs_of(s.user, s.runtime.settings.default_timezone)
    moment = _snooze_moment(choice, now, prefs)
    if moment is None:
        return None
    task.state = "snoozed"
    task.next_nudge_at = moment
    when = s.tr.day_and_time(moment)
    if task.kind != plan.BEFORE_YOU_LEAVE and moment >= task.due_at > now:
        # never silently past a deadline: say so where it is read, and in the message
        return s._("Snoozed until {when}, after its deadline.").format(when=when), ""
    return s._("Snoozed until {when}.").format(when=when), ""


def _skip(s: Scope, task: Task, choice: str, now: datetime) -> Outcome:
    task.state = "skipped"
    task.next_nudge_at = None
    return s._("Skipped."), ""


_CHANGES: dict[str, Change] = {
    "done": _done,
    "via": _done_via,
    "snoozemenu": _snooze_menu,
    "snooze": _snooze,
    "skip": _skip,
}


async def _plan_without_debrief(s: Scope, task: Task, now: datetime) -> None:
    """The thank-yous and the check-in of an interview whose "how did it go?" was skipped are
    planned without the answers."""
    interview = await find_interview(s.session, s.user.id, task.interview_id)
    if interview is not None:
        default_zone = s.runtime.settings.default_timezone
        await replan_interview(s.session, s.user, interview, now, default_zone)


def task_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("tasks", tasks_command),
        CallbackQueryHandler(task_tapped, pattern=keyboards.pattern(ACTION)),
    ]
