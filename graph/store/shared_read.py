"""One read shared by the threads that need it at the same moment.

A served API asks the store for its version before every answer, so that no cached answer
outlives a write. On Neo4j that is a round trip per request; under twenty concurrent
clients most of them would wait in line for their own. :class:`SharedRead` lets them share:
each caller gets the result of a read that *began after the call did* — never an older
state than the one its question was asked in — and every caller that arrived while one
read was under way shares the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    def __init__(self, read: Callable[[], T]):
        self._read = read
        self._changed = threading.Condition()
        self._started = 0  # reads begun
        self._done = 0  # reads finished (the last one to finish is always the last begun)
        self._running = False
        self._last: tuple[T | None, BaseException | None] = (None, None)

    def __call__(self) -> T:
        with self._changed:
            needed = self._started + 1  # the first read to begin after this call
            while self._done < needed and self._running:
                self._changed.wait()
            if self._done >= needed:  # a read that began after this call has finished: share it
                value, error = self._last
                if error is not None:
                    raise error
                return value  # type: ignore[return-value]
            self._running = True  # none under way: read for everyone waiting
            self._started += 1
            mine = self._started
        value, error = None, None
        try:
            value = self._read()
        except BaseException as exc:  # handed to the callers that share this read
            error = exc
        with self._changed:
            self._running = False
            self._done = mine
            self._last = (value, error)
            self._changed.notify_all()
        if error is not None:
            raise error
        return value  # type: ignore[return-value]
