"""The demo data set (SPEC §1, §6 ``tular demo``): a synthetic Kota Malang whose numbers
are computed here straight from the records with networkx, per the §5 definitions."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
import pytest

from tular.graph.demo.generator import (
    BATIK_WORKSHOP_2020,
    BUNULREJO,
    DEMO_AS_OF,
    DEMO_IKM_COUNT,
    DEMO_SEED,
    PHK_2021_SKILLS,
    build_demo,
    load_demo,
)
from tular.graph.model.gazetteer import Gazetteer, normalise
from tular.graph.model.records import Records
from tular.graph.model.skills import SkillVocabulary
from tular.graph.store import open_store

from .skill_graph import attendance

DORMANT = timedelta(days=180)
_built: dict[int, Records] = {}


def demo_records(seed: int) -> Records:
    if seed not in _built:
        _built[seed] = build_demo(seed)
    return _built[seed]


@pytest.fixture(scope="module")
def demo() -> Records:
    return demo_records(DEMO_SEED)


@pytest.fixture(scope="module", params=[DEMO_SEED, 7], ids=lambda s: f"seed{s}")
def any_demo(request) -> Records:
    """The invariants hold for the shipped seed and for another one, not by luck."""
    return demo_records(request.param)


@dataclass
class Cascade:
    graph: nx.DiGraph  # teacher -> learner, edges dated <= as-of
    seeds: dict[str, date]  # IKM -> earliest completed training end
    generation: dict[str, int]  # seeds and reached

    @property
    def reached(self) -> set[str]:
        return set(self.generation) - set(self.seeds)

    def learned(self, ikm_id: str) -> date | None:
        dates = [self.graph.edges[t, ikm_id]["date"] for t in self.graph.predecessors(ikm_id)] if ikm_id in self.graph else []
        if ikm_id in self.seeds:
            dates.append(self.seeds[ikm_id])
        return min(dates, default=None)


def cascades(records: Records, as_of: date = DEMO_AS_OF) -> dict[str, Cascade]:
    skills_of = {t.training_id: t.skills for t in records.trainings}
    end_of = {t.training_id: t.end_date for t in records.trainings}
    seeds: dict[str, dict[str, date]] = defaultdict(dict)
    for a in records.attendance:
        if a.completed and end_of[a.training_id] <= as_of:
            for skill in skills_of[a.training_id]:
                known = seeds[skill].get(a.ikm_id)
                seeds[skill][a.ikm_id] = min(known, end_of[a.training_id]) if known else end_of[a.training_id]
    graphs: dict[str, nx.DiGraph] = defaultdict(nx.DiGraph)
    for e in records.teachings:
        if e.date <= as_of:
            graphs[e.skill].add_edge(e.teacher_id, e.learner_id, date=e.date, note=e.note)
    result = {}
    for skill in sorted(set(seeds) | set(graphs)):
        graph, skill_seeds = graphs[skill], seeds.get(skill, {})
        sources = [s for s in skill_seeds if s in graph]
        generation = dict(nx.multi_source_dijkstra_path_length(graph, sources)) if sources else {}
        generation.update({s: 0 for s in skill_seeds})
        result[skill] = Cascade(graph, skill_seeds, generation)
    return result


@pytest.fixture(scope="module")
def by_skill(demo) -> dict[str, Cascade]:
    return cascades(demo)


@pytest.fixture(scope="module")
def kelurahan_of(demo) -> dict[str, str]:
    return {i.ikm_id: i.kelurahan_code for i in demo.ikm}


# ------------------------------------------------------------------ the city and its people
def test_thirteen_thousand_ikm_over_all_57_kelurahan_unevenly(any_demo):
    ids = [i.ikm_id for i in any_demo.ikm]
    assert len(ids) == DEMO_IKM_COUNT == 13_000
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"IKM-\d{5}", i) for i in ids)
    sizes = Counter(i.kelurahan_code for i in any_demo.ikm)
    assert set(sizes) == {k.code for k in Gazetteer.kota_malang().kelurahan_list}
    assert len(sizes) == 57
    assert max(sizes.values()) >= 3 * min(sizes.values())


def test_people_look_like_malang_ikm(demo):
    women = sum(i.gender == "P" for i in demo.ikm) / len(demo.ikm)
    assert 0.5 < women < 0.8
    assert {i.gender for i in demo.ikm} == {"P", "L"}
    assert {i.sector for i in demo.ikm} >= {"fesyen", "kuliner", "kerajinan", "jasa"}
    assert all(i.name and i.business_name for i in demo.ikm)
    phones = [i.phone for i in demo.ikm if i.phone]
    assert len(phones) > 0.9 * len(demo.ikm)
    assert all(re.fullmatch(r"08\d{10}", p) for p in phones)
    assert len({i.name for i in demo.ikm}) > 5_000  # common names repeat across the city, but not a handful


def test_probable_duplicate_persons_are_planted_not_accidental(demo):
    by_name = Counter((normalise(i.name), i.kelurahan_code) for i in demo.ikm)
    name_duplicates = [key for key, n in by_name.items() if n > 1]
    assert 1 <= len(name_duplicates) <= 2
    by_phone = Counter(i.phone for i in demo.ikm if i.phone)
    phone_duplicates = [p for p, n in by_phone.items() if n > 1]
    assert len(phone_duplicates) <= len(name_duplicates)


# ----------------------------------------------------------------------------- trainings
def test_about_four_hundred_trained(any_demo):
    trained = {a.ikm_id for a in any_demo.attendance if a.completed}
    assert 350 <= len(trained) <= 450


def test_batik_workshop_2020_one_mother_per_kelurahan_two_in_bunulrejo(demo, kelurahan_of):
    workshop = next(t for t in demo.trainings if t.training_id == BATIK_WORKSHOP_2020)
    assert workshop.title == "Pelatihan Membatik untuk Ibu Rumah Tangga"
    assert workshop.skills == ("batik",) and workshop.end_date.year == 2020
    trainees = [a.ikm_id for a in demo.attendance if a.training_id == BATIK_WORKSHOP_2020 and a.completed]
    per_kelurahan = Counter(kelurahan_of[i] for i in trainees)
    assert len(per_kelurahan) == 57
    assert per_kelurahan[BUNULREJO] == 2
    assert len(trainees) == 58
    gender = {i.ikm_id: i.gender for i in demo.ikm}
    assert {gender[i] for i in trainees} == {"P"}


def test_phk_2021_programme_and_follow_ups(demo):
    in_2021 = {t.training_id: t for t in demo.trainings if t.end_date.year == 2021}
    skills_2021 = Counter(s for t in in_2021.values() for s in t.skills)
    assert set(skills_2021) == set(PHK_2021_SKILLS) | {"kemasan", "legalitas-usaha"}
    assert all("PHK" in (t.target_group or "") for t in in_2021.values())
    attendees = defaultdict(set)
    for a in demo.attendance:
        attendees[a.training_id].add(a.ikm_id)
    core = set().union(*(attendees[t] for t, tr in in_2021.items() if tr.skills[0] in PHK_2021_SKILLS))
    for tid, training in in_2021.items():
        if training.skills[0] in ("kemasan", "legalitas-usaha"):
            assert len(attendees[tid] & core) > 0.7 * len(attendees[tid])  # mostly the same participants
    later_years = {t.end_date.year for t in demo.trainings if t.end_date.year > 2021}
    assert later_years == {2022, 2023, 2024, 2025}


def test_trainings_are_realistic_with_a_few_gaps(demo):
    budgets = [t.budget_idr for t in demo.trainings if t.budget_idr is not None]
    assert all(25_000_000 <= b <= 150_000_000 for b in budgets)
    assert 1 <= sum(t.budget_idr is None for t in demo.trainings) <= 3
    assert all(t.organizer and t.location and t.title and t.start_date for t in demo.trainings)
    assert sum("Diskopindag" in t.organizer for t in demo.trainings) > len(demo.trainings) / 2
    assert any(not a.completed for a in demo.attendance)  # dropouts
    completed_per_skill = Counter(
        (a.ikm_id, s) for a in demo.attendance if a.completed
        for t in demo.trainings if t.training_id == a.training_id for s in t.skills
    )
    assert any(n >= 2 for n in completed_per_skill.values())  # trained twice for a skill


# ------------------------------------------------------------------------------ integrity
def test_every_reference_exists_and_keys_are_unique(any_demo):
    ikm_ids = {i.ikm_id for i in any_demo.ikm}
    training_ids = {t.training_id for t in any_demo.trainings}
    skills = set(SkillVocabulary.builtin().ids)
    assert len(training_ids) == len(any_demo.trainings)
    assert all(set(t.skills) <= skills for t in any_demo.trainings)
    assert all(a.training_id in training_ids and a.ikm_id in ikm_ids for a in any_demo.attendance)
    assert all(e.learner_id in ikm_ids and e.teacher_id in ikm_ids and e.skill in skills for e in any_demo.teachings)
    assert len({(a.training_id, a.ikm_id) for a in any_demo.attendance}) == len(any_demo.attendance)
    edge_keys = {(e.learner_id, e.teacher_id, e.skill) for e in any_demo.teachings}
    assert len(edge_keys) == len(any_demo.teachings)


def test_each_skill_graph_is_a_dag_without_self_teaching(any_demo):
    assert all(e.learner_id != e.teacher_id for e in any_demo.teachings)
    for skill, cascade in cascades(any_demo).items():
        assert nx.is_directed_acyclic_graph(cascade.graph), skill


def test_no_date_after_the_last_data_date(any_demo):
    assert all(e.date <= DEMO_AS_OF for e in any_demo.teachings)
    assert all(t.start_date <= t.end_date <= DEMO_AS_OF for t in any_demo.trainings)
    assert all(i.joined_on <= DEMO_AS_OF for i in any_demo.ikm)
    assert max(e.date for e in any_demo.teachings) > DEMO_AS_OF - DORMANT  # still being recorded


def test_build_is_deterministic_and_ignores_the_global_rng(demo):
    random.seed(1)
    first = build_demo()
    random.seed(99)
    assert build_demo() == first == demo
    assert demo_records(7) != demo


# ------------------------------------------------------------------------------- cascade
def test_edge_total_and_every_skill_spreads(any_demo):
    assert 5_000 <= len(any_demo.teachings) <= 9_000
    by_skill = cascades(any_demo)
    assert set(by_skill) == set(SkillVocabulary.builtin().ids)
    for skill, cascade in by_skill.items():
        assert cascade.seeds and len(cascade.reached) > len(cascade.seeds), skill


def test_teaching_is_mostly_between_neighbours(demo, kelurahan_of):
    gazetteer = Gazetteer.kota_malang()
    same_kelurahan = sum(kelurahan_of[e.learner_id] == kelurahan_of[e.teacher_id] for e in demo.teachings)
    same_kecamatan = sum(
        gazetteer.kecamatan_of(kelurahan_of[e.learner_id]) == gazetteer.kecamatan_of(kelurahan_of[e.teacher_id])
        for e in demo.teachings
    )
    assert same_kelurahan > 0.6 * len(demo.teachings)
    assert same_kecamatan > 0.9 * len(demo.teachings)
    assert same_kecamatan < len(demo.teachings)  # some skills cross kecamatan borders


def test_batik_travels_mostly_among_women_barista_is_mixed(demo, by_skill):
    gender = {i.ikm_id: i.gender for i in demo.ikm}

    def women_share(skill):
        people = set(by_skill[skill].generation)
        return sum(gender[i] == "P" for i in people) / len(people)

    assert women_share("batik") > 0.75
    assert 0.3 < women_share("barista") < 0.75


def test_generations_thin_out(by_skill):
    sizes = Counter(g for c in by_skill.values() for g in c.generation.values())
    n = [sizes[g] for g in range(5)]
    assert n[1] > n[2] > n[3] > n[4] > 0
    ratios = [n[g + 1] / n[g] for g in range(4)]
    assert ratios == sorted(ratios, reverse=True) and ratios[1] < 1

    def active_share(g):
        members = [(c, v) for c in by_skill.values() for v, gen in c.generation.items() if gen == g]
        active = sum(any(w in c.reached for w in c.graph.successors(v)) for c, v in members if v in c.graph)
        return active / len(members)

    assert active_share(2) < 0.5 < active_share(0)  # many gen-2 learners teach nobody
    assert active_share(3) < active_share(1)


def test_bunulrejo_two_batik_seeds_reach_more_than_twenty_neighbours(demo, by_skill, kelurahan_of):
    batik = by_skill["batik"]
    seeds = [s for s in batik.seeds if kelurahan_of[s] == BUNULREJO]
    assert len(seeds) == 2
    workshop = {a.ikm_id for a in demo.attendance if a.training_id == BATIK_WORKSHOP_2020}
    assert set(seeds) <= workshop
    lineage = set().union(*(nx.descendants(batik.graph, s) for s in seeds)) - set(batik.seeds)
    in_bunulrejo = {v for v in lineage if kelurahan_of[v] == BUNULREJO}
    assert 20 < len(in_bunulrejo) <= 30
    assert max(batik.generation[v] for v in in_bunulrejo) >= 3
    assert any(batik.graph.in_degree(v) >= 2 for v in in_bunulrejo)
    notes = [d["note"] or "" for t, v, d in batik.graph.edges(data=True) if v in in_bunulrejo]
    assert sum("pameran" in n for n in notes) >= 3
    # nobody else brought batik to Bunulrejo: all its batik learners come from these two
    assert {v for v in batik.reached if kelurahan_of[v] == BUNULREJO} == in_bunulrejo


def test_some_learner_has_two_teachers(by_skill):
    assert sum(1 for c in by_skill.values() for v in c.graph if c.graph.in_degree(v) >= 2) >= 10


# --------------------------------------------------------------------------- broken chains
def test_there_are_dead_seeds(by_skill):
    dead = [
        s for c in by_skill.values() for s, ended in c.seeds.items()
        if ended <= DEMO_AS_OF - DORMANT and (s not in c.graph or c.graph.out_degree(s) == 0)
    ]
    assert len(dead) >= 5


def test_there_are_stalled_and_active_lineages(by_skill):
    stalled = active = 0
    for c in by_skill.values():
        for s in c.seeds:
            if s not in c.graph or not c.graph.out_degree(s):
                continue
            lineage = {s} | nx.descendants(c.graph, s)
            last = max(d["date"] for t, _, d in c.graph.out_edges(lineage, data=True))
            if last <= DEMO_AS_OF - DORMANT:
                stalled += 1
            else:
                active += 1
    assert stalled >= 5 and active >= 5


def test_a_few_small_orphan_fragments(by_skill):
    fragments = []
    for c in by_skill.values():
        orphans = [v for v in c.graph if v not in c.generation]
        fragments += [(c, f) for f in nx.weakly_connected_components(c.graph.subgraph(orphans))]
    assert 3 <= len(fragments) <= 6
    for c, fragment in fragments:
        assert 2 <= len(fragment) <= 6
        assert all(c.graph.has_node(v) for v in fragment)
        tops = [v for v in fragment if c.graph.in_degree(v) == 0]
        assert len(tops) == 1


def test_planted_data_quality_cases(by_skill):
    seed_taught_by_seed = [
        (t, v) for c in by_skill.values() for t, v in c.graph.edges if v in c.seeds
    ]
    assert len(seed_taught_by_seed) == 1
    before_teacher_learned = [
        (t, v) for c in by_skill.values() for t, v, d in c.graph.edges(data=True)
        if c.learned(t) is not None and d["date"] < c.learned(t)
    ]
    assert len(before_teacher_learned) == 1


# ---------------------------------------------------------------------------------- store
def test_load_demo_into_the_embedded_store(tmp_path, demo):
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        records = load_demo(store)
        assert records == demo
        counts = store.counts()
        assert (counts.ikm, counts.trainings, counts.attendance, counts.teachings) == (
            len(records.ikm), len(records.trainings), len(records.attendance), len(records.teachings)
        )
        assert (counts.kelurahan, counts.kecamatan, counts.skills) == (57, 5, 8)
        seeds = {ikm_id for ikm_id, *_ in attendance(store, "batik", DEMO_AS_OF)}
        assert seeds == set(cascades(records)["batik"].seeds)
    finally:
        store.close()
