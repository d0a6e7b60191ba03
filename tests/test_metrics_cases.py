"""Small cases of SPEC §5 computed by hand, on both stores: each test writes its records,
asserts the numbers worked out in its comments, and holds the whole answer equal to the
oracle of ``tests/oracle.py`` too.

T = 2021-01-01 and W = 180 days unless a test says otherwise: the dormant cut-off T − W is
2020-07-05 (an IKM that learned on or before it, or a lineage whose last teaching is on or
before it, is dormant)."""

from __future__ import annotations

from datetime import date

import pytest

from tular.graph.metrics import answers
from tular.graph.metrics.quality import check_store
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import IKM, Attendance, Population, Records, Teaching, Training

from .oracle import Oracle

T = date(2021, 1, 1)
W = 180
BUNULREJO, POLEHAN, KESATRIAN = "blimbing.bunulrejo", "blimbing.polehan", "blimbing.kesatrian"
DINOYO, SUMBERSARI = "lowokwaru.dinoyo", "lowokwaru.sumbersari"


def ikm(ikm_id: str, kelurahan: str = BUNULREJO) -> IKM:
    return IKM(ikm_id=ikm_id, name=f"Ibu {ikm_id}", kelurahan_code=kelurahan)


def taught(learner: str, teacher: str, day: str, skill: str = "batik") -> Teaching:
    return Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=date.fromisoformat(day))


def training(training_id: str, end: str, budget: int | None = None) -> Training:
    return Training(training_id=training_id, title=f"Pelatihan {training_id}", skills=("batik",),
                    end_date=date.fromisoformat(end), budget_idr=budget)


def trained(training_id: str, *ids: str) -> list[Attendance]:
    return [Attendance(training_id=training_id, ikm_id=i) for i in ids]


def reach(store, **query) -> dict:
    return answers.reach(store, answers.Query(**{"skill": "batik", "as_of": T, **query})).model_dump()


def broken(store, as_of: date = T, dormant: int = W) -> dict:
    return answers.broken(store, "batik", as_of, dormant).model_dump()


def kinds(answer: dict) -> list[tuple]:
    return [(f["kind"], f["ikm_id"], f["last_activity"], f["days_dormant"], f["seeds"]) for f in answer["findings"]]


def agrees(store, records: Records, as_of: date = T, dormant: int = W, **query) -> None:
    """The engine's reach, broken chains and lineage of every IKM equal the oracle's."""
    oracle = Oracle(records)
    assert reach(store, as_of=as_of, **query) == oracle.reach("batik", as_of, **query)
    assert broken(store, as_of, dormant) == oracle.broken("batik", as_of, dormant)
    for person in records.ikm:
        assert answers.lineage(store, person.ikm_id, as_of) == oracle.lineage(person.ikm_id, as_of)


# ------------------------------------------------------------------------------ first teachers
def test_a_first_teacher_tie_goes_to_the_smaller_id(store):
    """x learned from s2 and s1 on the same day: its first teacher is s1 (the smaller id),
    whichever was written first; y learned from s2 first (day 1) and s1 later: s2. z learned
    from x. Trees: s1-x-z (a path of 3: distances 1, 1, 2, mean 4/3) and s2-y (1.0)."""
    records = Records(
        ikm=[ikm("s2"), ikm("s1"), ikm("x"), ikm("y"), ikm("z")],
        trainings=[training("T1", "2020-01-01")], attendance=trained("T1", "s2", "s1"),
        teachings=[taught("x", "s2", "2020-03-01"), taught("x", "s1", "2020-03-01"),
                   taught("y", "s1", "2020-03-02"), taught("y", "s2", "2020-03-01"), taught("z", "x", "2020-04-01")],
    )
    store.write(records)
    r = reach(store)
    assert [(v["seed"], v["size"]) for v in r["virality"]] == [("s1", 3), ("s2", 2)]
    assert r["virality"][0]["structural_virality"] == pytest.approx(4 / 3)
    assert r["virality"][1]["structural_virality"] == 1.0
    agrees(store, records)


