"""Webhook delivery when things go wrong: an update Telegram posts again because our 200 was lost
is handled once, on the same replica or another; past the bound of updates waiting, or with the
database away, a post is refused with 503 and handled when Telegram posts it again; and a user's
quick updates spread over two replicas are handled in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.updates import PendingQueue
from bot.web.metrics import CountingApplication
from fakeapi.faults import Fault
from fakeapi.running import RunningBot
from tests.dbfaults import ThrowawayPostgres, fresh_schema
from tests.test_e2e_concurrency import until
from tests.test_e2e_replicas_conversation import Replica
from tests.webhookbot import (
    PUBLIC_ORIGIN,
    local_origin,
    origin_of,
    start_webhook_bot,
    webhook_bot,
)

COMPANY_QUESTION = "Which company was the interview with?"
ROLE_QUESTION = "What is the role?"
WHEN_QUESTION = "When is or was the interview?"


def _duplicates(application: object) -> float:
    assert isinstance(application, CountingApplication)
    value = application.metrics.registry.get_sample_value("afterview_webhook_duplicates_total")
    assert value is not None
    return value


@asynccontextmanager
async def _two_replicas(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, Replica]]:
    """Replica A (owning the fake and the clock) and replica B, both in webhook mode on one
    fresh PostgreSQL database."""
    await fresh_schema(postgres.url)
    a = webhook_bot(tmp_path / "unused.db", database_url=postgres.url)
    await start_webhook_bot(a)
    b = Replica(a.settings(), clock=a.clock)
    await b.start()
    a.fake.busy_probe = lambda: a.busy() or b.busy()
    try:
        yield a, b
    finally:
        await b.stop()
        await a.close()


def _codes(running: RunningBot, update_id: int) -> list[int]:
    return [code for uid, code in running.fake.webhooks.attempts if uid == update_id]


@pytest.fixture
async def hook_bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    running = webhook_bot(tmp_path / "afterview.db")
    await start_webhook_bot(running)
    try:
        yield running
        await running.fake.settle()
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def test_an_answer_lost_on_its_way_to_telegram_does_not_handle_the_update_twice(
    hook_bot: RunningBot,
) -> None:
    fake = hook_bot.fake
    ana = fake.add_user("Ana")
    await ana.send("/start")
    await fake.settle()
    await ana.send("/log")
    await fake.settle()
    assert COMPANY_QUESTION in ana.messages[-1].plain
    before = len(ana.messages)
    fake.webhooks.answers_to_lose = 1
    await ana.send("Acme")
    await fake.settle()
    # posted twice; handled twice, "Acme" would also have been taken for the role
    last_update = max(uid for uid, _ in fake.webhooks.attempts)
    assert _codes(hook_bot, last_update) == [0, 200]
    assert len(ana.messages) == before + 1
    assert ROLE_QUESTION in ana.messages[-1].plain
    assert _duplicates(hook_bot.application) == 1
    await ana.send("Engineer")
    await fake.settle()
    # and the conversation goes on from the role, as if the post had come once
    assert WHEN_QUESTION in ana.messages[-1].plain


async def test_past_the_bound_of_waiting_updates_a_post_gets_503_and_comes_again(
    tmp_path: Path,
) -> None:
    running = webhook_bot(tmp_path / "afterview.db", webhook_max_pending=1)
    await start_webhook_bot(running)
    try:
        fake = running.fake
        ana, ben = fake.add_user("Ana"), fake.add_user("Ben")
        # Telegram slow to take Ana's reply: her /start stays in hand until released
        held = running.faults.add(Fault.SLOW, method="sendMessage", chat_id=ana.id, hold=30)
        await ana.send("/start")
        await ben.send("/start")
        queue = running.application.update_queue if running.application else None
        assert isinstance(queue, PendingQueue)
        await until(lambda: 503 in [code for _, code in fake.webhooks.attempts], "a 503")
        assert queue.unfinished == 1
        assert not ben.messages
        held.release()
        await fake.settle()
        assert "Hi Ana!" in ana.messages[0].plain
        assert "Hi Ben!" in ben.messages[0].plain
        ben_update = max(uid for uid, _ in fake.webhooks.attempts)
        codes = _codes(running, ben_update)
        assert codes[0] == 503 and codes[-1] == 200
        assert queue.unfinished == 0
        fake.assert_no_refusals()
    finally:
        await running.close()


@pytest.mark.timeout(180)
async def test_a_users_quick_steps_taken_by_two_replicas_are_handled_in_order(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    async with _two_replicas(postgres, tmp_path) as (a, b):
        fake = a.fake
        ana = fake.add_user("Ana")
        await ana.send("/start")
        await fake.settle()
        before = len(ana.messages)
        # from here a load balancer takes turns: /log to A, "Acme" to B, "Engineer" to A; and
        # Telegram is slow to take A's question, so B gets "Acme" while /log is still running
        fake.webhooks.route(PUBLIC_ORIGIN, local_origin(a), origin_of(b.application))
        held = a.faults.add(Fault.SLOW, method="sendMessage", chat_id=ana.id, hold=30)
        posted = len(fake.webhooks.attempts)
        for text in ("/log", "Acme", "Engineer"):
            await ana.send(text)
        await until(lambda: len(fake.webhooks.attempts) >= posted + 3, "three posts")
        assert [code for _, code in fake.webhooks.attempts[posted:]] == [200, 200, 200]
        await asyncio.sleep(0.5)
        held.release()
        await fake.settle()
        # (the first step also sets the onboarding's zone question aside)
        steps = [m.plain for m in ana.messages[before:] if "question aside" not in m.plain]
        assert len(steps) == 4, [step[:70] for step in steps]
        assert "Let's log your interview" in steps[0]
        assert COMPANY_QUESTION in steps[1]
        assert ROLE_QUESTION in steps[2]
        assert WHEN_QUESTION in steps[3]
        assert _duplicates(a.application) == _duplicates(b.application) == 0


@pytest.mark.timeout(180)
async def test_two_replicas_handle_a_reposted_update_once_and_refuse_while_the_database_is_away(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    async with _two_replicas(postgres, tmp_path) as (a, b):
        fake = a.fake
        # a load balancer: the first post to A, Telegram's second post of it to B
        fake.webhooks.route(PUBLIC_ORIGIN, local_origin(a), origin_of(b.application))
        fake.webhooks.answers_to_lose = 1
        ana = fake.add_user("Ana")
        await ana.send("/start")
        await fake.settle()
        first = max(uid for uid, _ in fake.webhooks.attempts)
        assert _codes(a, first) == [0, 200]
        # the greeting and the first onboarding question, once each
        assert [m.plain.split("!")[0] for m in ana.messages][:1] == ["Hi Ana"]
        assert len(ana.messages) == 2
        assert _duplicates(b.application) == 1

        # the database away: nothing can be recorded, so the post is refused and comes again
        fake.webhooks.route(PUBLIC_ORIGIN, local_origin(a))
        await asyncio.to_thread(postgres.stop)
        try:
            await ana.send("/help")
            await until(lambda: 503 in [code for _, code in fake.webhooks.attempts], "a 503")
        finally:
            await asyncio.to_thread(postgres.start)
        await fake.settle(timeout=60)
        second = max(uid for uid, _ in fake.webhooks.attempts)
        codes = _codes(a, second)
        assert 503 in codes and codes[-1] == 200
        # the zone question set aside, then the help: each once
        assert len(ana.messages) == 4
        assert sum("/log" in m.plain for m in ana.messages) == 1
        assert "/log" in ana.messages[-1].plain
