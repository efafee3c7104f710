"""Interview facts that need no I/O: formats, time frames, feelings, outcomes and their dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

FORMATS = ("in_person", "phone", "video")
TIMEFRAMES = ("week", "two_weeks", "month", "date", "unknown")
FEELINGS = ("good", "unsure", "unlikely")
OUTCOMES = ("awaiting", "next_round", "offer", "rejected", "withdrawn", "ghosted")

MAX_FIELD = 100
MAX_INTERVIEWERS = 10

# when they did not say, plan as if they had said two weeks: long enough not to pester
DEFAULT_RESPONSE_DAYS = 14
_TIMEFRAME_DAYS = {"week": 7, "two_weeks": 14, "month": 28, "unknown": DEFAULT_RESPONSE_DAYS}

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")


def response_by(timeframe: str, interview_day: date, given: date | None = None) -> date:
    """The day by which they said they would answer (or the default for 'they didn't say')."""
    if timeframe == "date" and given is not None:
        return given
    return interview_day + timedelta(days=_TIMEFRAME_DAYS.get(timeframe, DEFAULT_RESPONSE_DAYS))


def contact_kind(text: str) -> str | None:
    """'email' or 'phone' when the text looks like one, else None."""
    value = text.strip()
    if _EMAIL.match(value):
        return "email"
    if _PHONE_CHARS.match(value):
        digits = sum(ch.isdigit() for ch in value)
        if 6 <= digits <= 15:
            return "phone"
    return None
