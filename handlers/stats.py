"""/stats: this week and all time in figures, and the last weeks as a chart."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import date, datetime

from babel.dates import format_skeleton
from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CommandHandler

from bot.charts import ChartTexts, render_weekly_chart
from bot.domain.progress import (
    CHART_WEEKS,
    Activity,
    Figures,
    WeeklySeries,
    figures,
    local_week,
    valid_goal,
    week_bounds,
    weekly_series,
)
from bot.i18n import Translator
from bot.progress import load_activity
from bot.runtime import Scope, scope
from bot.texts import OUTCOME_LABELS
from handlers.common import Context, answer, is_private, send_to_private_chat

log = logging.getLogger(__name__)

MAX_CAPTION = 1024
_TAG = re.compile(r"<[^>]*>")


def _figure_lines(
    s: Scope, shown: Figures, goal: int | None, activity: Activity | None
) -> list[str]:
    """The lines of one period; `activity` is given for all time, which also says what is open."""
    _ = s._
    n = s.tr.number
    if goal is not None:
        applications = _("Applications: {count} of {goal}").format(
            count=n(shown.applications), goal=n(goal)
        )
    else:
        applications = _("Applications: {count}").format(count=n(shown.applications))
    if activity is not None and activity.upcoming_interviews:
        interviews = _("Interviews: {count}, and {upcoming} coming up").format(
            count=n(shown.interviews), upcoming=n(activity.upcoming_interviews)
        )
    else:
        interviews = _("Interviews: {count}").format(count=n(shown.interviews))
    if shown.follow_ups:
        follow_ups = _("Thank-you notes sent: {count}, {on_time} of them on time").format(
            count=n(shown.follow_ups), on_time=n(shown.follow_ups_on_time)
        )
    else:
        follow_ups = _("Thank-you notes sent: {count}").format(count=n(0))
    lines = [
        applications,
        interviews,
        follow_ups,
        _("References told: {count}").format(count=n(shown.references_told)),
    ]
    outcomes = [
        _("{outcome}: {count}").format(outcome=_(OUTCOME_LABELS[kind]), count=n(count))
        for kind, count in shown.outcomes.items()
    ]
    if activity is not None and activity.waiting:
        outcomes.append(
            _("{outcome}: {count}").format(
                outcome=_(OUTCOME_LABELS["awaiting"]), count=n(activity.waiting)
            )
        )
    if outcomes:
        lines.append(_("Answers: {list}").format(list=" · ".join(outcomes)))
    return lines


def stats_text(s: Scope, activity: Activity, now: datetime) -> str:
    """This week's figures and all time's, as HTML with no user-typed values in it."""
    _ = s._
    start, end = week_bounds(now, s.tr.tz)
    goal = s.user.weekly_goal if valid_goal(s.user.weekly_goal) else None
    monday = local_week(now, s.tr.tz)
    lines = [
        _("<b>Your progress</b>"),
        "",
        _("<b>This week</b> (since {day})").format(day=_day(s.tr, monday)),
        *_figure_lines(s, figures(activity, start, end), goal, None),
        "",
        _("<b>All time</b>"),
        *_figure_lines(s, figures(activity), None, activity),
    ]
    if goal is None:
        lines += ["", _("Set yourself a weekly goal with /goal.")]
    return "\n".join(lines)


def _day(tr: Translator, day: date) -> str:
    """'November 23' without the year, in the user's language; weeks always start on Monday."""
    return str(format_skeleton("MMMMd", day, locale=tr.locale))


def week_label(tr: Translator, monday: date, this_monday: date) -> str:
    if monday == this_monday:
        return tr.gettext("This week")
    return str(format_skeleton("MMMd", monday, locale=tr.locale))


def chart_texts(s: Scope, series: WeeklySeries, goal: int | None) -> ChartTexts:
    _ = s._
    this_monday = series.weeks[-1]
    return ChartTexts(
        title=s.tr.ngettext(
            "Your last {count} week", "Your last {count} weeks", len(series.weeks)
        ).format(count=s.tr.number(len(series.weeks))),
        applications=_("Applications"),
        interviews=_("Interviews"),
        follow_ups=_("Thank-you notes"),
        week_labels=tuple(week_label(s.tr, m, this_monday) for m in series.weeks),
        goal=_("Weekly goal: {count}").format(count=s.tr.number(goal)) if goal else None,
    )


def visible_length(text: str) -> int:
    """Characters Telegram counts in an HTML text: tags dropped, entities as one, UTF-16."""
    plain = html.unescape(_TAG.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


async def stats_command(update: Update, context: Context) -> None:
    """Sends the figures, with the chart of the last weeks when there is something to draw."""
    chart: tuple[WeeklySeries, ChartTexts, int | None] | None = None
    async with scope(update, context) as s:
        _ = s._
        if not is_private(update):
            await send_to_private_chat(update, context, s, "stats")
            return
        now = s.runtime.clock.now()
        activity = await load_activity(s.session, s.user.id, now)
        if activity.empty:
            await answer(
                update,
                "\n\n".join(
                    [
                        _("Nothing to count yet, and that is fine: every search starts somewhere."),
                        _(
                            "Log an interview with /log or an application with "
                            "<code>/applied Company — Role</code>, and your progress shows up "
                            "here, week by week."
                        ),
                        _("A weekly goal helps too: /goal."),
                    ]
                ),
            )
            return
        text = stats_text(s, activity, now)
        series = weekly_series(activity, now, s.tr.tz, CHART_WEEKS)
        if series.empty:
            text += "\n\n" + s.tr.ngettext(
                "Nothing in the last {count} week to draw, so no chart this time.",
                "Nothing in the last {count} weeks to draw, so no chart this time.",
                CHART_WEEKS,
            ).format(count=s.tr.number(CHART_WEEKS))
            await answer(update, text)
            return
        goal = s.user.weekly_goal if valid_goal(s.user.weekly_goal) else None
        chart = (series, chart_texts(s, series, goal), goal)
    # the session is closed before the slow part: drawing holds no database connection
    message = update.effective_message
    assert message is not None
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    png = await asyncio.to_thread(render_weekly_chart, *chart)
    if visible_length(text) <= MAX_CAPTION:
        await message.reply_photo(png, caption=text, filename="progress.png", do_quote=False)
    else:
        await message.reply_photo(png, filename="progress.png", do_quote=False)
        await answer(update, text)


def stats_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("stats", stats_command)]
