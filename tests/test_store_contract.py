"""The GraphStore contract: every test runs against the embedded store and a real Neo4j."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.model.errors import InvalidData, UnknownIKM, UsageError
from tular.graph.model.records import Attendance, BatchMeta, Counts, KindCounts, Population, Records, Skill, SourceInfo
from tular.graph.store import GraphStore

from . import skill_graph
from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, small_batik_program, teaching, training


def edges(store: GraphStore, skill: str, as_of: date | None = None) -> set[tuple[str, str, date]]:
    """(teacher, learner, date) of the skill's teachings, as the metrics are handed them."""
    return {(u, v, d) for (u, v), d in skill_graph.edges(store, skill, as_of).items()}


# ---------------------------------------------------------------------- schema
def test_init_creates_gazetteer_and_skills_and_is_idempotent(store: GraphStore):
    first = store.counts()
    store.init_schema()
    store.init_schema()
    assert store.counts() == first == Counts(kecamatan=5, kelurahan=57, skills=8)


def test_gazetteer_round_trips_with_aliases(store: GraphStore):
    gazetteer = store.gazetteer()
    assert gazetteer.kelurahan("Bunul Rejo").code == BUNULREJO
    assert gazetteer.kelurahan("Ksatrian").name == "Kesatrian"
    assert gazetteer.kecamatan_of(BUNULREJO).name == "Blimbing"
    assert sorted(k.name for k in gazetteer.kecamatan_list) == ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]


def test_skills_are_built_in_and_can_be_added(store: GraphStore):
    assert [s.skill_id for s in store.skills()] == sorted(
        ["batik", "olahan-makanan", "fesyen-muslim", "home-decor", "lukis-kain", "barista", "kemasan", "legalitas-usaha"]
    )
    store.add_skill(Skill(skill_id="anyaman-bambu", name_id="Anyaman bambu", name_en="Bamboo weaving",
                          aliases=("anyaman",)))
    added = {s.skill_id: s for s in store.skills()}["anyaman-bambu"]
    assert added.aliases == ("anyaman",) and added.name_en == "Bamboo weaving"
    store.init_schema()  # init keeps added skills and does not overwrite them
    assert "anyaman-bambu" in {s.skill_id for s in store.skills()}


# ---------------------------------------------------------------------- writes
def test_ikm_round_trips_every_field(store: GraphStore):
    full = ikm("IKM-1", name="Siti Aminah", business_name="Batik Sekar Arum", sector="fesyen", gender="P",
               phone="081234567890", joined_on=date(2019, 4, 2))
    store.write(Records(ikm=[full, ikm("IKM-2")]))
    assert store.get_ikm("IKM-1") == full
    assert store.get_ikm("IKM-2") == ikm("IKM-2")
    assert store.counts().ikm == 2


def test_unknown_ikm_is_a_domain_error(store: GraphStore):
    with pytest.raises(UnknownIKM, match="IKM-404"):
        store.get_ikm("IKM-404")


def test_ikm_upsert_updates_fields_and_moves_kelurahan(store: GraphStore):
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("a", DINOYO, name="Ani Baru")]))
    assert store.get_ikm("a").name == "Ani Baru"
    assert store.get_ikm("a").kelurahan_code == DINOYO
    assert skill_graph.kelurahan(store, "batik", "a") == DINOYO
    assert store.counts().ikm == 7


def test_writing_the_same_records_twice_changes_nothing(store: GraphStore):
    store.write(small_batik_program())
    before = (store.counts(), edges(store, "batik"), store.trainings())
    store.write(small_batik_program())
    assert (store.counts(), edges(store, "batik"), store.trainings()) == before


def test_repeated_teaching_keeps_the_earliest_date_and_its_source(store: GraphStore):
    store.write(Records(ikm=[ikm("l"), ikm("t")], teachings=[teaching("l", "t", "2022-05-05", source="later")]))
    store.write(Records(teachings=[teaching("l", "t", "2021-01-01", source="earlier", note="pameran")]))
    store.write(Records(teachings=[teaching("l", "t", "2023-03-03", source="latest")]))
    [kept] = store.all_teachings()
    assert (kept.teacher_id, kept.learner_id, kept.date, kept.source, kept.note) == (
        "t", "l", date(2021, 1, 1), "earlier", "pameran")
    assert edges(store, "batik") == {("t", "l", date(2021, 1, 1))}
    assert store.counts().teachings == 1


