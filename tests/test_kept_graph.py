"""SPEC §9: writes update what is kept. After any sequence of writes — imports, single
records, corrections, undo, erasure, a write without a batch — the graph a store keeps in
memory equals a fresh read of the store, in the process that wrote (which patches what it
keeps) and in another one on the same database (which catches up from the batch log, or
reads again when the log cannot tell), and so do the answers computed from it."""

from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import answers as metrics
from tular.graph.model.errors import InvalidData, NotFound, UnknownIKM
from tular.graph.model.records import Attendance, BatchMeta, Records
from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore, snapshot

from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, small_batik_program, teaching, training

SKILLS = ("batik", "barista")
AREAS = (BUNULREJO, KESATRIAN, DINOYO)
#: the dates answers are asked about: around the writes' days (2020-09-01 to 2023-02-17), so
#: that a walk over every date kept from before a write answers the dates before its day
DATES = (date(2021, 6, 1), date(2022, 3, 1), date(2023, 1, 1))
META = BatchMeta(who="test")


def _open_like(store: GraphStore) -> GraphStore:
    """Another store object on the same database: another process's view of it."""
    if isinstance(store, EmbeddedStore):
        return EmbeddedStore(store.path)
    return Neo4jStore(store.display_url.replace(f"/{store.database}", ""), database=store.database)


def _kept(store: GraphStore) -> dict:
    """What the store keeps for the metrics, by ikm_id (numbers are the store's own business)."""
    store.skill_arrays(list(SKILLS), DATES[-1])
    snapshot = store._snapshot
    per_skill = {}
    for skill in SKILLS:
        tables = snapshot.skills[skill]
        assert list(snapshot.ids[tables.keys]) == list(tables.ids)
        assert [snapshot.kelurahan_codes[k] for k in tables.kelurahan] == \
            [snapshot.kelurahan_codes[snapshot.kelurahan[k]] for k in tables.keys]
        assert list(tables.day) == sorted(tables.day)
        per_skill[skill] = {
            "nodes": list(tables.ids),
            "edges": sorted(zip(tables.ids[tables.teacher].tolist(), tables.ids[tables.learner].tolist(),
                                tables.day.tolist())),
            "attendance": sorted((tables.ids[n], t, end) for n, t, end in tables.attendance),
        }
    located = dict(zip(snapshot.ids.tolist(), (snapshot.kelurahan_codes[k] for k in snapshot.kelurahan.tolist())))
    handles = None if snapshot.handles is None else dict(zip(snapshot.ids.tolist(), snapshot.handles.tolist()))
    return {"located": located, "handles": handles, "skills": per_skill}


def _answers(store: GraphStore) -> list:
    return [metrics.reach(store, metrics.Query(skill=skill, as_of=as_of)).model_dump(mode="json")
            for skill in SKILLS for as_of in DATES]


operation = st.tuples(
    st.sampled_from(["teach", "newcomer", "training", "undo", "delete", "move", "forget", "unlogged"]),
    st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 900))


def _apply(store: GraphStore, op: tuple, serial: int) -> None:
    kind, a, b, days = op
    ids = sorted(i.ikm_id for i in store.all_ikm()) or ["s1"]  # an undo of the first batch leaves none
    day = (date(2020, 9, 1) + timedelta(days=days)).isoformat()
    skill = SKILLS[a % 2]
    try:
        if kind == "teach":
            learner, teacher = ids[a % len(ids)], ids[b % len(ids)]
            if learner != teacher:
                store.write(Records(teachings=[teaching(learner, teacher, day, skill)]), META)
        elif kind == "newcomer":  # an import: a new IKM and who taught it
            new = f"n{serial:03d}"
            store.write(Records(ikm=[ikm(new, AREAS[a % 3])], teachings=[teaching(new, ids[b % len(ids)], day, skill)]),
                        META)
        elif kind == "training":
            tid = f"T{serial:03d}"
            store.write(Records(trainings=[training(tid, day, skill)],
                                attendance=[Attendance(training_id=tid, ikm_id=ids[b % len(ids)])]), META)
        elif kind == "undo":
            logged = store.batches()
            if logged:
                store.undo(logged[a % len(logged)].batch_id)
        elif kind == "delete":
            stored = store.all_teachings()
            if stored:
                t = stored[a % len(stored)]
                store.delete_teaching((t.learner_id, t.teacher_id, t.skill), META)
        elif kind == "move":  # a correction of one record
            person = store.get_ikm(ids[a % len(ids)])
            store.write(Records(ikm=[person.model_copy(update={"kelurahan_code": AREAS[b % 3]})]), META)
        elif kind == "forget":
            store.forget(ids[a % len(ids)], BatchMeta(who="erasure of personal data (tular forget x)"))
        elif kind == "unlogged":  # a write without a batch (as the demo writes): no log tells of it
            store.write(Records(ikm=[ikm(f"u{serial:03d}", AREAS[a % 3])]))
    except (InvalidData, NotFound, UnknownIKM):
        pass  # refused (undo with later batches depending on it): nothing written


