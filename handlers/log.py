"""/log: the guided conversation that records an interview, its people and how it went."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from html import escape
from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import NetworkError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.db.models import Club, Interview, Interviewer, Task
from bot.domain.interviews import (
    FEELINGS,
    FORMATS,
    MAX_FIELD,
    MAX_INTERVIEWERS,
    TIMEFRAMES,
    contact_kind,
    response_by,
)
from bot.domain.people import split_name_and_title
from bot.domain.plan import DEBRIEF, NOT_TOLD
from bot.domain.text import has_letter_or_digit, tidy
from bot.domain.when import (
    MAX_WHEN_TEXT,
    ParsedWhen,
    WhenChoice,
    WhenError,
    parse_when,
    quick_day,
)
from bot.i18n import Translator
from bot.interviews import find_interview
from bot.persistence import close_with
from bot.runtime import Scope, scope
from bot.texts import FORMAT_LABELS
from handlers.cards import render_card, saved_card_view
from handlers.common import (
    Context,
    Farewell,
    LapsingConversation,
    answer,
    club_of_link,
    deep_link,
    holding_input,
    make_way,
)
from handlers.debrief import debrief_from_nudge
from handlers.log_draft import (
    ACTION,
    DRAFT,
    EDITABLE_FIELDS,
    END,
    Draft,
    Person,
    draft_of,
    drafting,
    forget,
    get_draft,
    interview_day,
    is_ahead,
    keep,
    start_draft,
)
from handlers.log_questions import (
    ASKERS,
    ask_company,
    ask_format,
    ask_person_contact,
    ask_person_more,
    ask_person_name,
    ask_person_split,
    ask_person_title,
    ask_response_date,
    ask_role,
    ask_when,
    clear_previous_question,
    go,
    next_after,
    previous_of,
    show_edit_menu,
    show_summary,
)
from handlers.log_when import (
    ask_today_time,
    ask_which,
    reading_of,
    region_of,
    said_back,
    today_at,
)
from handlers.steps import Step

log = logging.getLogger(__name__)

# --- entry points ----------------------------------------------------------------------------


def _gated(callback: Callable[[Update, Context], Awaitable[int]]) -> Any:
    """Starts logging only when no reference is half typed; a goal or zone question still open
    gives way, so that only one conversation at a time takes what the user types."""

    @functools.wraps(callback)
    async def run(update: Update, context: Context) -> int:
        if holding_input(update, context) == "references":
            from handlers.references_edit import command_inside

            # the reference keeps its question; the user finishes it or cancels it first
            await command_inside(update, context)
            return END
        make_way(update, context, "log")
        return await callback(update, context)

    return run


async def _begin(update: Update, context: Context, s: Scope, club_id: int | None) -> int:
    draft = Draft(club_id=club_id)
    start_draft(context, draft)
    try:
        await answer(
            update,
            s._("Let's log your interview. It takes about a minute; /cancel stops at any point."),
        )
        return await ask_company(update, context, s, draft)
    finally:
        keep(context, draft)


async def log_command(update: Update, context: Context) -> int:
    """Starts logging an interview in the private chat."""
    async with scope(update, context) as s:
        return await _begin(update, context, s, None)


async def log_button(update: Update, context: Context) -> int:
    """Starts logging from the button on /start or /help."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with scope(update, context) as s:
        return await _begin(update, context, s, None)


async def log_from_link(update: Update, context: Context) -> int:
    """Starts logging from a group's deep link, remembering the club it came from."""
    payload = context.args[0] if context.args else ""
    async with scope(update, context) as s:
        club_id = await club_of_link(context, s.session, payload, s.user.id)
        return await _begin(update, context, s, club_id)


async def log_in_group(update: Update, context: Context) -> None:
    """In a group: sends the member to the private chat with a link that carries the club."""
    chat = update.effective_chat
    assert chat is not None
    async with scope(update, context) as s:
        club = await s.session.get(Club, chat.id)
        if club is None:
            s.session.add(
                Club(id=chat.id, title=(chat.title or "")[:256], created_at=s.runtime.clock.now())
            )
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        s._("Log it in private"), url=deep_link(context, f"log_{chat.id}")
                    )
                ]
            ]
        )
        await answer(
            update,
            s._("Interview details stay between us: tap the button to log it in our private chat."),
            reply_markup=markup,
        )


async def edit_from_card(update: Update, context: Context) -> int:
    """Opens a saved interview's summary for editing, or its interviewer list."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    parts = keyboards.decode(query.data)
    interview_id = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        interview = await find_interview(s.session, s.user.id, interview_id)
        if interview is None:
            await query.answer(s._("That interview no longer exists."), show_alert=True)
            return END
        await query.answer()
        draft = draft_of(interview)
        draft.ahead = is_ahead(s, draft)
        start_draft(context, draft)
        try:
            if parts[1] == "addperson":
                return await ask_person_name(update, context, s, draft)
            return await show_edit_menu(update, context, s, draft)
        finally:
            keep(context, draft)


# --- answers ---------------------------------------------------------------------------------


def _text_of(update: Update) -> str:
    message = update.effective_message
    return tidy(message.text or "") if message is not None else ""


async def _too_long_or_empty(update: Update, s: Scope, text: str, limit: int) -> bool:
    """Refuses, with a word why, an answer that is empty, invisible, wordless or too long."""
    message = update.effective_message
    if not text and not (message is not None and message.text):
        await answer(update, s._("That was empty. Please type your answer."))
        return True
    if not has_letter_or_digit(text):
        # a zero-width space, a dash or an emoji alone names no company, role or person
        await answer(
            update,
            s._("I can't see a single letter or digit in that. Please type your answer in words."),
        )
        return True
    if len(text) > limit:
        await answer(
            update,
            s.tr.ngettext(
                "That is {count} character long; please keep it to {limit}.",
                "That is {count} characters long; please keep it to {limit}.",
                len(text),
            ).format(count=s.tr.number(len(text)), limit=s.tr.number(limit)),
        )
        return True
    return False


async def _lost(update: Update, context: Context) -> int:
    async with scope(update, context) as s:
        await answer(
            update,
            s._("I lost track of that interview, sorry. Send /log to start again."),
        )
    return END


def _texts(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                return await TEXT_HANDLERS[state](update, context, s, draft, _text_of(update))

    return handle


async def got_company(update: Update, context: Context, s: Scope, draft: Draft, text: str) -> int:
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        return await ask_company(update, context, s, draft)
    draft.company = text
    return await go(update, context, s, draft, next_after(Step.COMPANY, draft))


async def got_role(update: Update, context: Context, s: Scope, draft: Draft, text: str) -> int:
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        return await ask_role(update, context, s, draft)
    draft.role = text
    return await go(update, context, s, draft, next_after(Step.ROLE, draft))


def _moment_of(s: Scope, parsed: ParsedWhen) -> datetime:
    """The moment to store; a day without a time is taken as noon, but never later than now
    when the day is today (someone logging 'today' at 10:00 has had the interview)."""
    now = s.runtime.clock.now()
    local = datetime.combine(parsed.day, parsed.at or time(12, 0), tzinfo=s.tr.tz)
    moment = local.astimezone(now.tzinfo)
    if parsed.at is None and parsed.day == s.tr.local(now).date():
        moment = min(moment, now.replace(second=0, microsecond=0))
    return moment


async def _when_problem(
    update: Update, s: Scope, problem: WhenError, text: str, answer_date: bool = False
) -> None:
    _ = s._
    if problem is WhenError.TOO_LONG:
        message = _("That is too long for a date: please keep it under {limit} characters.").format(
            limit=MAX_WHEN_TEXT
        )
    elif problem is WhenError.LONG_AGO and answer_date:
        message = _("That date has already passed. Which date did they give for their answer?")
    elif problem is WhenError.LONG_AGO:
        message = _(
            "“{text}” was more than a year ago. Please give the date of this interview."
        ).format(text=escape(text))
    elif problem is WhenError.FAR_AHEAD and answer_date:
        message = _(
            "“{text}” is more than a year away. Which date did they give for their answer?"
        ).format(text=escape(text))
    elif problem is WhenError.FAR_AHEAD:
        message = _(
            "“{text}” is more than a year away. Please give the date of this interview."
        ).format(text=escape(text))
    elif problem is WhenError.EMPTY:
        message = _("That was empty. Please type a date.")
    elif answer_date:
        message = _(
            "I could not read “{text}” as a date. Try <i>15.12</i>, <i>Friday</i> or "
            "<i>in 2 weeks</i>."
        ).format(text=escape(text))
    else:
        message = _(
            "I could not read “{text}” as a date. Try <i>today 10:30</i>, <i>yesterday 3pm</i> "
            "or <i>25.11 14:00</i>."
        ).format(text=escape(text))
    await answer(update, message)


async def _accept_when(
    update: Update, context: Context, s: Scope, draft: Draft, parsed: ParsedWhen
) -> int:
    _ = s._
    moment = _moment_of(s, parsed)
    draft.when = moment
    draft.time_known = parsed.at is not None
    timeframe = draft.timeframe
    if timeframe and timeframe != "date":
        # "within a week" counts from the interview, so a new date moves the answer's date
        draft.response_by = response_by(timeframe, interview_day(s, draft))
    # the weekday and "tomorrow"/"yesterday" make a wrong guess plain at once (Back fixes it)
    said = said_back(s.tr, moment, parsed.at is not None, s.tr.local(s.runtime.clock.now()).date())
    if moment > s.runtime.clock.now():
        note = _(
            "Got it: {when}. That is still ahead, so I'll log it as an upcoming interview and "
            "send you a short reminder that morning."
        ).format(when=said)
    else:
        note = _("Got it: {when}.").format(when=said)
    await answer(update, note)
    given = draft.response_by
    if timeframe == "date" and given and given < interview_day(s, draft):
        await answer(update, _("The date they gave for an answer is now before the interview."))
        return await ask_response_date(update, context, s, draft)
    return await go(update, context, s, draft, next_after(Step.WHEN, draft))


async def got_when(update: Update, context: Context, s: Scope, draft: Draft, text: str) -> int:
    now_local = s.tr.local(s.runtime.clock.now())
    raw = (update.effective_message.text or "") if update.effective_message else ""
    # the question covers an interview just had and one coming up: "Tuesday" is the nearest
    parsed = parse_when(raw, now_local, s.tr.language, "nearest", region_of(s))
    if isinstance(parsed, WhenError):
        await _when_problem(update, s, parsed, text[:MAX_WHEN_TEXT])
        return await ask_when(update, context, s, draft)
    if isinstance(parsed, WhenChoice):
        await ask_which(update, context, s, draft, parsed, text[:MAX_WHEN_TEXT])
        return Step.WHEN
    return await _accept_when(update, context, s, draft, parsed)


async def got_format_text(
    update: Update, context: Context, s: Scope, draft: Draft, text: str
) -> int:
    for code in FORMATS:
        if text.casefold() == s._(FORMAT_LABELS[code]).casefold():
            draft.format = code
            return await go(update, context, s, draft, next_after(Step.FORMAT, draft))
    await answer(update, s._("Please choose one of the buttons."))
    return await ask_format(update, context, s, draft)


async def got_person_name(
    update: Update, context: Context, s: Scope, draft: Draft, text: str
) -> int:
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        return await ask_person_name(update, context, s, draft)
    draft.person = Person(text)
    if split_name_and_title(text) is not None:
        return await ask_person_split(update, context, s, draft)
    return await ask_person_title(update, context, s, draft)


async def got_person_title(
    update: Update, context: Context, s: Scope, draft: Draft, text: str
) -> int:
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        return await ask_person_title(update, context, s, draft)
    if draft.person is None:
        return await ask_person_name(update, context, s, draft)
    draft.person.title = text
    return await ask_person_contact(update, context, s, draft)


async def got_person_contact(
    update: Update, context: Context, s: Scope, draft: Draft, text: str
) -> int:
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        return await ask_person_contact(update, context, s, draft)
    if contact_kind(text) is None:
        await answer(
            update,
            s._(
                "That does not look like an email address or a phone number. "
                "Try again, or tap Skip."
            ),
        )
        return await ask_person_contact(update, context, s, draft)
    return await _finish_person(update, context, s, draft, text)


async def _finish_person(
    update: Update, context: Context, s: Scope, draft: Draft, contact: str
) -> int:
    person = draft.person
    if person is None:
        return await ask_person_name(update, context, s, draft)
    person.contact = contact
    draft.people.append(person)
    draft.person = None
    return await ask_person_more(update, context, s, draft)


async def got_more_text(update: Update, context: Context, s: Scope, draft: Draft, text: str) -> int:
    # typing a name here is the quick way to add the next interviewer
    if len(draft.people) >= MAX_INTERVIEWERS:
        await answer(update, s._("That is as many interviewers as I can keep for one interview."))
        return await ask_person_more(update, context, s, draft)
    if await _too_long_or_empty(update, s, text, MAX_FIELD):
        # the list stays in front of them, with its buttons
        return await ask_person_more(update, context, s, draft)
    return await got_person_name(update, context, s, draft, text)


async def got_response_date(
    update: Update, context: Context, s: Scope, draft: Draft, text: str
) -> int:
    raw = (update.effective_message.text or "") if update.effective_message else ""
    now_local = s.tr.local(s.runtime.clock.now())
    # an answer is always ahead: "Friday" is the coming one
    parsed = parse_when(raw, now_local, s.tr.language, "future", region_of(s))
    if isinstance(parsed, WhenError):
        await _when_problem(update, s, parsed, text[:MAX_WHEN_TEXT], answer_date=True)
        return await ask_response_date(update, context, s, draft)
    if isinstance(parsed, WhenChoice) and parsed.kind == "week":
        # "next week" as an answer date: by the end of that working week
        parsed = parsed.readings[-1]
    if isinstance(parsed, WhenChoice):
        await ask_which(update, context, s, draft, parsed, text[:MAX_WHEN_TEXT])
        return Step.RESPONSE_DATE
    return await _accept_response_date(update, context, s, draft, parsed.day)


async def _accept_response_date(
    update: Update, context: Context, s: Scope, draft: Draft, day: date
) -> int:
    now_local = s.tr.local(s.runtime.clock.now())
    if day < interview_day(s, draft):
        await answer(update, s._("That is before the interview. Which date did they give?"))
        return await ask_response_date(update, context, s, draft)
    if day < now_local.date():
        # a past answer date would plan a check-in for a day already gone
        await answer(
            update,
            s._("That date has already passed. Which date did they give for their answer?"),
        )
        return await ask_response_date(update, context, s, draft)
    draft.timeframe = "date"
    draft.response_by = day
    noon = datetime.combine(day, time(12, 0), tzinfo=s.tr.tz)
    await answer(
        update,
        s._("Got it: {when}.").format(when=said_back(s.tr, noon, False, now_local.date())),
    )
    return await go(update, context, s, draft, next_after(Step.RESPONSE_DATE, draft))


TEXT_HANDLERS = {
    Step.COMPANY: got_company,
    Step.ROLE: got_role,
    Step.WHEN: got_when,
    Step.FORMAT: got_format_text,
    Step.PERSON_NAME: got_person_name,
    # typing instead of tapping keeps the name as typed and gives its job title, as before
    Step.PERSON_SPLIT: got_person_title,
    Step.PERSON_TITLE: got_person_title,
    Step.PERSON_CONTACT: got_person_contact,
    Step.PERSON_MORE: got_more_text,
    Step.RESPONSE_DATE: got_response_date,
}


def _buttons_only_text(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                await answer(update, s._("Please choose one of the buttons."))
                return await go(update, context, s, draft, state)

    return handle


def _not_text(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            async with scope(update, context) as s:
                await answer(update, s._("I can only read text here. Please type your answer."))
                return await go(update, context, s, draft, state)

    return handle


def _command_inside(state: Step) -> Any:
    """A command, or a button of another message, while a question is open: say so, ask again."""

    async def handle(update: Update, context: Context) -> int:
        with drafting(context) as draft:
            if draft is None:
                return await _lost(update, context)
            if update.callback_query is not None:
                await update.callback_query.answer()
            async with scope(update, context) as s:
                await answer(
                    update,
                    s._(
                        "We are in the middle of logging an interview. Answer the question below, "
                        "or send /cancel to stop."
                    ),
                )
                return await go(update, context, s, draft, state)

    return handle


def _tapped(state: Step) -> Any:
    async def handle(update: Update, context: Context) -> int:
        return await tapped(update, context, state)

    return handle


async def tapped(update: Update, context: Context, state: Step) -> int:
    """Handles every button of the conversation: choices, back, save, edit."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    with drafting(context) as draft:
        return await _tapped_with(update, context, state, parts, draft)


