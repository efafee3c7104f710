"""The questions of the logging conversation, and which one comes next or one step back."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardButton, Update
from telegram.error import BadRequest, TelegramError

from bot import keyboards
from bot.domain.interviews import FEELINGS, FORMATS, MAX_INTERVIEWERS, TIMEFRAMES
from bot.domain.people import split_name_and_title
from bot.domain.text import shorten
from bot.domain.zones import zone_label
from bot.runtime import Scope
from bot.texts import FEELING_LABELS, FORMAT_LABELS, TIMEFRAME_LABELS
from handlers.cards import render_card
from handlers.common import Context, answer
from handlers.log_draft import (
    ACTION,
    AFTER_FIELDS,
    EDITABLE_FIELDS,
    Draft,
    is_ahead,
    view_of,
)
from handlers.steps import Step

log = logging.getLogger(__name__)

# how much of a name or title a button shows: buttons are one short line on a phone
BUTTON_NAME = 24


def _btn(text: str, *args: str | int) -> InlineKeyboardButton:
    return keyboards.button(text, ACTION, *args)


def _back_row(s: Scope) -> list[InlineKeyboardButton]:
    return [_btn(s._("⬅ Back"), "back")]


async def clear_previous_question(update: Update, context: Context, draft: Draft) -> None:
    """Take the buttons off the last question, so only the current one can be tapped."""
    previous = draft.question_id
    chat = update.effective_chat
    if not previous or chat is None:
        return
    draft.question_id = None
    try:
        await context.bot.edit_message_reply_markup(chat.id, previous, reply_markup=None)
    except BadRequest:
        pass  # already gone or bare: nothing left to tap
    except TelegramError as error:
        # tidying, not the answer: it never stops what follows
        log.info("could not take the buttons off an old question: %s", error)


async def ask(
    update: Update,
    context: Context,
    draft: Draft,
    text: str,
    rows: list[list[InlineKeyboardButton]],
) -> None:
    await clear_previous_question(update, context, draft)
    message = await answer(update, text, reply_markup=keyboards.keyboard(rows) if rows else None)
    if message is not None and rows:
        draft.question_id = message.message_id


async def ask_company(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    rows = [_back_row(s)] if draft.editing else []
    await ask(update, context, draft, s._("Which <b>company</b> was the interview with?"), rows)
    return Step.COMPANY


async def ask_role(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    await ask(update, context, draft, s._("What is the <b>role</b>?"), [_back_row(s)])
    return Step.ROLE


async def ask_when(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    text = _(
        "<b>When</b> is or was the interview? Type it as you would say it, like "
        "<i>yesterday 3pm</i>, <i>today 10:30</i>, <i>25.11 14:00</i> or "
        "<i>next Tuesday at 9</i>."
    )
    if not s.user.timezone:
        text += "\n\n" + _(
            "(I read times in {zone} until you set your time zone with /timezone.)"
        ).format(zone=escape(zone_label(s.runtime.settings.default_timezone)))
    rows = [
        [_btn(_("Today"), "day", "today"), _btn(_("Yesterday"), "day", "yesterday")],
        _back_row(s),
    ]
    await ask(update, context, draft, text, rows)
    return Step.WHEN


async def ask_format(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    rows = [[_btn(s._(FORMAT_LABELS[f]), "fmt", f) for f in FORMATS], _back_row(s)]
    text = s._("How will it be held?") if draft.ahead else s._("How was it held?")
    await ask(update, context, draft, text, rows)
    return Step.FORMAT


async def ask_person_name(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    draft.person = None
    if draft.people:
        text = _("What is the next interviewer's <b>name</b>?")
        rows = [_back_row(s)]
    elif draft.ahead:
        text = _(
            "Who will interview you, if you know? Send the first interviewer's <b>name</b>; "
            "each of them will get their own thank-you."
        )
        rows = [[_btn(_("I don't know yet"), "nopeople")], _back_row(s)]
    else:
        text = _(
            "Who interviewed you? Send the first interviewer's <b>name</b>; "
            "each of them will get their own thank-you."
        )
        rows = [[_btn(_("I don't have their names"), "nopeople")], _back_row(s)]
    await ask(update, context, draft, text, rows)
    return Step.PERSON_NAME


async def ask_person_title(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    name = draft.person.name if draft.person else ""
    rows = [[_btn(_("I don't know"), "notitle")], _back_row(s)]
    await ask(
        update,
        context,
        draft,
        # the name stands alone: a possessive built from it is grammar of English only
        _("{name}: what is their <b>job title</b>?").format(name=escape(name)),
        rows,
    )
    return Step.PERSON_TITLE


async def ask_person_split(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    """Asks whether a name typed with a comma was a name and a job title."""
    _ = s._
    typed = draft.person.name if draft.person else ""
    parts = split_name_and_title(typed)
    if parts is None:
        return await ask_person_title(update, context, s, draft)
    name, title = parts
    rows = [
        [
            _btn(
                _("Name: {name} · Title: {title}").format(
                    name=shorten(name, BUTTON_NAME), title=shorten(title, BUTTON_NAME)
                ),
                "split",
                "yes",
            )
        ],
        [_btn(_("No, keep it as typed"), "split", "no")],
        _back_row(s),
    ]
    text = _(
        "Is “{typed}” a name and a job title? Tap to split it, or type the job title to keep "
        "the name as it is."
    ).format(typed=escape(typed))
    await ask(update, context, draft, text, rows)
    return Step.PERSON_SPLIT


async def ask_person_contact(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    name = draft.person.name if draft.person else ""
    rows = [[_btn(_("Skip"), "nocontact")], _back_row(s)]
    await ask(
        update,
        context,
        draft,
        _("An <b>email or phone number</b> for {name}? Optional.").format(name=escape(name)),
        rows,
    )
    return Step.PERSON_CONTACT


async def ask_person_more(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    people = draft.people
    lines = (
        [_("Who was there? Add anyone missing, remove anyone who was not.")]
        if (draft.debrief and people)
        else []
    )
    lines += (
        [
            _("Interviewers so far:"),
            *(
                f"{index}. {escape(p.name)}" + (f", {escape(p.title)}" if p.title else "")
                for index, p in enumerate(people, 1)
            ),
        ]
        if people
        else [_("No interviewers noted yet.")]
    )
    rows: list[list[InlineKeyboardButton]] = []
    if len(people) < MAX_INTERVIEWERS:
        rows.append([_btn(_("➕ Add another"), "addperson")])
    removals = [
        _btn(_("✖ Remove {name}").format(name=shorten(p.name, 20)), "rmperson", index)
        for index, p in enumerate(people)
    ]
    # two to a row, so every interviewer (up to the maximum) can be taken off the list
    rows += [removals[i : i + 2] for i in range(0, len(removals), 2)]
    rows.append([_btn(_("✅ That's everyone"), "peopledone")])
    rows.append(_back_row(s))
    await ask(update, context, draft, "\n".join(lines), rows)
    return Step.PERSON_MORE


async def ask_timeframe(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    rows = [
        [_btn(_(TIMEFRAME_LABELS[t]), "tf", t) for t in TIMEFRAMES[:3]],
        [_btn(_(TIMEFRAME_LABELS[t]), "tf", t) for t in TIMEFRAMES[3:]],
        _back_row(s),
    ]
    await ask(update, context, draft, _("When did they say you would <b>hear back</b>?"), rows)
    return Step.TIMEFRAME


async def ask_response_date(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    await ask(
        update,
        context,
        draft,
        s._("By which date did they say they would answer? (for example <i>15.12</i>)"),
        [_back_row(s)],
    )
    return Step.RESPONSE_DATE


async def ask_feeling(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    rows = [[_btn(_(FEELING_LABELS[f]), "feel", f) for f in FEELINGS]]
    # asking after an interview starts here: there is nothing to go back to
    if not draft.debrief:
        rows.append(_back_row(s))
    await ask(update, context, draft, _("How do you feel it went?"), rows)
    return Step.FEELING


async def show_summary(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    draft.editing = True
    heading = _("Here is the interview. Save it?")
    rows = [
        [_btn(_("✅ Save"), "save"), _btn(_("✏️ Edit"), "edit")],
        [_btn(_("✖ Discard"), "discard")],
    ]
    await ask(update, context, draft, render_card(s.tr, view_of(draft), heading), rows)
    return Step.SUMMARY


async def show_edit_menu(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    _ = s._
    buttons = [
        _btn(_(label), "field", name)
        for name, label, _state in EDITABLE_FIELDS
        # before the interview, how it went and their answer are not known yet
        if not (draft.ahead and name in AFTER_FIELDS)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_btn(_("⬅ Back to the summary"), "summary")])
    await ask(update, context, draft, _("What would you like to change?"), rows)
    return Step.EDIT_MENU


ASKERS = {
    Step.COMPANY: ask_company,
    Step.ROLE: ask_role,
    Step.WHEN: ask_when,
    Step.FORMAT: ask_format,
    Step.PERSON_NAME: ask_person_name,
    Step.PERSON_SPLIT: ask_person_split,
    Step.PERSON_TITLE: ask_person_title,
    Step.PERSON_CONTACT: ask_person_contact,
    Step.PERSON_MORE: ask_person_more,
    Step.TIMEFRAME: ask_timeframe,
    Step.RESPONSE_DATE: ask_response_date,
    Step.FEELING: ask_feeling,
    Step.SUMMARY: show_summary,
    Step.EDIT_MENU: show_edit_menu,
}


def next_after(state: Step, draft: Draft) -> Step:
    """The question that follows an answered one; back to the summary when editing a field."""
    if draft.editing and state in (
        Step.COMPANY,
        Step.ROLE,
        Step.WHEN,
        Step.FORMAT,
        Step.FEELING,
        Step.TIMEFRAME,
    ):
        return Step.SUMMARY
    if draft.debrief:
        # after an interview logged ahead: how it went, who was there, when they will answer
        after = {
            Step.FEELING: Step.PERSON_MORE if draft.people else Step.PERSON_NAME,
            Step.TIMEFRAME: Step.SUMMARY,
            Step.RESPONSE_DATE: Step.SUMMARY,
        }
        if state in after:
            return after[state]
    if draft.ahead and state == Step.PERSON_MORE:
        return Step.SUMMARY
    order = {
        Step.COMPANY: Step.ROLE,
        Step.ROLE: Step.WHEN,
        Step.WHEN: Step.FORMAT,
        Step.FORMAT: Step.PERSON_NAME,
        Step.PERSON_NAME: Step.PERSON_TITLE,
        Step.PERSON_TITLE: Step.PERSON_CONTACT,
        Step.PERSON_CONTACT: Step.PERSON_MORE,
        Step.PERSON_MORE: Step.SUMMARY if draft.editing else Step.TIMEFRAME,
        Step.TIMEFRAME: Step.FEELING,
        Step.RESPONSE_DATE: Step.SUMMARY if draft.editing else Step.FEELING,
        Step.FEELING: Step.SUMMARY,
    }
    return order[state]


def previous_of(state: Step, draft: Draft) -> Step:
    """The question one step back."""
    if draft.debrief and (
        state in (Step.FEELING, Step.PERSON_MORE)
        or (state == Step.PERSON_NAME and not draft.people)
    ):
        return Step.FEELING
    if draft.editing and state in (
        Step.COMPANY,
        Step.ROLE,
        Step.WHEN,
        Step.FORMAT,
        Step.FEELING,
        Step.TIMEFRAME,
        Step.EDIT_MENU,
    ):
        return Step.SUMMARY
    if state == Step.PERSON_NAME:
        return (
            Step.PERSON_MORE if draft.people else (Step.SUMMARY if draft.editing else Step.FORMAT)
        )
    if state == Step.PERSON_MORE:
        return Step.SUMMARY if draft.editing else Step.FORMAT
    if state == Step.TIMEFRAME:
        return Step.PERSON_MORE if draft.people else Step.PERSON_NAME
    order = {
        Step.ROLE: Step.COMPANY,
        Step.WHEN: Step.ROLE,
        Step.FORMAT: Step.WHEN,
        Step.PERSON_TITLE: Step.PERSON_NAME,
        Step.PERSON_SPLIT: Step.PERSON_NAME,
        Step.PERSON_CONTACT: Step.PERSON_TITLE,
        Step.RESPONSE_DATE: Step.TIMEFRAME,
        Step.FEELING: Step.TIMEFRAME,
        Step.SUMMARY: Step.FEELING,
    }
    return order.get(state, Step.COMPANY)


async def go(update: Update, context: Context, s: Scope, draft: Draft, state: Step) -> int:
    # a date moved across "now" is caught up here
    draft.ahead = is_ahead(s, draft)
    return await ASKERS[state](update, context, s, draft)
