"""/references: the people who vouch for the user, listed, added, edited and removed."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
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
from bot.domain.text import shorten
from bot.references import find_reference, list_references
from bot.runtime import Scope, runtime_of, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "ref"
DRAFT = "reference_draft"
END = ConversationHandler.END
# one conversation state per question; the edit of any one field shares the last
ASKING = {NAME: 0, RELATION: 1, CONTACT: 2, NOTE: 3}
EDITING = 4
# field names in callback data are one letter, to stay far from the 64-byte limit
FIELD_CODES = {NAME: "n", RELATION: "r", CONTACT: "c", NOTE: "o"}
CODE_FIELDS = {code: field for field, code in FIELD_CODES.items()}
# how much of each part the list shows; the card of one reference shows all of it
LIST_WIDTH = {NAME: 48, RELATION: 48, CONTACT: 48, NOTE: 80}

Draft = dict[str, Any]


# --- showing ---------------------------------------------------------------------------------


def _list_text(s: Scope, references: list[Reference]) -> str:
    _ = s._
    if not references:
        return _(
            "You have no references yet. A reference is someone who can vouch for your work: "
            "a former manager, a colleague, a teacher. Add them here, and I'll help you give "
            "them a heads-up when an interview goes well."
        )
    lines = [_("<b>Your references</b>")]
    for number, reference in enumerate(references, start=1):
        head = f"{number}. <b>{escape(shorten(reference.name, LIST_WIDTH[NAME]))}</b>"
        if reference.relation:
            head += f" — {escape(shorten(reference.relation, LIST_WIDTH[RELATION]))}"
        lines += ["", head]
        if reference.contact:
            lines.append(escape(shorten(reference.contact, LIST_WIDTH[CONTACT])))
        if reference.note:
            lines.append(f"<i>{escape(shorten(reference.note, LIST_WIDTH[NOTE]))}</i>")
    if len(references) >= MAX_REFERENCES:
        lines += [
            "",
            s.tr.ngettext(
                "That is the most I keep: {count}. Remove one to add another.",
                "That is the most I keep: {count}. Remove one to add another.",
                MAX_REFERENCES,
            ).format(count=s.tr.number(MAX_REFERENCES)),
        ]
    return "\n".join(lines)


def _list_keyboard(s: Scope, references: list[Reference]) -> InlineKeyboardMarkup:
    rows = [
        [keyboards.button("✏️ " + shorten(r.name, 40), ACTION, "view", r.id)] for r in references
    ]
    if len(references) < MAX_REFERENCES:
        rows.append([keyboards.button(s._("➕ Add a reference"), ACTION, "add")])
    return keyboards.keyboard(rows)


def _card_text(s: Scope, reference: Reference) -> str:
    _ = s._
    missing = _("not given")

    def shown(value: str) -> str:
        return escape(value) if value else f"<i>{missing}</i>"

    return "\n".join(
        [
            f"<b>{escape(reference.name)}</b>",
            "",
            _("How you know them: {relation}").format(relation=shown(reference.relation)),
            _("How to reach them: {contact}").format(contact=shown(reference.contact)),
            _("Note: {note}").format(note=shown(reference.note)),
        ]
    )


def _card_keyboard(s: Scope, reference: Reference) -> InlineKeyboardMarkup:
    def edit(label: str, field: str) -> InlineKeyboardButton:
        return keyboards.button(label, ACTION, "edit", reference.id, FIELD_CODES[field])

    _ = s._
    return keyboards.keyboard(
        [
            [edit(_("Name"), NAME), edit(_("How you know them"), RELATION)],
            [edit(_("How to reach them"), CONTACT), edit(_("Note"), NOTE)],
            [keyboards.button(_("🗑 Remove"), ACTION, "del", reference.id)],
            [keyboards.button(_("« All references"), ACTION, "list")],
        ]
    )


async def _references(s: Scope) -> list[Reference]:
    return list(await list_references(s.session, s.user.id))


async def references_command(update: Update, context: Context) -> None:
    """Lists the user's references with buttons to add, edit and remove them."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "references")
            return
        references = await _references(s)
        await answer(update, _list_text(s, references), reply_markup=_list_keyboard(s, references))


async def _gone(update: Update, s: Scope) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(s._("That reference no longer exists."), show_alert=True)


