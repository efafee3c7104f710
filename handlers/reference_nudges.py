"""The references buttons of a nudge: mark who was told, and show the task again once added."""

from __future__ import annotations

from sqlalchemy import select
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import keyboards
from bot.db.models import Task
from bot.domain import plan
from bot.nudges.messages import OPEN_STATES, load_views, render_tasks
from bot.nudges.reference_views import KINDS, TOLD_ACTION
from bot.references import find_reference, mark_told, told_for, unmark_told
from bot.runtime import Scope, scope
from handlers.common import Context, answer
from handlers.tasks import rerender_tapped


async def _owned_task(s: Scope, task_id: int | None) -> Task | None:
    if task_id is None:
        return None
    return await s.session.scalar(select(Task).where(Task.id == task_id, Task.user_id == s.user.id))


async def told_tapped(update: Update, context: Context) -> None:
    """Marks a reference as told about the heads-up's interview, or not yet when they were;
    only the owner of both the task and the reference can."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    async with scope(update, context) as s:
        _ = s._
        task = await _owned_task(s, keyboards.int_arg(parts, 1))
        reference = await find_reference(s.session, s.user.id, keyboards.int_arg(parts, 2))
        if (
            task is None
            or reference is None
            or task.kind != plan.REFERENCES
            or task.interview_id is None
        ):
            await s.session.commit()
            await query.answer(_("This button is no longer active."))
            return
        if task.state not in OPEN_STATES:
            await s.session.commit()
            await query.answer(_("Already taken care of."))
            return
        told = await told_for(s.session, s.user.id, task.interview_id)
        # the note of a tap is plain text, so the name goes in as typed
        if reference.id in {r.id for r in told}:
            await unmark_told(s.session, s.user.id, reference.id, task.interview_id)
            note = _("{name}: not told yet.").format(name=reference.name)
        else:
            now = s.runtime.clock.now()
            await mark_told(s.session, s.user.id, reference.id, task.interview_id, now)
            note = _("{name}: told. Thank you for keeping them in the loop!").format(
                name=reference.name
            )
        await s.session.flush()
        await rerender_tapped(update, s, task, note)


async def show_task_again(update: Update, s: Scope, task_id: int) -> None:
    """After a reference was added from a nudge: the task again, now with their buttons, as a
    new message at the bottom of the chat, where the user is."""
    task = await _owned_task(s, task_id)
    if task is None or task.kind not in KINDS or task.state not in OPEN_STATES:
        return
    now = s.runtime.clock.now()
    views = await load_views(s.session, [task], now=now, tz=s.tr.tz)
    heading = s._("<b>Back to your task</b>")
    text, markup, _shown = render_tasks(s.tr, s.user, views, heading, now=now)
    message = await answer(update, text, reply_markup=markup)
    if message is not None:
        # its buttons now live on this message, so a tap re-renders this one
        task.message_id = message.message_id
        await s.session.flush()


def reference_nudge_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CallbackQueryHandler(told_tapped, pattern=keyboards.pattern(TOLD_ACTION))]
