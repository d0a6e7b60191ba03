"""The API's answer cache: one computation per question and store version, also when many
ask at once; a failed computation is neither cached nor leaked."""

from __future__ import annotations

import threading

import pytest

from tular.service.cache import AnswerCache


def test_same_question_same_version_is_computed_once():
    cache, calls = AnswerCache(), []
    compute = lambda: calls.append(1) or b"42"  # noqa: E731
    assert cache.get("v1", "reach", compute) == b"42"
    assert cache.get("v1", "reach", compute) == b"42"
    assert len(calls) == 1
    assert cache.get("v2", "reach", compute) == b"42"  # a write moved the version on
    assert len(calls) == 2


def test_concurrent_askers_share_one_computation():
    cache, calls, started = AnswerCache(), [], threading.Event()
    release = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return b"answer"

    answers: list[bytes] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("v", "q", slow))) for _ in range(10)]
    for t in threads:
        t.start()
    started.wait(5)
    release.set()
    for t in threads:
        t.join(5)
    assert answers == [b"answer"] * 10
    assert len(calls) == 1


def test_a_failed_computation_is_not_cached_nor_left_in_flight():
    cache = AnswerCache()

    def fails():
        raise ValueError("store said no")

    for _ in range(3):
        with pytest.raises(ValueError):
            cache.get("v", "bad", fails)
    assert cache._computing == {}
    assert cache.get("v", "bad", lambda: b"ok") == b"ok"


def test_oldest_answers_are_dropped_beyond_the_size():
    cache = AnswerCache(size=2)
    for q in ("a", "b", "c"):
        cache.get("v", q, lambda q=q: q.encode())
    calls = []
    cache.get("v", "a", lambda: calls.append(1) or b"a")
    assert calls == [1]
