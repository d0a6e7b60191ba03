"""One read shared by the threads that need it at the same moment.

A served API asks the store for its version before every answer, so that no cached answer
outlives a write. On Neo4j that is a round trip per request; under twenty concurrent
clients most of them would wait in line for their own. :class:`SharedRead` lets them share:
each caller gets the result of a read that *began after the call did* — never an older
state than the one its question was asked in — and every caller that arrived while one
read was under way shares the next. :class:`Turns` is its twin for work that is kept once
done (an answer, a checked key): callers with the same key take turns, so that the first does
it and the others find it done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
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


class Turns:
    """A lock per key, made when a caller first wants it and dropped when nobody holds it or
    waits for it: callers with the same key take turns, callers with other keys do not wait.
    The one whose turn comes first does the work and keeps what it made; the others, in their
    turn, look again and find it (a failed attempt keeps nothing, and the next one tries)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[Hashable, tuple[threading.Lock, int]] = {}  # key: (its lock, callers holding or waiting)

    @contextmanager
    def turn(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            lock, callers = self._keys.get(key) or (threading.Lock(), 0)
            self._keys[key] = (lock, callers + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                callers = self._keys[key][1] - 1
                if callers:
                    self._keys[key] = (lock, callers)
                else:
                    del self._keys[key]

    def __len__(self) -> int:
        """The keys someone holds or waits for."""
        with self._lock:
            return len(self._keys)
