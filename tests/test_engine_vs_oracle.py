"""Property tests: on random programmes written to a store, every answer of the metrics engine
(``tular.graph.metrics.answers`` over the embedded store and over Neo4j, where the cascade is
walked in Cypher) equals the oracle of ``tests/oracle.py`` — SPEC §5 and §10 written plainly
with networkx from the records, sharing no code with the engine.

Compared field by field (``.model_dump()``): reach (headline, generations, areas and
kecamatan with ``imported``, coverage, cost and its warnings, top teachers, virality),
reach with each filter (kelurahan, kecamatan, cohort, year) and an area's headline equal to
its row, ``--skill all``, broken chains, lineage, outcome rates (with filters, any kind or
one, after learning or not), and ``tular check``'s orphans against broken's.

The programmes exercise the spec's corners: a completed training ended on or before T in
every one; dates drawn around T and around T − W (on, just before, just after); up to 40
IKM in five kelurahan of two kecamatan; learners with several teachers, often on the same
day (first-teacher ties); seeds taught by seeds; trainings without a budget; populations
absent, partial or given for every kelurahan; outcomes of every kind, before and after
the day an IKM learned.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.metrics import answers
from tular.graph.metrics.quality import check_store
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import (
    IKM,
    OUTCOME_KINDS,
    Attendance,
    Outcome,
    Population,
    Records,
    Teaching,
    Training,
)

from .oracle import Oracle

KELURAHAN = {"blimbing.bunulrejo": "Bunulrejo", "blimbing.polehan": "Polehan", "blimbing.kesatrian": "Kesatrian",
             "lowokwaru.dinoyo": "Dinoyo", "lowokwaru.sumbersari": "Sumbersari"}
KECAMATAN = ["Blimbing", "Lowokwaru"]
SKILLS = ["batik", "barista"]
KINDS = [None, "pameran", "employees"]
EVERY_KELURAHAN = [k.code for k in Gazetteer.kota_malang().kelurahan_list]
HEADLINE = ("seeds", "reached", "total", "multiplier")


@st.composite
def programmes(draw, max_ikm: int = 40) -> dict:
    """Records, an as-of date T, a dormant window W and the filters to ask with."""
    as_of = date(2021, 1, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=900)))
    dormant = draw(st.one_of(st.sampled_from([30, 180, 365]), st.integers(min_value=1, max_value=400)))
    marks = [0, -1, 1, -dormant, -dormant - 1, -dormant + 1, -2 * dormant]

    def around() -> date:
        """A date near T or T − W, or anywhere from well before T − W to shortly after T."""
        offset = draw(st.one_of(st.sampled_from(marks), st.integers(min_value=-2 * dormant - 90, max_value=60)))
        return as_of + timedelta(days=offset)

    n = draw(st.integers(min_value=1, max_value=max_ikm))
    ids = [f"k{i:02d}" for i in range(n)]
    people = [IKM(ikm_id=i, name=f"Ibu {i}", kelurahan_code=draw(st.sampled_from(sorted(KELURAHAN)))) for i in ids]

    teachings = []
    for skill in SKILLS:
        order = draw(st.permutations(ids))  # teachers come earlier in this order: a DAG, ids not in it
        for j in range(1, n):
            count = min(j, draw(st.sampled_from([0, 1, 1, 1, 2, 3])))
            teachers = draw(st.lists(st.sampled_from(order[:j]), min_size=count, max_size=count, unique=True))
            same_day = around() if draw(st.booleans()) else None  # first-teacher ties
            for teacher in teachers:
                teachings.append(Teaching(learner_id=order[j], teacher_id=teacher, skill=skill,
                                          date=same_day or around()))

    trainings, attendance = [], []
    for k in range(draw(st.integers(min_value=1, max_value=4))):
        skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))
        end = around()
        if k == 0:  # forced: a completed training of the first skill ended on or before T
            skills = sorted({SKILLS[0], *skills})
            end = min(end, as_of)
        budget = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=90).map(lambda b: b * 1_000_001)))
        trainings.append(Training(training_id=f"T{k}", title=f"Pelatihan {k}", skills=tuple(skills), end_date=end,
                                  budget_idr=budget))
        attendees = draw(st.lists(st.sampled_from(ids), min_size=1 if k == 0 else 0, max_size=5, unique=True))
        for a, person in enumerate(attendees):
            completed = True if k == 0 and a == 0 else draw(st.sampled_from([True, True, True, False]))
            attendance.append(Attendance(training_id=f"T{k}", ikm_id=person, completed=completed))

    kind = draw(st.sampled_from(["none", "partial", "every"]))
    where = sorted(KELURAHAN) + draw(st.lists(st.sampled_from(EVERY_KELURAHAN), max_size=3))
    given_for = {"none": [], "every": EVERY_KELURAHAN,
                 "partial": draw(st.lists(st.sampled_from(where), min_size=1, max_size=4, unique=True))}[kind]
    populations = [Population(kelurahan_code=code, population=draw(st.integers(min_value=0, max_value=60)))
                   for code in given_for]

    outcomes: dict[tuple, Outcome] = {}
    for _ in range(draw(st.integers(min_value=0, max_value=2 * n))):
        what = draw(st.sampled_from(OUTCOME_KINDS))
        made = Outcome(ikm_id=draw(st.sampled_from(ids)), kind=what, date=around(),
                       skill=draw(st.sampled_from([None, *SKILLS])), value="2" if what == "employees" else None)
        outcomes[(made.ikm_id, made.kind, made.skill_key, made.date)] = made

    records = Records(ikm=people, trainings=trainings, attendance=attendance, teachings=teachings,
                      outcomes=list(outcomes.values()), populations=populations)
    return {
        "records": records, "as_of": as_of, "dormant": dormant,
        "kelurahan": draw(st.sampled_from(sorted(KELURAHAN.values()))),
        "kecamatan": draw(st.sampled_from(KECAMATAN)),
        "cohort": tuple(draw(st.lists(st.sampled_from([t.training_id for t in trainings]), min_size=1, max_size=2,
                                      unique=True))),
        "year": draw(st.sampled_from(sorted({t.end_date.year for t in trainings} | {as_of.year}))),
        "kind": draw(st.sampled_from(KINDS)), "after": draw(st.booleans()),
        "lineage_of": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)),
    }


def fill(store, records: Records) -> None:
    store.wipe()
    store.init_schema()
    store.write(records)


def filters(p: dict) -> list[dict]:
    return [{}, {"kelurahan": p["kelurahan"]}, {"kecamatan": p["kecamatan"]}, {"cohort": p["cohort"]},
            {"year": p["year"]}]


def check(store, p: dict, thorough: bool) -> None:
    """Every answer of ``store`` (filled with ``p``'s records) equals the oracle's; ``thorough``:
    also the lineage of every IKM (else of a few), ``--skill all`` with a filter too, and
    ``tular check``'s orphans."""
    records, as_of = p["records"], p["as_of"]
    oracle = Oracle(records)
    for skill in SKILLS:
        for chosen in filters(p):
            got = answers.reach(store, answers.Query(skill=skill, as_of=as_of, **chosen)).model_dump()
            expected = oracle.reach(skill, as_of, **chosen)
            assert got == expected, \
                (skill, chosen, got, expected)
            if "kelurahan" in chosen or "kecamatan" in chosen:  # the headline of an area is its row
                [row] = got["kecamatan"] if "kecamatan" in chosen else [
                    a for a in got["areas"] if a["kelurahan"] == chosen["kelurahan"]]
                assert [got[k] for k in HEADLINE] == [row[k] for k in HEADLINE]
        got = answers.broken(store, skill, as_of, p["dormant"]).model_dump()
        assert got == oracle.broken(skill, as_of, p["dormant"]), skill
        for chosen in ({}, {"kelurahan": p["kelurahan"]}, {"cohort": p["cohort"]}, {"year": p["year"]}):
            got = answers.outcome_rates(store, answers.Query(skill=skill, as_of=as_of, **chosen), p["kind"],
                                        after_learning=p["after"]).model_dump()
            assert got == oracle.outcome_rates(skill, as_of, p["kind"], after_learning=p["after"], **chosen), chosen
    for chosen in ({}, {"kecamatan": p["kecamatan"]}) if thorough else ({},):
        got = answers.reach_all(store, answers.Query(skill="all", as_of=as_of, **chosen)).model_dump()
        expected = oracle.reach_all(as_of, **chosen)
        assert got["distinct_total"] == expected["distinct_total"]
        assert got["skills"] == expected["skills"]
        assert len(got["skills"]) == len(expected["skills"]) and got["as_of"] == expected["as_of"]
    # tular check's orphans (every date) are broken's orphans as of a date after every record
    late = date(2100, 1, 1)
    for skill in SKILLS if thorough else ():
        fragments: dict[tuple, list[str]] = {}
        for f in oracle.broken(skill, late, p["dormant"])["findings"]:
            if f["kind"] == "orphan":
                fragments.setdefault(tuple(f["fragment_top"]), []).append(f["ikm_id"])
        checked = {(tuple(f.fragment_top), tuple(f.ikm_ids)) for f in check_store(store).findings
                   if f.kind == "orphan" and f.skill == skill}
        assert checked == {(top, tuple(sorted(ids))) for top, ids in fragments.items()}, skill
    people = [i.ikm_id for i in records.ikm] if thorough else p["lineage_of"]
    for ikm_id in people:
        assert answers.lineage(store, ikm_id, as_of) == oracle.lineage(ikm_id, as_of), ikm_id
    assert answers.lineage(store, people[0], as_of, SKILLS[1]) == oracle.lineage(people[0], as_of, SKILLS[1])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(p=programmes())
def test_the_embedded_store_equals_the_oracle(embedded_store, p):
    fill(embedded_store, p["records"])
    check(embedded_store, p, thorough=True)


@pytest.mark.neo4j
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(p=programmes())
def test_the_neo4j_store_equals_the_oracle(neo4j_store, p):
    fill(neo4j_store, p["records"])
    check(neo4j_store, p, thorough=False)
