"""A strict local fake of the Telegram Bot API for the end-to-end tests and the sandbox."""

from fakeapi.faults import Fault, FaultPlan, FiredFault
from fakeapi.server import BotMessage, FakeGroup, FakeTelegram, FakeUser, Refusal

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
