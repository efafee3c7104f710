"""End to end: one user's slow request stalls no one else, and no user's or chat's updates
overtake each other.

Telegram is made slow on purpose for one chat (Fault.SLOW holds the bot's request there until the
test lets it go), so every assertion is about order and about what happened while the request
was still held, never about how long anything took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.updates import OrderedUpdateProcessor
from fakeapi import Fault
from fakeapi.faults import FaultRule
from fakeapi.running import RunningBot
from fakeapi.server import BotMessage, FakeUser
from tests.conftest import stored_user
from tests.test_e2e_log import berliner

# generous: a slow, shared machine may take long, and a correct bot never needs to wait this out
PATIENCE = 60.0
# a slowed request is held at most this long, and the bot waits longer still for its answer, so
# that it is always the test that ends the hold
HOLD = 2 * PATIENCE


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot, started with a client that waits out any hold; like conftest's, it fails the
    test if the bot made a request Telegram would refuse."""
    running = RunningBot(tmp_path / "afterview.db", client_timeout=HOLD + PATIENCE)
    await running.start()
    try:
        yield running
        await running.fake.settle(timeout=PATIENCE)
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition`` holds; fail, saying ``what`` did not happen, after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {PATIENCE:.0f} s")
        await asyncio.sleep(0.02)


def new_since(messages: list[BotMessage], seen: int) -> list[str]:
    return [m.plain for m in messages[seen:]]


def slowed(bot: RunningBot, chat_id: int) -> FaultRule:
    """The bot's next message to ``chat_id`` is held until the test releases it."""
    return bot.faults.add(Fault.SLOW, method="sendMessage", chat_id=chat_id, hold=HOLD)


async def held(bot: RunningBot, rule: FaultRule) -> None:
    """Wait until the bot's request is being held, so every later update arrives after it."""
    await until(lambda: rule.fired == 1, "the slowed request")


def processor(bot: RunningBot) -> OrderedUpdateProcessor:
    assert bot.application is not None
    update_processor = bot.application.update_processor
    assert isinstance(update_processor, OrderedUpdateProcessor)
    return update_processor


async def test_a_user_is_answered_in_order_while_another_users_reply_hangs(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot, "Ana")
    ben = await berliner(bot, "Ben")
    ana_seen, ben_seen = len(ana.messages), len(ben.messages)
    rule = slowed(bot, ben.id)
    await ben.send("/help")
    await held(bot, rule)

    # three quick messages, none waiting for the answer to the one before
    await ana.send("/log")
    await ana.send("Acme")
    await ana.send("Engineer")
    when_question = "When is or was the interview?"
    await until(
        lambda: any(when_question in text for text in new_since(ana.messages, ana_seen)),
        "Ana's answers",
    )

    # Ben's reply is still held: Ana did not wait for it
    assert not rule.released.is_set()
    assert new_since(ben.messages, ben_seen) == []
    # each answer in the order of the messages it answers: the company was taken as the
    # company and the role as the role
    answers = new_since(ana.messages, ana_seen)
    expected = ["Let's log your interview", "Which company", "What is the role?", when_question]
    assert len(answers) == len(expected), answers
    for fragment, answer in zip(expected, answers, strict=True):
        assert fragment in answer, (fragment, answers)

    rule.release()
    await bot.fake.settle(timeout=PATIENCE)
    [help_text] = new_since(ben.messages, ben_seen)
    assert "/log" in help_text
    # nothing is remembered about the lines once every update is done
    assert processor(bot).waiting_lines == 0


async def test_a_groups_updates_and_their_senders_keep_their_order(bot: RunningBot) -> None:
    ana = await berliner(bot, "Ana")
    ben = await berliner(bot, "Ben")
    cleo = await berliner(bot, "Cleo")
    club = bot.fake.add_group("Job club", members=[ana, ben, cleo], admins=[ana])
    await bot.fake.add_bot_to(club, by=ana)
    await bot.fake.settle()
    group_seen, ben_seen, cleo_seen = len(club.messages), len(ben.messages), len(cleo.messages)

    rule = slowed(bot, club.id)
    await ana.send("/help", chat=club)
    await held(bot, rule)
    # Ben's group command waits for Ana's in the same group; his private one waits for his
    # group command; Cleo shares nothing with either and is answered meanwhile
    await ben.send("/club", chat=club)
    await ben.send("/help")
    await cleo.send("/help")
    await until(lambda: len(cleo.messages) > cleo_seen, "Cleo's answer")
    assert new_since(ben.messages, ben_seen) == []
    assert new_since(club.messages, group_seen) == []

    rule.release()
    await bot.fake.settle(timeout=PATIENCE)
    in_group = new_since(club.messages, group_seen)
    assert len(in_group) == 2
    assert "/join" in in_group[0]  # the help Ana asked for comes first
    assert in_group[1] != in_group[0]
    assert len(new_since(ben.messages, ben_seen)) == 1
    assert processor(bot).waiting_lines == 0


async def test_one_users_burst_is_answered_in_order(bot: RunningBot) -> None:
    """Twenty updates of one user at once, with nothing slowed: the answers come back in the
    order the questions were asked, each to its own question."""
    ana: FakeUser = await berliner(bot, "Ana")
    seen = len(ana.messages)
    amounts = list(range(1, 21))
    for amount in amounts:
        await ana.send(f"/goal {amount}")
    await bot.fake.settle(timeout=PATIENCE)
    answers = new_since(ana.messages, seen)
    assert len(answers) == len(amounts)
    for amount, answer in zip(amounts, answers, strict=True):
        assert f"Saved: {amount} application" in answer, (amount, answer)
    # the last one asked is the goal that stays
    assert (await stored_user(bot, ana.id)).weekly_goal == amounts[-1]
