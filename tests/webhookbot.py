"""The real bot in webhook mode against the fake Bot API, which posts updates to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from bot.web.metrics import CountingApplication
from bot.web.server import SECRET_HEADER
from fakeapi.running import RunningBot

PUBLIC_ORIGIN = "https://afterview.example"
WEBHOOK_URL = PUBLIC_ORIGIN + "/telegram/updates"
SECRET = "Webhook-secret_0123456789"


def webhook_bot(database: Path, **settings: Any) -> RunningBot:
    """A RunningBot set for webhook mode on a free local port; start it with start_webhook_bot."""
    values: dict[str, Any] = {
        "webhook_url": WEBHOOK_URL,
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": 0,
    }
    values.update(settings)
    return RunningBot(database, **values)


async def start_webhook_bot(running: RunningBot) -> None:
    """Start the bot, then stand in for the TLS proxy: the fake's posts to the public URL reach
    the port the bot took. Nothing is pending before it, so no post goes astray."""
    await running.start()
    running.fake.webhooks.route(PUBLIC_ORIGIN, local_origin(running))


def local_origin(running: RunningBot) -> str:
    return origin_of(running.application)


def origin_of(application: object) -> str:
    """Where a webhook-mode application's server listens (any replica's)."""
    assert isinstance(application, CountingApplication) and application.web is not None
    return f"http://127.0.0.1:{application.web.port}"


def local_url(running: RunningBot, path: str = "/telegram/updates") -> str:
    return local_origin(running) + path


async def post_update(
    running: RunningBot,
    body: Any,
    *,
    secret: str | None = SECRET,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a body to the bot's webhook as anyone on the network could."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if secret is not None:
        sent[SECRET_HEADER] = secret
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(local_url(running), content=body, headers=sent)


async def get(running: RunningBot, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(local_url(running, path))
