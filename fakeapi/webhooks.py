"""The fake's webhook side: setWebhook, deleteWebhook and getWebhookInfo as the Bot API
documents them, and updates pushed to the bot's URL with the secret header, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from fakeapi import updates
from fakeapi.spec import bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

JSON = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Telegram posts webhooks to these ports only
_PORTS = frozenset({443, 80, 88, 8443})
# a failed delivery is tried again after this, doubling up to the cap (Telegram's own pauses
# are longer; the tests should not wait for them)
_RETRY_FIRST = 0.05
_RETRY_CAP = 1.0
_POST_TIMEOUT = 10.0


class WebhookPusher:
    """The webhook the bot set, and the loop that delivers pending updates to it in order.

    The URL is public https, as Telegram demands; ``route`` says where its origin really
    answers (the TLS-terminating proxy an operator puts in front of the bot), so the tests
    reach a bot listening on plain HTTP on 127.0.0.1.
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.ip_address: str | None = None
        self.has_custom_certificate = False
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        # every delivery attempt: (update_id, HTTP status, 0 when no answer came)
        self.attempts: list[tuple[int, int]] = []
        # how many of the bot's next answers are lost on their way back: Telegram then takes
        # the post for failed and sends the same update again, as it does when a 200 times out
        self.answers_to_lose = 0
        self._routes: dict[str, list[str]] = {}
        self._posts = 0
        self._task: asyncio.Task[None] | None = None

    def route(self, public_origin: str, *local_origins: str) -> None:
        """Deliver what is meant for ``public_origin`` (``https://host[:port]``) to
        ``local_origin`` (``http://127.0.0.1:port``) instead; given several, take them in turn
        post by post, as a load balancer in front of replicas does."""
        self._routes[public_origin.rstrip("/")] = [o.rstrip("/") for o in local_origins]
        # the next post goes to the first of them
        self._posts = 0

    # ------------------------------------------------------------------ the three methods

    async def set(self, params: JSON) -> bool:
        url = params["url"]
        if not url:
            return await self.delete(params)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        try:
            port = parts.port or 443
        except ValueError as exc:
            raise bad_request("bad webhook: Failed to resolve host: port is invalid") from exc
        if port not in _PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        connections = params.get("max_connections", 40)
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            updates.set_allowed_updates(self._fake, params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._fake._updates.clear()
        changed = url != self.url
        self.url = url
        self.secret = secret
        self.max_connections = connections
        self.ip_address = params.get("ip_address")
        self.has_custom_certificate = "certificate" in params
        if changed:
            self.last_error_date = self.last_error_message = None
        self._ensure_running()
        return True

    async def delete(self, params: JSON) -> bool:
        self.url = ""
        self.secret = None
        self.has_custom_certificate = False
        self.ip_address = None
        if params.get("drop_pending_updates"):
            self._fake._updates.clear()
        updates.wake_pollers(self._fake)
        return True

    def info(self) -> JSON:
        fake = self._fake
        out: JSON = {
            "url": self.url,
            "has_custom_certificate": self.has_custom_certificate,
            "pending_update_count": len(fake._updates),
        }
        if self.url:
            out["max_connections"] = self.max_connections
            if self.ip_address:
                out["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            out["last_error_date"] = self.last_error_date
            out["last_error_message"] = self.last_error_message
        if fake._allowed_updates is not None:
            out["allowed_updates"] = sorted(fake._allowed_updates)
        return out

    # ------------------------------------------------------------------ delivery

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver_all())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _target(self) -> str:
        parts = urlsplit(self.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        targets = self._routes.get(origin, [origin])
        base = targets[self._posts % len(targets)]
        self._posts += 1
        return base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def _deliver_all(self) -> None:
        """One update at a time, oldest first; an update leaves the queue only once the bot
        answered 2xx, as on Telegram, so a bot that is down gets it when it is back."""
        fake = self._fake
        pause = _RETRY_FIRST
        timeout = aiohttp.ClientTimeout(total=_POST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self.url and not fake._stopping:
                condition = fake._updates_changed
                assert condition is not None
                async with condition:
                    batch = updates.collect(fake, 1)
                    if not batch:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(condition.wait(), 0.5)
                        continue
                update = batch[0]
                if await self._post(session, update):
                    pause = _RETRY_FIRST
                    with contextlib.suppress(ValueError):
                        fake._updates.remove(update)
                    fake._last_activity = time.monotonic()
                else:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _RETRY_CAP)

    async def _post(self, session: aiohttp.ClientSession, update: JSON) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        self._fake._last_activity = time.monotonic()
        try:
            async with session.post(self._target(), json=update, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.attempts.append((update["update_id"], 0))
            self._failed(f"Connection failed: {type(exc).__name__}")
            return False
        if 200 <= status < 300 and self.answers_to_lose > 0:
            self.answers_to_lose -= 1
            self.attempts.append((update["update_id"], 0))
            self._failed("Read timeout expired")
            return False
        self.attempts.append((update["update_id"], status))
        if 200 <= status < 300:
            return True
        self._failed(f"Wrong response from the webhook: {status} {response.reason or ''}".strip())
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = int(self._fake.clock().timestamp())
        self.last_error_message = message
