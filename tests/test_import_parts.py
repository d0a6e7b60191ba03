"""An import into Neo4j sends each kind as soon as it is checked, in the write transaction,
while the later kinds are still checked (``Neo4jStore.write_in_parts``): all or nothing
still holds (SPEC §4), and the result is the one of a write at the end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tular.graph.io.ingest import import_files
from tular.graph.model.errors import InvalidData
from tular.graph.model.records import IKM, BatchMeta, Records, Teaching
from tular.graph.store import Neo4jStore

pytestmark = pytest.mark.neo4j

TODAY = date(2026, 11, 23)
KELURAHAN = ("Dinoyo", "Kauman", "Bunulrejo", "Lowokwaru")


def many_ikm(folder: Path, count: int) -> Path:
    path = folder / "ikm.csv"
    lines = ["ikm_id,name,kelurahan"] + [f"M{i:05d},Warga {i},{KELURAHAN[i % 4]}" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def teachings(folder: Path, count: int, last: str) -> Path:
    """A chain of ``count`` batik teachings among M00000…, then the row ``last``."""
    path = folder / "teachings.csv"
    lines = ["learner_id,teacher_id,skill,date"]
    lines += [f"M{i + 1:05d},M{i:05d},batik,2021-01-{1 + i % 28:02d}" for i in range(count)]
    path.write_text("\n".join([*lines, last]) + "\n", encoding="utf-8")
    return path


def stored(store: Neo4jStore) -> tuple:
    counts = store.counts()
    return counts.ikm, counts.teachings, len(store.batches()), store.version()


def test_an_error_in_the_last_file_after_the_ikm_were_sent_leaves_the_store_unchanged(
        neo4j_store: Neo4jStore, tmp_path: Path):
    before = stored(neo4j_store)
    timings: dict[str, float] = {}
    # 20,000 teachings to check after the IKM are handed over: the writing thread has begun by then
    files = [many_ikm(tmp_path, 20_001), teachings(tmp_path, 20_000, "M00005,M00006,batik,2021-02-31")]
    report = import_files(neo4j_store, files, today=TODAY, who="petugas", timings=timings, lang="en")
    assert not report.ok and report.batch_id is None
    assert [(e["row"], e["column"]) for e in report.errors] == [(20_002, "date")]
    assert "sent:ikm" in timings  # the 20,001 IKM were written in the transaction before the error was found
    assert "sent:teachings" not in timings
    assert stored(neo4j_store) == before


def test_a_failure_of_the_last_kind_rolls_back_the_kinds_written_before(neo4j_store: Neo4jStore):
    before = stored(neo4j_store)
    ikm = [IKM(ikm_id=f"P{i}", name=f"Warga {i}", kelurahan_code="lowokwaru.dinoyo") for i in range(50)]
    bad = [Teaching(learner_id="P1", teacher_id="NOT-STORED", skill="batik", date=date(2021, 1, 1))]
    with pytest.raises(InvalidData, match="1 baris teachings merujuk ke IKM"):  # Indonesian unless asked
        with neo4j_store.writing():
            with neo4j_store.write_in_parts(BatchMeta(who="petugas")) as parts:
                parts.send("ikm", ikm)
                parts.finish(Records(ikm=ikm, teachings=bad))
    # the IKM had been written in the transaction, then the teachings failed
    assert {"ikm", "teachings"} <= set(parts.seconds) and parts.plans["ikm"].counts["ikm"].created == 50
    assert stored(neo4j_store) == before


def test_sent_in_parts_writes_what_one_write_at_the_end_writes(neo4j_store: Neo4jStore, embedded_store, tmp_path: Path):
    files = [many_ikm(tmp_path, 300), teachings(tmp_path, 200, "M00250,M00003,batik,2021-03-01")]
    timings: dict[str, float] = {}
    parts = import_files(neo4j_store, files, today=TODAY, who="petugas", timings=timings)
    whole = import_files(embedded_store, files, today=TODAY, who="petugas")  # one write at the end
    assert parts.ok and whole.ok
    assert {"sent:ikm", "sent:teachings"} <= set(timings)
    assert [k.model_dump() for k in parts.kinds] == [k.model_dump() for k in whole.kinds]
    assert sorted(neo4j_store.all_ikm(), key=lambda i: i.ikm_id) == sorted(embedded_store.all_ikm(),
                                                                           key=lambda i: i.ikm_id)
    key = lambda t: (t.learner_id, t.teacher_id, t.skill)  # noqa: E731
    assert sorted(neo4j_store.all_teachings(), key=key) == sorted(embedded_store.all_teachings(), key=key)
    logged = neo4j_store.batches(with_changes=True)
    assert [b.batch_id for b in logged] == [parts.batch_id]
    assert len(logged[0].changes) == 300 + 201  # every record created, for undo
    neo4j_store.undo(parts.batch_id)
    assert (neo4j_store.counts().ikm, neo4j_store.counts().teachings) == (0, 0)


def test_a_dry_run_writes_nothing_and_counts_what_it_would(neo4j_store: Neo4jStore, tmp_path: Path):
    before = stored(neo4j_store)
    files = [many_ikm(tmp_path, 500), teachings(tmp_path, 300, "M00400,M00001,batik,2021-03-01")]
    report = import_files(neo4j_store, files, today=TODAY, who="petugas", dry_run=True)
    assert report.ok and report.dry_run and report.batch_id is None
    assert {k.kind: k.created for k in report.kinds} == {"ikm": 500, "teachings": 301}
    assert stored(neo4j_store) == before
