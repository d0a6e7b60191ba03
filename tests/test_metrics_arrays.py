"""Property tests: the array implementation of the metrics (:mod:`tular.graph.metrics.engine`, what
both stores answer with) equals the oracle of ``tests/oracle.py`` on every field — on graphs
large and deep enough to exercise what the small ones of ``test_metrics_property`` do not:
the top-teacher bounds cutting the search, first-teacher trees many levels deep, seeds
whose lineages overlap. Through the embedded store (fast to fill), so many examples."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine as arrays
from tular.graph.model.records import IKM, Attendance, Records, Teaching, Training

from .oracle import Oracle
from .test_metrics_property import fill

AREAS = ["blimbing.bunulrejo", "blimbing.polehan", "lowokwaru.dinoyo", "sukun.gadang", "klojen.kasin"]
START = date(2019, 1, 1)
AS_OF = date(2022, 1, 1)
SKILL = "batik"
BUDGETS = {"T1": 30_000_000, "T2": None, "T3": 5_000_000}


@st.composite
def worlds(draw) -> tuple[Records, int]:
    """A teaching graph of up to 80 IKM: chains, fans, diamonds, orphans, seeds taught by
    seeds, edges on both sides of the as-of date; and a dormant window."""
    n = draw(st.integers(min_value=1, max_value=80))
    ids = [f"i{k:03d}" for k in draw(st.permutations(range(n)))]  # ids not in topological order
    people = [IKM(ikm_id=i, name=f"Ibu {i}", kelurahan_code=draw(st.sampled_from(AREAS))) for i in ids]
    day = st.integers(min_value=0, max_value=1500).map(lambda d: START + timedelta(days=d))
    teachings = []
    for j in range(1, n):
        shape = draw(st.sampled_from(["chain", "fan", "random", "none"]))
        teachers = {j - 1} if shape == "chain" else {0} if shape == "fan" else set()
        if shape == "random":
            teachers = set(draw(st.lists(st.integers(min_value=0, max_value=j - 1), min_size=1, max_size=3)))
        teachings += [Teaching(learner_id=ids[j], teacher_id=ids[t], skill=SKILL, date=draw(day)) for t in teachers]
    trainings = [Training(training_id=t, title=f"Pelatihan {t}", skills=(SKILL,), end_date=draw(day), budget_idr=b)
                 for t, b in BUDGETS.items()]
    seeds = draw(st.lists(st.sampled_from(ids), max_size=max(1, n // 4), unique=True))
    attendance = [Attendance(training_id=t, ikm_id=s) for s in seeds
                  for t in draw(st.lists(st.sampled_from(sorted(BUDGETS)), min_size=1, max_size=2, unique=True))]
    records = Records(ikm=people, trainings=trainings, attendance=attendance, teachings=teachings)
    return records, draw(st.integers(min_value=1, max_value=900))


FILTERS = [{}, {"cohort": ("T1",)}, {"cohort": ("T2", "T3")}, {"year": 2021}, {"kelurahan": "Bunulrejo"},
           {"kecamatan": "Blimbing"}]


def walked(store, as_of: date = AS_OF) -> arrays.SkillArrays:
    """The engine's arrays of the skill, with the cascade from every seed."""
    return metrics._walked(store, [SKILL], as_of)[SKILL]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(world=worlds())
def test_arrays_reach_and_broken_equal_the_oracle(embedded_store, world):
    records, dormant = world
    fill(embedded_store, records)
    oracle = Oracle(records)
    for chosen in FILTERS:
        got = metrics.reach(embedded_store, metrics.Query(skill=SKILL, as_of=AS_OF, **chosen)).model_dump()
        assert got == oracle.reach(SKILL, AS_OF, **chosen), chosen
    assert metrics.broken(embedded_store, SKILL, AS_OF, dormant).model_dump() == oracle.broken(SKILL, AS_OF, dormant)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(world=worlds(), k=st.integers(min_value=1, max_value=6))