def test_same_pair_may_teach_different_skills(store: GraphStore):
    store.write(Records(ikm=[ikm("a"), ikm("b")],
                        teachings=[teaching("b", "a", "2021-01-01", "batik"), teaching("a", "b", "2021-02-01", "barista")]))
    assert edges(store, "batik") == {("a", "b", date(2021, 1, 1))}
    assert edges(store, "barista") == {("b", "a", date(2021, 2, 1))}
    assert store.counts().teachings == 2


@pytest.mark.parametrize(
    "bad",
    [
        Records(teachings=[teaching("a", "ghost", "2021-01-01")]),
        Records(attendance=[Attendance(training_id="T-GHOST", ikm_id="a")]),
        Records(ikm=[ikm("new", "blimbing.atlantis")]),
        Records(trainings=[training("T-NEW", "2021-01-01", "tari-jaipong")]),
        Records(teachings=[teaching("a", "b", "2021-01-01", "tari-jaipong")]),
    ],
    ids=["unknown-teacher", "unknown-training", "unknown-kelurahan", "training-unknown-skill", "teaching-unknown-skill"],
)
def test_a_bad_reference_writes_nothing_of_the_call(store: GraphStore, bad: Records):
    store.write(Records(ikm=[ikm("a"), ikm("b")]))
    before = store.counts()
    mixed = Records(
        ikm=[ikm("fresh-1"), ikm("fresh-2"), *bad.ikm],
        trainings=[training("T-OK", "2021-01-01"), *bad.trainings],
        attendance=[Attendance(training_id="T-OK", ikm_id="fresh-1"), *bad.attendance],
        teachings=[teaching("fresh-2", "fresh-1", "2021-02-02"), *bad.teachings],
    )
    with pytest.raises(InvalidData):
        store.write(mixed)
    assert store.counts() == before
    with pytest.raises(UnknownIKM):
        store.get_ikm("fresh-1")


def test_wipe_empties_the_store(store: GraphStore):
    store.write(small_batik_program())
    store.wipe()
    assert store.counts() == Counts()


# ----------------------------------------------------------------------- reads
def test_the_skill_graph_points_from_teacher_to_learner_up_to_as_of(store: GraphStore):
    store.write(small_batik_program())
    graph = edges(store, "batik")
    assert ("s1", "a", date(2020, 10, 1)) in graph and not any(e[:2] == ("a", "s1") for e in graph)
    assert skill_graph.kelurahan(store, "batik", "c") == KESATRIAN
    assert len(graph) == 5
    # as-of is inclusive: an edge dated exactly on it exists, the day before it does not
    assert ("b", "d", date(2022, 2, 2)) in edges(store, "batik", date(2022, 2, 2))
    assert not any(e[:2] == ("b", "d") for e in edges(store, "batik", date(2022, 2, 1)))
    assert {e[:2] for e in edges(store, "batik", date(2020, 12, 31))} == {("s1", "a")}
    assert edges(store, "barista") == set()


def test_the_seeds_attendance_is_the_completed_trainings_of_the_skill_ended_by_as_of(store: GraphStore):
    program = small_batik_program()
    store.write(program)
    store.write(Records(
        trainings=[training("T-MIX-2021", "2021-05-05", "barista", "batik", budget_idr=None)],
        attendance=[Attendance(training_id="T-MIX-2021", ikm_id="s1"), Attendance(training_id="T-MIX-2021", ikm_id="c")],
    ))
    assert skill_graph.attendance(store, "batik") == [
        ("c", "T-MIX-2021", date(2021, 5, 5), None),
        ("s1", "T-BATIK-2020", date(2020, 8, 1), 50_000_000),
        ("s1", "T-MIX-2021", date(2021, 5, 5), None),
        ("s2", "T-BATIK-2020", date(2020, 8, 1), 50_000_000),
    ]
    assert {r[0] for r in skill_graph.attendance(store, "batik", date(2021, 5, 4))} == {"s1", "s2"}
    assert {r[0] for r in skill_graph.attendance(store, "barista")} == {"s1", "c"}
    assert skill_graph.attendance(store, "kemasan") == []