# ------------------------------------------------------------------------------ broken chains
def test_a_seed_whose_only_pupil_is_a_seed_is_no_dead_seed(store):
    """s1 and s2 trained (ended 2020-01-01, before the cut-off); s1 taught s2 on 2020-12-01
    and nobody else. s1 taught somebody (a seed: teaching counts), recently: no finding. s2
    taught nobody: a dead seed, 366 days after its training."""
    records = Records(ikm=[ikm("s1"), ikm("s2")], trainings=[training("T1", "2020-01-01")],
                      attendance=trained("T1", "s1", "s2"), teachings=[taught("s2", "s1", "2020-12-01")])
    store.write(records)
    assert kinds(broken(store)) == [("dead_seed", "s2", date(2020, 1, 1), 366, ["s2"])]
    r = reach(store)
    assert (r["seeds"], r["reached"], r["max_depth"]) == (2, 0, 0)
    assert r["generations"] == [{"generation": 0, "count": 2, "ratio": None, "active_share": 0.0}]
    assert r["warnings"] == ["1 seed(s) were also taught by another IKM; they count as generation 0"]
    assert [(t["ikm_id"], t["generation"], t["onward_reach"]) for t in r["top_teachers"]] == [("s1", 0, 1)]
    agrees(store, records)


@pytest.mark.parametrize("s2_taught_a", ["2020-06-01", "2020-08-01"])
def test_a_lineage_stalls_or_grows_through_another_seed(store, s2_taught_a):
    """s1 taught s2 (also a seed) on 2020-02-01; s2 taught a. s1's lineage is s1, s2 and a:
    its last activity is s2's teaching of a. On 2020-06-01 (before the cut-off) both seeds'
    lineages are stalled, and a is a dormant leaf of both seeds; on 2020-08-01 (inside the
    window) neither lineage is stalled — s1 taught nobody new itself, but its lineage did."""
    records = Records(ikm=[ikm("s1"), ikm("s2"), ikm("a")], trainings=[training("T1", "2020-01-01")],
                      attendance=trained("T1", "s1", "s2"),
                      teachings=[taught("s2", "s1", "2020-02-01"), taught("a", "s2", s2_taught_a)])
    store.write(records)
    if s2_taught_a == "2020-06-01":
        assert kinds(broken(store)) == [
            ("stalled_lineage", "s1", date(2020, 6, 1), 214, ["s1"]),
            ("stalled_lineage", "s2", date(2020, 6, 1), 214, ["s2"]),
            ("dormant_leaf", "a", date(2020, 6, 1), 214, ["s1", "s2"]),
        ]
    else:
        assert kinds(broken(store)) == []
    agrees(store, records)


def test_a_leaf_whose_only_teaching_is_after_t_taught_nobody(store):
    """s taught a on 2020-02-01; a taught b on 2021-03-01, after T. As of T that teaching does
    not exist: a taught nobody (a dormant leaf, learned 335 days before T), b is neither
    reached nor an orphan, s's lineage is stalled. As of 2021-04-01 a taught b (no leaf) and
    b learned inside the window."""
    records = Records(ikm=[ikm("s"), ikm("a"), ikm("b")], trainings=[training("T1", "2020-01-01")],
                      attendance=trained("T1", "s"),
                      teachings=[taught("a", "s", "2020-02-01"), taught("b", "a", "2021-03-01")])
    store.write(records)
    assert kinds(broken(store)) == [("stalled_lineage", "s", date(2020, 2, 1), 335, ["s"]),
                                    ("dormant_leaf", "a", date(2020, 2, 1), 335, ["s"])]
    assert (reach(store)["reached"], reach(store)["total"]) == (1, 2)
    later = date(2021, 4, 1)
    assert kinds(broken(store, later)) == []
    assert reach(store, as_of=later)["reached"] == 2
    agrees(store, records)
    agrees(store, records, as_of=later)


def test_an_orphan_fragment_with_two_tops(store):
    """x and w both taught z, who taught q; nobody trained reaches them: four orphans of one
    fragment whose top is w and x (no teacher). p taught r: another fragment, top p. Each
    orphan's last activity is its latest teaching, given or received."""
    records = Records(
        ikm=[ikm(i) for i in ("s", "a", "w", "x", "z", "q", "p", "r")],
        trainings=[training("T1", "2020-01-01")], attendance=trained("T1", "s"),
        teachings=[taught("a", "s", "2020-12-01"), taught("z", "x", "2020-03-01"), taught("z", "w", "2020-04-01"),
                   taught("q", "z", "2020-09-01"), taught("r", "p", "2020-05-01")],
    )
    store.write(records)
    found = [(f["ikm_id"], f["last_activity"], f["generation"], f["seeds"], f["fragment_top"])
             for f in broken(store)["findings"]]
    assert found == [
        ("x", date(2020, 3, 1), None, [], ["w", "x"]),
        ("w", date(2020, 4, 1), None, [], ["w", "x"]),
        ("p", date(2020, 5, 1), None, [], ["p"]),
        ("r", date(2020, 5, 1), None, [], ["p"]),
        ("q", date(2020, 9, 1), None, [], ["w", "x"]),
        ("z", date(2020, 9, 1), None, [], ["w", "x"]),
    ]
    agrees(store, records)