async def reference_tapped(update: Update, context: Context) -> None:
    """Shows the list or one reference, asks before removing, removes."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    verb = parts[1] if len(parts) > 1 else ""
    async with scope(update, context) as s:
        if verb == "list":
            await query.answer()
            references = await _references(s)
            await edit_in_place(
                update, _list_text(s, references), reply_markup=_list_keyboard(s, references)
            )
            return
        reference = await find_reference(s.session, s.user.id, keyboards.int_arg(parts, 2))
        if reference is None or verb not in ("view", "del", "delyes"):
            await _gone(update, s)
            return
        await query.answer()
        if verb == "view":
            await edit_in_place(
                update, _card_text(s, reference), reply_markup=_card_keyboard(s, reference)
            )
        elif verb == "del":
            markup = keyboards.keyboard(
                [
                    [
                        keyboards.button(s._("Yes, remove"), ACTION, "delyes", reference.id),
                        keyboards.button(s._("No, keep"), ACTION, "view", reference.id),
                    ]
                ]
            )
            await edit_in_place(
                update,
                s._(
                    "Remove {name} from your references? I will also forget which interviews "
                    "they were told about."
                ).format(name=f"<b>{escape(reference.name)}</b>"),
                reply_markup=markup,
            )
        else:
            name = reference.name
            # their heads-up marks go with them: the foreign key cascades
            await s.session.delete(reference)
            await s.session.flush()
            references = await _references(s)
            text = s._("Removed {name}.").format(name=f"<b>{escape(name)}</b>")
            await edit_in_place(
                update,
                text + "\n\n" + _list_text(s, references),
                reply_markup=_list_keyboard(s, references),
            )


# --- the conversation that adds a reference or changes one part of it -----------------------


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
    with contextlib.suppress(BadRequest):
        await context.bot.edit_message_reply_markup(chat_id, previous, reply_markup=None)


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
    return EDITING if draft["mode"] == "edit" else ASKING[field]


async def add_tapped(update: Update, context: Context) -> int:
    """Starts adding a reference: asks for the name."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    async with scope(update, context) as s:
        if len(await _references(s)) >= MAX_REFERENCES:
            await query.answer(
                s.tr.ngettext(
                    "That is the most I keep: {count}. Remove one to add another.",
                    "That is the most I keep: {count}. Remove one to add another.",
                    MAX_REFERENCES,
                ).format(count=s.tr.number(MAX_REFERENCES)),
                show_alert=True,
            )
            return END
        await query.answer()
        draft: Draft = {"mode": "add", "id": None, "field": NAME, "values": {}}
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
            await _gone(update, s)
            return END
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
    await _clear_previous_question(context, draft, s.user.id)
    _forget(context)
    values = draft["values"]
    if draft["mode"] == "add":
        if len(await _references(s)) >= MAX_REFERENCES:
            await answer(update, _list_text(s, await _references(s)))
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
        references = await _references(s)
        text = s._("Saved {name} as a reference.").format(name=f"<b>{escape(reference.name)}</b>")
        await answer(
            update,
            text + "\n\n" + _list_text(s, references),
            reply_markup=_list_keyboard(s, references),
        )
        return END
    edited = await find_reference(s.session, s.user.id, draft["id"])
    if edited is None:
        await answer(update, s._("That reference no longer exists."))
        return END
    setattr(edited, draft["field"], values[draft["field"]])
    await s.session.flush()
    await answer(
        update,
        s._("Saved.") + "\n\n" + _card_text(s, edited),
        reply_markup=_card_keyboard(s, edited),
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


async def timed_out(update: Update, context: Context) -> None:
    """Tells the user, after a long silence, that the half-typed reference was set aside."""
    _forget(context)
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        from bot.db.models import User

        row = await session.get(User, user.id)
    tr = runtime.translator_for(row, user.language_code)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            user.id,
            tr.gettext(
                "We did not finish with that reference, so I set it aside. "
                "Send /references to start again."
            ),
        )


def references_conversation(timeout: timedelta | None) -> ConversationHandler[Context]:
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
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {
        state: question for state in (*ASKING.values(), EDITING)
    }
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(add_tapped, pattern=r"^ref:add$"),
            CallbackQueryHandler(edit_tapped, pattern=r"^ref:edit:"),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name="references",
        persistent=True,
        conversation_timeout=timeout,
    )


def reference_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("references", references_command),
        CallbackQueryHandler(reference_tapped, pattern=keyboards.pattern(ACTION)),
    ]