def test_trainings_round_trip(store: GraphStore):
    t = training("T-1", "2021-03-05", "kemasan", "barista", start_date=date(2021, 3, 1), organizer="Diskopindag",
                 location="Balai Kota", budget_idr=125_000_000, target_group="PHK")
    store.write(Records(trainings=[t]))
    [stored] = store.trainings()
    assert stored == t and t.skills == ("barista", "kemasan")


def test_search_by_text_area_and_skill_with_stable_pages(store: GraphStore):
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("k-1", name="Kopi 100% Arabika", business_name="Warung Kopi Tugu"),
                             ikm("k-2", name="Sri Rahayu", business_name="KOPI Sri")]))
    assert [i.ikm_id for i in store.search_ikm(q="kopi").items] == ["k-1", "k-2"]
    assert [i.ikm_id for i in store.search_ikm(q="100%").items] == ["k-1"]
    assert store.search_ikm(q="%").total == 1  # a literal percent sign, not a wildcard
    assert {i.ikm_id for i in store.search_ikm(kelurahan_code=DINOYO).items} == {"d"}
    # skill: attended a training of it or on either end of a teaching of it; x did not complete but attended
    assert [i.ikm_id for i in store.search_ikm(skill="batik").items] == ["a", "b", "c", "d", "s1", "s2", "x"]
    page1 = store.search_ikm(limit=4, offset=0)
    page2 = store.search_ikm(limit=4, offset=4)
    assert page1.total == page2.total == 9
    assert [i.ikm_id for i in page1.items + page2.items] == sorted(["s1", "s2", "a", "b", "c", "d", "x", "k-1", "k-2"])[:8]
    # among several kelurahan (a kecamatan's) and among given ids (a generation's), with the other filters
    everyone = {i.ikm_id: i.kelurahan_code for i in store.search_ikm(limit=100).items}
    codes = {DINOYO, everyone["a"]}
    assert [i.ikm_id for i in store.search_ikm(kelurahan_codes=codes, limit=100).items] == \
        sorted(i for i, code in everyone.items() if code in codes)
    chosen = store.search_ikm(ikm_ids=["b", "d", "k-2", "nobody"], skill="batik")
    assert ([i.ikm_id for i in chosen.items], chosen.total) == (["b", "d"], 2)
    assert store.search_ikm(ikm_ids=[]).total == 0  # an empty generation finds nobody


# --------------------------------------------------- both stores, same answers
names = st.sampled_from([f"n{i}" for i in range(8)])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2022, 12, 31))
teaching_rows = st.lists(st.tuples(names, names, days, st.sampled_from(["batik", "barista"])), max_size=25)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=teaching_rows, as_of=days)
@pytest.mark.neo4j
def test_both_stores_hand_over_the_same_teaching_graph(embedded_store, neo4j_store, rows, as_of):
    records = Records(
        ikm=[ikm(f"n{i}", [BUNULREJO, DINOYO][i % 2]) for i in range(8)],
        teachings=[teaching(l, t, d.isoformat(), s) for l, t, d, s in rows if l != t],
    )
    for s in (embedded_store, neo4j_store):
        s.wipe()
        s.init_schema()
        s.write(records)
    for skill in ("batik", "barista"):
        emb, neo = skill_graph.arrays(embedded_store, skill, as_of), skill_graph.arrays(neo4j_store, skill, as_of)
        assert skill_graph.edges(embedded_store, skill, as_of) == skill_graph.edges(neo4j_store, skill, as_of)
        located = [{i: g.kelurahan_codes[k] for i, k in zip(g.ids.tolist(), g.kelurahan.tolist())} for g in (emb, neo)]
        assert located[0] == located[1]
    assert embedded_store.all_teachings() == neo4j_store.all_teachings()  # with their source and note
    assert embedded_store.counts() == neo4j_store.counts()


