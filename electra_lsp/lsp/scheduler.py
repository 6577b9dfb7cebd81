"""Which open documents need checking, most urgent first, with debouncing after edits."""

from __future__ import annotations

import asyncio
import itertools
from enum import IntEnum


class Priority(IntEnum):
    EDIT = 0  # a document the user is typing in, or an explicit check request
    OPEN = 1  # a document just opened (or waiting for the models)
    BACKGROUND = 2  # re-checks after a settings, dictionary or model change


class CheckQueue:
    """One pending entry per document; a newer request replaces an older, keeping the most
    urgent priority. A debounced request enters the queue only when its timer fires, so a run
    of edits becomes one check."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[int, int]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._order = itertools.count()
        self._ready = asyncio.Event()

    def schedule(self, uri: str, priority: Priority, delay: float = 0.0) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if delay > 0:
            loop = asyncio.get_running_loop()
            self._timers[uri] = loop.call_later(delay, self._enqueue, uri, priority)
        else:
            self._enqueue(uri, priority)

    def _enqueue(self, uri: str, priority: Priority) -> None:
        self._timers.pop(uri, None)
        current = self._pending.get(uri)
        if current is None or priority < current[0]:
            self._pending[uri] = (int(priority), next(self._order))
        self._ready.set()

    def discard(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._pending.pop(uri, None)

    def waiting(self, uri: str) -> bool:
        """Whether a check of `uri` is queued or debounced."""
        return uri in self._pending or uri in self._timers

    def more_urgent_than(self, priority: int) -> bool:
        return any(entry[0] < priority for entry in self._pending.values())

    def __len__(self) -> int:
        return len(self._pending)

    async def get(self) -> tuple[str, Priority]:
        while not self._pending:
            self._ready.clear()
            await self._ready.wait()
        uri = min(self._pending, key=self._pending.__getitem__)
        priority, _ = self._pending.pop(uri)
        return uri, Priority(priority)
