"""Property tests of the outcome rate by generation (SPEC §10): on random teaching graphs
with random outcomes, the stores (cascade walked in Cypher on Neo4j, outcomes read from a
.cypher file, the counting in numpy) equal the oracle of ``tests/oracle.py`` built straight
from the records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine as arrays
from tular.graph.metrics import planner
from tular.graph.model.records import OUTCOME_KINDS, Outcome, Records

from .oracle import Oracle
from .test_metrics_property import SKILLS, SPAN, START, fill, programs

KINDS = [None, "pameran", "employees"]


@st.composite
def with_outcomes(draw) -> tuple[Records, date, int]:
    records, as_of, dormant = draw(programs())
    ids = [i.ikm_id for i in records.ikm]
    day = st.integers(min_value=-200, max_value=SPAN + 100).map(lambda d: START + timedelta(days=d))
    found: dict[tuple, Outcome] = {}
    for _ in range(draw(st.integers(min_value=0, max_value=3 * len(ids)))):
        kind = draw(st.sampled_from(OUTCOME_KINDS))
        made = Outcome(ikm_id=draw(st.sampled_from(ids)), kind=kind, date=draw(day),
                       skill=draw(st.sampled_from([None, *SKILLS])), value="2" if kind == "employees" else None)
        found[(made.ikm_id, made.kind, made.skill_key, made.date)] = made
    records.outcomes = list(found.values())
    return records, as_of, dormant


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=with_outcomes(), kind=st.sampled_from(KINDS), after=st.booleans())
def test_the_embedded_store_equals_the_oracle(embedded_store, program, kind, after):
    records, as_of, _ = program
    fill(embedded_store, records)
    oracle = Oracle(records)
    for skill in SKILLS:
        query = metrics.Query(skill=skill, as_of=as_of)
        got = metrics.outcome_rates(embedded_store, query, kind, after_learning=after)
        assert got.model_dump() == oracle.outcome_rates(skill, as_of, kind, after_learning=after)
        # invariants: rows partition the counted IKM; a rate is with_outcome / count
        assert sum(g.count for g in got.generations) <= sum(a.count for a in got.areas)
        assert all(0 <= g.with_outcome <= g.count and g.rate == g.with_outcome / g.count for g in got.generations)
        if after:
            anytime = metrics.outcome_rates(embedded_store, query, kind)
            assert all(a.with_outcome <= b.with_outcome for a, b in zip(got.generations, anytime.generations))


@pytest.mark.neo4j
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(program=with_outcomes(), kind=st.sampled_from(KINDS), after=st.booleans(),
       kelurahan=st.sampled_from([None, "Bunulrejo", "Dinoyo"]))
def test_both_stores_equal_the_oracle(embedded_store, neo4j_store, program, kind, after, kelurahan):
    records, as_of, _ = program
    fill(embedded_store, records)
    fill(neo4j_store, records)
    oracle = Oracle(records)
    cohort = (records.trainings[0].training_id,) if records.trainings else ()
    for skill in SKILLS:
        for filters in ({}, {"kelurahan": kelurahan}, {"cohort": cohort}):
            expected = oracle.outcome_rates(skill, as_of, kind, after_learning=after, **filters)
            query = metrics.Query(skill=skill, as_of=as_of, **filters)
            assert metrics.outcome_rates(embedded_store, query, kind, after).model_dump() == expected
            assert metrics.outcome_rates(neo4j_store, query, kind, after).model_dump() == expected


def check_plan(plan, store, seats: int) -> None:
    """What every plan must hold, whatever the data."""
    on_record = {store.gazetteer().by_code(code).name for code, n in store.ikm_per_kelurahan().items() if n}
    assert len(plan.kelurahan) <= seats and len(plan.visits) <= planner.VISITS_PER_SEAT * seats
    assert {k.kelurahan for k in plan.kelurahan} <= on_record
    assert all(k.unmet_need == k.population - k.total > 0 for k in plan.kelurahan)
    keys = [(-k.unmet_need, -k.broken, k.kecamatan, k.kelurahan) for k in plan.kelurahan]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    proposed = [n.ikm_id for n in plan.narasumber] + [v.ikm_id for v in plan.visits]
    assert len(proposed) == len(set(proposed))  # never the same IKM twice
    assert all(n.per_seed_reach >= 1 for n in plan.narasumber)
    reach = [(-n.per_seed_reach, -n.outcomes) for n in plan.narasumber]
    assert reach == sorted(reach)


@settings(max_examples=60, deadline=None)
@given(program=with_outcomes(), seats=st.integers(min_value=1, max_value=8))
def test_every_plan_is_bounded_ordered_and_names_nobody_twice(program, seats, tmp_path_factory):
    from tular.graph.metrics import planner
    from tular.graph.store import EmbeddedStore

    records, as_of, dormant = program
    store = EmbeddedStore(tmp_path_factory.mktemp("plan") / "tular.db")
    store.init_schema()
    store.write(records)
    for skill in SKILLS:
        plan = planner.plan(store, skill, seats, as_of, dormant_days=dormant)
        check_plan(plan, store, seats)
        # the narasumber are the best of every teacher of the cascade, each reach computed in full
        graph = metrics._walked(store, [skill], as_of)[skill]
        outcomes = {}
        for ikm_id, _, _ in store.skill_outcomes(skill, as_of):
            outcomes[ikm_id] = outcomes.get(ikm_id, 0) + 1
        every = sorted(((-arrays.onward_reach(graph, n), -outcomes.get(graph.ids[n], 0), int(graph.level[n]),
                         graph.ids[n]) for n in range(graph.n) if graph.level[n] >= 0 and graph.out_degree[n]))
        assert [n.ikm_id for n in plan.narasumber] == [c[3] for c in every[:planner.narasumber_count(seats)]]
    store.close()


@pytest.mark.neo4j
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(program=with_outcomes(), seats=st.integers(min_value=1, max_value=8))
def test_both_stores_give_the_same_plan(embedded_store, neo4j_store, program, seats):
    from tular.graph.metrics import planner

    records, as_of, dormant = program
    fill(embedded_store, records)
    fill(neo4j_store, records)
    for skill in SKILLS:
        expected = planner.plan(embedded_store, skill, seats, as_of, dormant_days=dormant)
        check_plan(expected, embedded_store, seats)
        assert planner.plan(neo4j_store, skill, seats, as_of, dormant_days=dormant) == expected
