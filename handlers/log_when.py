"""/log's date questions beyond the first: which reading of a date, what time today; said back."""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape

from babel.dates import format_skeleton, format_time
from telegram import InlineKeyboardButton, Update

from bot import keyboards
from bot.domain.when import ParsedWhen, WhenChoice
from bot.domain.zones import country_for_zone
from bot.i18n import Translator
from bot.runtime import Scope
from handlers.common import Context
from handlers.log_draft import ACTION, Draft
from handlers.log_questions import ask
from handlers.steps import Step

# how many whole hours around now the "what time today" question offers
HOURS_BEFORE, HOURS_AFTER = 2, 3


def region_of(s: Scope) -> str | None:
    """The user's country, which decides whether 12/11 is day or month first."""
    return s.user.country or country_for_zone(
        s.user.timezone or s.runtime.settings.default_timezone
    )


def relative_day(tr: Translator, day: date, today: date) -> str:
    """'tomorrow', 'yesterday', 'in 6 days', in the user's language: calendar days counted, never
    a span rounded to weeks (11 days ahead is not "in 2 weeks")."""
    noon = time(12)
    return tr.relative_day(datetime.combine(day, noon, tr.tz), datetime.combine(today, noon, tr.tz))


def said_back(tr: Translator, moment: datetime, time_known: bool, today: date) -> str:
    """A resolved date as the user should check it: weekday, date, time and how far off."""
    day = tr.day(moment) if not time_known else tr.day_and_time(moment)
    relative = relative_day(tr, tr.local(moment).date(), today)
    return tr.gettext("{when} ({relative})").format(when=day, relative=relative)


def _reading_label(tr: Translator, reading: ParsedWhen, week: bool) -> str:
    # skeletons, so each language orders and punctuates the parts its own way ("Do., 12. Nov.")
    if week:
        text = format_skeleton("MMMEEEEd", reading.day, locale=tr.locale)
    else:
        text = format_skeleton("yMMMEd", reading.day, locale=tr.locale)
    if reading.at is not None:
        text += ", " + format_time(reading.at, "short", locale=tr.locale)
    return text


def _reading_data(reading: ParsedWhen) -> tuple[str, str]:
    at = reading.at.strftime("%H%M") if reading.at is not None else "-"
    return reading.day.isoformat(), at


def reading_of(parts: list[str], today: date) -> ParsedWhen | None:
    """The reading behind a tapped button, or None when the payload is forged or stale."""
    if len(parts) < 4:
        return None
    try:
        day = date.fromisoformat(parts[2])
        at = None if parts[3] == "-" else datetime.strptime(parts[3], "%H%M").time()
    except ValueError:
        return None
    if abs((day - today).days) > 366:
        return None
    return ParsedWhen(day, at)


async def ask_which(
    update: Update, context: Context, s: Scope, draft: Draft, choice: WhenChoice, text: str
) -> None:
    """Ask which reading was meant, one button each, in the user's language."""
    _ = s._
    if choice.kind == "week":
        question = _("Which day of that week?")
    else:
        question = _("“{text}” can be read two ways. Which date do you mean?").format(
            text=escape(text)
        )
    week = choice.kind == "week"
    rows = [
        [keyboards.button(_reading_label(s.tr, r, week), ACTION, "pick", *_reading_data(r))]
        for r in choice.readings
    ]
    # back to the date question itself, not the one before it
    rows.append([keyboards.button(_("⬅ Back"), ACTION, "day", "ask")])
    await ask(update, context, draft, question, rows)


def time_choices(now_local: datetime) -> list[time]:
    """Whole hours around now, within today, for the "what time today" question."""
    hours = range(now_local.hour - HOURS_BEFORE, now_local.hour + HOURS_AFTER + 1)
    return [time(hour) for hour in hours if 0 <= hour <= 23]


async def ask_today_time(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    """Asks at what time today the interview is or was, with hours around now to tap."""
    _ = s._
    now_local = s.tr.local(s.runtime.clock.now())
    buttons = [
        keyboards.button(
            format_time(at, "short", locale=s.tr.locale),
            ACTION,
            "day",
            "today",
            at.strftime("%H%M"),
        )
        for at in time_choices(now_local)
    ]
    rows: list[list[InlineKeyboardButton]] = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([keyboards.button(_("Earlier today, time unknown"), ACTION, "day", "today", "-")])
    rows.append([keyboards.button(_("⬅ Back"), ACTION, "day", "ask")])
    await ask(
        update,
        context,
        draft,
        _(
            "At what <b>time</b> today? Tap one or type it, like <i>14:30</i>. "
            "An interview later today gets a reminder before it."
        ),
        rows,
    )
    return Step.WHEN


def today_at(parts: list[str], now_local: datetime) -> ParsedWhen | None:
    """Today at the tapped hour; no time for "earlier today"; None for a stale payload."""
    if len(parts) < 4:
        return None
    if parts[3] == "-":
        return ParsedWhen(now_local.date(), None)
    try:
        at = datetime.strptime(parts[3], "%H%M").time()
    except ValueError:
        return None
    return ParsedWhen(now_local.date(), at)
