"""/reminders: when nudges may arrive, how often to be told to keep applying, pause and resume."""

from __future__ import annotations

from datetime import time, timedelta

from babel.dates import format_time
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.nudges.dispatcher import BUNDLE_GAP
from bot.nudges.planner import replan_user
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "rm"
NUDGE_HOURS = (7, 8, 9, 10, 12)
QUIET_HOURS = (19, 20, 21, 22)
# 0 turns the keep-applying reminders off
EVERY_DAYS = (2, 3, 5, 7, 0)


def _clock(s: Scope, hour: int) -> str:
    return format_time(time(hour, 0), "short", locale=s.tr.locale)


def _text(s: Scope) -> str:
    _ = s._
    user = s.user
    # exactly what the dispatcher keeps: its daily cap, its gap between bundles, and the one
    # reminder that may come on top (bot/nudges/dispatcher.py)
    lines = [
        _("<b>Reminders</b>"),
        s.tr.ngettext(
            "I send them from {start} and never after {end}, your time: at most {cap} message "
            "a day.",
            "I send them from {start} and never after {end}, your time: at most {cap} messages "
            "a day.",
            user.daily_nudge_cap,
        ).format(
            start=_clock(s, user.nudge_hour),
            end=_clock(s, user.quiet_hour),
            cap=s.tr.number(user.daily_nudge_cap),
        )
        + " "
        + _(
            "Each brings everything due at that time, and they come at least {hours} hours apart."
        ).format(hours=s.tr.number(BUNDLE_GAP // timedelta(hours=1))),
        _(
            "On the day of an interview, one more reminder comes before it starts, earlier if "
            "the interview is early."
        ),
    ]
    if user.keep_applying_days > 0:
        lines.append(
            s.tr.ngettext(
                "While you wait for an answer, I remind you to keep applying every day.",
                "While you wait for an answer, I remind you to keep applying every {count} days.",
                user.keep_applying_days,
            ).format(count=user.keep_applying_days)
        )
    else:
        lines.append(_("Reminders to keep applying are off."))
    if user.paused:
        lines.append(_("They are paused right now."))
    return "\n".join(lines)


def _markup(s: Scope) -> InlineKeyboardMarkup:
    _ = s._
    user = s.user

    def mark(selected: bool, label: str) -> str:
        return f"✓ {label}" if selected else label

    rows: list[list[InlineKeyboardButton]] = [
        [keyboards.button(_("From:"), ACTION, "noop")]
        + [
            keyboards.button(mark(h == user.nudge_hour, _clock(s, h)), ACTION, "hour", h)
            for h in NUDGE_HOURS
        ],
        [keyboards.button(_("Until:"), ACTION, "noop")]
        + [
            keyboards.button(mark(h == user.quiet_hour, _clock(s, h)), ACTION, "quiet", h)
            for h in QUIET_HOURS
        ],
        [keyboards.button(_("Keep applying:"), ACTION, "noop")]
        + [
            keyboards.button(
                mark(
                    d == user.keep_applying_days,
                    s.tr.ngettext("{count} day", "{count} days", d).format(count=d)
                    if d > 0
                    else _("Off"),
                ),
                ACTION,
                "every",
                d,
            )
            for d in EVERY_DAYS
        ],
        [
            keyboards.button(
                _("▶ Resume") if user.paused else _("⏸ Pause"),
                ACTION,
                "resume" if user.paused else "pause",
            )
        ],
    ]
    return keyboards.keyboard(rows)


async def reminders_command(update: Update, context: Context) -> None:
    """Shows the reminder settings with buttons to change them."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "reminders")
            return
        await answer(update, _text(s), reply_markup=_markup(s))


async def reminders_tapped(update: Update, context: Context) -> None:
    """Changes one setting, re-plans the open tasks, and shows the new settings."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    value = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        user = s.user
        before = (user.nudge_hour, user.quiet_hour, user.keep_applying_days, user.paused)
        if action == "hour" and value in NUDGE_HOURS:
            user.nudge_hour = value
        elif action == "quiet" and value in QUIET_HOURS:
            user.quiet_hour = value
        elif action == "every" and value in EVERY_DAYS:
            user.keep_applying_days = value
        elif action in ("pause", "resume"):
            user.paused = action == "pause"
        elif action != "noop":
            await query.answer(s._("That choice is no longer offered."))
            return
        after = (user.nudge_hour, user.quiet_hour, user.keep_applying_days, user.paused)
        if after == before:
            await query.answer()
            return
        now = s.runtime.clock.now()
        user.updated_at = now
        await replan_user(s.session, user, now, s.runtime.settings.default_timezone)
        text, markup = _text(s), _markup(s)
        # commit, then speak
        await s.session.commit()
        await query.answer(s._("Saved."))
        await edit_in_place(update, text, markup)


def reminder_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("reminders", reminders_command),
        CallbackQueryHandler(reminders_tapped, pattern=keyboards.pattern(ACTION)),
    ]
