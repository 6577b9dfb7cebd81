"""The one model worker: a daemon thread that runs inference and model loading in order.

One thread, because torch already spreads one inference over the cores; a daemon, so a client
that disconnects in the middle of a long check or a model load never keeps the process alive.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_STOP = object()


class ModelWorker:
    def __init__(self, name: str = "electra-lsp-model") -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()
        self.busy = False

    def submit(self, function: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((function, future))
        return future

    async def run(self, function: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.submit(function))

    def stop(self) -> None:
        self._jobs.put(_STOP)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            function, future = job
            if not future.set_running_or_notify_cancel():
                continue
            self.busy = True
            try:
                future.set_result(function())
            except BaseException as error:  # noqa: B036 - handed to the awaiting coroutine
                future.set_exception(error)
            finally:
                self.busy = False