def _check_write_sequences(store: GraphStore, ops: list[tuple], every: int) -> None:
    store.write(small_batik_program(), META)
    other = _open_like(store)
    try:
        _kept(store), _kept(other), _answers(store), _answers(other)  # kept, with cascades walked at DATES
        for serial, op in enumerate(ops):
            _apply(store, op, serial)
            fresh = _open_like(store)
            try:
                expected, expected_answers = _kept(fresh), _answers(fresh)
            finally:
                fresh.close()
            assert _kept(store) == expected, op  # the writer patched what it keeps
            assert _answers(store) == expected_answers, op
            if serial % every == every - 1 or serial == len(ops) - 1:  # the other caught up over several writes
                assert _kept(other) == expected, op
                assert _answers(other) == expected_answers, op
    finally:
        other.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=8), every=st.integers(1, 3))
def test_the_kept_graph_equals_a_fresh_read_after_any_writes_embedded(tmp_path_factory, ops, every):
    store = EmbeddedStore(tmp_path_factory.mktemp("kept") / "tular.db")
    store.init_schema()
    try:
        _check_write_sequences(store, ops, every)
    finally:
        store.close()


@pytest.mark.neo4j
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=6), every=st.integers(1, 3))
def test_the_kept_graph_equals_a_fresh_read_after_any_writes_neo4j(neo4j_url, ops, every):
    store = Neo4jStore(neo4j_url)
    store.wipe()
    store.init_schema()
    try:
        _check_write_sequences(store, ops, every)
    finally:
        store.close()


def test_a_single_record_write_patches_what_is_kept_and_others_catch_up_from_the_log(store):
    """The writer keeps its graph (patched, not read again); another process brings its own up
    to date from the batch log; both answer as a fresh read does."""
    store.write(small_batik_program(), META)
    other = _open_like(store)
    try:
        _kept(store), _kept(other)
        before, before_other = store._snapshot, other._snapshot
        store.write(Records(teachings=[teaching("x", "d", "2022-05-05")]), META)
        assert ("d", "x", date(2022, 5, 5).toordinal()) in _kept(store)["skills"]["batik"]["edges"]
        assert store._snapshot is not before and store._snapshot.stamp != before.stamp
        assert store._snapshot.skills["barista"] is before.skills["barista"]  # patched, not read again
        _kept(other)
        assert other._snapshot.log_position == store._snapshot.log_position
        # patched from the log: the skills the write did not touch kept their arrays
        assert other._snapshot.skills["barista"] is before_other.skills["barista"]
        store.undo(store.batches()[-1].batch_id)  # not in the log: the other reads again
        assert _kept(other) == _kept(store)
        assert other._snapshot.skills["barista"] is not before_other.skills["barista"]
    finally:
        other.close()


def test_a_write_keeps_the_walk_over_every_date_for_the_dates_before_its_day(store):
    """A teaching recorded as of a day changes no cascade before that day: the walk over every
    date made before the write still answers those dates — in the writer and in another
    process — without walking again; a date from that day on is walked again, every date at
    once (many dates were being asked)."""
    store.write(small_batik_program(), META)
    other = _open_like(store)
    try:
        for kept in (store, other):
            _answers(kept)  # two dates or more: the walk over every date is made
            assert kept._snapshot.skills["batik"].all_dates is not None
        store.write(Records(teachings=[teaching("x", "c", "2022-05-05")]), META)
        fresh = _open_like(store)
        try:
            expected = [metrics.reach(fresh, metrics.Query(skill="batik", as_of=day)).model_dump(mode="json")
                        for day in (date(2021, 6, 1), date(2022, 3, 1), date(2022, 5, 4), date(2023, 1, 1))]
        finally:
            fresh.close()
        for kept in (store, other):
            tables = kept.skill_arrays(["batik"], date(2021, 6, 1)) and kept._snapshot.skills["batik"]
            assert tables.all_dates is None and tables.earlier is not None
            assert tables.earlier[0] == date(2022, 5, 5).toordinal()
            before = [metrics.reach(kept, metrics.Query(skill="batik", as_of=day)).model_dump(mode="json")
                      for day in (date(2021, 6, 1), date(2022, 3, 1), date(2022, 5, 4))]
            assert before == expected[:3]
            assert tables.walks == 0 and tables.all_dates is None  # answered without a walk
            assert metrics.reach(kept, metrics.Query(skill="batik", as_of=date(2023, 1, 1))).model_dump(
                mode="json") == expected[3]
            assert tables.all_dates is not None  # the day of the write and after: every date walked again
            assert tables.walked(date(2022, 5, 4)) is tables.all_dates
            assert expected[3]["reached"] == expected[0]["reached"] + 2  # c (from 2021-06-01 on) and x
    finally:
        other.close()


def test_doctests_pass():
    assert doctest.testmod(snapshot).failed == 0