def test_tular_check_finds_the_orphans_broken_finds(store):
    """``tular check`` (every date) lists one orphan finding per fragment; ``broken`` as of a
    date after every record lists the same IKM, with the same fragment tops."""
    records = Records(
        ikm=[ikm(i) for i in ("s", "a", "b", "w", "x", "z", "q", "p", "r", "u")],
        trainings=[training("T1", "2020-01-01"), training("T2", "2022-06-01")],
        attendance=trained("T1", "s") + trained("T2", "u"),
        teachings=[taught("a", "s", "2020-12-01"), taught("z", "x", "2020-03-01"), taught("z", "w", "2020-04-01"),
                   taught("q", "z", "2020-09-01"), taught("r", "p", "2020-05-01"), taught("b", "a", "2023-01-01"),
                   taught("p", "u", "2023-02-01")],
    )
    store.write(records)
    quality = {(tuple(f.fragment_top), tuple(f.ikm_ids)) for f in check_store(store).findings if f.kind == "orphan"}
    late = date(2030, 1, 1)
    fragments: dict[tuple, list[str]] = {}
    for f in broken(store, late)["findings"]:
        if f["kind"] == "orphan":
            fragments.setdefault(tuple(f["fragment_top"]), []).append(f["ikm_id"])
    # u's training (ended 2022-06-01) and its teaching of p (2023) reach p and r by 2030
    assert quality == {(top, tuple(sorted(ids))) for top, ids in fragments.items()} == {
        (("w", "x"), ("q", "w", "x", "z"))}
    agrees(store, records, as_of=late)


# ------------------------------------------------------------------------------ areas
def imported_city() -> Records:
    """Three seeds: s1 (Bunulrejo) and s2 (Polehan) in Blimbing, s3 (Dinoyo) in Lowokwaru.
    x (Kesatrian, Blimbing): taught by s1 and s3, generation 1, nearest seeds s1 and s3.
    y (Dinoyo): taught by x, generation 2, nearest seeds s1 and s3 (through x).
    z (Sumbersari, Lowokwaru): taught by s1, nearest seed s1.
    v (Bunulrejo): taught by z (two steps from s1) and by s3: generation 1, nearest seed s3
    only — s1 lives in Bunulrejo but is farther. Three more IKM on record in Polehan."""
    return Records(
        ikm=[ikm("s1"), ikm("s2", POLEHAN), ikm("s3", DINOYO), ikm("x", KESATRIAN), ikm("y", DINOYO),
             ikm("z", SUMBERSARI), ikm("v"), ikm("p1", POLEHAN), ikm("p2", POLEHAN), ikm("p3", POLEHAN)],
        trainings=[training("T1", "2020-01-01")], attendance=trained("T1", "s1", "s2", "s3"),
        teachings=[taught("x", "s1", "2020-02-01"), taught("x", "s3", "2020-02-02"), taught("y", "x", "2020-03-01"),
                   taught("z", "s1", "2020-02-01"), taught("v", "z", "2020-03-01"), taught("v", "s3", "2020-04-01")],
    )


def rows(answer: dict, key: str) -> dict[str, tuple]:
    name = "kelurahan" if key == "areas" else "kecamatan"
    return {row[name]: (row["seeds"], row["reached"], row["total"], row["multiplier"], row["imported"])
            for row in answer[key] if row["total"]}


