"""Sending one nudge message, and what a sent nudge does to its task."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.db.models import Task
from bot.domain import plan
from bot.domain.plan import at_local

MAX_NUDGES = 4
TRANSIENT_TRIES = 4


def schedule_after_send(task: Task, message_id: int, now: datetime, prefs: Any) -> None:
    """What a nudge sent does to its task: sent, and when (if ever) it comes again."""
    task.state = "sent"
    task.message_id = message_id
    task.nudges_sent += 1
    task.last_nudged_at = now
    task.claim_token = None
    task.claimed_until = None
    task.updated_at = now
    if task.kind in (plan.KEEP_APPLYING, plan.BEFORE_YOU_LEAVE):
        # one message is the whole task: a keep-applying cycle (the next one is its own
        # row) or the morning reminder before an interview
        task.state = "done"
        task.done_at = now
        task.done_via = "nudged"
        task.next_nudge_at = None
        return
    if task.nudges_sent >= MAX_NUDGES:
        task.next_nudge_at = None
        return
    due_day = (task.due_at - timedelta(seconds=1)).astimezone(prefs.tz).date()
    due_morning = at_local(due_day, prefs.nudge_hour, prefs)
    if due_morning > now + timedelta(hours=3):
        task.next_nudge_at = due_morning
    elif task.kind == plan.DEBRIEF:
        # unanswered by its deadline, the question gives way to the plan without it
        task.next_nudge_at = max(task.due_at, now)
    else:
        # past due: once more every two days until done or skipped, never more
        today = now.astimezone(prefs.tz).date()
        task.next_nudge_at = at_local(today + timedelta(days=2), prefs.nudge_hour, prefs)


async def send_nudge(
    bot: Bot, chat_id: int, text: str, markup: Any, alive: Callable[[], None]
) -> tuple[int | None, bool]:
    """Send, retrying transient errors; (message id or None, whether the user is reachable).

    A refusal (BadRequest) and an outcome unknown (TimedOut: the request may have been
    performed) are raised for the caller to record, never resent blindly here."""
    delay = 1.0
    for attempt in range(TRANSIENT_TRIES):
        try:
            message = await bot.send_message(chat_id, text, reply_markup=markup)
            alive()
            return message.message_id, True
        except Forbidden:
            # blocked, deactivated or never started: stop until they write again
            return None, False
        except RetryAfter as exc:
            pause = exc.retry_after
            await asyncio.sleep(pause if isinstance(pause, int | float) else pause.total_seconds())
        except (BadRequest, TimedOut):
            # refused as it is, or outcome unknown: the caller decides, no blind resend
            raise
        except NetworkError as exc:
            if outcome_unknown(exc):
                raise TimedOut(str(exc)) from exc
            # not performed (5xx, connection refused or dropped): safe to try again now
            if attempt == TRANSIENT_TRIES - 1:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    return None, True


def outcome_unknown(exc: NetworkError) -> bool:
    """Whether a failed request may still have been performed. An error answer (5xx) or a
    refused connection means Telegram did nothing; a connection lost after the request went
    out means it may have. PTB names the httpx error in the message of errors without an
    answer ("httpx.RemoteProtocolError: …"); its own TimedOut covers the timeouts."""
    text = str(exc)
    if not text.startswith("httpx."):
        return False
    return not text.startswith(("httpx.ConnectError", "httpx.ConnectTimeout"))
