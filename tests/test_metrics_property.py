"""Property tests: on random teaching graphs, the Neo4j store (cascade walked in Cypher) and
the embedded store (networkx) give the same answer on every field, and both equal the
reference computed straight from the records, without any store."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import nx_reference as analytics

from tular.graph.metrics import answers as metrics
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Attendance, Records

from .factories import ikm, teaching, training

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


def reference_inputs(records: Records, skill: str, as_of: date) -> analytics.Inputs:
    """The inputs built straight from the records, without a store."""
    graph = nx.DiGraph()
    where = {i.ikm_id: i.kelurahan_code for i in records.ikm}
    for t in records.teachings:
        if t.skill == skill and t.date <= as_of:
            graph.add_node(t.teacher_id, kelurahan=where[t.teacher_id])
            graph.add_node(t.learner_id, kelurahan=where[t.learner_id])
            graph.add_edge(t.teacher_id, t.learner_id, date=t.date, source=t.source, note=t.note)
    trainings = {t.training_id: t for t in records.trainings}
    attendance = sorted(
        (a.ikm_id, a.training_id, trainings[a.training_id].end_date) for a in records.attendance
        if a.completed and skill in trainings[a.training_id].skills and trainings[a.training_id].end_date <= as_of
    )
    per_kelurahan: dict[str, int] = {}
    for i in records.ikm:
        per_kelurahan[i.kelurahan_code] = per_kelurahan.get(i.kelurahan_code, 0) + 1
    return analytics.Inputs(
        skill=skill, as_of=as_of, graph=graph, attendance=attendance,
        people={i.ikm_id: analytics.Person(i.name, i.kelurahan_code) for i in records.ikm},
        gazetteer=Gazetteer.kota_malang(), budgets={t.training_id: t.budget_idr for t in records.trainings},
        ikm_per_kelurahan=per_kelurahan,
    )


def fill(store, records: Records) -> None:
    store.wipe()
    store.init_schema()
    store.write(records)


@pytest.mark.neo4j
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(program=programs(), kelurahan=st.sampled_from([None, "Bunulrejo", "Dinoyo"]))
def test_cypher_and_networkx_agree_on_every_metric(embedded_store, neo4j_store, program, kelurahan):
    records, as_of, dormant = program
    fill(embedded_store, records)
    fill(neo4j_store, records)
    cohort = [records.trainings[0].training_id] if records.trainings else []
    for skill in SKILLS:
        inputs = reference_inputs(records, skill, as_of)
        seeds = set(analytics.select_seeds(inputs))
        roots = {node for node, degree in inputs.graph.in_degree() if degree == 0}  # where every chain starts
        for start in (seeds, roots):
            expected_levels = analytics.generations(inputs.graph, start)
            assert neo4j_store.generations(skill, as_of, start) == expected_levels  # the cascade walked in Cypher
            # one generation per step, as for wide frontiers; then every frontier IKM a query
            # of its own, shared by two transactions (the kept cascade dropped: each walks again)
            for split in (False, True):
                neo4j_store._snapshot = None
                neo4j_store.small_frontier = 0
                if split:
                    neo4j_store.step_chunk, neo4j_store.parallel_frontier = 1, 2
                assert neo4j_store.generations(skill, as_of, start) == expected_levels
                for setting in ("small_frontier", "step_chunk", "parallel_frontier"):
                    vars(neo4j_store).pop(setting, None)
        for query in (metrics.Query(skill=skill, as_of=as_of),
                      metrics.Query(skill=skill, as_of=as_of, kelurahan=kelurahan),
                      metrics.Query(skill=skill, as_of=as_of, cohort=cohort)):
            embedded = metrics.reach(embedded_store, query).model_dump()
            assert metrics.reach(neo4j_store, query).model_dump() == embedded
        reference = analytics.reach(reference_inputs(records, skill, as_of))
        assert metrics.reach(embedded_store, metrics.Query(skill=skill, as_of=as_of)) == reference
        broken = metrics.broken(embedded_store, skill, as_of, dormant)
        assert metrics.broken(neo4j_store, skill, as_of, dormant) == broken
        assert broken == analytics.broken_chains(reference_inputs(records, skill, as_of), dormant)
    somebody = records.ikm[-1].ikm_id
    assert metrics.lineage(neo4j_store, somebody, as_of) == metrics.lineage(embedded_store, somebody, as_of)


@settings(max_examples=150, deadline=None)
@given(program=programs())
def test_reach_invariants(program):
    """Whatever the graph: totals add up, generations partition the counted IKM, areas sum to the city."""
    records, as_of, dormant = program
    for skill in SKILLS:
        r = analytics.reach(reference_inputs(records, skill, as_of))
        assert r.total == r.seeds + r.reached == sum(g.count for g in r.generations)
        assert sum(a.total for a in r.areas) == r.total == sum(k.total for k in r.kecamatan)
        assert sum(a.seeds for a in r.areas) == r.seeds
        assert (r.multiplier is None) == (r.seeds == 0)
        if r.seeds:
            assert r.multiplier == r.total / r.seeds and r.generations[0].count == r.seeds
            assert r.max_depth == len(r.generations) - 1 and r.generations[-1].ratio is None
        assert all(0 <= a.imported <= a.reached for a in r.areas)
        assert sum(v.size for v in r.virality) == r.total  # the first-teacher trees partition S ∪ R
        b = analytics.broken_chains(reference_inputs(records, skill, as_of), dormant)
        orphans = {f.ikm_id for f in b.findings if f.kind == "orphan"}
        graph = reference_inputs(records, skill, as_of).graph
        assert len(orphans) + r.total - sum(1 for s in analytics.select_seeds(reference_inputs(records, skill, as_of))
                                            if s not in graph) == graph.number_of_nodes()
