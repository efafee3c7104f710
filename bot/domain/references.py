"""What a reference is made of, and whether a typed answer will do for each part of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.domain.text import has_letter_or_digit, has_visible_text, tidy

NAME, RELATION, CONTACT, NOTE = "name", "relation", "contact", "note"
FIELDS = (NAME, RELATION, CONTACT, NOTE)
# only the name is needed; the rest can be skipped when adding and cleared when editing
OPTIONAL = (RELATION, CONTACT, NOTE)
LIMITS = {NAME: 100, RELATION: 100, CONTACT: 200, NOTE: 500}
# a handful is what employers ask for; the cap keeps the list within one message
MAX_REFERENCES = 12


class Problem(Enum):
    EMPTY = "empty"
    INVISIBLE = "invisible"
    NO_LETTER = "no_letter"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Answer:
    """A typed answer, tidied, and what is wrong with it, if anything."""

    value: str
    problem: Problem | None = None


def check_answer(field: str, text: str) -> Answer:
    """Tidy what the user typed for a field and say whether it can be stored."""
    if not text.strip():
        return Answer("", Problem.EMPTY)
    if not has_visible_text(text):
        return Answer("", Problem.INVISIBLE)
    value = tidy(text)
    if field == NAME and not has_letter_or_digit(value):
        return Answer(value, Problem.NO_LETTER)
    if len(value) > LIMITS[field]:
        return Answer(value, Problem.TOO_LONG)
    return Answer(value)
