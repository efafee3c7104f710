"""/applied: logging a job application in one line, so the keep-applying nudge can count it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.db.models import Application
from bot.domain.interviews import MAX_FIELD
from bot.runtime import scope
from handlers.common import Context, answer, is_private, send_to_private_chat

_SPLIT = re.compile(r"\s+[—–-]\s+|\s*[,;|]\s*")


async def applied_command(update: Update, context: Context) -> None:
    """Stores an application: '/applied Company — Role'."""
    async with scope(update, context) as s:
        _ = s._
        if not is_private(update):
            await send_to_private_chat(update, context, s, "applied")
            return
        text = " ".join(context.args or [])
        if not text:
            await answer(
                update,
                _("Tell me where you applied, in one line: <code>/applied Company — Role</code>"),
            )
            return
        parts = _SPLIT.split(text, maxsplit=1)
        company = parts[0].strip()
        role = parts[1].strip() if len(parts) > 1 else ""
        if not company or len(company) > MAX_FIELD or len(role) > MAX_FIELD:
            await answer(
                update,
                _("Please keep the company and the role to {limit} characters each.").format(
                    limit=MAX_FIELD
                ),
            )
            return
        now = s.runtime.clock.now()
        s.session.add(Application(user_id=s.user.id, company=company, role=role, applied_at=now))
        await s.session.flush()
        week_start = now - timedelta(days=7)
        count = (
            await s.session.scalar(
                select(func.count())
                .select_from(Application)
                .where(Application.user_id == s.user.id, Application.applied_at >= week_start)
            )
            or 0
        )
        what = escape(company) + (f" · {escape(role)}" if role else "")
        await answer(
            update,
            s.tr.ngettext(
                "Logged: {what}. That is {count} application in the last 7 days. Keep going!",
                "Logged: {what}. That is {count} applications in the last 7 days. Keep going!",
                count,
            ).format(what=what, count=s.tr.number(count)),
        )


def application_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("applied", applied_command)]
