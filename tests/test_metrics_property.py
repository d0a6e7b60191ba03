"""Property tests: on random teaching graphs, the Neo4j store (cascade walked in Cypher) and
the embedded store (numpy) give the same answer on every field, and both equal the oracle
of ``tests/oracle.py`` computed straight from the records, without any store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import answers as metrics
from tular.graph.model.records import Attendance, Records

from . import skill_graph
from .factories import ikm, teaching, training
from .oracle import Oracle, generations

AREAS = ["blimbing.bunulrejo", "blimbing.polehan", "lowokwaru.dinoyo"]
SKILLS = ["batik", "barista"]
START = date(2020, 1, 1)
SPAN = 900  # days of events


@st.composite
def programs(draw) -> tuple[Records, date, int]:
    n = draw(st.integers(min_value=2, max_value=14))
    ids = [f"n{i:02d}" for i in range(n)]
    people = [ikm(i, draw(st.sampled_from(AREAS))) for i in ids]
    day = st.integers(min_value=0, max_value=SPAN).map(lambda d: START + timedelta(days=d))
    teachings = []
    for skill in SKILLS:
        order = draw(st.permutations(ids))  # edges only from earlier to later in this order: a DAG
        pairs = [(order[i], order[j]) for i in range(n) for j in range(i + 1, n)]
        chosen = draw(st.lists(st.sampled_from(pairs), max_size=min(len(pairs), 3 * n), unique=True)) if pairs else []
        teachings += [teaching(learner, teacher, draw(day).isoformat(), skill) for teacher, learner in chosen]
    trainings, attendance = [], []
    for k in range(draw(st.integers(min_value=0, max_value=3))):
        skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))
        budget = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=90) .map(lambda b: b * 1_000_000)))
        trainings.append(training(f"T{k}", draw(day).isoformat(), *skills, budget_idr=budget))
        for person in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True)):
            attendance.append(Attendance(training_id=f"T{k}", ikm_id=person, completed=draw(st.booleans())))
    as_of = draw(day)
    dormant = draw(st.integers(min_value=1, max_value=400))
    return Records(ikm=people, trainings=trainings, attendance=attendance, teachings=teachings), as_of, dormant


def fill(store, records: Records) -> None:
    store.wipe()
    store.init_schema()
    store.write(records)


@pytest.mark.neo4j
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(program=programs(), kelurahan=st.sampled_from([None, "Bunulrejo", "Dinoyo"]))
def test_cypher_and_numpy_agree_with_the_oracle_on_every_metric(embedded_store, neo4j_store, program, kelurahan):
    records, as_of, dormant = program
    fill(embedded_store, records)
    fill(neo4j_store, records)
    oracle = Oracle(records)
    cohort = [records.trainings[0].training_id] if records.trainings else []
    for skill in SKILLS:
        graph = oracle.graph(skill, as_of)
        seeds = set(oracle.seeds(skill, as_of))
        roots = {node for node, degree in graph.in_degree() if degree == 0}  # where every chain starts
        for start in (seeds, roots):
            expected_levels = generations(graph, start)
            assert skill_graph.cascade(neo4j_store, skill, as_of, start) == expected_levels  # walked in Cypher
            assert skill_graph.cascade(embedded_store, skill, as_of, start) == expected_levels
            # one generation per step, as for wide frontiers; then every frontier IKM a query
            # of its own, shared by two transactions (the kept cascade dropped: each walks again)
            for split in (False, True):
                neo4j_store._snapshot = None
                neo4j_store.small_frontier = 0
                if split:
                    neo4j_store.step_chunk, neo4j_store.parallel_frontier = 1, 2
                assert skill_graph.cascade(neo4j_store, skill, as_of, start) == expected_levels
                for setting in ("small_frontier", "step_chunk", "parallel_frontier"):
                    vars(neo4j_store).pop(setting, None)
        for query in ({}, {"kelurahan": kelurahan}, {"cohort": tuple(cohort)}):
            expected = oracle.reach(skill, as_of, **query)
            asked = metrics.Query(skill=skill, as_of=as_of, **query)
            assert metrics.reach(embedded_store, asked).model_dump() == expected
            assert metrics.reach(neo4j_store, asked).model_dump() == expected
        expected = oracle.broken(skill, as_of, dormant)
        assert metrics.broken(embedded_store, skill, as_of, dormant).model_dump() == expected
        assert metrics.broken(neo4j_store, skill, as_of, dormant).model_dump() == expected
    somebody = records.ikm[-1].ikm_id
    expected = oracle.lineage(somebody, as_of)
    assert metrics.lineage(neo4j_store, somebody, as_of) == expected == metrics.lineage(embedded_store, somebody, as_of)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=programs())
def test_reach_invariants(embedded_store, program):
    """Whatever the graph, the engine's answers add up: totals, generations partition the
    counted IKM, areas sum to the city, first-teacher trees partition S ∪ R, and every IKM
    with an edge is counted or an orphan."""
    records, as_of, dormant = program
    fill(embedded_store, records)
    oracle = Oracle(records)
    for skill in SKILLS:
        r = metrics.reach(embedded_store, metrics.Query(skill=skill, as_of=as_of))
        assert r.total == r.seeds + r.reached == sum(g.count for g in r.generations)
        assert sum(a.total for a in r.areas) == r.total == sum(k.total for k in r.kecamatan)
        assert sum(a.seeds for a in r.areas) == r.seeds
        assert (r.multiplier is None) == (r.seeds == 0)
        if r.seeds:
            assert r.multiplier == r.total / r.seeds and r.generations[0].count == r.seeds
            assert r.max_depth == len(r.generations) - 1 and r.generations[-1].ratio is None
        assert all(0 <= a.imported <= a.reached for a in r.areas)
        assert sum(v.size for v in r.virality) == r.total  # the first-teacher trees partition S ∪ R
        b = metrics.broken(embedded_store, skill, as_of, dormant)
        orphans = {f.ikm_id for f in b.findings if f.kind == "orphan"}
        graph = oracle.graph(skill, as_of)
        isolated_seeds = sum(1 for s in oracle.seeds(skill, as_of) if s not in graph)
        assert len(orphans) + r.total - isolated_seeds == graph.number_of_nodes()
