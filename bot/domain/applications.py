"""Reading a one-line job application: where the company ends and the role begins."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.domain.text import has_letter_or_digit, tidy

# What people put between a company and a role: a dash with a space on each side (hyphen,
# en or em dash, a double hyphen), a bar, or the middle dot the bot itself shows. Semicolons
# and slashes are not among them: they live inside names and in pasted text.
_SEPARATOR = re.compile(r"(?:^|\s+)(?:-{1,2}|[–—|·])\s+")
# a separator left at either end ("Acme —") is not part of the name
_EDGE = " -–—|·"


class ApplicationProblem(Enum):
    """Why a line is not an application."""

    NO_COMPANY = "no-company"
    NO_ROLE_TEXT = "no-role-text"
    TOO_LONG = "too-long"


@dataclass(frozen=True)
class ApplicationLine:
    company: str
    role: str


# Without a dash, a comma followed by a space is how most people write "Company, Role" — unless
# what follows is the company's legal form ("Acme, Inc.").
_COMMA = re.compile(r",\s+")
_LEGAL_FORMS = frozenset(
    {
        "inc",
        "llc",
        "ltd",
        "co",
        "corp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "s.a",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "oy",
        "as",
        "ltda",
        "me",
        "eireli",
        "ооо",
        "оао",
        "зао",
        "пао",
        "ат",
        "тов",
        "пп",
    }
)


def _split(cleaned: str) -> list[str]:
    parts = _SEPARATOR.split(cleaned, maxsplit=1)
    if len(parts) > 1:
        return parts
    parts = _COMMA.split(cleaned, maxsplit=1)
    if len(parts) > 1:
        first_word = parts[1].split(" ", 1)[0].strip(".").casefold()
        if first_word in _LEGAL_FORMS:
            return [cleaned]
    return parts


def read_application(text: str, limit: int) -> ApplicationLine | ApplicationProblem:
    """The company and role of '/applied Company — Role'; the role may be left out."""
    cleaned = tidy(text)
    parts = _split(cleaned)
    company = tidy(parts[0].strip(_EDGE))
    role = tidy(parts[1].strip(_EDGE)) if len(parts) > 1 else ""
    if not has_letter_or_digit(company):
        return ApplicationProblem.NO_COMPANY
    if role and not has_letter_or_digit(role):
        return ApplicationProblem.NO_ROLE_TEXT
    if len(company) > limit or len(role) > limit:
        return ApplicationProblem.TOO_LONG
    return ApplicationLine(company, role)


def _key(text: str) -> str:
    # "Itaú" and "itau", "Cientista de Dados" and "cientista de dados" are one opening
    decomposed = unicodedata.normalize("NFKD", tidy(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def same_application(company: str, role: str, other_company: str, other_role: str) -> bool:
    """Whether two lines name the same opening, whatever the case, accents and spacing."""
    return (_key(company), _key(role)) == (_key(other_company), _key(other_role))
