"""Many writers, one truth (SPEC §3): writers in separate processes, started together at a
barrier, against each store — the real Neo4j test server included. Whatever the number of
writers: one TAUGHT_BY per (learner, teacher, skill), one ATTENDED per (IKM, training), no
IKM twice, no cycle within a skill; a concurrent duplicate is answered as a sequential one,
a concurrent conflict is rejected with the sequential message, nothing crashes.

The figures these tests print (with ``-s``) are the ones in docs/reliability.md; the longer
run is ``benchmarks/concurrent_writes.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tular.graph.io.backup import restore_file, take_backup, write_backup
from tular.graph.io.ingest import import_files
from tular.graph.model.errors import StoreBusy
from tular.graph.store import EmbeddedStore, GraphStore

from .writers import (
    TODAY,
    import_together,
    program_files,
    random_writer,
    run_writers,
    tally,
    violations,
    write_files,
)

#: Writers × operations of the randomised run (the benchmark runs more).
WRITERS = int(os.environ.get("TULAR_TEST_WRITERS", "8"))
OPERATIONS = int(os.environ.get("TULAR_TEST_OPERATIONS", "50"))
LOCK_WAIT = 60.0  # the tests count outcomes, not waiting: a writer here waits its turn


def url_of(store: GraphStore) -> str:
    return store.display_url


def other_store(request: pytest.FixtureRequest, store: GraphStore) -> GraphStore:
    return request.getfixturevalue("neo4j_store" if isinstance(store, EmbeddedStore) else "embedded_store")


def test_identical_imports_at_once_store_each_record_once(store: GraphStore, tmp_path: Path) -> None:
    files = [str(p) for p in program_files(tmp_path / "program")]
    writers = 4
    outcomes = run_writers(import_together, [(url_of(store), [files], LOCK_WAIT)] * writers)

    assert tally(outcomes) == {"ok": writers}, outcomes
    reports = [o["result"] for o in outcomes]
    first = [r for r in reports if r["created"].get("teachings")]
    assert len(first) == 1, reports  # one import wrote; the others found it all there
    assert first[0]["created"] == {"ikm": 100, "trainings": 1, "attendance": 10, "teachings": 180}
    for later in (r for r in reports if r is not first[0]):
        assert later["created"] == {"ikm": 0, "trainings": 0, "attendance": 0, "teachings": 0}
        assert later["unchanged"]["teachings"] == 180
    counts = store.counts()
    assert (counts.ikm, counts.attendance, counts.teachings) == (100, 10, 180)
    assert violations(store).total() == 0
    assert len(store.batches()) == writers  # each import is a batch, as when run one after the other


def test_opposite_teachings_at_once_store_one_and_reject_the_other(store: GraphStore, tmp_path: Path) -> None:
    rounds = 6
    import_files(store, program_files(tmp_path / "program", ikm=2 * rounds + 10, prefix="P")[:1],
                 today=TODAY, who="petugas")
    forward, backward = [], []
    for r in range(rounds):
        a, b = f"P-{10 + 2 * r:04d}", f"P-{11 + 2 * r:04d}"
        header = "learner_id,teacher_id,skill,date"
        forward.append([str(p) for p in write_files(tmp_path / f"f{r}", {"teachings": [header, f"{b},{a},kemasan,2022-03-01"]})])
        backward.append([str(p) for p in write_files(tmp_path / f"b{r}", {"teachings": [header, f"{a},{b},kemasan,2022-03-02"]})])
    outcomes = run_writers(import_together, [(url_of(store), forward, LOCK_WAIT), (url_of(store), backward, LOCK_WAIT)])

    assert tally(outcomes) == {"ok": rounds, "rejected": rounds}, outcomes
    for outcome in outcomes:
        if not outcome["result"]["ok"]:
            [reason] = outcome["result"]["errors"]
            assert "would close a cycle for skill kemasan" in reason  # the sequential message
    stored = {(t.learner_id, t.teacher_id) for t in store.all_teachings() if t.skill == "kemasan"}
    for r in range(rounds):
        a, b = f"P-{10 + 2 * r:04d}", f"P-{11 + 2 * r:04d}"
        assert len(stored & {(a, b), (b, a)}) == 1
    assert violations(store).total() == 0


@pytest.mark.usefixtures("english")  # the undo refusals it counts are read in English
def test_random_writers_keep_every_invariant_and_the_backup_restores(
        store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture) -> None:
    import_files(store, program_files(tmp_path / "program", ikm=30, prefix="R"), today=TODAY, who="petugas")
    ikm = [f"R-{i:04d}" for i in range(30)]
    args = [(url_of(store), 1000 + writer, OPERATIONS, ikm, LOCK_WAIT) for writer in range(WRITERS)]
    outcomes = run_writers(random_writer, args)

    counts = tally(outcomes)
    crashes = [o["crash"] for o in outcomes if "crash" in o]
    assert not crashes, crashes[0]
    assert sum(counts.values()) == WRITERS * OPERATIONS
    assert counts["busy"] == 0  # each writer waits its turn (LOCK_WAIT)
    assert counts["ok"] > WRITERS * OPERATIONS // 3, counts  # most writes went through
    found = violations(store)
    assert found.total() == 0, found
    with capsys.disabled():
        for outcome in outcomes:
            if "refused" in outcome:
                print("refused:", outcome["op"], outcome["refused"][:300])
        undo_cycles = sum(1 for o in outcomes if "would close a cycle" in str(o.get("result", {}).get("refused", "")))
        print(f"\n{type(store).__name__}: {WRITERS} writers x {OPERATIONS} operations: {dict(counts)} "
              f"({undo_cycles} undos refused: they would have closed a cycle); "
              f"{store.counts().teachings} teachings, {len(store.batches())} batches; violations: {found.total()}")

    # every backup restores, into the other kind of store, exactly
    path = tmp_path / "backup.json.gz"
    written = write_backup(store, path)
    target = other_store(request, store)
    restore_file(target, path)
    again = take_backup(target)
    assert again.records == written.records
    assert [b.model_dump(exclude={"seq"}) for b in again.batches] == \
        [b.model_dump(exclude={"seq"}) for b in written.batches]


@pytest.mark.usefixtures("english")
def test_a_writer_that_waits_too_long_is_told_an_import_is_running(store: GraphStore) -> None:
    """SPEC §3: more than a few seconds → StoreBusy (HTTP 503), never 'database is locked'."""
    from tular.graph.model.settings import Settings
    from tular.graph.store import open_store

    other = open_store(url_of(store), Settings(lock_wait=0.5))
    try:
        with store.writing():
            with pytest.raises(StoreBusy, match="an import is running"):
                other.add_skill(store.skills()[0])
        other.add_skill(store.skills()[0])  # once the lock is let go, the same write goes through
    finally:
        other.close()


@pytest.mark.usefixtures("english")

def test_the_api_answers_503_with_retry_after_while_an_import_runs(store: GraphStore, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from tular.graph.admin import api_keys as keys
    from tular.graph.model.settings import Settings
    from tular.graph.store import open_store
    from tular.service.app import create_app

    import_files(store, program_files(tmp_path / "program", ikm=20, prefix="A")[:1], today=TODAY, who="petugas")
    editor = keys.create_key(store, "editor", "petugas")[0]
    teaching = {"learner_id": "A-0012", "teacher_id": "A-0011", "skill": "batik", "date": "2023-02-01"}
    server_store = open_store(url_of(store), Settings(lock_wait=0.5))
    try:
        with TestClient(create_app(Settings(), store=server_store)) as client:
            with store.writing():  # a big import holds the lock
                busy = client.post("/api/v1/teachings", json=teaching, headers={"X-API-Key": editor})
                read = client.get("/api/v1/ikm/A-0012", headers={"X-API-Key": editor})
            assert busy.status_code == 503, busy.text
            assert busy.headers["content-type"] == "application/problem+json"
            assert int(busy.headers["Retry-After"]) > 0
            assert busy.json()["type"].endswith("/store-busy")
            assert "an import is running" in busy.json()["detail"]
            assert read.status_code == 200  # readers do not wait for writers
            assert store.counts().teachings == 0
            done = client.post("/api/v1/teachings", json=teaching, headers={"X-API-Key": editor})
            assert done.status_code == 201, done.text
    finally:
        server_store.close()


@pytest.mark.usefixtures("english")
def test_undo_never_puts_back_a_teaching_that_closes_a_cycle(store: GraphStore, tmp_path: Path) -> None:
    """Found by the randomised run: a batch deleted A → B, a later one recorded B → A; undoing
    the deletion would store a cycle. Undo refuses, as importing A → B again would."""
    from tular.graph.model.errors import InvalidData
    from tular.graph.model.records import BatchMeta

    import_files(store, program_files(tmp_path / "program", ikm=12, prefix="U")[:1], today=TODAY, who="petugas")
    header = "learner_id,teacher_id,skill,date"
    first = write_files(tmp_path / "first", {"teachings": [header, "U-0011,U-0010,batik,2022-01-01"]})
    assert import_files(store, first, today=TODAY, who="petugas").ok
    deletion = store.delete_teaching(("U-0011", "U-0010", "batik"), BatchMeta(who="petugas"))
    back = write_files(tmp_path / "back", {"teachings": [header, "U-0010,U-0011,batik,2022-02-01"]})
    assert import_files(store, back, today=TODAY, who="petugas").ok
    with pytest.raises(InvalidData, match=r"would close a cycle \(U-0010 → U-0011 → U-0010\)"):
        store.undo(deletion)
    assert violations(store).total() == 0
    assert deletion in [b.batch_id for b in store.batches()]  # refused: still in the log
