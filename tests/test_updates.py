"""The update processor on its own: lines, the running limit, cancellation, forgetting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from bot.updates import OrderedUpdateProcessor, lines_of

GROUP = Chat(-100, Chat.SUPERGROUP)
_ids = iter(range(1, 10_000))


def message(user_id: int, chat: Chat | None = None) -> Update:
    user = User(user_id, f"User {user_id}", is_bot=False)
    where = chat or Chat(user_id, Chat.PRIVATE)
    return Update(next(_ids), message=Message(next(_ids), None, where, from_user=user))  # type: ignore[arg-type]


def poll() -> Update:
    """An update no user or chat owns (a poll's new state would be one)."""
    return Update(next(_ids))


class Recorder:
    """Handler stand-ins that note when they start and finish, and wait to be let go."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.running = 0
        self.most_running = 0

    async def handle(self, name: str) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        self.events.append(f"start {name}")
        gate = self.gates.setdefault(name, asyncio.Event())
        try:
            await gate.wait()
        finally:
            self.running -= 1
            self.events.append(f"end {name}")

    def let_go(self, name: str) -> None:
        self.gates.setdefault(name, asyncio.Event()).set()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def submit(processor: OrderedUpdateProcessor, update: Any, coroutine: Any) -> asyncio.Task[None]:
    # as PTB does: one task per update, created in arrival order
    return asyncio.ensure_future(processor.process_update(update, coroutine))


def test_lines_of_each_kind_of_update() -> None:
    assert lines_of(message(7)) == (("user", 7),)
    assert lines_of(message(7, GROUP)) == (("user", 7), ("chat", -100))
    assert lines_of(poll()) == ()
    moved = message(7, Chat(-5, Chat.GROUP))
    assert moved.message is not None
    moved.message._unfreeze()
    moved.message.migrate_to_chat_id = -100
    assert lines_of(moved) == (("user", 7), ("chat", -5), ("chat", -100))
    assert lines_of(object()) == ()


async def test_a_group_message_waits_for_its_senders_and_its_groups_earlier_updates() -> None:
    processor = OrderedUpdateProcessor(8)
    rec = Recorder()
    tasks = [
        submit(processor, message(1), rec.handle("a-private")),
        submit(processor, message(2, GROUP), rec.handle("b-group")),
        submit(processor, message(1, GROUP), rec.handle("a-group")),
        submit(processor, message(3), rec.handle("c-private")),
    ]
    await settle()
    # A's group message waits for A's private one and for B's in the group; C runs at once
    assert rec.events == ["start a-private", "start b-group", "start c-private"]
    rec.let_go("a-private")
    await settle()
    assert "start a-group" not in rec.events
    rec.let_go("b-group")
    await settle()
    assert rec.events[-1] == "start a-group"
    rec.let_go("a-group")
    rec.let_go("c-private")
    await asyncio.gather(*tasks)
    assert processor.waiting_lines == 0


async def test_the_running_limit_holds_and_waiting_takes_no_place() -> None:
    processor = OrderedUpdateProcessor(2)
    rec = Recorder()
    # five updates of user 1 queue behind each other; they must not keep users 2 and 3 out
    tasks = [submit(processor, message(1), rec.handle(f"one-{n}")) for n in range(5)]
    tasks += [submit(processor, message(2), rec.handle("two"))]
    tasks += [submit(processor, message(3), rec.handle("three"))]
    tasks += [submit(processor, poll(), rec.handle("poll"))]
    await settle()
    assert rec.events == ["start one-0", "start two"]
    rec.let_go("two")
    await settle()
    assert rec.events[-1] == "start three"
    for name in ("three", "poll", *(f"one-{n}" for n in range(5))):
        rec.let_go(name)
    await asyncio.gather(*tasks)
    assert rec.most_running == 2
    starts = [e for e in rec.events if e.startswith("start one")]
    assert starts == [f"start one-{n}" for n in range(5)]
    assert processor.waiting_lines == 0


async def test_a_cancelled_waiter_does_not_let_the_next_overtake() -> None:
    processor = OrderedUpdateProcessor(4)
    rec = Recorder()
    first = submit(processor, message(1), rec.handle("first"))
    second = submit(processor, message(1), rec.handle("second"))
    third = submit(processor, message(1), rec.handle("third"))
    await settle()
    second.cancel()
    await settle()
    # the second is gone, but the third still waits for the first
    assert rec.events == ["start first"]
    rec.let_go("first")
    rec.let_go("third")
    await asyncio.gather(first, third)
    with pytest.raises(asyncio.CancelledError):
        await second
    assert rec.events == ["start first", "end first", "start third", "end third"]
    assert processor.waiting_lines == 0


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        OrderedUpdateProcessor(0)
