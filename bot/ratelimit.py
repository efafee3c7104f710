"""Keeps every Bot API call within Telegram's limits, and retries after a 429."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.sendbudget import SharedBudget

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]

# Methods that count towards the message limits; reads like getMe or answers to taps do not.
COUNTED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


class SlidingWindow:
    """At most `limit` requests in any `period` seconds, as the server counts them.

    A request counts from the moment it is let through until `period` seconds after its answer
    came back. The server sees it arrive somewhere in between, so however the network delays
    requests, no window of the server's ever holds more than `limit`. (A leaky bucket, which
    aiolimiter implements, lets a full burst through and then the steady rate, which can put
    twice the limit in one rolling second; stamping at departure alone breaks under jitter.)
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._finished and now - self._finished[0] >= self.period:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) < self.limit:
                    self._in_flight += 1
                    return
                # when every slot is a request still on its way, its answer frees one soon
                wait = self.period - (now - self._finished[0]) if self._finished else 0.005
                await asyncio.sleep(max(wait, 0.001))

    def release(self) -> None:
        self._in_flight -= 1
        self._finished.append(time.monotonic())


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Global, per-group and per-private-chat windows, with waiting out a 429's retry_after."""

    def __init__(
        self,
        overall_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int = 4,
        max_retries: int = 8,
        before_request: Callable[[], Awaitable[None]] | None = None,
        shared: SharedBudget | None = None,
    ) -> None:
        # called before every request leaves: the bot commits its open unit of work there
        self._before_request = before_request
        # the budget replicas on one PostgreSQL database share (bot/sendbudget.py)
        self._shared = shared
        self._overall = SlidingWindow(overall_per_second, 1.0)
        self._group_limit = group_per_minute
        self._private_limit = private_per_second
        self._chats: dict[int | str, SlidingWindow] = {}
        self._max_retries = max_retries
        self._paused_until = 0.0
        self.retries = 0
        # every 429 Telegram answered, the one that ends the retries included (for /metrics)
        self.too_many_requests = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _window(self, chat_id: int | str) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            is_group = isinstance(chat_id, str) or chat_id < 0
            window = (
                SlidingWindow(self._group_limit, 60.0)
                if is_group
                else SlidingWindow(self._private_limit, 1.0)
            )
            if len(self._chats) > 50_000:
                # forget idle chats now and then, so memory stays flat
                self._chats.clear()
            self._chats[chat_id] = window
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if self._before_request is not None:
            await self._before_request()
        counted = endpoint.startswith(COUNTED_PREFIXES)
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            wait = self._paused_until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            windows: list[SlidingWindow] = []
            if counted:
                if isinstance(chat_id, int | str) and chat_id != "":
                    windows.append(self._window(chat_id))
                windows.append(self._overall)
            acquired: list[SlidingWindow] = []
            slots: list[int] = []
            try:
                # The shared budget first, then this process's windows: a window counts from its
                # acquisition, so one taken before a wait for the shared slot would count the
                # wait too and, with the same limit, pace the process below Telegram's rate.
                # Taken after the shared slot and released before it, a window spans less than
                # the slot and never holds up a request the shared budget let through; when the
                # shared budget is away (or on SQLite), the windows alone keep the limits.
                if counted and self._shared is not None:
                    slots = await self._shared.take(chat_id if chat_id != "" else None)
                for window in windows:
                    await window.acquire()
                    acquired.append(window)
                # a 429 may have come in while this request waited for its window: it waits too
                wait = self._paused_until - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.too_many_requests += 1
                if attempt == retries:
                    raise
                pause = exc.retry_after
                seconds = pause if isinstance(pause, int | float) else pause.total_seconds()
                self.retries += 1
                log.info("429 from Telegram: waiting %.1f s before trying again", seconds)
                self._paused_until = max(self._paused_until, time.monotonic() + seconds + 0.05)
            finally:
                for window in acquired:
                    window.release()
                if slots:
                    assert self._shared is not None
                    await self._shared.free(slots)
        raise AssertionError("unreachable")
