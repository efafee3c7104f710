"""/references: the people who vouch for the user, listed, shown one by one, removed."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot import keyboards
from bot.db.models import Reference
from bot.domain.references import (
    CONTACT,
    MAX_REFERENCES,
    NAME,
    NOTE,
    RELATION,
)
from bot.domain.text import shorten
from bot.references import find_reference, list_references
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "ref"
# field names in callback data are one letter, to stay far from the 64-byte limit
FIELD_CODES = {NAME: "n", RELATION: "r", CONTACT: "c", NOTE: "o"}
CODE_FIELDS = {code: field for field, code in FIELD_CODES.items()}
# how much of each part the list shows; the card of one reference shows all of it
LIST_WIDTH = {NAME: 48, RELATION: 48, CONTACT: 48, NOTE: 80}


def at_the_cap(s: Scope) -> str:
    return s.tr.ngettext(
        "That is the most I keep: {count}. Remove one to add another.",
        "That is the most I keep: {count}. Remove one to add another.",
        MAX_REFERENCES,
    ).format(count=s.tr.number(MAX_REFERENCES))


def list_text(s: Scope, references: list[Reference]) -> str:
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
            at_the_cap(s),
        ]
    return "\n".join(lines)


def list_keyboard(s: Scope, references: list[Reference]) -> InlineKeyboardMarkup:
    rows = [
        [keyboards.button("✏️ " + shorten(r.name, 40), ACTION, "view", r.id)] for r in references
    ]
    if len(references) < MAX_REFERENCES:
        rows.append([keyboards.button(s._("➕ Add a reference"), ACTION, "add")])
    return keyboards.keyboard(rows)


def card_text(s: Scope, reference: Reference) -> str:
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


def card_keyboard(s: Scope, reference: Reference) -> InlineKeyboardMarkup:
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


async def user_references(s: Scope) -> list[Reference]:
    return list(await list_references(s.session, s.user.id))


async def references_command(update: Update, context: Context) -> None:
    """Lists the user's references with buttons to add, edit and remove them."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "references")
            return
        references = await user_references(s)
        await answer(update, list_text(s, references), reply_markup=list_keyboard(s, references))


async def say_gone(update: Update, s: Scope) -> None:
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
            references = await user_references(s)
            await edit_in_place(
                update, list_text(s, references), reply_markup=list_keyboard(s, references)
            )
            return
        reference = await find_reference(s.session, s.user.id, keyboards.int_arg(parts, 2))
        if reference is None or verb not in ("view", "del", "delyes"):
            await say_gone(update, s)
            return
        await query.answer()
        if verb == "view":
            await edit_in_place(
                update, card_text(s, reference), reply_markup=card_keyboard(s, reference)
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
            references = await user_references(s)
            text = s._("Removed {name}.").format(name=f"<b>{escape(name)}</b>")
            await edit_in_place(
                update,
                text + "\n\n" + list_text(s, references),
                reply_markup=list_keyboard(s, references),
            )


def reference_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("references", references_command),
        CallbackQueryHandler(reference_tapped, pattern=keyboards.pattern(ACTION)),
    ]
