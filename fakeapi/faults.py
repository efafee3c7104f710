"""Faults injected on demand into the fake Bot API: 5xx, hangs, lost answers, drops, 429s, and
requests held a while before they go through."""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web

from fakeapi.spec import ApiError

JSON = dict[str, Any]

# The bot's long poll is only faulted when a rule names getUpdates: a rule for "every method"
# is about what the bot sends, and a poll stuck behind it would only slow the test down.
POLLING = "getUpdates"
# A held request ends at the client's own timeout; this bounds it for a client that has none.
MAX_HOLD_SECONDS = 120.0
_HOLD_POLL_SECONDS = 0.01


class Fault(StrEnum):
    """What goes wrong with a request, as a real network or Telegram can make it go wrong.

    PTB's HTTPXRequest turns each into: SERVER_ERROR and BAD_GATEWAY -> NetworkError (with the
    description); HANG and DELIVERED_HANG -> TimedOut, after the client's read timeout; DROP and
    DELIVERED_DROP -> NetworkError ("Server disconnected without sending a response"); FLOOD ->
    RetryAfter.
    """

    SERVER_ERROR = "server_error"
    """Not performed; answered 500 in Telegram's JSON error shape."""
    BAD_GATEWAY = "bad_gateway"
    """Not performed; answered 502, as when Telegram's front end loses its back end."""
    HANG = "hang"
    """Not performed; held without an answer until the client gives up."""
    DELIVERED_HANG = "delivered_hang"
    """Performed (the message is in the chat), then held without an answer: the bot cannot know."""
    DELIVERED_DROP = "delivered_drop"
    """Performed, then the connection is closed before the answer: the bot cannot know."""
    DROP = "drop"
    """Not performed; the connection is closed abruptly, with no answer."""
    FLOOD = "flood"
    """Not performed; answered 429 with ``retry_after``, which the bot must then honour."""
    SLOW = "slow"
    """Held until the test releases it (``FaultRule.release()``) or ``hold`` seconds pass, then
    performed and answered as usual: Telegram slow to answer, not failing."""

    @property
    def performs(self) -> bool:
        """Whether the request takes effect before its answer is lost."""
        return self in (Fault.DELIVERED_HANG, Fault.DELIVERED_DROP)

    @property
    def status(self) -> int:
        """The HTTP status the client receives; 0 when it receives no answer at all."""
        return _STATUS.get(self, 0)


_STATUS = {Fault.SERVER_ERROR: 500, Fault.BAD_GATEWAY: 502, Fault.FLOOD: 429}


