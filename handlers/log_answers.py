"""The typed answers of the log conversation: each checked, stored in the draft, then onwards."""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape

from telegram import Update

from bot.domain.interviews import (
    FORMATS,
    MAX_FIELD,
    MAX_INTERVIEWERS,
    contact_kind,
    response_by,
)
from bot.domain.people import split_name_and_title
from bot.domain.text import has_letter_or_digit, tidy
from bot.domain.when import (
    MAX_WHEN_TEXT,
    ParsedWhen,
    WhenChoice,
    WhenError,
    parse_when,
)
from bot.runtime import Scope
from bot.texts import FORMAT_LABELS
from handlers.common import (
    Context,
    answer,
)
from handlers.log_draft import (
    Draft,
    Person,
    interview_day,
)
from handlers.log_questions import (
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
    go,
    next_after,
)
from handlers.log_when import (
    ask_which,
    region_of,
    said_back,
)
from handlers.steps import Step

# --- answers ---------------------------------------------------------------------------------


def text_of(update: Update) -> str:
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


async def accept_when(
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
    return await accept_when(update, context, s, draft, parsed)


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
    return await finish_person(update, context, s, draft, text)


async def finish_person(
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
    return await accept_response_date(update, context, s, draft, parsed.day)


async def accept_response_date(
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
