"""/applied: logging a job application in one line, so the keep-applying nudge can count it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from telegram import ForceReply, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.db.models import Application
from bot.domain.applications import (
    ApplicationLine,
    ApplicationProblem,
    read_application,
    same_application,
)
from bot.domain.interviews import MAX_FIELD
from bot.progress import progress_this_week
from bot.progress_words import progress_lines
from bot.runtime import Scope, scope
from handlers.applications_list import application_list_handlers, what_of
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "ap"
# the message id of the "where did you apply?" question a reply answers
PROMPT_KEY = "applied-prompt"
# a line that repeats a recent application, kept while the user says whether it is a new one
PENDING_KEY = "applied-pending"
# the same company and role again within this time is more likely a double send than a second
# application, so it is asked about
REPEAT_WINDOW = timedelta(hours=24)


async def applied_command(update: Update, context: Context) -> None:
    """Stores an application: '/applied Company — Role'; with nothing after it, asks."""
    message = update.effective_message
    async with scope(update, context) as s:
        _ = s._
        if not is_private(update):
            await send_to_private_chat(update, context, s, "applied")
            return
        parts = (message.text or "").split(maxsplit=1) if message is not None else []
        text = parts[1] if len(parts) > 1 and context.args else ""
        if not text.strip():
            await ask_where_applied(update, context, s)
            return
        await _record(update, context, s, text)


async def ask_where_applied(update: Update, context: Context, s: Scope) -> None:
    """Asks for an application as a reply: from /applied alone and from a reminder's button."""
    _ = s._
    prompt = await answer(
        update,
        _(
            "Where did you apply? Reply with the company and the role, like "
            "<i>Acme — Backend Engineer</i>."
        ),
        reply_markup=ForceReply(input_field_placeholder=_("Company — Role")),
    )
    if prompt is not None and context.user_data is not None:
        context.user_data[PROMPT_KEY] = prompt.message_id


async def applied_reply(update: Update, context: Context) -> None:
    """Takes a reply to the "where did you apply?" question as the application."""
    message = update.effective_message
    assert message is not None
    if context.user_data is not None:
        # answered once; a second reply to the same question is not a second application
        context.user_data.pop(PROMPT_KEY, None)
    async with scope(update, context) as s:
        await _record(update, context, s, message.text or "")


class AnswersAppliedQuestion(filters.MessageFilter):
    """A reply to the "where did you apply?" question this user was last asked, and to nothing
    else: a reply to any other message (the /goal question, a card) goes to whoever asked it."""

    def __init__(self, user_data: Mapping[int, Mapping[Any, Any]]) -> None:
        super().__init__(name="AnswersAppliedQuestion")
        self._user_data = user_data

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        user = message.from_user
        if replied is None or user is None:
            return False
        asked = self._user_data.get(user.id, {}).get(PROMPT_KEY)
        return asked is not None and asked == replied.message_id


async def _record(update: Update, context: Context, s: Scope, text: str) -> None:
    _ = s._
    line = read_application(text, MAX_FIELD)
    if line is ApplicationProblem.NO_COMPANY:
        await answer(
            update,
            _(
                "I need the company's name, with at least one letter or digit: "
                "<code>/applied Company — Role</code>"
            ),
        )
        return
    if line is ApplicationProblem.NO_ROLE_TEXT:
        await answer(
            update,
            _(
                "The role needs at least one letter or digit; or leave it out: "
                "<code>/applied Company</code>"
            ),
        )
        return
    if line is ApplicationProblem.TOO_LONG:
        await answer(
            update,
            _("Please keep the company and the role to {limit} characters each.").format(
                limit=MAX_FIELD
            ),
        )
        return
    assert isinstance(line, ApplicationLine)
    now = s.runtime.clock.now()
    recent = await s.session.scalars(
        select(Application).where(
            Application.user_id == s.user.id, Application.applied_at >= now - REPEAT_WINDOW
        )
    )
    repeated = next(
        (a for a in recent if same_application(a.company, a.role, line.company, line.role)), None
    )
    if repeated is not None:
        if context.user_data is not None:
            context.user_data[PENDING_KEY] = {"company": line.company, "role": line.role}
        await answer(
            update,
            _(
                "You already logged {what} on {when}. Is this a second application, "
                "to another opening?"
            ).format(
                what=what_of(line.company, line.role), when=s.tr.day_and_time(repeated.applied_at)
            ),
            reply_markup=keyboards.keyboard(
                [
                    [keyboards.button(_("Yes, count it again"), ACTION, "again")],
                    [keyboards.button(_("No, it is the same one"), ACTION, "same")],
                ]
            ),
        )
        return
    await _store(update, s, line.company, line.role)


async def logged_lines(s: Scope, company: str, role: str) -> list[str]:
    """What the user is told once an application is stored: it, and this week against the goal
    (also for a club lead's "I applied")."""
    # the same week as /goal counts: from Monday, in the user's zone
    progress = await progress_this_week(s.session, s.user, s.runtime.clock.now(), s.tr.tz)
    lines = [s._("Logged: {what}.").format(what=what_of(company, role))]
    lines += progress_lines(s.tr, progress)
    if progress.goal is None:
        lines.append(s._("Set a weekly goal with /goal, if you like."))
    return lines


async def _store(update: Update, s: Scope, company: str, role: str) -> None:
    now = s.runtime.clock.now()
    s.session.add(Application(user_id=s.user.id, company=company, role=role, applied_at=now))
    await s.session.flush()
    text = "\n".join(await logged_lines(s, company, role))
    if update.callback_query is not None:
        await edit_in_place(update, text)
    else:
        await answer(update, text + "\n" + s._("/applications lists them, to remove one."))


async def repeat_answered(update: Update, context: Context) -> None:
    """Counts a repeated line once more, or not, as the user said."""
    query = update.callback_query
    assert query is not None
    choice = keyboards.decode(query.data)[1:2]
    user_data: dict[Any, Any] = context.user_data if context.user_data is not None else {}
    pending = user_data.pop(PENDING_KEY, None)
    async with scope(update, context) as s:
        if not isinstance(pending, dict):
            await query.answer(s._("This button is no longer active."))
            return
        await query.answer()
        company, role = str(pending.get("company", "")), str(pending.get("role", ""))
        if choice == ["again"]:
            await _store(update, s, company, role)
        else:
            await edit_in_place(
                update,
                s._("All right: {what} stays counted once.").format(what=what_of(company, role)),
            )


def application_handlers(
    user_data: Mapping[int, Mapping[Any, Any]],
) -> list[BaseHandler[Update, Context, object]]:
    """The handlers of /applied; user_data is the application's, where the question is kept."""
    private_reply = (
        filters.ChatType.PRIVATE
        & filters.TEXT
        & ~filters.COMMAND
        & AnswersAppliedQuestion(user_data)
    )
    return [
        CommandHandler("applied", applied_command),
        MessageHandler(private_reply, applied_reply),
        CallbackQueryHandler(repeat_answered, pattern=r"^ap:(again|same)$"),
        *application_list_handlers(),
    ]