def test_imported_by_the_nearest_seeds_per_kelurahan_and_per_kecamatan(store):
    """Imported per kelurahan: x (no nearest seed in Kesatrian), z (none in Sumbersari), v
    (its one nearest seed, s3, is in Dinoyo); y is not (s3 is in Dinoyo). Per kecamatan:
    x is not (s1 is in Blimbing), v is (s3 is in Lowokwaru), z is (s1 is in Blimbing), y
    is not."""
    store.write(imported_city())
    r = reach(store)
    assert (r["seeds"], r["reached"], r["total"], r["multiplier"], r["max_depth"]) == (3, 4, 7, 7 / 3, 2)
    assert rows(r, "areas") == {
        "Bunulrejo": (1, 1, 2, 2.0, 1), "Kesatrian": (0, 1, 1, None, 1), "Polehan": (1, 0, 1, 1.0, 0),
        "Dinoyo": (1, 1, 2, 2.0, 0), "Sumbersari": (0, 1, 1, None, 1),
    }
    assert rows(r, "kecamatan") == {"Blimbing": (2, 2, 4, 2.0, 1), "Lowokwaru": (1, 2, 3, 3.0, 1)}
    assert len(r["areas"]) == 57 and len(r["kecamatan"]) == 5  # every area, zeros included
    # generation 0: s1 and s3 taught someone reached, s2 nobody; generation 1: x and z did, v not
    assert [(g["count"], g["ratio"], g["active_share"]) for g in r["generations"]] == [
        (3, 1.0, 2 / 3), (3, 1 / 3, 2 / 3), (1, None, 0.0)]
    agrees(store, imported_city())


def test_the_kecamatan_filter_counts_its_ikm_and_its_population(store):
    """--kecamatan Blimbing: s1, s2, x and v; its headline is its kecamatan row. Without a
    populations file its population is the IKM on record in its kelurahan: Bunulrejo 2,
    Kesatrian 1, Polehan 4 — coverage 4/7. A kelurahan: its own IKM (Polehan: 1 of 4). The
    city: 13,000."""
    store.write(imported_city())
    r = reach(store, kecamatan="Blimbing")
    assert (r["seeds"], r["reached"], r["total"], r["multiplier"]) == (2, 2, 4, 2.0)
    assert [(k["kecamatan"], k["seeds"], k["reached"], k["total"]) for k in r["kecamatan"]] == [("Blimbing", 2, 2, 4)]
    assert len(r["areas"]) == 11 and {a["kecamatan"] for a in r["areas"]} == {"Blimbing"}
    assert r["coverage"] == 4 / 7
    # generations of the counted IKM: s1, s2 (0); x, v (1); ratio 1.0; s1 taught, s2 not; x taught y, v nobody
    assert [(g["count"], g["ratio"], g["active_share"]) for g in r["generations"]] == [(2, 1.0, 0.5), (2, None, 0.5)]
    assert r["max_depth"] == 1
    assert reach(store, kelurahan="Polehan")["coverage"] == 1 / 4
    assert reach(store)["coverage"] == 7 / 13_000
    oracle = Oracle(imported_city())
    for query in ({"kecamatan": "Blimbing"}, {"kecamatan": "Lowokwaru"}, {"kelurahan": "Polehan"},
                  {"kelurahan": "Kesatrian"}):
        assert reach(store, **query) == oracle.reach("batik", T, **query), query


def test_populations_for_every_kelurahan_make_the_city(store):
    """A populations file with all 57 kelurahan (10 each): the city is their sum, 570."""
    records = imported_city()
    records.populations = [Population(kelurahan_code=k.code, population=10)
                           for k in Gazetteer.kota_malang().kelurahan_list]
    store.write(records)
    assert reach(store)["coverage"] == 7 / 570
    assert reach(store, kecamatan="Blimbing")["coverage"] == 4 / 110
    assert reach(store, kelurahan="Kesatrian")["coverage"] == 1 / 10
    agrees(store, records)


def partial_populations() -> Records:
    records = imported_city()
    records.populations = [Population(kelurahan_code=BUNULREJO, population=20)]
    return records


def test_partial_populations_count_for_their_kelurahan_and_kecamatan(store):
    """Bunulrejo given (20), nothing else: Bunulrejo's coverage is 2/20; Blimbing's population
    is 20 + Kesatrian's 1 + Polehan's 4 on record = 25, coverage 4/25."""
    store.write(partial_populations())
    assert reach(store, kelurahan="Bunulrejo")["coverage"] == 2 / 20
    assert reach(store, kecamatan="Blimbing")["coverage"] == 4 / 25
    assert reach(store, kecamatan="Lowokwaru")["coverage"] == 3 / 3  # Dinoyo 2 and Sumbersari 1 on record
    oracle = Oracle(partial_populations())
    for query in ({"kelurahan": "Bunulrejo"}, {"kecamatan": "Blimbing"}, {"kecamatan": "Lowokwaru"}):
        assert reach(store, **query) == oracle.reach("batik", T, **query), query


