"""SPEC §5 metrics on small hand-built graphs whose numbers can be checked by eye, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tular.graph.metrics import answers as metrics
from tular.graph.metrics.results import Finding
from tular.graph.model.errors import UnknownIKM, UnknownSkill, UsageError
from tular.graph.model.records import Attendance, Population, Records
from tular.graph.store import GraphStore

from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, teaching, training

T = date(2026, 6, 30)  # the as-of date of these cases
W = 180
CUTOFF = T - timedelta(days=W)  # 2026-01-01: "≥ W before T" means on or before this day


def reach(store: GraphStore, skill: str = "batik", **kw) -> metrics.Reach:
    return metrics.reach(store, metrics.Query(skill=skill, as_of=kw.pop("as_of", T), **kw))


def seeded(*ids: str, end: str = "2020-08-01", training_id: str = "T-BATIK", skills=("batik",), **kw) -> Records:
    return Records(trainings=[training(training_id, end, *skills, **kw)],
                   attendance=[Attendance(training_id=training_id, ikm_id=i) for i in ids])


# ------------------------------------------------------------------ Bunulrejo
def bunulrejo() -> Records:
    """Two women trained in batik; twenty more in Bunulrejo learned from them over three generations."""
    learners = [f"L{i:02d}" for i in range(1, 21)]
    teachings = [teaching(learners[i], "S1" if i < 5 else "S2", "2021-01-10") for i in range(8)]
    teachings += [teaching(learners[i], learners[i - 8], "2022-03-01") for i in range(8, 16)]
    teachings += [teaching(learners[i], learners[i - 8], "2023-05-05") for i in range(16, 20)]
    return Records(ikm=[ikm("S1"), ikm("S2"), *(ikm(i) for i in learners)], teachings=teachings,
                   **seeded("S1", "S2", budget_idr=44_000_000).model_dump(include={"trainings", "attendance"}))


def test_bunulrejo_two_seeds_reach_twenty(store: GraphStore):
    store.write(bunulrejo())
    r = reach(store)
    assert (r.seeds, r.reached, r.total, r.multiplier, r.max_depth) == (2, 20, 22, 11.0, 3)
    assert [(g.generation, g.count, g.ratio) for g in r.generations] == [(0, 2, 4.0), (1, 8, 1.0), (2, 8, 0.5),
                                                                       (3, 4, None)]
    # all 2 seeds and all 8 of generation 1 taught; 4 of generation 2 did; nobody of generation 3
    assert [g.active_share for g in r.generations] == [1.0, 1.0, 0.5, 0.0]
    row = next(a for a in r.areas if a.kelurahan == "Bunulrejo")
    assert (row.seeds, row.reached, row.total, row.multiplier, row.imported) == (2, 20, 22, 11.0, 0)
    assert r.cost_per_ikm_idr == 2_000_000  # Rp 44.000.000 / 22
    assert r.coverage == pytest.approx(22 / 13_000)
    # S1 taught L01-L05, they taught L09-L13, and L09-L12 taught L17-L20
    assert r.top_teachers[0].ikm_id == "S1" and r.top_teachers[0].onward_reach == 5 + 5 + 4
    assert len(r.areas) == 57 and len(r.kecamatan) == 5


def test_kelurahan_filter_headline_equals_its_area_row_and_coverage_uses_ikm_on_record(store: GraphStore):
    store.write(bunulrejo())
    store.write(Records(ikm=[ikm("X1", DINOYO)], teachings=[teaching("X1", "L01", "2024-01-01")]))
    r = reach(store, kelurahan="bunul rejo")
    assert (r.seeds, r.reached, r.total) == (2, 20, 22)
    assert [a.kelurahan for a in r.areas] == ["Bunulrejo"] and r.areas[0].total == r.total
    assert r.coverage == 1.0  # 22 IKM on record in Bunulrejo, all of them reached
    dinoyo = reach(store, kelurahan="Dinoyo")
    assert (dinoyo.seeds, dinoyo.reached, dinoyo.multiplier, dinoyo.max_depth) == (0, 1, None, None)
    assert dinoyo.areas[0].imported == 1  # its nearest seed lives in Bunulrejo
    kec = reach(store, kecamatan="Lowokwaru")
    assert [k.kecamatan for k in kec.kecamatan] == ["Lowokwaru"] and kec.kecamatan[0].imported == 1


def test_populations_set_coverage(store: GraphStore):
    store.write(bunulrejo())
    store.write(Records(populations=[Population(kelurahan_code=BUNULREJO, population=44)]))
    assert reach(store, kelurahan="Bunulrejo").coverage == 0.5
    # the city (SPEC §5): 13,000, since the populations give one kelurahan, not all of them
    city = reach(store)
    assert city.total == 22 and city.coverage == 22 / 13_000


# -------------------------------------------------------------- counting rules
def test_a_diamond_is_counted_once_at_its_shortest_generation(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in "sabcd"],
                        teachings=[teaching("a", "s", "2021-01-01"), teaching("b", "s", "2021-01-02"),
                                   teaching("c", "a", "2021-02-01"), teaching("c", "b", "2021-02-02"),
                                   teaching("d", "c", "2021-03-01"), teaching("d", "s", "2021-09-09")]))
    store.write(seeded("s"))
    r = reach(store)
    assert (r.total, r.max_depth) == (5, 2)
    assert [g.count for g in r.generations] == [1, 3, 1]  # d: one step from s, though also three
    [tree] = r.virality
    # first-teacher tree: s-a, s-b, a-c (2021-02-01 beats b's 2021-02-02), c-d (2021-03-01 beats s's)
    assert tree.seed == "s" and tree.size == 5
    assert tree.structural_virality == pytest.approx((1 + 1 + 2 + 3 + 2 + 3 + 4 + 1 + 2 + 1) / 10)


def test_as_of_excludes_later_edges_and_later_trainings(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s", "a", "b", "late")],
                        teachings=[teaching("a", "s", "2021-01-01"), teaching("b", "a", "2026-06-30"),
                                   teaching("late", "a", "2026-07-01")]))
    store.write(seeded("s"))
    store.write(seeded("late", end="2026-07-01", training_id="T-LATE"))
    r = reach(store)
    assert (r.seeds, r.reached) == (1, 2)  # b's edge dated exactly T counts; late's edge and training do not
    assert reach(store, as_of=date(2020, 12, 31)).reached == 0
    assert reach(store, as_of=date(2020, 7, 31)).seeds == 0  # the training ended the next day


def test_an_attendance_not_completed_makes_no_seed(store: GraphStore):
    store.write(Records(ikm=[ikm("s"), ikm("dropout"), ikm("a")], teachings=[teaching("a", "dropout", "2021-01-01")]))
    store.write(Records(trainings=[training("T-BATIK", "2020-08-01")],
                        attendance=[Attendance(training_id="T-BATIK", ikm_id="s"),
                                    Attendance(training_id="T-BATIK", ikm_id="dropout", completed=False)]))
    r = reach(store)
    assert (r.seeds, r.reached) == (1, 0)
    assert [f.ikm_id for f in metrics.broken(store, "batik", T, W).findings if f.kind == "orphan"] == ["a", "dropout"]


def test_a_second_skill_does_not_leak(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in "sab"],
                        teachings=[teaching("a", "s", "2021-01-01", "batik"), teaching("b", "a", "2021-02-01", "barista")]))
    store.write(seeded("s"))
    assert (reach(store).total, reach(store, "barista").total) == (2, 0)
    assert [f.kind for f in metrics.broken(store, "barista", T, W).findings] == ["orphan", "orphan"]


def test_a_seed_taught_by_a_seed_stays_generation_0(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s1", "s2", "a")],
                        teachings=[teaching("s2", "s1", "2020-09-01"), teaching("a", "s2", "2020-10-01")]))
    store.write(seeded("s1", "s2"))
    r = reach(store)
    assert (r.seeds, r.reached, [g.count for g in r.generations]) == (2, 1, [2, 1])
    assert any("also taught" in w for w in r.warnings)
    assert r.generations[0].active_share == 0.5  # s1 taught only a seed, which is not in R


def test_cohort_and_year_restrict_the_seeds_only(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("old", "new", "a")],
                        teachings=[teaching("a", "old", "2021-01-01"), teaching("new", "a", "2022-01-01")]))
    store.write(seeded("old", training_id="T-2020", end="2020-08-01", budget_idr=10_000_000))
    store.write(seeded("new", training_id="T-2023", end="2023-03-03", budget_idr=30_000_000))
    every = reach(store)
    assert (every.seeds, every.reached, every.cost_per_ikm_idr) == (2, 1, 40_000_000 // 3)
    r2023 = reach(store, cohort=["T-2023"])
    assert (r2023.seeds, r2023.reached, r2023.cost_per_ikm_idr) == (1, 0, 30_000_000)
    r2020 = reach(store, year=2020)
    assert (r2020.seeds, r2020.reached) == (1, 2)  # "new" is an ordinary learner for the 2020 cohort
    with pytest.raises(UsageError, match="T-NOPE"):
        reach(store, cohort=["T-NOPE"])


def test_no_seeds_gives_nulls(store: GraphStore):
    r = reach(store)
    assert (r.seeds, r.total, r.multiplier, r.max_depth, r.generations, r.cost_per_ikm_idr) == (0, 0, None, None, [], None)
    assert all(a.multiplier is None for a in r.areas)


def test_skill_all_counts_distinct_ikm(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in "sab"],
                        teachings=[teaching("a", "s", "2021-01-01", "batik"), teaching("b", "s", "2021-01-01", "barista"),
                                   teaching("a", "s", "2021-01-01", "barista")]))
    store.write(seeded("s", skills=("batik", "barista")))
    result = metrics.reach_all(store, metrics.Query(skill="all", as_of=T))
    totals = {r.skill: r.total for r in result.skills}
    assert totals["batik"] == 2 and totals["barista"] == 3 and totals["kemasan"] == 0
    assert result.distinct_total == 3


def test_unknown_names_are_usage_errors(store: GraphStore):
    with pytest.raises(UnknownSkill):
        reach(store, "tari")
    with pytest.raises(UsageError, match="Bunulrejo"):
        reach(store, kelurahan="Bunul Rejoo")
    with pytest.raises(UnknownIKM):
        metrics.lineage(store, "nobody", T)


# ------------------------------------------------------------- broken chains
def findings(store: GraphStore, kind: str) -> dict[str, Finding]:
    return {f.ikm_id: f for f in metrics.broken(store, "batik", T, W).findings if f.kind == kind}


def test_dead_seed_at_the_boundary_day(store: GraphStore):
    store.write(Records(ikm=[ikm("on-cutoff"), ikm("day-after"), ikm("teacher"), ikm("a")],
                        teachings=[teaching("a", "teacher", "2026-03-01")]))
    store.write(seeded("on-cutoff", "teacher", end=CUTOFF.isoformat(), training_id="T1"))
    store.write(seeded("day-after", end=(CUTOFF + timedelta(days=1)).isoformat(), training_id="T2"))
    dead = findings(store, "dead_seed")
    assert set(dead) == {"on-cutoff"}
    assert (dead["on-cutoff"].days_dormant, dead["on-cutoff"].last_activity, dead["on-cutoff"].seeds) == (
        180, CUTOFF, ["on-cutoff"])


def test_stalled_lineage_at_the_boundary_day(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s-old", "s-new", "a", "b", "c")],
                        teachings=[teaching("a", "s-old", "2024-01-01"), teaching("b", "a", CUTOFF.isoformat()),
                                   teaching("c", "s-new", (CUTOFF + timedelta(days=1)).isoformat())]))
    store.write(seeded("s-old", "s-new"))
    stalled = findings(store, "stalled_lineage")
    assert set(stalled) == {"s-old"}  # an edge exactly T − W is outside the stalled window
    assert stalled["s-old"].last_activity == CUTOFF and stalled["s-old"].generation == 0


def test_dormant_leaf_at_the_boundary_day(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s", "leaf", "fresh", "teacher", "pupil")],
                        teachings=[teaching("leaf", "s", CUTOFF.isoformat()),
                                   teaching("fresh", "s", (CUTOFF + timedelta(days=1)).isoformat()),
                                   teaching("teacher", "s", "2022-01-01"), teaching("pupil", "teacher", "2026-06-01")]))
    store.write(seeded("s"))
    leaves = findings(store, "dormant_leaf")
    assert set(leaves) == {"leaf"}  # fresh learned too recently; teacher taught someone
    assert (leaves["leaf"].generation, leaves["leaf"].days_dormant, leaves["leaf"].seeds) == (1, 180, ["s"])


def test_orphans_come_with_the_top_of_their_fragment(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s", "o1", "o2", "o3", "p1", "p2", "future")],
                        teachings=[teaching("o2", "o1", "2023-01-01"), teaching("o3", "o2", "2023-02-01"),
                                   teaching("p2", "p1", "2024-04-04"), teaching("future", "s", "2026-07-01")]))
    store.write(seeded("s"))
    orphans = findings(store, "orphan")
    assert set(orphans) == {"o1", "o2", "o3", "p1", "p2"}  # an IKM taught only after T is neither
    assert orphans["o3"].fragment_top == ["o1"] and orphans["p2"].fragment_top == ["p1"]
    assert orphans["o2"].last_activity == date(2023, 2, 1) and orphans["o2"].generation is None
    assert orphans["o1"].seeds == []


def test_broken_json_shape(store: GraphStore):
    store.write(bunulrejo())
    data = metrics.broken(store, "batik", T, W).model_dump(mode="json")
    assert set(data) == {"skill", "as_of", "dormant_days", "findings"}
    assert set(data["findings"][0]) == {"kind", "ikm_id", "name", "kelurahan", "generation", "last_activity",
                                        "days_dormant", "seeds", "fragment_top"}


# --------------------------------------------------------------------- lineage
def test_lineage_lists_paths_shortest_first_and_counts_them(store: GraphStore):
    store.write(Records(ikm=[ikm(i) for i in ("s1", "s2", "a", "b", "c")] + [ikm("k", KESATRIAN)],
                        teachings=[teaching("a", "s1", "2021-01-01"), teaching("b", "s1", "2021-01-01"),
                                   teaching("c", "a", "2021-02-01"), teaching("c", "b", "2021-02-01"),
                                   teaching("c", "s2", "2021-03-01"), teaching("k", "c", "2021-04-01")]))
    store.write(seeded("s1", "s2"))
    result = metrics.lineage(store, "c", T, "batik")
    [batik] = result["skills"]
    assert batik["path_count"] == 3 and batik["generation"] == 1 and batik["seeds"] == ["s1", "s2"]
    assert batik["paths"] == [["s2", "c"], ["s1", "a", "c"], ["s1", "b", "c"]]
    assert batik["learned_on"] == "2021-02-01"
    assert [(d["ikm_id"], d["depth"], d["generation"], d["kelurahan"]) for d in batik["downstream"]] == [
        ("k", 1, 2, "Kesatrian")]
    assert metrics.lineage(store, "k", T)["skills"][0]["path_count"] == 3


# ------------------------------------------------------------------ deep chain
@pytest.mark.timeout(400)  # a guard against hanging; the speed is measured in benchmarks/
def test_a_10000_long_chain(store: GraphStore):
    n = 10_000
    ids = [f"C{i:05d}" for i in range(n)]
    start = date(1990, 1, 1)
    store.write(Records(ikm=[ikm(i) for i in ids],
                        teachings=[teaching(ids[i], ids[i - 1], (start + timedelta(days=i)).isoformat())
                                   for i in range(1, n)]))
    store.write(seeded(ids[0], end="1989-12-31"))
    r = reach(store)
    assert (r.seeds, r.reached, r.max_depth, len(r.generations)) == (1, n - 1, n - 1, n)
    assert r.top_teachers[0].onward_reach == n - 1 and r.virality[0].size == n
    tail = metrics.lineage(store, ids[-1], T, "batik")["skills"][0]
    assert tail["path_count"] == 1 and len(tail["paths"][0]) == n
    leaves = findings(store, "dormant_leaf")
    assert set(leaves) == {ids[-1]} and leaves[ids[-1]].generation == n - 1
