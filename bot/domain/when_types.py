"""What the date reader hands back: a day and time, a choice to ask about, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from typing import Literal

# which way a bare "Tuesday" or "the 5th" points: an interview just had, one coming up or an
# answer date, or (when the question covers both) whichever occurrence is nearest
Direction = Literal["past", "future", "nearest"]


@dataclass(frozen=True)
class ParsedWhen:
    """A local calendar day and, when the user gave one, a wall-clock time."""

    day: date
    at: time | None


@dataclass(frozen=True)
class WhenChoice:
    """Readings too different to pick between: "12/11" (day or month first) or "next week"."""

    readings: tuple[ParsedWhen, ...]
    kind: Literal["order", "week"]


class WhenError(Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_DATE = "not_a_date"
    LONG_AGO = "long_ago"
    FAR_AHEAD = "far_ahead"