def test_partial_populations_leave_the_city_at_13000(store):
    """SPEC §5: "the city is the sum of all kelurahan only when the file gives every
    kelurahan, else 13,000 — one kelurahan's figure never replaces the city's". With
    Bunulrejo's figure alone the city's coverage is 7/13,000, not 7/28 (20 for Bunulrejo plus
    the 8 IKM on record elsewhere)."""
    store.write(partial_populations())
    assert reach(store)["coverage"] == 7 / 13_000
    assert reach(store) == Oracle(partial_populations()).reach("batik", T)


# ------------------------------------------------------------------------------ cost
def costed() -> Records:
    """T1 (Rp 30,000,000; s1 and s4, Bunulrejo), T2 (no budget; s2, Dinoyo), T3 (Rp 12,000,000;
    s3, Dinoyo, ends after T: no seed). s1 taught a and b, a taught d, d taught e (all
    Bunulrejo); s2 taught c (Dinoyo). Seeds s1, s2, s4; reached a, b, c, d, e: total 8."""
    return Records(
        ikm=[ikm("s1"), ikm("s4"), ikm("s2", DINOYO), ikm("s3", DINOYO), ikm("a"), ikm("b"), ikm("c", DINOYO),
             ikm("d"), ikm("e")],
        trainings=[training("T1", "2020-01-01", 30_000_000), training("T2", "2020-02-01"),
                   training("T3", "2021-06-01", 12_000_000)],
        attendance=trained("T1", "s1", "s4") + trained("T2", "s2") + trained("T3", "s3"),
        teachings=[taught("a", "s1", "2020-03-01"), taught("b", "s1", "2020-03-01"), taught("d", "a", "2020-04-01"),
                   taught("e", "d", "2020-05-01"), taught("c", "s2", "2020-03-01")],
    )


def test_cost_per_ikm_leaves_out_trainings_without_a_budget(store):
    """The city: T1 once (two seeds, one training) and T2 without a budget, left out with a
    warning: 30,000,000 / 8 = 3,750,000."""
    store.write(costed())
    r = reach(store)
    assert (r["seeds"], r["total"], r["cost_per_ikm_idr"]) == (3, 8, 3_750_000)
    assert r["warnings"] == ["trainings without a budget are left out of the cost: T2"]
    agrees(store, costed())


def test_cost_per_ikm_under_filters(store):
    """Bunulrejo: s1, s4 (T1), a, b, d, e — 30,000,000 / 6 = 5,000,000, no warning. Dinoyo:
    s2 (T2, no budget) and c — no training with a budget: null, no warning. Cohort T2: the
    same. Year 2021: no seed (T3 ends after T) — null, and the no-seed warning."""
    store.write(costed())
    bunulrejo = reach(store, kelurahan="Bunulrejo")
    assert (bunulrejo["total"], bunulrejo["cost_per_ikm_idr"], bunulrejo["warnings"]) == (6, 5_000_000, [])
    dinoyo = reach(store, kelurahan="Dinoyo")
    assert (dinoyo["seeds"], dinoyo["total"], dinoyo["cost_per_ikm_idr"], dinoyo["warnings"]) == (1, 2, None, [])
    cohort = reach(store, cohort=("T2",))
    assert (cohort["seeds"], cohort["total"], cohort["cost_per_ikm_idr"], cohort["warnings"]) == (1, 2, None, [])
    none = reach(store, year=2021)
    assert (none["seeds"], none["total"], none["cost_per_ikm_idr"], none["multiplier"], none["max_depth"]) == (
        0, 0, None, None, None)
    assert none["warnings"] == ["no completed training of batik ended by 2021-01-01 in the selection: no seeds"]
    oracle = Oracle(costed())
    for query in ({"kelurahan": "Bunulrejo"}, {"kelurahan": "Dinoyo"}, {"cohort": ("T2",)}, {"cohort": ("T1", "T3")},
                  {"year": 2020}, {"year": 2021}, {"kecamatan": "Lowokwaru"}):
        assert reach(store, **query) == oracle.reach("batik", T, **query), query


def test_no_training_with_a_budget(store):
    """Every seed training without a budget: cost null, and no warning about budgets."""
    records = costed()
    records.trainings = [t.model_copy(update={"budget_idr": None}) for t in records.trainings]
    store.write(records)
    r = reach(store)
    assert (r["cost_per_ikm_idr"], r["warnings"]) == (None, [])
    agrees(store, records)


