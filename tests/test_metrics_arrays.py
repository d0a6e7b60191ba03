"""Property tests: the array implementation of the metrics (:mod:`tular.graph.metrics.engine`, what
both stores answer with) equals the networkx reference of :mod:`tular.graph.metrics.nx_reference` on
every field — on graphs large and deep enough to exercise what the small ones of
``test_metrics_property`` do not: the top-teacher bounds cutting the search, first-teacher
trees many levels deep, seeds whose lineages overlap. No store, so many examples."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import nx_reference as analytics

from tular.graph.metrics import engine as arrays

from tular.graph.metrics import answers as metrics
from tular.graph.metrics.nx_reference import AreaFilter, Inputs, Person
from tular.graph.model.gazetteer import Gazetteer

from .engine_inputs import from_inputs, lookups_of
from .test_metrics_property import SKILLS, programs, reference_inputs, fill

AREAS = ["blimbing.bunulrejo", "blimbing.polehan", "lowokwaru.dinoyo", "sukun.gadang", "klojen.kasin"]
START = date(2019, 1, 1)
AS_OF = date(2022, 1, 1)


@st.composite
def worlds(draw) -> tuple[Inputs, int]:
    """A teaching graph of up to 80 IKM: chains, fans, diamonds, orphans, seeds taught by
    seeds, edges on both sides of the as-of date; and a dormant window."""
    n = draw(st.integers(min_value=1, max_value=80))
    ids = [f"i{k:03d}" for k in draw(st.permutations(range(n)))]  # ids not in topological order
    people = {i: Person(f"Ibu {i}", draw(st.sampled_from(AREAS))) for i in ids}
    day = st.integers(min_value=0, max_value=1500).map(lambda d: START + timedelta(days=d))
    graph = nx.DiGraph()
    for j in range(1, n):
        shape = draw(st.sampled_from(["chain", "fan", "random", "none"]))
        teachers = {j - 1} if shape == "chain" else {0} if shape == "fan" else set()
        if shape == "random":
            teachers = set(draw(st.lists(st.integers(min_value=0, max_value=j - 1), min_size=1, max_size=3)))
        for t in teachers:
            when = draw(day)
            if when <= AS_OF:  # the reference's G holds the edges dated ≤ as-of only
                graph.add_edge(ids[t], ids[j], date=when)
    seeds = draw(st.lists(st.sampled_from(ids), max_size=max(1, n // 4), unique=True))
    attendance = [(s, draw(st.sampled_from(["T1", "T2", "T3"])), draw(day)) for s in seeds]
    inputs = Inputs(skill="batik", as_of=AS_OF, graph=graph, attendance=attendance, people=people,
                    gazetteer=Gazetteer.kota_malang(), budgets={"T1": 30_000_000, "T2": None, "T3": 5_000_000},
                    ikm_per_kelurahan={a: 7 for a in AREAS})
    return inputs, draw(st.integers(min_value=1, max_value=900))


def names(inputs: Inputs):
    return lambda wanted: {i: inputs.people[i] for i in wanted}


FILTERS = [{}, {"cohort": ["T1"]}, {"cohort": ["T2", "T3"]}, {"year": 2021}, {"area": AreaFilter(kelurahan=AREAS[0])},
           {"area": AreaFilter(kecamatan="blimbing")}]


@settings(max_examples=300, deadline=None)
@given(world=worlds())
def test_arrays_reach_and_broken_equal_the_networkx_reference(world):
    inputs, dormant = world
    graph = from_inputs(inputs)
    lookups = lookups_of(inputs)
    for chosen in FILTERS:
        seeds = arrays.select_seeds(graph, chosen.get("cohort"), chosen.get("year"))
        level = arrays.generations(graph, seeds)
        reference_seeds = analytics.select_seeds(inputs, chosen.get("cohort"), chosen.get("year"))
        assert arrays.levels_as_dict(graph, level) == analytics.generations(inputs.graph, reference_seeds)
        expected = analytics.reach(inputs, **chosen)
        assert arrays.reach(graph, lookups, names(inputs), level, **chosen).model_dump() == expected.model_dump()
    level = arrays.generations(graph, arrays.select_seeds(graph))
    expected = analytics.broken_chains(inputs, dormant)
    assert arrays.broken_chains(graph, lookups, names(inputs), level, dormant) == expected


@settings(max_examples=300, deadline=None)
@given(world=worlds(), k=st.integers(min_value=1, max_value=6))
def test_top_teachers_with_a_short_list_equal_the_reference(world, k):
    """With k small the bound stops the search early: the answer must not change."""
    inputs, _ = world
    graph = from_inputs(inputs)
    level = arrays.generations(graph, arrays.select_seeds(graph))
    reference_level = analytics.generations(inputs.graph, analytics.select_seeds(inputs))
    got = arrays.top_by_onward_reach(graph, np.flatnonzero(level >= 0), level, k)
    expected = analytics.top_by_onward_reach(inputs.graph, reference_level, reference_level, k)
    assert [(graph.ids[node], reach) for node, reach in got] == expected


@settings(max_examples=200, deadline=None)
@given(world=worlds())
def test_onward_reach_bound_is_an_upper_bound(world):
    inputs, _ = world
    graph = from_inputs(inputs)
    bound = arrays.onward_reach_bound(graph)
    for node in range(graph.n):
        assert arrays.onward_reach(graph, node) <= bound[node]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=programs())
def test_embedded_lineage_and_reach_all_equal_the_reference(embedded_store, program):
    """Through the store (``fill`` wipes it for every example): lineage of every IKM, and
    ``--skill all``."""
    records, as_of, _ = program
    fill(embedded_store, records)
    for person in records.ikm:
        got = metrics.lineage(embedded_store, person.ikm_id, as_of)["skills"]
        expected = []
        for skill in sorted(SKILLS):  # the store lists its skills by id
            inputs = reference_inputs(records, skill, as_of)
            if person.ikm_id in inputs.graph or person.ikm_id in {a[0] for a in inputs.attendance}:
                expected.append(analytics.lineage(inputs, person.ikm_id).model_dump(mode="json"))
        assert got == expected
    result = metrics.reach_all(embedded_store, metrics.Query(skill="all", as_of=as_of))
    cascades = []
    for skill in SKILLS:
        inputs = reference_inputs(records, skill, as_of)
        cascades.append(analytics.generations(inputs.graph, analytics.select_seeds(inputs)))
    assert result.distinct_total == analytics.distinct_total(cascades)


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
