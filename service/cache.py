"""Answers of the read-only analytics, cached per store version: the same question on the
same data is computed once — also when many clients ask it at the same moment — and served
as ready JSON. Any write moves the store's version on, so nothing stale is served."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from tular.graph.store import GraphStore


class AnswerCache:
    def __init__(self, size: int = 256):
        self.size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple, bytes] = OrderedDict()
        self._computing: dict[tuple, threading.Lock] = {}

    def get(self, version: str, question: Hashable, compute: Callable[[], bytes]) -> bytes:
        key = (version, question)
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            flight = self._computing.setdefault(key, threading.Lock())
        with flight:  # the first asker computes; the others wait for its answer
            with self._lock:
                if key in self._answers:
                    return self._answers[key]
            try:
                answer = compute()
            except BaseException:
                with self._lock:  # a question that failed is not remembered, nor its flight
                    self._computing.pop(key, None)
                raise
            with self._lock:
                self._answers[key] = answer
                self._computing.pop(key, None)
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
            return answer

    def answer(self, store: GraphStore, question: Hashable, compute: Callable[[], bytes]) -> bytes:
        """:meth:`get` under the store's version, read once on entry; ``compute`` runs on the
        store's state from then on (:meth:`GraphStore.pinned`)."""
        with store.pinned() as version:
            return self.get(version, question, compute)
