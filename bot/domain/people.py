"""Interviewers as people type them: telling a name from a job title typed on the same line."""

from __future__ import annotations

import re

from bot.domain.text import has_letter_or_digit

# the comma of Latin, Arabic and CJK scripts; a name and a title typed on one line are
# almost always joined by one of them ("Zoë O'Brien-Núñez, Head of Data")
_COMMA = re.compile(r"\s*[,،，、]\s*")
# or by a dash with spaces around it ("Fernanda Alves - coordenadora de dados"); a hyphen
# inside a double name ("O'Brien-Núñez") has none
_DASH = re.compile(r"\s+(?:-{1,2}|[–—])\s+")


def split_name_and_title(text: str) -> tuple[str, str] | None:
    """The name and the job title when the text looks like both, split at the first comma
    (or, with no comma, at a spaced dash)."""
    parts = _COMMA.split(text, maxsplit=1)
    if len(parts) != 2:
        parts = _DASH.split(text, maxsplit=1)
    if len(parts) != 2:
        return None
    name, title = parts[0].strip(), parts[1].strip()
    if not (has_letter_or_digit(name) and has_letter_or_digit(title)):
        return None
    return name, title