async def _tapped_with(
    update: Update, context: Context, state: Step, parts: list[str], draft: Draft | None
) -> int:
    action = parts[1] if len(parts) > 1 else ""
    value = parts[2] if len(parts) > 2 else ""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        _ = s._
        if draft is None:
            await query.answer(_("This button is no longer active."))
            return END
        await query.answer()
        if action == "back":
            return await go(update, context, s, draft, previous_of(state, draft))
        if action in ("day", "pick"):
            return await _tapped_day(update, context, s, draft, state, parts)
        if action == "fmt" and value in FORMATS:
            draft.format = value
            return await go(update, context, s, draft, next_after(Step.FORMAT, draft))
        if action == "nopeople":
            if draft.ahead:
                tip = _(
                    "No problem: I'll ask after the interview. While you are there, ask for "
                    "everyone's name and job title, or their business cards, so each of them "
                    "can get a thank-you."
                )
            else:
                tip = _(
                    "No problem. Tip for next time: before you leave, ask for everyone's name and "
                    "job title, or their business cards, so each of them can get a thank-you."
                )
            await answer(update, tip)
            return await go(update, context, s, draft, next_after(Step.PERSON_MORE, draft))
        if action == "split" and draft.person is not None:
            split = split_name_and_title(draft.person.name)
            if value == "yes" and split is not None:
                draft.person.name, draft.person.title = split
                return await ask_person_contact(update, context, s, draft)
            return await ask_person_title(update, context, s, draft)
        if action == "notitle":
            if draft.person is None:
                return await ask_person_name(update, context, s, draft)
            return await ask_person_contact(update, context, s, draft)
        if action == "nocontact":
            return await _finish_person(update, context, s, draft, "")
        if action == "addperson":
            if len(draft.people) >= MAX_INTERVIEWERS:
                return await ask_person_more(update, context, s, draft)
            return await ask_person_name(update, context, s, draft)
        if action == "rmperson":
            index = keyboards.int_arg(parts, 2)
            if index is not None and 0 <= index < len(draft.people):
                draft.people.pop(index)
            return await ask_person_more(update, context, s, draft)
        if action == "peopledone":
            return await go(update, context, s, draft, next_after(Step.PERSON_MORE, draft))
        if action == "tf" and value in TIMEFRAMES:
            return await _chose_timeframe(update, context, s, draft, value)
        if action == "feel" and value in FEELINGS:
            draft.feeling = value
            return await go(update, context, s, draft, next_after(Step.FEELING, draft))
        if action == "save":
            return await save(update, context, s, draft)
        if action == "discard":
            await clear_previous_question(update, context, draft)
            forget(context)
            await answer(update, _("Discarded; nothing was saved."))
            return END
        if action == "edit":
            return await show_edit_menu(update, context, s, draft)
        if action == "summary":
            return await show_summary(update, context, s, draft)
        if action == "field":
            for name, _label, target in EDITABLE_FIELDS:
                if name == value:
                    draft.editing = True
                    return await go(update, context, s, draft, target)
        return await go(update, context, s, draft, state)