# --------------------------------------------------------------------- batches
def meta(*names: str) -> BatchMeta:
    return BatchMeta(who="petugas", files=[SourceInfo(name=n, checksum="0" * 64, kinds=["ikm"], rows=1) for n in names])


def test_a_batch_records_who_files_and_what_it_changed(store: GraphStore):
    result = store.write(small_batik_program(), meta("ikm.csv", "teachings.csv"))
    [batch] = store.batches()
    assert batch.batch_id == result.batch_id and batch.who == "petugas"
    assert [f.name for f in batch.files] == ["ikm.csv", "teachings.csv"]
    assert batch.counts["ikm"] == KindCounts(created=7) and batch.counts["teachings"] == KindCounts(created=5)
    assert batch.changes == []  # listed without the change log
    assert len(store.batches(with_changes=True)[0].changes) == 7 + 1 + 3 + 5


def test_reimporting_counts_everything_unchanged(store: GraphStore):
    store.write(small_batik_program(), meta("a"))
    again = store.write(small_batik_program(), meta("a"))
    assert again.written == 0
    assert again.counts["teachings"] == KindCounts(unchanged=5) and again.counts["ikm"] == KindCounts(unchanged=7)


def test_undo_removes_what_the_batch_added_and_restores_what_it_changed(store: GraphStore):
    store.write(small_batik_program(), meta("first"))
    before = (store.counts(), edges(store, "batik"), store.get_ikm("a"))
    second = store.write(Records(
        ikm=[ikm("a", DINOYO, name="Ani Baru"), ikm("e")],
        teachings=[teaching("e", "c", "2023-01-01"), teaching("a", "s1", "2020-09-01")],  # the second moves a date earlier
        populations=[Population(kelurahan_code=BUNULREJO, population=240)],
    ), meta("second"))
    assert second.counts["ikm"] == KindCounts(created=1, updated=1)
    assert second.counts["teachings"] == KindCounts(created=1, updated=1)
    assert store.populations() == {BUNULREJO: 240}
    undone = store.undo(second.batch_id)
    assert undone.batch_id == second.batch_id
    assert (store.counts(), edges(store, "batik"), store.get_ikm("a")) == before
    assert store.populations() == {}
    assert [b.batch_id for b in store.batches()] == [store.batches()[0].batch_id]


def test_undo_refuses_while_a_later_batch_depends_on_it(store: GraphStore):
    first = store.write(Records(ikm=[ikm("t"), ikm("l")]), meta("ikm.csv"))
    second = store.write(Records(teachings=[teaching("l", "t", "2021-01-01")]), meta("teachings.csv"))
    with pytest.raises(InvalidData, match=second.batch_id):
        store.undo(first.batch_id)
    assert store.counts().ikm == 2 and store.counts().teachings == 1  # nothing undone
    store.undo(second.batch_id)
    store.undo(first.batch_id)
    assert store.counts().ikm == 0 and store.batches() == []


def test_undo_of_an_unknown_batch_is_a_usage_error(store: GraphStore):
    with pytest.raises(UsageError, match="B-NOPE"):
        store.undo("B-NOPE")


def test_population_needs_a_known_kelurahan(store: GraphStore):
    with pytest.raises(InvalidData):
        store.write(Records(ikm=[ikm("z")], populations=[Population(kelurahan_code="nowhere.x", population=5)]))
    assert store.counts().ikm == 0


@pytest.mark.neo4j
def test_batch_logs_move_between_stores(embedded_store, neo4j_store):
    result = embedded_store.write(small_batik_program(), meta("ikm.csv"))
    logged = embedded_store.batches(with_changes=True)
    neo4j_store.write(small_batik_program())
    neo4j_store.load_batches(logged)
    assert neo4j_store.batches(with_changes=True) == logged
    neo4j_store.undo(result.batch_id)  # the moved log still undoes what the batch added
    assert neo4j_store.counts().ikm == 0


def test_the_version_moves_on_every_write(store: GraphStore):
    first = store.version()
    assert store.version() == first  # reading does not move it
    store.write(Records(ikm=[ikm("v1")]))
    second = store.version()
    assert second != first
    store.add_skill(Skill(skill_id="tenun", name_id="Tenun", name_en="Weaving"))
    assert store.version() != second