def test_top_teachers_with_a_short_list_equal_the_oracle(embedded_store, world, k):
    """With k small the bound stops the search early: the answer must not change."""
    records, _ = world
    fill(embedded_store, records)
    graph = walked(embedded_store)
    got = arrays.top_by_onward_reach(graph, np.flatnonzero(graph.level >= 0), graph.level, k)
    expected = [(t["ikm_id"], t["onward_reach"]) for t in Oracle(records).reach(SKILL, AS_OF)["top_teachers"][:k]]
    assert [(graph.ids[node], reach) for node, reach in got] == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(world=worlds())
def test_onward_reach_bound_is_an_upper_bound(embedded_store, world):
    records, _ = world
    fill(embedded_store, records)
    graph = walked(embedded_store)
    g = Oracle(records).graph(SKILL, AS_OF)
    bound = arrays.onward_reach_bound(graph)
    for node in range(graph.n):
        ikm_id = graph.ids[node]
        assert arrays.onward_reach(graph, node) == (len(nx.descendants(g, ikm_id)) if ikm_id in g else 0) <= bound[node]


def _another(store, request):
    """A second store object on the same database: another process's writes."""
    from tular.graph.store import EmbeddedStore, Neo4jStore

    if isinstance(store, EmbeddedStore):
        return EmbeddedStore(store.path)
    return Neo4jStore(request.getfixturevalue("neo4j_url"))


def test_the_metrics_cache_sees_every_write(store, request):
    """Answers come from arrays (and walked cascades) kept in memory per store version: a
    write through this store, or through another store object on the same database, must
    show in the next answer; so must a wipe and a refill that bring the version counter
    back to where it was."""
    from tular.graph.model.records import Attendance, Records

    from .factories import ikm, teaching, training

    start = Records(ikm=[ikm("s"), ikm("a"), ikm("b")], trainings=[training("T", "2020-01-01")],
                    attendance=[Attendance(training_id="T", ikm_id="s")],
                    teachings=[teaching("a", "s", "2021-01-01")])
    store.write(start)
    seen = {store.version()}
    query = metrics.Query(skill="batik", as_of=date(2026, 1, 1))
    assert metrics.reach(store, query).reached == 1
    assert metrics.reach(store, query).reached == 1  # the second time from memory
    store.write(Records(teachings=[teaching("b", "a", "2021-02-01")]))
    seen.add(store.version())
    assert metrics.reach(store, query).reached == 2
    other = _another(store, request)
    try:
        other.write(Records(ikm=[ikm("c")], teachings=[teaching("c", "b", "2021-03-01")]))
    finally:
        other.close()
    seen.add(store.version())
    assert metrics.reach(store, query).reached == 3
    assert metrics.reach(store, metrics.Query(skill="batik", as_of=date(2021, 2, 15))).reached == 2
    leaves = [f.ikm_id for f in metrics.broken(store, "batik", date(2026, 1, 1), 180).findings
              if f.kind == "dormant_leaf"]
    assert leaves == ["c"]

    store.wipe()  # and refilled: no version seen before may come back
    store.init_schema()
    for records in (start, Records(ikm=[ikm("d")], attendance=[Attendance(training_id="T", ikm_id="d")])):
        store.write(records)
        assert store.version() not in seen
    answer = metrics.reach(store, query)
    assert (answer.seeds, answer.reached) == (2, 1)


def test_cached_cascades_answer_each_question_apart(store):
    """Cascades kept per skill, date and seeds: a cohort, a year and another date asked in
    turn over the same data each get their own."""
    from tular.graph.model.records import Attendance, Records

    from .factories import ikm, teaching, training

    store.write(Records(
        ikm=[ikm(x) for x in "pqrst"],
        trainings=[training("T1", "2020-01-01"), training("T2", "2021-06-01")],
        attendance=[Attendance(training_id="T1", ikm_id="p"), Attendance(training_id="T2", ikm_id="s")],
        teachings=[teaching("q", "p", "2020-02-01"), teaching("r", "q", "2020-03-01"),
                   teaching("t", "s", "2021-07-01")],
    ))
    day = date(2026, 1, 1)
    asked = [
        (metrics.Query(skill="batik", as_of=day), (2, 3)),
        (metrics.Query(skill="batik", as_of=day, cohort=("T1",)), (1, 2)),
        (metrics.Query(skill="batik", as_of=day, year=2021), (1, 1)),
        (metrics.Query(skill="batik", as_of=date(2020, 2, 15)), (1, 1)),
    ]
    for _ in range(2):  # the second round from memory
        for query, (seeds, reached) in asked:
            answer = metrics.reach(store, query)
            assert (answer.seeds, answer.reached) == (seeds, reached), query


