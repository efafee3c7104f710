"""Updates reaching the bot: the queue, getUpdates (long polling) and the webhook state."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from typing import TYPE_CHECKING

from aiohttp import web

from fakeapi.records import JSON
from fakeapi.spec import ApiError, bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

# Telegram leaves these out of getUpdates unless asked for by name.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def enqueue(fake: FakeTelegram, kind: str, payload: JSON) -> JSON:
    update = {"update_id": fake._next_update_id, kind: payload}
    fake._next_update_id += 1
    fake._updates.append(update)
    fake._last_activity = time.monotonic()
    wake_pollers(fake)
    return update


def wake_pollers(fake: FakeTelegram) -> None:
    if fake._updates_changed is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop, so no long poll is waiting either
    task = loop.create_task(notify_updates(fake))
    fake._background.add(task)
    task.add_done_callback(fake._background.discard)


async def notify_updates(fake: FakeTelegram) -> None:
    if fake._updates_changed is None:
        return
    async with fake._updates_changed:
        fake._updates_changed.notify_all()


def set_allowed_updates(fake: FakeTelegram, allowed: list[str]) -> None:
    """The update types the bot asked for (none named: Telegram's default set)."""
    unknown = sorted(set(allowed) - fake.spec.update_types)
    if unknown:
        raise bad_request(f"unknown update types in allowed_updates: {unknown}")
    fake._allowed_updates = frozenset(allowed) if allowed else None


async def get_updates(fake: FakeTelegram, request: web.Request, params: JSON) -> list[JSON]:
    if fake.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use "
            "deleteWebhook to delete the webhook first",
        )
    if "allowed_updates" in params:
        set_allowed_updates(fake, params["allowed_updates"])
    limit = params.get("limit", 100)
    if not 1 <= limit <= 100:
        raise bad_request("limit must be 1-100")
    timeout = max(0, params.get("timeout", 0))
    _confirm(fake, params.get("offset"))

    # A newer getUpdates ends any older one, as on Telegram.
    fake._poll_generation += 1
    generation = fake._poll_generation
    await notify_updates(fake)
    batch = collect(fake, limit)
    if batch or timeout == 0:
        return _delivered(fake, batch)
    deadline = time.monotonic() + timeout
    assert fake._updates_changed is not None
    async with fake._updates_changed:
        while generation == fake._poll_generation:
            if fake._stopping:
                return []
            batch = collect(fake, limit)
            if batch:
                return _delivered(fake, batch)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(fake._updates_changed.wait(), remaining)
            except TimeoutError:
                return []
    transport = request.transport
    if transport is None or transport.is_closing():
        raise Superseded
    raise ApiError(
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
    )


def _delivered(fake: FakeTelegram, batch: list[JSON]) -> list[JSON]:
    if batch:
        fake._last_activity = time.monotonic()
    return batch


def _confirm(fake: FakeTelegram, offset: int | None) -> None:
    if offset is None:
        return
    if offset < 0:
        keep = -offset
        while len(fake._updates) > keep:
            fake._updates.popleft()
        return
    while fake._updates and fake._updates[0]["update_id"] < offset:
        fake._updates.popleft()


def _is_allowed(fake: FakeTelegram, update: JSON) -> bool:
    kind = next(k for k in update if k != "update_id")
    if fake._allowed_updates is None:
        return kind not in DEFAULT_EXCLUDED_UPDATES
    return kind in fake._allowed_updates


def collect(fake: FakeTelegram, limit: int) -> list[JSON]:
    if not fake._updates:
        return []
    if not all(_is_allowed(fake, u) for u in fake._updates):
        # Telegram never creates updates of types the bot did not ask for.
        fake._updates = deque(u for u in fake._updates if _is_allowed(fake, u))
    return list(itertools.islice(fake._updates, limit))


async def set_webhook(fake: FakeTelegram, params: JSON) -> bool:
    return await fake.webhooks.set(params)


async def delete_webhook(fake: FakeTelegram, params: JSON) -> bool:
    return await fake.webhooks.delete(params)


async def get_webhook_info(fake: FakeTelegram, params: JSON) -> JSON:
    return fake.webhooks.info()


class Superseded(Exception):
    """A long poll replaced by a newer one whose client had already gone."""
