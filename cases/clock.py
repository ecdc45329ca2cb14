"""The clock is injected everywhere: nothing in the engine calls `now()` itself, so tests
and demos can move time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, optionally shifted forward for demonstrations (never in production)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
        return self.now()


class FixedClock(Clock):
    """A clock that stands still until told to move: for tests and `coopflow tick --at`."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        if at.tzinfo is None:
            raise ValueError("a clock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._at += delta
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at