@st.composite
def dated_graphs(draw) -> tuple[int, list[tuple[int, int, int]], list[tuple[int, str, date]]]:
    """Any teaching graph of up to 40 nodes: cycles, copies of an edge, self-loops, seeds
    taught by others and nodes with several trainings (a broken invariant is still a graph)."""
    n = draw(st.integers(min_value=1, max_value=40))
    node, day = st.integers(min_value=0, max_value=n - 1), st.integers(min_value=0, max_value=60)
    edges = draw(st.lists(st.tuples(node, node, day), max_size=120))
    attendance = draw(st.lists(st.tuples(node, st.sampled_from(["T1", "T2"]), day), max_size=12))
    return n, edges, [(v, t, START + timedelta(days=d)) for v, t, d in attendance]


@settings(max_examples=400, deadline=None)
@given(graph=dated_graphs())
def test_one_walk_over_all_dates_gives_every_dates_cascade(graph):
    """:func:`~tular.graph.metrics.engine.reach_days`, walked once over all edges, gives for
    every as-of date the generations that a breadth-first walk of that date's graph from that
    date's seeds gives (:func:`~tular.graph.metrics.engine.generations`)."""
    n, edges, attendance = graph
    edges = sorted(edges, key=lambda e: e[2])
    teacher = np.array([e[0] for e in edges], dtype=np.int64)
    learner = np.array([e[1] for e in edges], dtype=np.int64)
    day = np.array([(START + timedelta(days=e[2])).toordinal() for e in edges], dtype=np.int64)
    walked = arrays.reach_days(n, arrays.seed_days(n, attendance), arrays.expand_edges(n, teacher, learner, day))
    ids = np.array([f"i{k:03d}" for k in range(n)], dtype=object)
    for offset in range(-1, 62):
        as_of = START + timedelta(days=offset)
        upto = int(np.searchsorted(day, as_of.toordinal(), side="right"))
        graph_then = arrays.SkillArrays(skill=SKILL, as_of=as_of, ids=ids, keys=np.arange(n), kelurahan=np.zeros(n, dtype=np.int64),
                                        kelurahan_codes=[AREAS[0]], teacher=teacher[:upto], learner=learner[:upto],
                                        day=day[:upto], attendance=[a for a in attendance if a[2] <= as_of])
        expected = arrays.generations(graph_then, arrays.select_seeds(graph_then))
        assert walked.level(as_of).tolist() == expected.tolist(), as_of


def test_every_date_from_one_walk_answers_as_a_walk_of_that_date(store, request):
    """Once a second date is asked, a store answers every date's cascade from its walk over all
    dates (in Cypher on Neo4j): each answer equals the one a fresh store object gives, whose
    first question is answered from a walk of that date alone — with later teachings that
    bring IKM nearer a seed, a seed taught before its training, a diamond and a stray copy of
    a teaching in the other direction (a cycle)."""
    from tular.graph.model.records import Attendance, Records

    from .factories import ikm, teaching, training

    store.write(Records(
        ikm=[ikm(x) for x in "abcdefgh"],
        trainings=[training("T1", "2020-01-01"), training("T2", "2020-09-01")],
        attendance=[Attendance(training_id="T1", ikm_id="a"), Attendance(training_id="T2", ikm_id="e")],
        teachings=[teaching("b", "a", "2020-02-01"), teaching("c", "b", "2020-03-01"), teaching("d", "c", "2020-04-01"),
                   teaching("d", "a", "2020-10-01"), teaching("e", "d", "2020-05-01"), teaching("f", "e", "2020-06-01"),
                   teaching("g", "b", "2020-07-01"), teaching("g", "f", "2020-07-15"), teaching("c", "g", "2020-08-01"),
                   teaching("h", "g", "2021-01-01")],
    ))
    dates = [date(2019, 12, 1), date(2020, 1, 1), date(2020, 3, 15), date(2020, 6, 1), date(2020, 7, 20),
             date(2020, 9, 1), date(2020, 10, 1), date(2021, 6, 1)]
    for as_of in dates:
        metrics.reach(store, metrics.Query(skill="batik", as_of=as_of))
    assert store._snapshot.skills["batik"].all_dates is not None  # the later dates came from it
    for as_of in reversed(dates):
        fresh = _another(store, request)
        try:
            alone = metrics.reach(fresh, metrics.Query(skill="batik", as_of=as_of))
            assert fresh._snapshot.skills["batik"].all_dates is None  # a walk of that date
        finally:
            fresh.close()
        assert metrics.reach(store, metrics.Query(skill="batik", as_of=as_of)) == alone, as_of


