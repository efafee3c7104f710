"""The /references conversation that adds a reference or changes one part of it."""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.db.models import Reference
from bot.domain.references import (
    CONTACT,
    FIELDS,
    LIMITS,
    MAX_REFERENCES,
    NAME,
    NOTE,
    OPTIONAL,
    RELATION,
    Problem,
    check_answer,
)
from bot.i18n import Translator
from bot.references import find_reference
from bot.runtime import Scope, scope
from handlers.common import Context, Farewell, LapsingConversation, answer, make_way
from handlers.reference_nudges import show_task_again
from handlers.references import (
    ACTION,
    CODE_FIELDS,
    at_the_cap,
    card_keyboard,
    card_text,
    list_keyboard,
    list_text,
    say_gone,
    user_references,
)
from handlers.steps import Step, with_legacy_steps

log = logging.getLogger(__name__)

DRAFT = "reference_draft"
END = ConversationHandler.END
# one conversation state per question; the edit of any one field shares the last
ASKING = {
    NAME: Step.REFERENCE_NAME,
    RELATION: Step.REFERENCE_RELATION,
    CONTACT: Step.REFERENCE_CONTACT,
    NOTE: Step.REFERENCE_NOTE,
}

Draft = dict[str, Any]


def _question(s: Scope, field: str, name: str) -> str:
    _ = s._
    if field == NAME:
        return _("What is your reference's name?")
    values = {"name": f"<b>{escape(name)}</b>"}
    if field == RELATION:
        return _(
            "How do you know {name}? For example: <i>my manager at Acme</i>, "
            "<i>my thesis supervisor</i>."
        ).format(**values)
    if field == CONTACT:
        return _(
            "How can an employer reach {name}? An email address or a phone number is best."
        ).format(**values)
    return _(
        "Anything to remember about {name}? For example: the best time to call, or which of "
        "your work they know well."
    ).format(**values)


async def _clear_previous_question(context: Context, draft: Draft, chat_id: int) -> None:
    """Take the buttons off the last question, so only the current one can be tapped."""
    previous = draft.get("question_id")
    if not previous:
        return
    draft["question_id"] = None
    try:
        await context.bot.edit_message_reply_markup(chat_id, previous, reply_markup=None)
    except BadRequest:
        pass  # already gone or bare: nothing left to tap
    except TelegramError as error:
        # tidying, not the answer: it never stops what follows
        log.info("could not take the buttons off an old question: %s", error)


async def _ask(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    """Asks the draft's current question, with Skip (adding) or Clear (editing) when optional."""
    field = draft["field"]
    text = _question(s, field, draft["values"].get(NAME) or "")
    rows: list[list[InlineKeyboardButton]] = []
    if draft["mode"] == "edit":
        current = draft["values"].get(field) or ""
        if current:
            text += "\n\n" + s._("Now: {value}").format(value=f"<i>{escape(current)}</i>")
        text += "\n" + s._("Send the new text, or /cancel to keep it as it is.")
        if field in OPTIONAL and current:
            rows.append([keyboards.button(s._("Clear it"), ACTION, "skip")])
    elif field in OPTIONAL:
        rows.append([keyboards.button(s._("Skip"), ACTION, "skip")])
    else:
        text += "\n" + s._("/cancel stops at any point.")
    await _clear_previous_question(context, draft, s.user.id)
    message = await answer(update, text, reply_markup=keyboards.keyboard(rows) if rows else None)
    if message is not None and rows:
        draft["question_id"] = message.message_id
    return Step.REFERENCE_EDIT if draft["mode"] == "edit" else ASKING[field]


async def add_tapped(update: Update, context: Context) -> int:
    """Starts adding a reference: asks for the name."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    async with scope(update, context) as s:
        # an open goal or zone question gives way; an interview draft never gets here, its
        # conversation comes first and keeps its question (see bot/app.py)
        make_way(update, context, "references")
        if len(await user_references(s)) >= MAX_REFERENCES:
            await query.answer(at_the_cap(s), show_alert=True)
            return END
        await query.answer()
        draft: Draft = {"mode": "add", "id": None, "field": NAME, "values": {}}
        # tapped under a nudge ("ref:add:<task>"): that task is shown again once saved
        task_id = keyboards.int_arg(keyboards.decode(query.data), 2)
        if task_id is not None:
            draft["task"] = task_id
        context.user_data[DRAFT] = draft
        return await _ask(update, context, s, draft)


async def edit_tapped(update: Update, context: Context) -> int:
    """Starts changing one part of a reference: asks for the new text."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    parts = keyboards.decode(query.data)
    field = CODE_FIELDS.get(parts[3] if len(parts) > 3 else "")
    async with scope(update, context) as s:
        reference = await find_reference(s.session, s.user.id, keyboards.int_arg(parts, 2))
        if reference is None or field is None:
            await say_gone(update, s)
            return END
        make_way(update, context, "references")
        await query.answer()
        draft: Draft = {
            "mode": "edit",
            "id": reference.id,
            "field": field,
            "values": {f: getattr(reference, f) for f in FIELDS},
        }
        context.user_data[DRAFT] = draft
        return await _ask(update, context, s, draft)


def _draft(context: Context) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT)
    return draft if isinstance(draft, dict) else None


def _forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def _problem(update: Update, s: Scope, field: str, problem: Problem, value: str) -> None:
    _ = s._
    if problem is Problem.EMPTY:
        text = _("That was empty. Please type your answer.")
    elif problem is Problem.INVISIBLE:
        text = _("That has nothing visible in it. Please type your answer.")
    elif problem is Problem.NO_LETTER:
        text = _("A name needs at least one letter or digit. Please type the name.")
    else:
        text = s.tr.ngettext(
            "That is {count} character long; please keep it to {limit}.",
            "That is {count} characters long; please keep it to {limit}.",
            len(value),
        ).format(count=s.tr.number(len(value)), limit=s.tr.number(LIMITS[field]))
    await answer(update, text)