async def _tapped_day(
    update: Update, context: Context, s: Scope, draft: Draft, state: Step, parts: list[str]
) -> int:
    """The quick-day buttons, the hours of "what time today" and the readings of a date."""
    now_local = s.tr.local(s.runtime.clock.now())
    action, value = parts[1], parts[2] if len(parts) > 2 else ""
    if action == "pick":
        reading = reading_of(parts, now_local.date())
        if reading is not None and state == Step.WHEN:
            return await _accept_when(update, context, s, draft, reading)
        if reading is not None and state == Step.RESPONSE_DATE:
            return await _accept_response_date(update, context, s, draft, reading.day)
    elif state == Step.WHEN and value == "today" and len(parts) == 3:
        # today's interview may be over or still ahead: only its time can tell
        return await ask_today_time(update, context, s, draft)
    elif state == Step.WHEN and value == "today":
        today = today_at(parts, now_local)
        if today is not None:
            return await _accept_when(update, context, s, draft, today)
    elif state == Step.WHEN and value == "yesterday":
        return await _accept_when(update, context, s, draft, quick_day(value, now_local))
    # "ask" (Back from a choice or from the hours) and stale taps: the question again
    return await go(update, context, s, draft, state)


async def _chose_timeframe(
    update: Update, context: Context, s: Scope, draft: Draft, value: str
) -> int:
    _ = s._
    if value == "date":
        return await ask_response_date(update, context, s, draft)
    draft.timeframe = value
    draft.response_by = response_by(value, interview_day(s, draft))
    if value == "unknown":
        await answer(
            update,
            _(
                "Tip for next time: before you leave, ask “When can I expect to hear from you?” "
                "For now I'll plan a polite check-in two weeks after the interview."
            ),
        )
    return await go(update, context, s, draft, next_after(Step.TIMEFRAME, draft))


