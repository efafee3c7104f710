"""/tasks and the buttons on every nudge: done (and how), snooze, skip."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.db.models import Task
from bot.domain import plan
from bot.domain.plan import at_local, within_waking_hours
from bot.nudges.messages import ACTION, OPEN_STATES, load_views, render_tasks, task_title
from bot.nudges.planner import prefs_of, replan_keep_applying
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, send_to_private_chat

LIST_LIMIT = 8
VIAS = ("email", "phone", "letter")


async def tasks_command(update: Update, context: Context) -> None:
    """Shows what is due now, with the same buttons as a nudge, and a list of what comes next."""
    async with scope(update, context) as s:
        _ = s._
        if update.effective_chat is None or update.effective_chat.type != "private":
            await send_to_private_chat(update, context, s, "tasks")
            return
        now = s.runtime.clock.now()
        tasks = [
            task
            for task in (
                await s.session.scalars(
                    select(Task)
                    .where(Task.user_id == s.user.id, Task.state.in_(OPEN_STATES))
                    .order_by(Task.due_at, Task.id)
                    .limit(LIST_LIMIT)
                )
            ).all()
            # a morning reminder for an interview that has started is of no use any more
            if not (task.kind == plan.BEFORE_YOU_LEAVE and task.due_at <= now)
        ]
        if not tasks:
            await answer(
                update,
                _(
                    "Nothing to do right now. Log an interview with /log and I'll plan "
                    "the next steps."
                ),
            )
            return
        due = [
            t
            for t in tasks
            if t.state == "sent" or (t.next_nudge_at is not None and t.next_nudge_at <= now)
        ]
        coming = [t for t in tasks if t not in due]
        text, markup, shown = "", None, list[int]()
        if due:
            text, markup, shown = render_tasks(
                s.tr, s.user, await load_views(s.session, due), _("<b>Your tasks</b>")
            )
            if len(shown) < len(due):
                text += "\n\n" + s.tr.ngettext(
                    "…and {count} more after these.",
                    "…and {count} more after these.",
                    len(due) - len(shown),
                ).format(count=len(due) - len(shown))
        else:
            text = _("Nothing is due right now.")
        if coming:
            lines = [_("<b>Coming up</b>")]
            for view in await load_views(s.session, coming):
                moment = view.task.next_nudge_at or view.task.due_at
                lines.append(
                    _("{day}: {task}").format(day=s.tr.day(moment), task=task_title(s.tr, view))
                )
            text += "\n\n" + "\n".join(lines)
        message = await answer(update, text, reply_markup=markup)
        if message is not None:
            for task in due:
                if task.id in shown:
                    task.message_id = message.message_id


async def _rerender(update: Update, s: Scope, tapped: Task, expanded: dict[int, str]) -> None:
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
    views = await load_views(s.session, tasks)
    old_text = getattr(query.message, "text_html", None) or ""
    heading = old_text.split("\n\n", 1)[0] if old_text else s._("<b>Your tasks</b>")
    text, markup, _shown = render_tasks(s.tr, s.user, views, heading, expanded)
    await edit_in_place(update, text, markup)


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
        task = None
        if task_id is not None:
            task = await s.session.scalar(
                select(Task).where(Task.id == task_id, Task.user_id == s.user.id)
            )
        if task is None:
            await query.answer(_("This reminder no longer exists."), show_alert=True)
            return
        if task.state not in OPEN_STATES:
            await query.answer(_("Already taken care of."))
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
        elif action == "snooze" and choice in ("later", "tomorrow", "days"):
            local_today = now.astimezone(prefs.tz).date()
            if choice == "later":
                moment = within_waking_hours(now + timedelta(hours=3), prefs)
            elif choice == "tomorrow":
                moment = at_local(local_today + timedelta(days=1), prefs.nudge_hour, prefs)
            else:
                moment = at_local(local_today + timedelta(days=3), prefs.nudge_hour, prefs)
            task.state = "snoozed"
            task.next_nudge_at = moment
            note = _("Snoozed until {when}.").format(when=s.tr.day_and_time(moment))
        elif action == "skip":
            task.state = "skipped"
            task.next_nudge_at = None
            note = _("Skipped.")
        else:
            await query.answer(_("This button is no longer active."))
            return
        task.updated_at = now
        # a nudge being sent right now must not write over this choice
        task.claim_token = None
        task.claimed_until = None
        await s.session.flush()
        if task.kind == plan.KEEP_APPLYING and task.state not in OPEN_STATES:
            await replan_keep_applying(s.session, s.user, now, s.runtime.settings.default_timezone)
        await query.answer(note[:200] or None)
        await _rerender(update, s, task, expanded)


def task_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("tasks", tasks_command),
        CallbackQueryHandler(task_tapped, pattern=keyboards.pattern(ACTION)),
    ]
