"""Load (SPEC §9 "Reliable"): 20 concurrent clients on loopback read and record teaching
events against a real `tular serve` → no error, no acknowledged write lost or stored twice.

The two-minute run on the city-scale demo is `python -m benchmarks.load --demo`; its figures
are in docs/reliability.md. This test runs the same workload for 30 seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import check_stored, prepare, run_load, serve
from tular.graph.store import EmbeddedStore

from .factories import small_batik_program
from .neo4j_server import free_port

CLIENTS, SECONDS, LEARNERS = 20, 30, 5_000


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_twenty_clients_reading_and_writing_lose_nothing(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    store.write(small_batik_program())
    viewer, editor = prepare(store, LEARNERS)
    port = free_port()
    process = serve(f"sqlite:///{tmp_path / 'tular.db'}", port)
    try:
        result = run_load(f"http://127.0.0.1:{port}", viewer, editor, CLIENTS, SECONDS, 0.2, LEARNERS)
    finally:
        process.terminate()
        process.wait(timeout=60)
    check = check_stored(store, result)
    print(f"\nload: {result.figures()} {check}")
    assert result.errors == 0, result.error_samples
    assert result.reads > 100 and result.writes_acknowledged > 20  # the load was real
    assert check == {"acknowledged": result.writes_acknowledged, "stored": result.writes_acknowledged, "lost": 0,
                     "unacknowledged_but_stored": 0, "duplicate_acknowledgements": 0,
                     "batches_logged": result.writes_acknowledged}
    assert store.counts().teachings == 5 + result.writes_acknowledged
    store.close()


def test_two_batches_logged_in_the_same_second_with_the_same_random_id_both_succeed(store, monkeypatch):
    """Found by the load test: the API records several events a second, and batch ids (second +
    three random characters) repeated — the second write then failed."""
    from tular.graph.model.records import BatchMeta, Records
    from tular.graph.store import batches

    from .factories import ikm

    drawn = iter(["B261130-120000-abc", "B261130-120000-abc", "B261130-120000-abc", "B261130-120000-def"])
    monkeypatch.setattr(batches, "new_batch_id", lambda now: next(drawn))
    first = store.write(Records(ikm=[ikm("one")]), BatchMeta(who="petugas"))
    second = store.write(Records(ikm=[ikm("two")]), BatchMeta(who="petugas"))
    assert (first.batch_id, second.batch_id) == ("B261130-120000-abc", "B261130-120000-def")
    assert [b.batch_id for b in store.batches()] == ["B261130-120000-abc", "B261130-120000-def"]
