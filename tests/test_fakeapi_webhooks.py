"""The fake Bot API's webhook methods refuse what Telegram refuses, and its pushes behave as
Telegram's: the secret header, one update at a time, kept until answered 2xx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import BadRequest, Conflict

from fakeapi import FakeTelegram

TOKEN = "123456:TEST-token"
URL = "https://afterview.example/hook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


class Receiver:
    """A stand-in for the bot's webhook that answers with the statuses it is told to."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = statuses or []
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((body, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._take)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def _until(condition: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never came true")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"url": "http://afterview.example/hook"}, "HTTPS URL must be provided"),
        ({"url": "https://afterview.example:9000/hook"}, "ports 80, 88, 443 or 8443"),
        ({"url": URL, "secret_token": "no spaces allowed"}, "unallowed characters"),
        ({"url": URL, "secret_token": "x" * 257}, "1-256 characters"),
        ({"url": URL, "max_connections": 0}, "max_connections"),
        ({"url": URL, "allowed_updates": ["message", "gossip"]}, "unknown update types"),
    ],
    ids=["http", "port", "secret-characters", "secret-length", "connections", "update-type"],
)
async def test_setwebhook_refuses_what_telegram_refuses(
    fake: FakeTelegram, bot: telegram.Bot, fields: dict[str, Any], says: str
) -> None:
    # PTB changes the case of the description's first letters
    with pytest.raises(BadRequest, match=f"(?i){says}"):
        await bot.set_webhook(**fields)
    assert fake.webhook_url == ""
    fake.refusals.clear()


async def test_getupdates_is_a_409_conflict_while_a_webhook_is_set(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    assert await bot.set_webhook(URL, secret_token="s3cret")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert [r.error_code for r in fake.refusals] == [409]
    fake.refusals.clear()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_updates_are_pushed_with_the_secret_and_kept_until_answered_2xx(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    fake.webhooks.route("https://afterview.example", f"http://127.0.0.1:{port}")
    await bot.set_webhook(URL, secret_token="s3cret", allowed_updates=["message"])
    ana = fake.add_user("Ana")
    await ana.send("first")
    await ana.send("second")
    # nobody listens yet: Telegram keeps the updates and says why in getWebhookInfo
    await _until(lambda: fake.webhooks.last_error_message is not None)
    info = await bot.get_webhook_info()
    assert info.url == URL
    assert info.pending_update_count == 2
    assert info.last_error_message is not None and info.last_error_date is not None
    assert info.allowed_updates == ("message",)
    # the bot comes up, refuses once, then takes them: in order, each with the secret
    receiver = Receiver(statuses=[500])
    await receiver.start(port)
    try:
        await _until(lambda: fake.pending_updates == 0)
        texts = [body["message"]["text"] for body, _ in receiver.received]
        assert texts == ["first", "first", "second"]
        assert {secret for _, secret in receiver.received} == {"s3cret"}
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert "500" in (info.last_error_message or "")
    finally:
        await receiver.stop()


async def test_deletewebhook_can_drop_what_is_pending(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    # routed nowhere, so the update stays pending
    fake.webhooks.route("https://afterview.example", "http://127.0.0.1:9")
    await bot.set_webhook(URL)
    await fake.add_user("Ana").send("hello")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.get_updates() == ()
