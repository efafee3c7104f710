"""What the outcome conversations share: their names, the owner's interview, re-planning."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import (
    ConversationHandler,
)

from bot.db.models import Interview
from bot.domain.when import parse_when
from bot.domain.when_types import ParsedWhen, WhenChoice, WhenError
from bot.interviews import find_interview
from bot.nudges.planner import replan_all_interviews, replan_keep_applying
from bot.runtime import Scope
from handlers.common import Context
from handlers.log_when import region_of

ACTION = "oc"
DRAFT = "outcome_draft"
END = ConversationHandler.END
# the quick answers to "when must you decide?", in days; 0 is "not sure"
DECIDE_DAYS = (3, 7, 14, 0)
# "still waiting": the no-answer question comes back this many days later
ASK_AGAIN_DAYS = 7

Draft = dict[str, Any]


async def owned(s: Scope, interview_id: int | None) -> Interview | None:
    return await find_interview(s.session, s.user.id, interview_id)


async def replan_everything(s: Scope, now: datetime) -> None:
    zone = s.runtime.settings.default_timezone
    await replan_all_interviews(s.session, s.user, now, zone)
    await replan_keep_applying(s.session, s.user, now, zone)


def draft_of(context: Context) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT)
    return draft if isinstance(draft, dict) else None


def forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def say_gone(update: Update, s: Scope) -> int:
    query = update.callback_query
    if query is not None:
        await query.answer(s._("That interview no longer exists."), show_alert=True)
    return END


def read_day(s: Scope, text: str) -> ParsedWhen | None:
    now_local = s.tr.local(s.runtime.clock.now())
    parsed = parse_when(text, now_local, s.tr.language, "future", region_of(s))
    if isinstance(parsed, WhenError):
        return None
    if isinstance(parsed, WhenChoice):
        # "12/11" read two ways is a question this short exchange does not ask: a clearer
        # date is asked for instead
        return None
    return parsed
