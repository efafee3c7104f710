"""A strict local fake of the Telegram Bot API for the end-to-end tests and the sandbox."""

from fakeapi.faults import Fault, FaultPlan, FiredFault
from fakeapi.people import FakeGroup, FakeUser
from fakeapi.records import BotMessage, Refusal
from fakeapi.server import FakeTelegram

__all__ = [
    "BotMessage",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "FaultPlan",
    "FiredFault",
    "Refusal",
]
