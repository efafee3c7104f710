"""Telegram's flood limits, as the fake enforces them on what the bot sends."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import TYPE_CHECKING

from fakeapi.spec import ApiError

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

# Telegram's documented flood limits; see the README of the Bot API spec we ship.
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_BURST = 8


def check_rate(fake: FakeTelegram, chat_id: int) -> None:
    if not fake.enforce_rate_limits:
        return
    now = time.monotonic()
    window = fake._global_window
    while window and window[0] <= now - 1.0:
        window.popleft()
    if len(window) >= GLOBAL_PER_SECOND:
        _too_many(fake, window[0] + 1.0 - now)
    per_chat = fake._chat_windows.setdefault(chat_id, deque())
    span = 60.0 if chat_id < 0 else 1.0
    limit = GROUP_PER_MINUTE if chat_id < 0 else PRIVATE_BURST
    while per_chat and per_chat[0] <= now - span:
        per_chat.popleft()
    if len(per_chat) >= limit:
        _too_many(fake, per_chat[0] + span - now)
    window.append(now)
    per_chat.append(now)


def _too_many(fake: FakeTelegram, wait: float) -> None:
    retry_after = max(1, math.ceil(wait))
    # settle() should wait out the bot's back-off instead of calling it quiet too early.
    fake._last_activity = max(fake._last_activity, time.monotonic() + retry_after)
    raise ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )
