"""Faults on demand: what the client sees, what was delivered, and the real bot under each."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import telegram
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from fakeapi import FakeTelegram, FakeUser, Fault, FaultPlan
from fakeapi.running import RunningBot
from tests.flows import say

# PTB warns about its own RetryAfter.retry_after type change whenever one is raised.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token"
# the client gives up on a held request after this long; every test below stays well within
CLIENT_TIMEOUT = 0.4


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, enforce_rate_limits=False) as server:
        yield server


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    """PTB's own client with its own HTTPXRequest, as the bot uses it, and short timeouts."""
    request = HTTPXRequest(
        read_timeout=CLIENT_TIMEOUT, write_timeout=CLIENT_TIMEOUT, connect_timeout=CLIENT_TIMEOUT
    )
    bot = telegram.Bot(TOKEN, base_url=fake.base_url, request=request)
    async with bot:
        yield bot


async def opened_chat(fake: FakeTelegram, client: telegram.Bot, name: str) -> FakeUser:
    """A user who has written to the bot (so it may write back), their update fetched."""
    user = fake.add_user(first_name=name)
    await user.send("/start")
    updates = await client.get_updates(timeout=0)
    await client.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return user


@pytest.fixture
async def ana(fake: FakeTelegram, client: telegram.Bot) -> FakeUser:
    return await opened_chat(fake, client, "Ana")


async def fails_with(call: Awaitable[object], error: type[TelegramError]) -> tuple[str, float]:
    """Await a call that must raise ``error`` (exactly, not a subclass); its message and time."""
    started = time.monotonic()
    with pytest.raises(TelegramError) as caught:
        await call
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    return caught.value.message, time.monotonic() - started


def texts(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages]


# ------------------------------------------------------------------ each kind, as PTB sees it


async def test_server_error_is_not_performed(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.SERVER_ERROR, method="sendMessage", chat_id=ana.id, times=2)
    for attempt in ("first", "second"):
        message, _ = await fails_with(client.send_message(ana.id, attempt), NetworkError)
        assert message == "Internal Server Error"
    assert texts(ana) == []
    await client.send_message(ana.id, "third")
    assert texts(ana) == ["third"]
    assert [r.status for r in fake.requests if r.method == "sendMessage"] == [500, 500, 200]
    assert fake.faults.count(Fault.SERVER_ERROR) == 2
    assert fake.refusals == []