def test_names_kept_for_answers_follow_every_rename_and_erasure(store, request):
    """The names of top teachers are read once per store version (:meth:`Pinning._people_kept`):
    a rename written through this store object or another, and an erasure, show in the next
    answer."""
    from tular.graph.admin.erasure import forget
    from tular.graph.model.records import Attendance, Records

    from .factories import ikm, teaching, training

    store.write(Records(ikm=[ikm("s", name="Ibu Sari"), ikm("a"), ikm("b")], trainings=[training("T", "2020-01-01")],
                        attendance=[Attendance(training_id="T", ikm_id="s")],
                        teachings=[teaching("a", "s", "2020-02-01"), teaching("b", "a", "2020-03-01")]))

    def names(as_of: date = date(2021, 1, 1)) -> dict[str, str]:
        return {t.ikm_id: t.name for t in metrics.reach(store, metrics.Query(skill="batik", as_of=as_of)).top_teachers}

    assert names()["s"] == "Ibu Sari" and names(date(2020, 6, 1))["s"] == "Ibu Sari"
    store.write(Records(ikm=[ikm("s", name="Ibu Sari Dewi")]))
    assert names()["s"] == "Ibu Sari Dewi"
    other = _another(store, request)
    try:
        other.write(Records(ikm=[ikm("a", name="Pak Adi")]))
    finally:
        other.close()
    assert names()["a"] == "Pak Adi" and names(date(2020, 6, 2))["a"] == "Pak Adi"
    forget(store, "s", "test")
    assert "Sari" not in names()["s"] and "Sari" not in names(date(2020, 6, 3))["s"]


def test_names_are_kept_across_a_write_for_the_ikm_it_did_not_touch(store, request):
    """Across a logged write — by this store object or another, which this one catches up
    with from the batch log — the names of the IKM the write did not touch stay kept; the
    ones it touched are read again; an erasure by another process drops them all."""
    from tular.graph.admin.erasure import forget
    from tular.graph.model.records import BatchMeta

    from .factories import ikm, teaching, training

    meta = BatchMeta(who="test")
    store.write(Records(ikm=[ikm("s", name="Ibu Sari"), ikm("a", name="Pak Adi"), ikm("b"), ikm("c")],
                        trainings=[training("T", "2020-01-01")], attendance=[Attendance(training_id="T", ikm_id="s")],
                        teachings=[teaching("a", "s", "2020-02-01"), teaching("b", "a", "2020-03-01")]), meta)
    asked: list[list[str]] = []
    read = store._read_people

    def counted(ids):
        asked.append(list(ids))
        return read(ids)

    store._read_people = counted

    def names() -> dict[str, str]:
        return {t.ikm_id: t.name for t in metrics.reach(store, metrics.Query(skill="batik", as_of=date(2021, 1, 1))).top_teachers}

    assert names() == {"s": "Ibu Sari", "a": "Pak Adi"} and asked == [["a", "s"]]
    store.write(Records(teachings=[teaching("c", "b", "2020-04-01")]), meta)  # touches no one's name
    assert names() == {"s": "Ibu Sari", "a": "Pak Adi", "b": "Ibu b"} and asked[1:] == [["b"]]
    other = _another(store, request)
    try:
        other.write(Records(ikm=[ikm("a", name="Pak Adi Putra")]), meta)  # read from the log by this one
        assert names()["a"] == "Pak Adi Putra" and asked[2:] == [["a"]]
        forget(other, "s", "test")  # the log does not say what an erasure touched: all read again
        found = names()
        assert "Sari" not in found["s"] and sorted(asked[3]) == ["a", "b", "s"]
    finally:
        other.close()