# ------------------------------------------------------------------------------ onward reach
def test_onward_reach_counts_a_diamond_once(store):
    """s taught a and b, both taught c, c taught d: s reaches a, b, c, d (4, not 5); a and b
    reach c and d (2 each, tie: same generation, then id); c reaches d. d has two paths."""
    records = Records(
        ikm=[ikm(i) for i in ("s", "a", "b", "c", "d")], trainings=[training("T1", "2020-01-01")],
        attendance=trained("T1", "s"),
        teachings=[taught("b", "s", "2020-02-01"), taught("a", "s", "2020-02-01"), taught("c", "b", "2020-03-01"),
                   taught("c", "a", "2020-03-02"), taught("d", "c", "2020-04-01")],
    )
    store.write(records)
    r = reach(store)
    assert [(t["ikm_id"], t["generation"], t["onward_reach"]) for t in r["top_teachers"]] == [
        ("s", 0, 4), ("a", 1, 2), ("b", 1, 2), ("c", 2, 1)]
    # the first-teacher tree: a, b under s; c under b (earlier); d under c — s-a, s-b-c-d: Wiener 20 / 10 pairs
    assert [(v["seed"], v["size"], v["structural_virality"]) for v in r["virality"]] == [("s", 5, 2.0)]
    [d] = answers.lineage(store, "d", T, "batik")["skills"]
    assert (d["generation"], d["path_count"], d["paths"]) == (3, 2, [["s", "a", "c", "d"], ["s", "b", "c", "d"]])
    agrees(store, records)


# ------------------------------------------------------------------------------ lineage
def many_paths() -> Records:
    """Eleven seeds s00..s10 each taught the ten m0..m9, who all taught v; seed t taught v
    directly. v has 11 × 10 + 1 = 111 paths from a seed: [t, v] first, then 110 of three."""
    seeds = [f"s{i:02d}" for i in range(11)]
    middle = [f"m{j}" for j in range(10)]
    return Records(
        ikm=[ikm(i) for i in [*seeds, *middle, "t", "v"]], trainings=[training("T1", "2020-01-01")],
        attendance=trained("T1", *seeds, "t"),
        teachings=[taught(m, s, "2020-02-01") for s in seeds for m in middle]
        + [taught("v", m, "2020-03-01") for m in middle] + [taught("v", "t", "2020-03-01")],
    )


def test_lineage_keeps_100_paths_shortest_first_and_counts_all(store):
    store.write(many_paths())
    [v] = answers.lineage(store, "v", T, "batik")["skills"]
    assert (v["generation"], v["path_count"], len(v["paths"])) == (1, 111, 100)
    assert v["paths"][0] == ["t", "v"]
    assert all(len(p) == 3 and p[0].startswith("s") and p[1].startswith("m") and p[2] == "v" for p in v["paths"][1:])
    assert len({tuple(p) for p in v["paths"]}) == 100 and v["paths"] == sorted(v["paths"], key=lambda p: (len(p), p))
    assert v["seeds"] == sorted([f"s{i:02d}" for i in range(11)] + ["t"])


def test_lineage_keeps_the_first_100_paths_by_id(store):
    """Of the 110 three-step paths 99 are kept after [t, v]: of paths equally short, the first
    by id — s00..s08 with every m, then s09 with m0..m8 (not s09-m9-v, nor any of s10's)."""
    store.write(many_paths())
    [v] = answers.lineage(store, "v", T, "batik")["skills"]
    assert v["paths"] == [["t", "v"]] + [[f"s{i:02d}", f"m{j}", "v"] for i in range(10) for j in range(10)][:99]
    assert answers.lineage(store, "v", T, "batik") == Oracle(many_paths()).lineage("v", T, "batik")


def test_lineage_counts_the_paths_of_50000_teachers(embedded_store):
    """v learned from 50,000 trainees: 50,000 paths of two IKM, 100 of them listed. (Embedded
    only: writing 50,000 IKM into Neo4j would take most of a minute.)"""
    seeds = [f"s{i:05d}" for i in range(50_000)]
    records = Records(ikm=[ikm(i) for i in [*seeds, "v"]], trainings=[training("T1", "2020-01-01")],
                      attendance=trained("T1", *seeds), teachings=[taught("v", s, "2020-02-01") for s in seeds])
    embedded_store.write(records)
    [v] = answers.lineage(embedded_store, "v", T, "batik")["skills"]
    assert (v["generation"], v["path_count"], len(v["paths"]), len(v["seeds"])) == (1, 50_000, 100, 50_000)
    assert all(len(p) == 2 and p[1] == "v" for p in v["paths"])
    expected = Oracle(records).lineage_of_skill("batik", "v", T)
    assert (v["path_count"], v["seeds"]) == (expected["path_count"], expected["seeds"])
