"""The paths a large batch takes through the stores (index rebuild, whole-table lookups,
small UNWIND chunks), forced here on small batches by lowering the thresholds."""

from __future__ import annotations

import json
import zlib
from datetime import date

import pytest

from tular.graph.model.errors import InvalidData
from tular.graph.model.records import BatchMeta, KindCounts, Records, SourceInfo
from tular.graph.store import EmbeddedStore, GraphStore, batches, embedded, neo4j

from .factories import DINOYO, ikm, small_batik_program, teaching
from .skill_graph import edges


@pytest.fixture(autouse=True)
def large_write_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "LARGE_WRITE_ROWS", 1)
    monkeypatch.setattr(neo4j, "IMPORT_CHUNK", 2)


def meta() -> BatchMeta:
    return BatchMeta(who="petugas", files=[SourceInfo(name="big.csv", checksum="0" * 64, kinds=["ikm"], rows=1)])


def indexes(store: EmbeddedStore) -> list[tuple[str, str]]:
    return store._read("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")


def test_a_large_first_batch_then_the_same_again_then_changes_undone(store: GraphStore):
    first = store.write(small_batik_program(), meta())
    assert first.counts["ikm"] == KindCounts(created=7) and first.counts["teachings"] == KindCounts(created=5)
    program = (store.counts(), store.all_ikm(), store.all_teachings(), store.all_attendance(), store.trainings())

    again = store.write(small_batik_program(), meta())
    assert again.written == 0 and again.counts["teachings"] == KindCounts(unchanged=5)

    changed = store.write(Records(
        ikm=[ikm("a", DINOYO, name="Ani Baru"), ikm("e")],
        teachings=[teaching("e", "c", "2023-01-01"), teaching("a", "s1", "2020-09-01")],
    ), meta())
    assert changed.counts["ikm"] == KindCounts(created=1, updated=1, unchanged=0)
    assert changed.counts["teachings"] == KindCounts(created=1, updated=1)
    assert edges(store, "batik")["s1", "a"] == date(2020, 9, 1)

    store.undo(changed.batch_id)
    store.undo(again.batch_id)
    assert (store.counts(), store.all_ikm(), store.all_teachings(), store.all_attendance(), store.trainings()) == program
    store.undo(first.batch_id)
    assert store.counts().ikm == 0 and store.counts().teachings == 0


def test_a_large_batch_with_a_bad_reference_writes_nothing(store: GraphStore):
    store.write(small_batik_program())
    before = (store.counts(), store.all_teachings())
    with pytest.raises(InvalidData):
        store.write(Records(ikm=[ikm("n1"), ikm("n2")], teachings=[teaching("n1", "n2", "2022-01-01"),
                                                                    teaching("n1", "nobody", "2022-01-01")]))
    assert (store.counts(), store.all_teachings()) == before


def test_the_indexes_dropped_for_a_large_batch_are_rebuilt_or_kept_on_failure(embedded_store: EmbeddedStore):
    schema = indexes(embedded_store)
    embedded_store.write(small_batik_program())
    assert indexes(embedded_store) == schema
    with pytest.raises(InvalidData):
        embedded_store.write(Records(ikm=[ikm(f"n{i}") for i in range(20)],
                                     teachings=[teaching("n1", "nobody", "2022-01-01")]))
    assert indexes(embedded_store) == schema
    assert embedded_store.counts().ikm == 7


def test_the_change_log_lists_created_keys_compactly_and_reads_the_first_format():
    created = {"ikm": [("a",), ("b",)], "teachings": [("a", "b", "batik")]}
    logged = batches.encode_changes(created, [])
    assert json.loads(zlib.decompress(logged)) == {
        "created": {"ikm": [["a"], ["b"]], "teachings": [["a", "b", "batik"]]}, "updated": []}
    assert batches.decode_changes(logged) == [
        {"kind": "ikm", "key": ["a"]}, {"kind": "ikm", "key": ["b"]}, {"kind": "teachings", "key": ["a", "b", "batik"]},
    ]
    first_format = json.dumps([{"kind": "ikm", "key": ["a"], "before": None}])
    assert batches.decode_changes(first_format) == [{"kind": "ikm", "key": ["a"], "before": None}]


@pytest.mark.parametrize("kind", ["ikm", "trainings", "attendance", "teachings", "outcomes"])
def test_looking_up_stored_records_seeks_the_key_index(tmp_path, kind):
    """A small import into a large store must not read the whole table once per 500 keys."""
    import sqlite3

    from tular.graph.store.embedded import TABLES, lookup_sql

    store = EmbeddedStore(tmp_path / "plan.db")
    store.init_schema()
    store.close()
    table, key_columns, _ = TABLES[kind]
    with sqlite3.connect(tmp_path / "plan.db") as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN " + lookup_sql(kind, 3), ["x"] * 3 * len(key_columns)).fetchall()
    details = [row[3] for row in plan]
    assert not any(d == f"SCAN {table}" for d in details), details
    assert any(d.startswith(f"SEARCH {table} USING") and "=?" in d for d in details), details
