"""Every conversation's steps, as one enum: the value python-telegram-bot stores for each."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, unique

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import Context


# unique: a repeated number would make a step an alias of another, under the other's name
@unique
class Step(IntEnum):
    """Where an open conversation stands. The number is stored in the database while the
    conversation is open (bot/persistence.py), so a member's number never changes."""

    # the zone question (handlers/settings.py, conversation "settings")
    WAITING_FOR_ZONE = 0

    # logging an interview (handlers/log*.py, conversation "log")
    COMPANY = 1
    ROLE = 2
    WHEN = 3
    FORMAT = 4
    PERSON_NAME = 5
    PERSON_TITLE = 6
    PERSON_CONTACT = 7
    PERSON_MORE = 8
    TIMEFRAME = 9
    RESPONSE_DATE = 10
    FEELING = 11
    SUMMARY = 12
    EDIT_MENU = 13
    PERSON_SPLIT = 14

    # adding a reference, one question per field, and editing one field (handlers/
    # references_edit.py, conversation "references")
    REFERENCE_NAME = 20
    REFERENCE_RELATION = 21
    REFERENCE_CONTACT = 22
    REFERENCE_NOTE = 23
    REFERENCE_EDIT = 24

    # an offer's deadline, a next round's date and people (handlers/outcomes.py and
    # handlers/next_round.py, conversation "outcomes")
    DECIDE = 30
    ROUND_DATE = 31
    ROUND_PEOPLE = 32

    # the weekly goal (handlers/goal.py, conversation "goal")
    WAITING_FOR_GOAL = 40


# What versions before this enum stored for the same steps, by conversation: each conversation
# numbered its own steps from 0 (the goal used a name), so the numbers overlapped. A
# conversation left open across the upgrade resumes where it stood; its next step is stored
# with the new number. The zone question and the log kept their numbers and need no entry.
LEGACY_STEPS: Mapping[str, Mapping[object, Step]] = {
    "references": {
        0: Step.REFERENCE_NAME,
        1: Step.REFERENCE_RELATION,
        2: Step.REFERENCE_CONTACT,
        3: Step.REFERENCE_NOTE,
        4: Step.REFERENCE_EDIT,
    },
    "outcomes": {0: Step.DECIDE, 1: Step.ROUND_DATE, 2: Step.ROUND_PEOPLE},
    "goal": {"waiting_for_goal": Step.WAITING_FOR_GOAL},
}

StepHandlers = list[BaseHandler[Update, Context, object]]


def with_legacy_steps(name: str, states: Mapping[Step, StepHandlers]) -> dict[object, StepHandlers]:
    """A conversation's states, each also under the value older versions stored for it."""
    merged: dict[object, StepHandlers] = {}
    for step, handlers in states.items():
        merged[step] = handlers
    for old, step in LEGACY_STEPS.get(name, {}).items():
        merged[old] = states[step]
    return merged