async def test_5xx_answers_have_telegrams_json_shape(fake: FakeTelegram, ana: FakeUser) -> None:
    fake.faults.add(Fault.SERVER_ERROR, method="sendMessage")
    fake.faults.add(Fault.BAD_GATEWAY, method="sendMessage")
    bodies = []
    async with aiohttp.ClientSession() as session:
        for _ in range(2):
            url = f"{fake.base_url}{TOKEN}/sendMessage"
            async with session.post(url, json={"chat_id": ana.id, "text": "hi"}) as response:
                bodies.append((response.status, await response.json()))
    assert bodies == [
        (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
        (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    ]
    assert texts(ana) == []


async def test_bad_gateway_is_a_network_error(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.BAD_GATEWAY, method="sendMessage")
    message, _ = await fails_with(client.send_message(ana.id, "hello"), NetworkError)
    assert message == "Bad Gateway"
    assert texts(ana) == []


async def test_hang_times_out_and_is_not_performed(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.HANG, method="sendMessage", chat_id=ana.id)
    _, took = await fails_with(client.send_message(ana.id, "hello"), TimedOut)
    assert CLIENT_TIMEOUT * 0.9 <= took < CLIENT_TIMEOUT + 1.0
    # the fake lets go of the request once the client gave up, so nothing stays in flight
    await fake.settle(timeout=2.0)
    assert texts(ana) == []
    assert [(r.method, r.status, r.fault) for r in fake.requests[-1:]] == [
        ("sendMessage", 0, Fault.HANG)
    ]


async def test_delivered_hang_delivers_but_the_client_times_out(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.DELIVERED_HANG, method="sendMessage", chat_id=ana.id)
    _, took = await fails_with(client.send_message(ana.id, "hello"), TimedOut)
    assert took < CLIENT_TIMEOUT + 1.0
    await fake.settle(timeout=2.0)
    assert texts(ana) == ["hello"]
    assert fake.faults.count(Fault.DELIVERED_HANG, "sendMessage") == 1
    assert fake.refusals == []


async def test_delivered_drop_delivers_but_the_connection_closes(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.DELIVERED_DROP, method="sendMessage", chat_id=ana.id)
    message, took = await fails_with(client.send_message(ana.id, "hello"), NetworkError)
    assert "Server disconnected without sending a response" in message
    assert took < CLIENT_TIMEOUT
    assert texts(ana) == ["hello"]
    # the connection pool recovers: the next request is answered as usual
    sent = await client.send_message(ana.id, "again")
    assert sent.text == "again"
    assert texts(ana) == ["hello", "again"]


async def test_drop_closes_the_connection_without_performing(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.DROP, method="sendMessage", chat_id=ana.id)
    message, took = await fails_with(client.send_message(ana.id, "hello"), NetworkError)
    assert "Server disconnected" in message
    assert took < CLIENT_TIMEOUT
    assert texts(ana) == []


async def test_flood_answers_retry_after_and_holds_the_bot_to_it(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.FLOOD, method="sendMessage", chat_id=ana.id, retry_after=30)
    started = time.monotonic()
    with pytest.raises(RetryAfter) as caught:
        await client.send_message(ana.id, "hello")
    assert caught.value.retry_after in (30, timedelta(seconds=30))
    assert fake.refusals == []
    # a bot that does not wait is refused again, as Telegram would, and that is its fault
    with pytest.raises(RetryAfter) as again:
        await client.send_message(ana.id, "too soon")
    assert again.value.retry_after in (30, timedelta(seconds=30))
    assert [r.error_code for r in fake.refusals] == [429]
    # nothing slept for real, and nothing was delivered
    assert time.monotonic() - started < 2.0
    assert texts(ana) == []
    # other chats and methods are not under the wait
    bob = await opened_chat(fake, client, "Bob")
    await client.send_message(bob.id, "fine")
    await client.send_chat_action(ana.id, "typing")
    # clearing the faults lifts the wait too
    fake.faults.clear()
    await client.send_message(ana.id, "later")
    assert texts(ana) == ["later"]


async def test_a_held_request_is_let_go_when_the_fake_stops() -> None:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    fan = fake.add_user(first_name="Fan")
    await fan.send("/start")
    patient = HTTPXRequest(read_timeout=30.0)
    async with telegram.Bot(TOKEN, base_url=fake.base_url, request=patient) as bot:
        fake.faults.add(Fault.HANG, method="sendMessage")
        pending = asyncio.create_task(bot.send_message(fan.id, "hello"))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await fake.stop()
        with pytest.raises(NetworkError):
            await pending
        assert time.monotonic() - started < 3.0


# ------------------------------------------------------------------ choosing the requests


async def test_rules_match_method_and_chat(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    bob = await opened_chat(fake, client, "Bob")
    fake.faults.add(Fault.SERVER_ERROR, method="sendMessage", chat_id=ana.id, times=5)
    await client.send_message(bob.id, "other chat")
    await client.send_chat_action(ana.id, "typing")
    await fails_with(client.send_message(ana.id, "hit"), NetworkError)
    assert texts(bob) == ["other chat"]
    assert [(f.method, f.chat_id) for f in fake.faults.fired] == [("sendMessage", ana.id)]
    fake.faults.clear()
    await client.send_message(ana.id, "after clear")
    assert texts(ana) == ["after clear"]


async def test_a_rule_for_every_method_spares_the_long_poll(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.SERVER_ERROR, times=1)
    await ana.send("hello")
    updates = await client.get_updates(timeout=0)
    assert updates
    await fails_with(client.get_me(), NetworkError)
    fake.faults.add(Fault.SERVER_ERROR, method="getUpdates")
    await fails_with(client.get_updates(timeout=0), NetworkError)


async def test_after_lets_the_first_requests_through(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    fake.faults.add(Fault.DROP, method="sendMessage", after=2, times=1)
    outcomes = []
    for n in range(4):
        try:
            await client.send_message(ana.id, str(n))
            outcomes.append("ok")
        except NetworkError:
            outcomes.append("dropped")
    assert outcomes == ["ok", "ok", "dropped", "ok"]
    assert texts(ana) == ["0", "1", "3"]


async def test_a_seeded_share_is_repeatable(client: telegram.Bot, fake: FakeTelegram) -> None:
    users = [await opened_chat(fake, client, f"U{n}") for n in range(3)]

    async def run() -> list[bool]:
        fake.faults.clear()
        fake.faults.add(Fault.SERVER_ERROR, method="sendMessage", share=0.3, seed=42)
        hits = []
        for n in range(60):
            try:
                await client.send_message(users[n % 3].id, f"#{n}")
                hits.append(False)
            except NetworkError:
                hits.append(True)
        return hits

    first, second = await run(), await run()
    assert first == second
    assert 8 <= sum(first) <= 30
    delivered = sum(len(u.messages) for u in users)
    assert delivered == 2 * (60 - sum(first))
    assert fake.refusals == []


def test_shares_follow_the_seed_and_times_caps_them() -> None:
    def pattern(seed: int, times: int | None = None) -> list[bool]:
        plan = FaultPlan()
        plan.add(Fault.SERVER_ERROR, share=0.2, seed=seed, times=times)
        return [plan.pick("sendMessage", {"chat_id": 7}, {}) is not None for _ in range(500)]

    assert pattern(1) == pattern(1)
    assert pattern(1) != pattern(2)
    assert 70 <= sum(pattern(1)) <= 130
    capped = pattern(1, times=5)
    assert sum(capped) == 5
    assert capped[: capped.index(True) + 1] == pattern(1)[: capped.index(True) + 1]


def test_rules_are_spent_and_disarm_the_plan() -> None:
    plan = FaultPlan()
    assert not plan.armed
    plan.add(Fault.HANG, chat_id="-100123", times=2)
    assert plan.armed
    assert plan.pick("sendMessage", {"chat_id": 5}, {}) is None
    # chat ids compare as numbers, however the request spelled them
    assert plan.pick("sendMessage", {"chat_id": -100123}, {}) is not None
    assert plan.pick("editMessageText", {"chat_id": "-100123"}, {}) is not None
    assert plan.pick("sendMessage", {"chat_id": -100123}, {}) is None
    assert not plan.armed
    assert plan.count(Fault.HANG) == 2
    assert plan.count(method="editMessageText") == 1


def test_nonsense_rules_are_refused() -> None:
    plan = FaultPlan()
    with pytest.raises(ValueError, match="share"):
        plan.add(Fault.DROP, share=1.5)
    with pytest.raises(ValueError, match="times"):
        plan.add(Fault.DROP, times=0)
    with pytest.raises(ValueError):
        plan.add(Fault.FLOOD, retry_after=0)
    with pytest.raises(ValueError):
        plan.add("meltdown")  # type: ignore[arg-type]
    assert plan.rules == []


# ------------------------------------------------------------------ strictness stays


async def test_a_request_telegram_refuses_is_still_a_refusal(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    # checked before the fault: an unknown field is refused whatever happens to the answer
    fake.faults.add(Fault.SERVER_ERROR, method="sendMessage")
    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}{TOKEN}/sendMessage"
        async with session.post(url, json={"chat_id": ana.id, "text": "x", "colour": 1}) as answer:
            assert answer.status == 400
    assert len(fake.refusals) == 1
    assert fake.faults.count() == 0
    # not performed, yet its broken HTML is refused: Telegram would refuse the retry
    message, _ = await fails_with(
        client.send_message(ana.id, "<i>open", parse_mode="HTML"), NetworkError
    )
    assert message == "Internal Server Error"
    assert len(fake.refusals) == 2
    assert "can't parse entities" in fake.refusals[-1].description
    fake.faults.clear()
    # performed, refused for its broken HTML, and the refusal's answer lost: still refused
    fake.faults.add(Fault.DELIVERED_DROP, method="sendMessage")
    await fails_with(client.send_message(ana.id, "<b>open", parse_mode="HTML"), NetworkError)
    assert len(fake.refusals) == 3
    assert "can't parse entities" in fake.refusals[-1].description
    assert texts(ana) == []


# ------------------------------------------------------------------ the real bot under faults


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot, giving up on a request after CLIENT_TIMEOUT; fails on any refusal."""
    bot = RunningBot(tmp_path / "afterview.db", client_timeout=CLIENT_TIMEOUT)
    await bot.start()
    try:
        yield bot
        await bot.fake.settle()
        bot.fake.assert_no_refusals()
    finally:
        await bot.close()


async def started(bot: RunningBot, name: str = "Ana") -> FakeUser:
    user = bot.fake.add_user(name)
    await say(bot, user, "/start")
    await say(bot, user, "Berlin")
    return user


async def test_the_bot_sees_a_delivered_hang_as_a_timeout(running: RunningBot) -> None:
    ana = await started(running)
    running.faults.add(Fault.DELIVERED_HANG, method="sendMessage", chat_id=ana.id)
    began = time.monotonic()
    seen = await say(running, ana, "/help")
    # delivered although the bot never learnt it was
    assert "/help" in seen
    assert time.monotonic() - began < 5.0
    assert running.faults.count(Fault.DELIVERED_HANG) == 1
    assert "/help" in await say(running, ana, "/help")


async def test_the_bot_survives_a_server_error_on_its_reply(running: RunningBot) -> None:
    ana = await started(running)
    running.faults.add(Fault.SERVER_ERROR, method="sendMessage", chat_id=ana.id)
    seen = await say(running, ana, "/help")
    assert "/help" not in seen
    assert running.faults.count(Fault.SERVER_ERROR, "sendMessage") == 1
    assert "/help" in await say(running, ana, "/help")


async def test_the_bot_waits_out_a_flood_fault(running: RunningBot) -> None:
    ana = await started(running)
    running.faults.add(Fault.FLOOD, method="sendMessage", chat_id=ana.id, retry_after=1)
    began = time.monotonic()
    seen = await say(running, ana, "/help")
    # the rate limiter waited the second out and sent again; an early resend would be refused
    assert "/help" in seen
    assert time.monotonic() - began >= 1.0
    assert running.faults.count(Fault.FLOOD) == 1


async def test_the_bot_gives_up_on_a_hang_at_its_own_timeout(running: RunningBot) -> None:
    ana = await started(running)
    running.faults.add(Fault.HANG, method="sendMessage", chat_id=ana.id)
    began = time.monotonic()
    seen = await say(running, ana, "/help")
    assert "/help" not in seen
    assert time.monotonic() - began < 5.0
    hung = [r for r in running.fake.requests if r.fault is Fault.HANG]
    assert len(hung) == 1
    assert "/help" in await say(running, ana, "/help")