async def got_text(update: Update, context: Context) -> int:
    """Takes the answer to the current question, then asks the next or saves."""
    message = update.effective_message
    assert message is not None
    async with scope(update, context) as s:
        draft = _draft(context)
        if draft is None:
            return await _lost(update, s)
        field = draft["field"]
        checked = check_answer(field, message.text or "")
        if checked.problem is not None:
            await _problem(update, s, field, checked.problem, checked.value)
            return await _ask(update, context, s, draft)
        draft["values"][field] = checked.value
        return await _next(update, context, s, draft)


async def skip_tapped(update: Update, context: Context) -> int:
    """Leaves an optional part empty: skipped when adding, cleared when editing."""
    query = update.callback_query
    assert query is not None
    async with scope(update, context) as s:
        draft = _draft(context)
        if draft is None:
            await query.answer()
            return await _lost(update, s)
        field = draft["field"]
        if field not in OPTIONAL:
            await query.answer()
            return await _ask(update, context, s, draft)
        await query.answer()
        draft["values"][field] = ""
        return await _next(update, context, s, draft)


async def _next(update: Update, context: Context, s: Scope, draft: Draft) -> int:
    if draft["mode"] == "add" and draft["field"] != NOTE:
        draft["field"] = FIELDS[FIELDS.index(draft["field"]) + 1]
        return await _ask(update, context, s, draft)
    _forget(context)
    values = draft["values"]
    if draft["mode"] == "add":
        if len(await user_references(s)) >= MAX_REFERENCES:
            await answer(update, list_text(s, await user_references(s)))
            return END
        reference = Reference(
            user_id=s.user.id,
            name=values[NAME],
            relation=values.get(RELATION, ""),
            contact=values.get(CONTACT, ""),
            note=values.get(NOTE, ""),
            created_at=s.runtime.clock.now(),
        )
        s.session.add(reference)
        await s.session.flush()
        references = await user_references(s)
        # stored first (each request commits before it leaves), tidied and told after
        await _clear_previous_question(context, draft, s.user.id)
        text = s._("Saved {name} as a reference.").format(name=f"<b>{escape(reference.name)}</b>")
        await answer(
            update,
            text + "\n\n" + list_text(s, references),
            reply_markup=list_keyboard(s, references),
        )
        if draft.get("task") is not None:
            await show_task_again(update, s, int(draft["task"]))
        return END
    edited = await find_reference(s.session, s.user.id, draft["id"])
    if edited is None:
        await answer(update, s._("That reference no longer exists."))
        return END
    setattr(edited, draft["field"], values[draft["field"]])
    await s.session.flush()
    await _clear_previous_question(context, draft, s.user.id)
    await answer(
        update,
        s._("Saved.") + "\n\n" + card_text(s, edited),
        reply_markup=card_keyboard(s, edited),
    )
    return END


async def _lost(update: Update, s: Scope) -> int:
    await answer(
        update, s._("I lost track of that reference, sorry. Send /references to start again.")
    )
    return END


async def not_text(update: Update, context: Context) -> int:
    """Answers a photo, sticker or file where a typed answer was asked for."""
    async with scope(update, context) as s:
        draft = _draft(context)
        if draft is None:
            return await _lost(update, s)
        await answer(update, s._("I can only read text here. Please type your answer."))
        return await _ask(update, context, s, draft)


async def command_inside(update: Update, context: Context) -> int:
    """A command, or another message's button, while a question is open: say so, ask again."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    async with scope(update, context) as s:
        draft = _draft(context)
        if draft is None:
            return await _lost(update, s)
        await answer(
            update,
            s._(
                "We are in the middle of saving a reference. Answer the question above, or send "
                "/cancel to stop."
            ),
        )
        return await _ask(update, context, s, draft)


async def cancel(update: Update, context: Context) -> int:
    """Stops adding or editing; nothing is changed."""
    async with scope(update, context) as s:
        draft = _draft(context)
        if draft is not None:
            await _clear_previous_question(context, draft, s.user.id)
        _forget(context)
        await answer(update, s._("Okay, stopped. Nothing was changed."))
    return END


def lapsed(user_data: dict[Any, Any], tr: Translator) -> Farewell:
    """After a long silence: sets the half-typed reference aside and says so."""
    user_data.pop(DRAFT, None)
    return Farewell(
        tr.gettext(
            "We did not finish with that reference, so I set it aside. "
            "Send /references to start again."
        )
    )


def references_conversation() -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    question: list[BaseHandler[Update, Context, object]] = [
        MessageHandler(text, got_text),
        CallbackQueryHandler(skip_tapped, pattern=r"^ref:skip$"),
        MessageHandler(other, not_text),
        MessageHandler(filters.COMMAND & ~filters.Regex(r"^/cancel\b"), command_inside),
        # a tap on another of the list's buttons would leave this question hanging
        CallbackQueryHandler(
            command_inside, pattern=r"^(ref:(add|edit|del|delyes)(:|$)|log:start$)"
        ),
    ]
    states = with_legacy_steps(
        "references", {state: question for state in (*ASKING.values(), Step.REFERENCE_EDIT)}
    )
    # it lapses after CONVERSATION_TIMEOUT_SECONDS on the bot's clock (handlers/lapses.py)
    return LapsingConversation(
        entry_points=[
            CallbackQueryHandler(add_tapped, pattern=r"^ref:add(:\d+)?$"),
            CallbackQueryHandler(edit_tapped, pattern=r"^ref:edit:"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="references",
        persistent=True,
    )
