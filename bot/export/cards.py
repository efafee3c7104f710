"""Contact cards (vCard 3.0) of the interviewers and the references, written by vobject."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import vobject

from bot.domain.interviews import contact_kind
from bot.export.ids import stable_uid
from bot.export.words import ExportWords

_WEB = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


def split_name(name: str) -> tuple[str, str]:
    """(family, given) for the structured N field: the last word is taken as the family name,
    which is right for most names people type; a one-word name is a given name only."""
    words = name.split()
    if len(words) < 2:
        return "", name.strip()
    return words[-1], " ".join(words[:-1]).rstrip(",;")


def _card(user_id: int, kind: str, item_id: int, name: str) -> Any:
    card = vobject.vCard()
    card.add("uid").value = stable_uid(user_id, kind, item_id)
    card.add("fn").value = name
    family, given = split_name(name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    return card


def _add_contact(card: Any, contact: str, notes: list[str]) -> None:
    """An email or a phone number in its own field; a web address as URL; anything else (a
    handle, 'via the front desk') is kept in the note rather than dropped."""
    kind = contact_kind(contact)
    if kind == "email":
        field = card.add("email")
        field.value = contact
        field.type_param = "INTERNET"
    elif kind == "phone":
        card.add("tel").value = contact
    elif _WEB.match(contact):
        card.add("url").value = contact
    elif contact:
        notes.append(contact)


def to_vcards(record: dict[str, Any], words: ExportWords, references: bool = False) -> bytes:
    """One card per interviewer (with title, company and when they met), or, with
    `references`, one per reference (with how the user knows them and the note)."""
    user_id = int(record["user"]["id"])
    cards: list[str] = []
    if references:
        for person in record["references"]:
            card = _card(user_id, "reference", person["id"], person["name"])
            notes = [
                words.reference_with_relation.format(relation=person["relation"])
                if person["relation"]
                else words.reference
            ]
            _add_contact(card, person["contact"], notes)
            if person["note"]:
                notes.append(person["note"])
            card.add("note").value = "\n".join(notes)
            cards.append(card.serialize())
    else:
        for interview in record["interviews"]:
            met = datetime.fromisoformat(interview["scheduled_at"])
            for person in interview["interviewers"]:
                card = _card(user_id, "interviewer", person["id"], person["name"])
                card.add("org").value = [interview["company"]]
                if person["title"]:
                    card.add("title").value = person["title"]
                notes = [
                    words.interviewer_note.format(
                        company=interview["company"], role=interview["role"], day=words.day(met)
                    )
                ]
                _add_contact(card, person["contact"], notes)
                card.add("note").value = "\n".join(notes)
                cards.append(card.serialize())
    return "".join(cards).encode("utf-8")