async def save(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    """Stores the draft as a new interview or over the one being edited, then shows its card."""
    from bot.nudges.planner import replan_interview
    from handlers.interviews import card_keyboard

    _ = s._
    draft.ahead = is_ahead(s, draft)
    # before the interview, how it went and their answer are asked after it, not now
    needed: tuple[str, ...] = ("company", "role", "when", "format")
    if not draft.ahead:
        needed += ("timeframe", "feeling")
    told = {
        "company": draft.company,
        "role": draft.role,
        "when": draft.when,
        "format": draft.format,
        "timeframe": draft.timeframe,
        "feeling": draft.feeling,
    }
    missing = [key for key in needed if not told[key]]
    if missing:
        target = {
            "company": Step.COMPANY,
            "role": Step.ROLE,
            "when": Step.WHEN,
            "format": Step.FORMAT,
            "timeframe": Step.TIMEFRAME,
            "feeling": Step.FEELING,
        }[missing[0]]
        await answer(update, _("One thing is still missing."))
        draft.editing = True
        return await go(update, context, s, draft, target)
    now = s.runtime.clock.now()
    interview: Interview | None = None
    if draft.interview_id is not None:
        interview = await find_interview(s.session, s.user.id, draft.interview_id)
        if interview is None:
            await answer(update, _("That interview was deleted in the meantime; nothing saved."))
            forget(context)
            return END
    if interview is None:
        interview = Interview(
            user_id=s.user.id, club_id=draft.club_id, created_at=now, interviewers=[]
        )
        s.session.add(interview)
    debriefed = interview.feeling == NOT_TOLD and bool(draft.feeling)
    # all four were checked above
    assert draft.company and draft.role and draft.when and draft.format
    interview.company = draft.company
    interview.role = draft.role
    interview.scheduled_at = draft.when
    interview.time_known = draft.time_known
    interview.format = draft.format
    interview.response_timeframe = draft.timeframe or NOT_TOLD
    interview.response_by = draft.response_by
    interview.feeling = draft.feeling or NOT_TOLD
    interview.updated_at = now
    _apply_people(interview, draft.people)
    await s.session.flush()
    if debriefed:
        await _close_debrief(s, interview.id, now)
    await replan_interview(s.session, s.user, interview, now, s.runtime.settings.default_timezone)
    heading = (
        _("Thank you. I have planned what comes next; here is the card of your interview:")
        if draft.debrief
        else _("Saved. Here is the card of your interview:")
    )
    text = render_card(s.tr, await saved_card_view(s.session, interview, now), heading)
    markup = card_keyboard(s, interview)
    if update.effective_chat is not None:
        # the conversation ends with the save, in its transaction: after a crash right here the
        # restarted bot has no draft left to save a second time
        await close_with(s.session, "log", (update.effective_chat.id, s.user.id), s.user.id, DRAFT)
    # commit, then speak: the interview is stored before anything is said about it
    await s.session.commit()
    forget(context)
    try:
        await clear_previous_question(update, context, draft)
        await answer(update, text, reply_markup=markup)
    except NetworkError as error:
        # the interview is saved and the conversation over; the card is in /interviews, and a
        # second tap on Save finds nothing left to save twice
        log.warning("the card of a saved interview did not reach the user: %s", error)
    return END


async def _close_debrief(s: Scope, interview_id: int, now: datetime) -> None:
    """The question after the interview is answered: its nudge is done, not cancelled."""
    rows = await s.session.scalars(
        select(Task).where(
            Task.interview_id == interview_id,
            Task.kind == DEBRIEF,
            Task.state.in_(("pending", "sent", "snoozed")),
        )
    )
    for task in rows:
        task.state = "done"
        task.done_at = now
        task.done_via = "answered"
        task.next_nudge_at = None
        # a nudge being sent right now must not write over this
        task.claim_token = None
        task.claimed_until = None
        task.updated_at = now


def _apply_people(interview: Interview, people: list[Person]) -> None:
    """Update interviewers in place so their tasks keep pointing at the same rows."""
    by_id = {p.id: p for p in interview.interviewers}
    kept: list[Interviewer] = []
    for position, person in enumerate(people):
        row = by_id.pop(person.id, None) if person.id is not None else None
        if row is None:
            row = Interviewer(name=person.name)
        row.name = person.name
        row.title = person.title
        row.contact = person.contact
        row.position = position
        kept.append(row)
    interview.interviewers = kept


async def cancel(update: Update, context: Context) -> int:
    """Stops logging; nothing is saved."""
    async with scope(update, context) as s:
        draft = get_draft(context)
        if draft is not None:
            await clear_previous_question(update, context, draft)
        forget(context)
        if draft is not None and draft.debrief:
            await answer(
                update,
                s._(
                    "Stopped. The interview stays as it was; the button on my reminder brings "
                    "these questions back."
                ),
            )
        else:
            await answer(update, s._("Stopped. I did not save that interview."))
    return END


def lapsed(user_data: dict[Any, Any], tr: Translator) -> Farewell:
    """After a long silence: sets the draft aside and says so."""
    stored = user_data.pop(DRAFT, None)
    draft = Draft.from_json(stored) if isinstance(stored, dict) else Draft()
    company = draft.company or ""
    if draft.debrief:
        # the interview is stored; only the answers about how it went were left unfinished
        return Farewell(
            tr.gettext(
                "We did not finish talking about your interview at {company}. The button on my "
                "reminder brings the questions back."
            ).format(company=escape(company))
        )
    return Farewell(
        tr.gettext(
            "We did not finish logging the interview at {company}, so I set it aside. "
            "Send /log when you want to start again."
        ).format(company=escape(company))
        if company
        else tr.gettext(
            "We did not finish logging that interview, so I set it aside. "
            "Send /log when you want to start again."
        )
    )


def log_conversation() -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {}
    for state in ASKERS:
        handlers: list[BaseHandler[Update, Context, object]] = [
            CallbackQueryHandler(_tapped(state), pattern=keyboards.pattern(ACTION))
        ]
        if state in TEXT_HANDLERS:
            handlers.append(MessageHandler(text, _texts(state)))
        else:
            handlers.append(MessageHandler(text, _buttons_only_text(state)))
        handlers.append(MessageHandler(other, _not_text(state)))
        handlers.append(
            MessageHandler(filters.COMMAND & ~filters.Regex(r"^/cancel\b"), _command_inside(state))
        )
        handlers.append(
            CallbackQueryHandler(
                # starting a reference would leave this draft hanging, unseen
                _command_inside(state),
                pattern=r"^(log:start|iv:(edit|addperson|debrief):|ref:(add|edit)(:|$))",
            )
        )
        states[state] = handlers
    private = filters.ChatType.PRIVATE
    # it lapses after CONVERSATION_TIMEOUT_SECONDS on the bot's clock (handlers/lapses.py)
    return LapsingConversation(
        entry_points=[
            CommandHandler("log", _gated(log_command), filters=private),
            CommandHandler(
                "start", _gated(log_from_link), filters=private & filters.Regex(r"^/start log")
            ),
            CallbackQueryHandler(_gated(log_button), pattern=r"^log:start$"),
            CallbackQueryHandler(_gated(edit_from_card), pattern=r"^iv:(edit|addperson):\d+$"),
            CallbackQueryHandler(_gated(debrief_from_nudge), pattern=r"^iv:debrief:\d+$"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="log",
        persistent=True,
    )


def log_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("log", log_in_group, filters=filters.ChatType.GROUPS)]