@dataclass
class FaultRule:
    """Which requests a fault hits: by method and chat (either optional), how many, how often."""

    kind: Fault
    method: str | None
    chat_id: int | str | None
    times: int | None
    share: float | None
    after: int
    retry_after: int
    rng: random.Random
    hold: float = MAX_HOLD_SECONDS
    seen: int = 0
    fired: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def release(self) -> None:
        """Lets the requests a SLOW fault holds go through, now and from now on."""
        self.released.set()

    async def held(self, stopping: Callable[[], bool]) -> None:
        """Waits out a SLOW fault: until released, ``hold`` seconds, or the fake stopping."""
        deadline = time.monotonic() + self.hold
        while not stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            # in short steps, so that the fake stopping ends the hold too
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), min(left, 0.1))
                return

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method is None:
            if method == POLLING:
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def draw(self) -> bool:
        """Counts one matching request and says whether the fault hits it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.share is not None and self.rng.random() >= self.share:
            return False
        self.fired += 1
        return True


@dataclass(frozen=True)
class FiredFault:
    """One request a fault hit, with the parameters the bot sent."""

    kind: Fault
    method: str
    chat_id: int | str | None
    params: JSON
    rule: FaultRule = field(repr=False, compare=False)


@dataclass
class _Penalty:
    """The wait a FLOOD fault announced; Telegram refuses the same requests until it is over."""

    rule: FaultRule
    until: float
    started: float


class FaultPlan:
    """The faults armed on one FakeTelegram (``fake.faults``), and a record of those that fired.

    An injected fault is not a refusal: the test's "no refused requests" check ignores it. A
    request the bot makes during a FLOOD fault's ``retry_after`` is refused, though (with 429
    again), since Telegram refuses it and a bot that does not wait is at fault.
    """

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.fired: list[FiredFault] = []
        self._penalties: list[_Penalty] = []
        # read on every request: a plain attribute, so the happy path pays one lookup
        self.armed = False

    def add(
        self,
        kind: Fault,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        times: int | None = None,
        share: float | None = None,
        seed: int = 0,
        after: int = 0,
        retry_after: int = 30,
        hold: float = MAX_HOLD_SECONDS,
    ) -> FaultRule:
        """Arm a fault for requests to ``method`` in ``chat_id`` (None: any).

        Without ``share`` it hits the next ``times`` matching requests (default 1). With
        ``share`` it hits that fraction of them, drawn from a generator seeded with ``seed`` so a
        run is repeatable, at most ``times`` times (default: no limit). The first ``after``
        matching requests are let through untouched. ``retry_after`` is for FLOOD, ``hold``
        (the longest a request is held before it goes through) for SLOW.
        """
        if share is not None and not 0.0 < share <= 1.0:
            raise ValueError(f"share must be in (0, 1], not {share}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        if after < 0 or retry_after < 1 or hold < 0:
            raise ValueError("after and hold must be >= 0 and retry_after >= 1")
        rule = FaultRule(
            kind=Fault(kind),
            method=method,
            chat_id=_chat_key(chat_id),
            times=times if times is not None or share is not None else 1,
            share=share,
            after=after,
            retry_after=retry_after,
            rng=random.Random(seed),
            hold=hold,
        )
        self.rules.append(rule)
        self.armed = True
        return rule

    def clear(self) -> None:
        """Disarm every fault and forget pending FLOOD waits; the record of fired faults stays."""
        self.rules.clear()
        self._penalties.clear()
        self.armed = False

    def count(self, kind: Fault | None = None, method: str | None = None) -> int:
        """How many requests faults hit, optionally of one kind or method."""
        return sum(
            1
            for f in self.fired
            if (kind is None or f.kind == kind) and (method is None or f.method == method)
        )

    def pick(
        self, method: str, params: JSON, logged: JSON, arrived: float | None = None
    ) -> FiredFault | None:
        """The fault that hits this request, if any; raises 429 inside a FLOOD fault's wait.
        ``arrived`` is when the request reached the fake (time.monotonic())."""
        chat_id = _chat_key(params.get("chat_id"))
        if self._penalties:
            in_flight = self._check_penalties(method, chat_id, arrived)
            if in_flight is not None:
                return FiredFault(Fault.FLOOD, method, chat_id, logged, in_flight.rule)
        for rule in self.rules:
            if rule.spent or not rule.matches(method, chat_id) or not rule.draw():
                continue
            fired = FiredFault(rule.kind, method, chat_id, logged, rule)
            self.fired.append(fired)
            if rule.kind is Fault.FLOOD:
                now = time.monotonic()
                self._penalties.append(_Penalty(rule, now + rule.retry_after, now))
            self._tidy()
            return fired
        return None

    def _check_penalties(
        self, method: str, chat_id: int | str | None, arrived: float | None
    ) -> _Penalty | None:
        """Refuses a request inside a FLOOD fault's wait. One that had already arrived when the
        429 was decided was sent before the bot could know (concurrent requests in flight): it
        gets a 429 too, as from Telegram, but is not counted against the bot (the penalty is
        returned instead of a refusal)."""
        now = time.monotonic()
        self._penalties = [p for p in self._penalties if p.until > now]
        for penalty in self._penalties:
            if penalty.rule.matches(method, chat_id):
                if arrived is not None and arrived < penalty.started:
                    return penalty
                wait = max(1, math.ceil(penalty.until - now))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        self._tidy()
        return None

    def _tidy(self) -> None:
        self.rules = [r for r in self.rules if not r.spent]
        self.armed = bool(self.rules or self._penalties)


def _chat_key(chat_id: Any) -> int | str | None:
    """Chat ids as the fake compares them: numbers as int, whether they came as text or not."""
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text


async def answer(
    request: web.Request, fired: FiredFault, stopping: Callable[[], bool]
) -> web.StreamResponse:
    """What the client gets for a request the fault hit (for the DELIVERED kinds: after it ran)."""
    kind = fired.kind
    if kind is Fault.FLOOD:
        wait = fired.rule.retry_after
        return _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
    if kind is Fault.SERVER_ERROR:
        return _error(500, "Internal Server Error")
    if kind is Fault.BAD_GATEWAY:
        return _error(502, "Bad Gateway")
    if kind in (Fault.HANG, Fault.DELIVERED_HANG):
        await _hold(request, stopping)
    _hang_up(request)
    # aiohttp discards an answer to a closed connection, so the client never sees this one
    return web.Response(status=204)


def _error(code: int, description: str, parameters: JSON | None = None) -> web.Response:
    return web.json_response(ApiError(code, description, parameters).payload(), status=code)


async def _hold(request: web.Request, stopping: Callable[[], bool]) -> None:
    """Keep the connection open without answering until the client gives up on it."""
    deadline = time.monotonic() + MAX_HOLD_SECONDS
    while time.monotonic() < deadline and not stopping():
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(_HOLD_POLL_SECONDS)


def _hang_up(request: web.Request) -> None:
    transport = request.transport
    if transport is not None and not transport.is_closing():
        transport.abort()
