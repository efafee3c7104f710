"""The one clock the bot reads, so tests and the sandbox can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Tells the current time in UTC; the real one reads the system clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock(Clock):
    """A clock that stands still until told to move; used by tests and the sandbox."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now
