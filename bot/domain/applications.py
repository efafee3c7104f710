"""Reading a one-line job application: where the company ends and the role begins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.domain.text import has_letter_or_digit, tidy

# What people put between a company and a role: a dash with a space on each side (hyphen,
# en or em dash, a double hyphen), a bar, or the middle dot the bot itself shows. Semicolons,
# commas and slashes are not among them: they live inside names ("Smith, Jones & Co").
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


def read_application(text: str, limit: int) -> ApplicationLine | ApplicationProblem:
    """The company and role of '/applied Company — Role'; the role may be left out."""
    cleaned = tidy(text)
    parts = _SEPARATOR.split(cleaned, maxsplit=1)
    company = tidy(parts[0].strip(_EDGE))
    role = tidy(parts[1].strip(_EDGE)) if len(parts) > 1 else ""
    if not has_letter_or_digit(company):
        return ApplicationProblem.NO_COMPANY
    if role and not has_letter_or_digit(role):
        return ApplicationProblem.NO_ROLE_TEXT
    if len(company) > limit or len(role) > limit:
        return ApplicationProblem.TOO_LONG
    return ApplicationLine(company, role)


def same_application(company: str, role: str, other_company: str, other_role: str) -> bool:
    """Whether two lines name the same opening, whatever the case and spacing."""
    return (tidy(company).casefold(), tidy(role).casefold()) == (
        tidy(other_company).casefold(),
        tidy(other_role).casefold(),
    )
