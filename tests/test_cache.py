"""The API's answer cache: one computation per question and store version, also when many
ask at once; a failed computation is neither cached nor leaked. And the store version read
that concurrent requests share (:class:`~tular.graph.store.shared_read.SharedRead`)."""

from __future__ import annotations

import threading

import pytest

from tular.graph.store.shared_read import SharedRead
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
    assert len(cache._computing) == 0  # nobody holds or waits for a turn
    assert cache.get("v", "bad", lambda: b"ok") == b"ok"


def test_oldest_answers_are_dropped_beyond_the_size():
    cache = AnswerCache(size=2)
    for q in ("a", "b", "c"):
        cache.get("v", q, lambda q=q: q.encode())
    calls = []
    cache.get("v", "a", lambda: calls.append(1) or b"a")
    assert calls == [1]


def test_a_shared_read_is_never_older_than_the_call_and_is_shared():
    """Every caller writes (moves the state on), then reads: the read it gets must have begun
    after its write. Twenty threads at once share far fewer reads than calls."""
    state, reads, lock = {"writes": 0}, [], threading.Lock()

    def read() -> int:
        with lock:
            seen = state["writes"]
            reads.append(seen)
        threading.Event().wait(0.01)  # a round trip
        return seen

    shared, failures = SharedRead(read), []

    def caller():
        for _ in range(10):
            with lock:
                state["writes"] += 1
                mine = state["writes"]
            got = shared()
            if got < mine:
                failures.append((mine, got))

    threads = [threading.Thread(target=caller) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert shared() == 200
    assert len(reads) < 200 / 2  # shared: in practice about one read per round of twenty calls


def test_a_failed_shared_read_fails_its_callers_and_the_next_call_reads_again():
    answers = iter([RuntimeError("store down"), 7])

    def read() -> int:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    shared = SharedRead(read)
    with pytest.raises(RuntimeError, match="store down"):
        shared()
    assert shared() == 7


def test_a_kept_answer_goes_gzipped_to_who_accepts_it_and_plain_to_the_others():
    """Compressed once with the answer (:class:`JSONAnswer`), through the app's GZip middleware
    untouched: the same JSON either way, its length and ``Vary`` right, small bodies plain."""
    from fastapi import FastAPI
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.testclient import TestClient

    from tular.service.cache import COMPRESS_FROM, JSONAnswer, JSONAnswerResponse

    large = JSONAnswer.of(b'{"rows": [' + b", ".join(b'{"n": %d}' % i for i in range(400)) + b"]}")
    small = JSONAnswer.of(b'{"n": 1}')
    assert large.gzipped is not None and len(large.gzipped) < len(large.body) and small.gzipped is None
    app = FastAPI()
    app.add_api_route("/large", lambda: JSONAnswerResponse(large))
    app.add_api_route("/small", lambda: JSONAnswerResponse(small))
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_FROM)
    client = TestClient(app)
    for encoding, expected in (("gzip", "gzip"), ("gzip, deflate", "gzip"), ("identity", None)):
        response = client.get("/large", headers={"Accept-Encoding": encoding})
        assert response.content == large.body and response.headers.get("content-encoding") == expected
        assert response.headers["vary"].lower() == "accept-encoding"  # once, by whichever compressed
        assert response.headers["content-type"] == "application/json"
        raw = response.headers["content-length"]
        assert int(raw) == len(large.gzipped if expected else large.body)
    plain = client.get("/small", headers={"Accept-Encoding": "gzip"})
    assert plain.content == small.body and "content-encoding" not in plain.headers
