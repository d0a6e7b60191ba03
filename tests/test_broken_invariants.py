"""Readers survive a store that breaks an invariant anyway (SPEC §3 "Many writers, one
truth"): teachings of one skill that go round a cycle, and — on Neo4j, which cannot make a
relationship unique — a teaching stored more than once. Such a store comes from an older
version, a hand edit in Neo4j Browser or a restore of an old backup, never from tular's own
writes, so the tests write them straight into the store, past tular's validation.

Every reader answers, with the numbers of SPEC §5 (an IKM already reached is not walked
again; a teaching stored twice counts once, at its earliest date), ``tular check`` lists
what is broken, ``tular check --repair`` removes the extra copies as one undoable batch,
and an import into such a store blames a row only for a cycle that row closes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine as arrays
from tular.graph.metrics import planner
from tular.graph.metrics.quality import check_store, repair_store
from tular.graph.model.errors import InvalidData
from tular.graph.model.records import Attendance, Batch, Change, Outcome, Records, Teaching
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.cli import app

from . import skill_graph
from .factories import ikm, teaching, training
from .oracle import Oracle, generations
from .test_metrics_arrays import FILTERS, worlds
from .test_metrics_property import SKILLS, fill, programs

SKILL = "kemasan"
AS_OF = date(2021, 1, 1)
DORMANT = 180  # the cut-off is 2020-07-05


def program() -> Records:
    """S completed the kemasan training (ended 2020-01-01) and taught A, who taught B, who
    taught C; X taught Y, who taught W, and nobody trained reaches them. B exhibited."""
    return Records(
        ikm=[ikm(i) for i in ("S", "A", "B", "C", "W", "X", "Y", "Z")],
        trainings=[training("T-KEMASAN", "2020-01-01", SKILL, budget_idr=8_000_000)],
        attendance=[Attendance(training_id="T-KEMASAN", ikm_id="S")],
        teachings=[teaching("A", "S", "2020-02-01", SKILL), teaching("B", "A", "2020-03-01", SKILL),
                   teaching("C", "B", "2020-05-01", SKILL), teaching("Y", "X", "2020-03-01", SKILL),
                   teaching("W", "Y", "2020-03-15", SKILL)],
        outcomes=[Outcome(ikm_id="B", kind="pameran", date=date(2020, 6, 1))],
    )


#: (learner, teacher, date) that close cycles: B taught A (before A learned from S: the
#: earliest teachers of A and B go round in a loop), and W taught X.
CYCLE = [("A", "B", "2020-01-15"), ("X", "W", "2020-04-01")]
#: Second copies of stored teachings (only Neo4j can hold them): B taught C again, later
#: (after the dormant window's cut-off: counted, it would hide the stalled lineage), and A
#: taught B again, earlier (the date that counts).
COPIES = [("C", "B", "2020-09-01"), ("B", "A", "2020-02-15")]


def is_neo4j(store: GraphStore) -> bool:
    return not isinstance(store, EmbeddedStore)


def inject(store: GraphStore, rows: list[tuple[str, str, str]], skill: str = SKILL,
           source: str | None = "hand edit") -> None:
    """Write TAUGHT_BY edges straight into the store, as a hand edit would: no validation, no log."""
    if not is_neo4j(store):
        conn = sqlite3.connect(store.path)
        try:
            conn.executemany("INSERT INTO teaching(learner_id, teacher_id, skill_id, date, source, note) "
                             "VALUES (?, ?, ?, ?, ?, NULL)", [(l, t, skill, d, source) for l, t, d in rows])
            conn.commit()
        finally:
            conn.close()
        return
    for learner, teacher, day in rows:
        store._driver.execute_query(
            "MATCH (l:IKM {ikm_id: $learner}), (t:IKM {ikm_id: $teacher}) "
            "CREATE (l)-[:TAUGHT_BY {skill: $skill, date: date($day), source: $source}]->(t)",
            learner=learner, teacher=teacher, skill=skill, day=day, source=source, database_=store.database)
    # This store object keeps what it read per version, and a hand edit does not move the
    # version; a process that opens the store afterwards reads it anew. Make this one do so.
    store._driver.execute_query("MATCH (m:TularMeta {id: 'version'}) SET m.value = m.value + 1",
                                database_=store.database)


def broken_store(store: GraphStore) -> GraphStore:
    """The program with both cycles, and on Neo4j the copies too."""
    store.write(program())
    inject(store, CYCLE)
    if is_neo4j(store):
        inject(store, COPIES)
    return store


def stored(store: GraphStore) -> list[tuple]:
    return sorted((t.learner_id, t.teacher_id, t.skill, t.date, t.source, t.note) for t in store.all_teachings())


def url_of(store: GraphStore) -> str:
    return f"sqlite:///{store.path}" if not is_neo4j(store) else store.display_url


def tular(store: GraphStore, *args: str) -> str:
    """``tular --db URL ARGS`` in this process; its standard output. Fails on any exit but 0."""
    result = CliRunner().invoke(app, ["--db", url_of(store), *args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    return result.stdout


# ------------------------------------------------------------------------------ the store holds them
def test_the_store_holds_what_was_injected(store: GraphStore):
    broken_store(store)
    keys = [(t.learner_id, t.teacher_id) for t in store.all_teachings()]
    assert ("A", "B") in keys and ("X", "W") in keys
    assert len(keys) == 5 + len(CYCLE) + (len(COPIES) if is_neo4j(store) else 0)
    if not is_neo4j(store):  # its primary key: a second copy cannot even be written
        with pytest.raises(sqlite3.IntegrityError):
            inject(store, COPIES[:1])


# ------------------------------------------------------------------------------ readers, hand-computed
def test_reach_walks_each_ikm_once_and_counts_a_copy_once(store: GraphStore):
    broken_store(store)
    r = metrics.reach(store, metrics.Query(skill=SKILL, as_of=AS_OF))
    assert (r.seeds, r.reached, r.total, r.multiplier, r.max_depth) == (1, 3, 4, 4.0, 3)
    assert [(g.generation, g.count, g.ratio, g.active_share) for g in r.generations] == [
        (0, 1, 1.0, 1.0), (1, 1, 1.0, 1.0), (2, 1, 1.0, 1.0), (3, 1, None, 0.0)]
    # S reaches A, B, C; A and B reach each other and C (themselves not counted); the copy of B→C not twice
    assert [(t.ikm_id, t.onward_reach) for t in r.top_teachers] == [("S", 3), ("A", 2), ("B", 2)]
    # the earliest teachers of A (B, 2020-01-15) and B (A) go round in a loop: each hangs under
    # its earliest teacher one generation nearer, S-A-B-C, a path of 4: 10 / 6
    assert [(v.seed, v.size) for v in r.virality] == [("S", 4)]
    assert r.virality[0].structural_virality == pytest.approx(10 / 6)
    assert r.cost_per_ikm_idr == 2_000_000
    [area] = [a for a in r.areas if a.total]
    assert (area.kelurahan, area.seeds, area.reached, area.imported) == ("Bunulrejo", 1, 3, 0)
    every = metrics.reach_all(store, metrics.Query(skill="all", as_of=AS_OF))
    assert every.distinct_total == 4 and [s.total for s in every.skills if s.skill == SKILL] == [4]


def test_broken_chains_count_a_copy_at_its_earliest_date_and_a_cycle_fragment_starts_at_the_cycle(store: GraphStore):
    broken_store(store)
    b = metrics.broken(store, SKILL, AS_OF, DORMANT)
    # S's lineage last taught on 2020-05-01 (B→C; its copy dated 2020-09-01 does not count): stalled
    assert [(f.kind, f.ikm_id, f.generation, f.last_activity, f.days_dormant, f.seeds, f.fragment_top)
            for f in b.findings] == [
        ("stalled_lineage", "S", 0, date(2020, 5, 1), 245, ["S"], None),
        ("dormant_leaf", "C", 3, date(2020, 5, 1), 245, ["S"], None),
        ("orphan", "Y", None, date(2020, 3, 15), 292, [], ["W", "X", "Y"]),
        ("orphan", "W", None, date(2020, 4, 1), 275, [], ["W", "X", "Y"]),
        ("orphan", "X", None, date(2020, 4, 1), 275, [], ["W", "X", "Y"]),
    ]


def test_lineage_follows_the_edges_the_cascade_follows(store: GraphStore):
    broken_store(store)
    a_taught_b = date(2020, 2, 15) if is_neo4j(store) else date(2020, 3, 1)
    [c] = metrics.lineage(store, "C", AS_OF, SKILL)["skills"]
    assert (c["generation"], c["seeds"], c["path_count"], c["paths"]) == (3, ["S"], 1, [["S", "A", "B", "C"]])
    [a] = metrics.lineage(store, "A", AS_OF, SKILL)["skills"]
    # B→A goes back to an IKM already reached: not followed, so S→A is the one path
    assert (a["generation"], a["learned_on"], a["path_count"], a["paths"]) == (1, "2020-01-15", 1, [["S", "A"]])
    assert [(d["ikm_id"], d["depth"], d["generation"], d["taught_by"], d["date"]) for d in a["downstream"]] == [
        ("B", 1, 2, ["A"], a_taught_b.isoformat()), ("C", 2, 3, ["B"], "2020-05-01")]
    [x] = metrics.lineage(store, "X", AS_OF, SKILL)["skills"]
    assert (x["generation"], x["seeds"], x["path_count"], x["paths"]) == (None, [], 0, [])
    assert x["learned_on"] == "2020-04-01"
    assert [(d["ikm_id"], d["depth"], d["taught_by"]) for d in x["downstream"]] == [("Y", 1, ["X"]), ("W", 2, ["Y"])]


def test_outcomes_and_plan_answer(store: GraphStore):
    broken_store(store)
    rates = metrics.outcome_rates(store, metrics.Query(skill=SKILL, as_of=AS_OF), "pameran")
    assert [(g.generation, g.count, g.with_outcome) for g in rates.generations] == [(0, 1, 0), (1, 1, 0), (2, 1, 1),
                                                                                      (3, 1, 0)]
    plan = planner.plan(store, SKILL, 1, AS_OF)
    [row] = plan.kelurahan
    # 8 IKM on record in Bunulrejo, 4 reached; broken: S stalled, C dormant, W, X and Y orphans
    assert (row.kelurahan, row.population, row.total, row.unmet_need, row.broken) == ("Bunulrejo", 8, 4, 4, 5)
    assert [(n.ikm_id, n.per_seed_reach) for n in plan.narasumber] == [("S", 3)]
    assert [v.ikm_id for v in plan.visits] == ["C"]


def seen_by_the_metrics(store: GraphStore) -> Records:
    """The records the metrics of ``broken_store`` answer about: the program with both cycles,
    and on Neo4j the copies (a teaching stored twice counts once, at its earliest date: the
    oracle keeps the earliest of each (learner, teacher, skill))."""
    records = program()
    extra = CYCLE + (COPIES if is_neo4j(store) else [])
    return records.model_copy(update={"teachings": [*records.teachings,
                                                    *(teaching(l, t, d, SKILL) for l, t, d in extra)]})


def test_the_oracle_answers_the_same(store: GraphStore):
    """Every answer (maps and the report too) reads the graph the store hands over, one edge
    per pair, its earliest copy; every answer on the broken store equals the oracle's."""
    broken_store(store)
    assert skill_graph.edges(store, SKILL, AS_OF)["B", "C"] == date(2020, 5, 1)  # one edge per pair, its earliest copy
    oracle = Oracle(seen_by_the_metrics(store))
    assert metrics.reach(store, metrics.Query(skill=SKILL, as_of=AS_OF)).model_dump() == oracle.reach(SKILL, AS_OF)
    assert metrics.broken(store, SKILL, AS_OF, DORMANT).model_dump() == oracle.broken(SKILL, AS_OF, DORMANT)
    for person in program().ikm:
        assert metrics.lineage(store, person.ikm_id, AS_OF) == oracle.lineage(person.ikm_id, AS_OF), person.ikm_id
    rates = metrics.outcome_rates(store, metrics.Query(skill=SKILL, as_of=AS_OF), "pameran")
    assert rates.model_dump() == oracle.outcome_rates(SKILL, AS_OF, "pameran")


# ------------------------------------------------------------------------------ the command line
def test_every_command_answers(store: GraphStore, tmp_path: Path):
    broken_store(store)
    day = ["--as-of", AS_OF.isoformat()]
    reach = json.loads(tular(store, "reach", "--skill", SKILL, *day, "--json"))
    assert (reach["seeds"], reach["reached"], reach["total"], reach["max_depth"]) == (1, 3, 4, 3)
    every = json.loads(tular(store, "reach", "--skill", "all", *day, "--json"))
    assert every["distinct_total"] == 4
    broken = json.loads(tular(store, "broken", "--skill", SKILL, *day, "--json"))
    assert [(f["kind"], f["ikm_id"]) for f in broken["findings"]] == [
        ("stalled_lineage", "S"), ("dormant_leaf", "C"), ("orphan", "Y"), ("orphan", "W"), ("orphan", "X")]
    lineage = json.loads(tular(store, "lineage", "B", "--skill", SKILL, *day, "--json"))
    assert lineage["skills"][0]["paths"] == [["S", "A", "B"]]
    outcomes = json.loads(tular(store, "outcomes", "--skill", SKILL, "--kind", "pameran", *day, "--json"))
    assert [g["with_outcome"] for g in outcomes["generations"]] == [0, 0, 1, 0]
    plan = json.loads(tular(store, "plan", "--skill", SKILL, "--seats", "1", *day, "--json"))
    assert [n["ikm_id"] for n in plan["narasumber"]] == ["S"] and [v["ikm_id"] for v in plan["visits"]] == ["C"]
    assert "Broken chains" in tular(store, "--lang", "en", "broken", "--skill", SKILL, *day)  # the tables too
    tular(store, "map", "--skill", SKILL, *day, "-o", str(tmp_path / "peta.html"))
    drawn = (tmp_path / "peta.html").read_text("utf-8")
    assert all(f"Ibu {i}" in drawn for i in "SABCWXY")
    for lang, cycle, copies in (("id", "Pengajaran berputar", "Pengajaran tercatat ganda"),
                                ("en", "Teachings in a circle", "Teaching recorded twice")):
        tular(store, "report", "--year", "2020", "--lang", lang, "-o", str(tmp_path / f"laporan-{lang}.html"))
        document = (tmp_path / f"laporan-{lang}.html").read_text("utf-8")
        assert cycle in document and "A → B" in document and "W → X → Y" in document
        assert copies in document  # the count row of every kind; the items on Neo4j only
    checked = json.loads(tular(store, "check", "--json"))
    assert checked["counts"]["cycle"] == 2
    assert checked["counts"]["duplicate_teaching"] == (2 if is_neo4j(store) else 0)
    shown = tular(store, "--lang", "en", "check")
    assert "Teachings that go round a cycle" in shown
    assert ("Remove the extra copies with tular check --repair" in shown) == is_neo4j(store)


def test_every_api_route_and_web_page_answers(store: GraphStore):
    import re

    from fastapi.testclient import TestClient

    from tular.graph.admin import api_keys as keys
    from tular.graph.model.settings import Settings
    from tular.service.app import create_app

    broken_store(store)
    key, _ = keys.create_key(store, "admin", "Bu Rina")
    fill = {"ikm_id": "A", "skill": SKILL, "year": "2020", "seats": "2", "as_of": AS_OF.isoformat()}
    with TestClient(create_app(Settings(), store=store)) as client:
        answered = []
        for path, operations in client.app.openapi()["paths"].items():
            if "get" not in operations or path.startswith("/api/v1/keys"):
                continue
            asked = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
            params = {name: fill[name] for name in asked if name in fill}
            url = re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], path)
            response = client.get(url, params=params, headers={"X-API-Key": key})
            assert response.status_code == 200, (url, response.text[:300])
            answered.append(path)
        assert {"/api/v1/reach", "/api/v1/broken-chains", "/api/v1/ikm/{ikm_id}/lineage", "/api/v1/outcomes",
                "/api/v1/plan", "/api/v1/maps/{skill}", "/api/v1/reports/{year}"} <= set(answered)
        form = client.get("/masuk").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert client.post("/masuk", data={"api_key": key, "csrf_token": token, "next": "/"},
                           follow_redirects=False).status_code == 303
        day = f"skill={SKILL}&as_of={AS_OF.isoformat()}"
        for url in (f"/?{day}", f"/peta?{day}", f"/peta/bingkai?{day}", f"/peta/angka?{day}", f"/rencana?{day}",
                    f"/ikm/A?as_of={AS_OF.isoformat()}", f"/ikm/X?as_of={AS_OF.isoformat()}"):
            response = client.get(url)
            assert response.status_code == 200 and 'name="api_key"' not in response.text, url
        assert "Ibu S" in client.get(f"/ikm/B?as_of={AS_OF.isoformat()}").text  # its lineage, from S


@pytest.mark.usefixtures("english")
def test_check_lists_the_cycles_and_the_copies(store: GraphStore):
    broken_store(store)
    a_taught_b = date(2020, 2, 15) if is_neo4j(store) else date(2020, 3, 1)
    report = check_store(store)
    found = [(f.kind, f.ikm_ids, f.skill, f.dates) for f in report.findings
             if f.kind in ("cycle", "duplicate_teaching", "orphan", "out_of_order")]
    copies = [("duplicate_teaching", ["B", "A"], SKILL, [date(2020, 2, 15), date(2020, 3, 1)]),
              ("duplicate_teaching", ["C", "B"], SKILL, [date(2020, 5, 1), date(2020, 9, 1)])]
    assert found == [
        ("cycle", ["A", "B"], SKILL, [a_taught_b, date(2020, 1, 15)]),  # A taught B, B taught A
        ("cycle", ["W", "X", "Y"], SKILL, [date(2020, 4, 1), date(2020, 3, 1), date(2020, 3, 15)]),
        *(copies if is_neo4j(store) else []),
        ("out_of_order", ["A", "B"], SKILL, None),  # B taught A before B learned
        ("out_of_order", ["Y", "X"], SKILL, None),
        ("orphan", ["W", "X", "Y"], SKILL, None),
    ]
    details = {(f.kind, f.ikm_ids[0]): f.detail for f in report.findings}
    assert details[("cycle", "A")].startswith(f"kemasan comes back to an IKM who taught it (A taught B on "
                                              f"{a_taught_b.isoformat()}, B taught A on 2020-01-15)")
    assert "learner and teacher were swapped" in details[("cycle", "W")]
    assert "starts at W, X, Y" in details[("orphan", "W")] and "see the cycle finding" in details[("orphan", "W")]
    if is_neo4j(store):
        copied = details[("duplicate_teaching", "C")]
        assert "stored 2 times" in copied and "--repair" in copied
    assert report.counts["cycle"] == 2 and report.counts["duplicate_teaching"] == (2 if is_neo4j(store) else 0)


# ------------------------------------------------------------------------------ tular check --repair
@pytest.mark.neo4j
def test_repair_removes_the_copies_as_one_batch_that_undo_puts_back(neo4j_store: GraphStore):
    store = broken_store(neo4j_store)
    before, answer = stored(store), metrics.reach(store, metrics.Query(skill=SKILL, as_of=AS_OF))
    logged = len(store.batches())
    out = json.loads(tular(store, "check", "--repair", "--who", "Bu Rina", "--json"))
    batch_id = out["repair"]["batch_id"]
    assert batch_id is not None and out["counts"]["duplicate_teaching"] == 0 and out["counts"]["cycle"] == 2
    removed = [("B", "A", SKILL, "2020-03-01", None, None), ("C", "B", SKILL, "2020-09-01", "hand edit", None)]
    assert [(t["learner_id"], t["teacher_id"], t["skill"], t["date"], t["source"], t["note"])
            for t in out["repair"]["removed"]] == removed
    assert [(t["learner_id"], t["date"]) for t in out["repair"]["kept"]] == [("B", "2020-02-15"), ("C", "2020-05-01")]
    after = stored(store)
    assert len(after) == len(before) - 2
    assert {(t[0], t[1], t[2]) for t in after} == {(t[0], t[1], t[2]) for t in before}  # one of each left
    assert [t for t in after if t[:2] in (("B", "A"), ("C", "B"))] == [
        ("B", "A", SKILL, date(2020, 2, 15), "hand edit", None), ("C", "B", SKILL, date(2020, 5, 1), None, None)]
    assert metrics.reach(store, metrics.Query(skill=SKILL, as_of=AS_OF)) == answer  # the copies never counted
    listed = json.loads(tular(store, "import", "--list", "--json"))
    assert len(listed) == logged + 1
    assert (listed[-1]["batch_id"], listed[-1]["who"], [f["name"] for f in listed[-1]["files"]]) == (
        batch_id, "Bu Rina", ["tular check --repair"])
    assert listed[-1]["counts"]["teachings"]["deleted"] == 2
    assert "Removed" in tular(store, "--lang", "en", "import", "--list")
    assert "Dihapus" in tular(store, "import", "--list")  # Indonesian by default
    undone = json.loads(tular(store, "import", "--undo", batch_id, "--json"))
    assert undone == {"undone": batch_id, "removed": 0, "restored": 0, "put_back": 2}
    assert stored(store) == before  # every copy back, with its date, source and note
    assert batch_id not in [b.batch_id for b in store.batches()] and len(store.batches()) == logged
    assert check_store(store).counts["duplicate_teaching"] == 2


@pytest.mark.neo4j
def test_repairing_a_store_without_copies_writes_nothing(neo4j_store: GraphStore):
    neo4j_store.write(program())
    inject(neo4j_store, CYCLE)  # a cycle is only reported, never repaired
    before, version, logged = stored(neo4j_store), neo4j_store.version(), neo4j_store.batches()
    result = repair_store(neo4j_store, "Bu Rina")
    assert (result.batch_id, result.removed, result.kept) == (None, [], [])
    assert (stored(neo4j_store), neo4j_store.version(), neo4j_store.batches()) == (before, version, logged)


def test_the_embedded_store_has_nothing_to_repair(embedded_store: EmbeddedStore):
    broken_store(embedded_store)
    before, logged = stored(embedded_store), embedded_store.batches()
    out = json.loads(tular(embedded_store, "check", "--repair", "--json"))
    assert out["repair"] == {"batch_id": None, "removed": [], "kept": []}
    assert (stored(embedded_store), embedded_store.batches()) == (before, logged)
    assert "Nothing to repair" in tular(embedded_store, "--lang", "en", "check", "--repair")


def test_the_embedded_store_refuses_to_undo_a_repair_it_cannot_hold(embedded_store: EmbeddedStore):
    """A repair batch made on Neo4j, restored into an embedded store with the rest of the log:
    undoing it would need two copies of one teaching, which that store cannot hold."""
    embedded_store.write(program())
    copy = Teaching(learner_id="C", teacher_id="B", skill=SKILL, date=date(2020, 9, 1))
    embedded_store.load_batches([Batch(
        batch_id="B201231-000000-abc", seq=99, created_at=datetime(2020, 12, 31, tzinfo=timezone.utc), who="Bu Rina",
        changes=[Change(kind="teachings", key=("C", "B", SKILL), before=copy.model_dump(mode="json"),
                        extra_copy=True)])])
    before = stored(embedded_store)
    with pytest.raises(InvalidData, match="menghapus salinan pengajaran yang tersimpan lebih dari sekali"):
        embedded_store.undo("B201231-000000-abc")
    assert stored(embedded_store) == before


# ------------------------------------------------------------------------------ imports
def teachings_file(folder: Path, name: str, *rows: str) -> Path:
    path = folder / f"{name}-teachings.csv"
    path.write_text("learner_id,teacher_id,skill,date\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def imported(store: GraphStore, path: Path) -> dict:
    result = CliRunner().invoke(app, ["--db", url_of(store), "import", str(path), "--json", "--lang", "en"],
                                catch_exceptions=True)  # the English texts asserted below
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_an_import_into_a_store_with_a_cycle_blames_only_a_cycle_it_closes(store: GraphStore, tmp_path: Path):
    store.write(program())
    inject(store, CYCLE)
    # a teaching on no cycle: imported, nothing said about the stored ones
    elsewhere = imported(store, teachings_file(tmp_path, "a", "Z,C,kemasan,2020-06-01"))
    assert (elsewhere["ok"], elsewhere["error_count"], elsewhere["warning_count"]) == (True, 0, 0)
    # rows stored already (one of them on a stored cycle) add nothing: nothing to say
    again = imported(store, teachings_file(tmp_path, "b", "B,A,kemasan,2020-03-01", "C,B,kemasan,2020-05-01"))
    assert (again["ok"], again["error_count"], again["warning_count"]) == (True, 0, 0)
    # a teaching that closes a cycle of its own (C teaches B, who taught C): the row is blamed
    closing = imported(store, teachings_file(tmp_path, "c", "Z,A,kemasan,2020-06-01", "B,C,kemasan,2020-06-01"))
    assert (closing["ok"], closing["error_count"]) == (False, 1)
    [error] = closing["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "teacher_id", "C")
    assert error["reason"].startswith("this teaching would close a cycle for skill kemasan (C teaches B teaches C)")
    assert ("A", "Z") not in {(t.teacher_id, t.learner_id) for t in store.all_teachings()}  # nothing written
    # a teaching between two IKM of a stored cycle (each reaches the other already): not the row's
    # doing — imported, with a warning that names the stored cycle
    joining = imported(store, teachings_file(tmp_path, "d", "X,Y,kemasan,2020-06-01"))
    assert (joining["ok"], joining["error_count"], joining["warning_count"]) == (True, 0, 1)
    [warning] = joining["warnings"]
    assert (warning["row"], warning["column"]) == (2, "teacher_id")
    assert warning["reason"].startswith("the stored teachings of kemasan already go round a cycle "
                                        "(Y teaches W teaches X teaches Y), which this teaching joins")
    assert ("Y", "X") in {(t.teacher_id, t.learner_id) for t in store.all_teachings()}


@pytest.mark.neo4j
def test_an_import_of_a_teaching_stored_twice(neo4j_store: GraphStore, tmp_path: Path):
    store = broken_store(neo4j_store)
    before = stored(store)
    # earlier than a copy: which copy the write would change is not defined — a clear error, nothing written
    earlier = imported(store, teachings_file(tmp_path, "a", "C,B,kemasan,2020-06-01"))
    assert (earlier["ok"], earlier["error_count"]) == (False, 1)
    [error] = earlier["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "date", "2020-06-01")
    assert error["reason"].startswith("this teaching is stored 2 times already (dated May 1, 2020 and September 1, "
                                      "2020)")
    assert "tular check --repair" in error["reason"]
    # no earlier than any copy: unchanged, as for any teaching stored with an earlier date
    later = imported(store, teachings_file(tmp_path, "b", "C,B,kemasan,2020-10-01"))
    assert (later["ok"], later["error_count"], later["warning_count"]) == (True, 0, 1)
    assert later["warnings"][0]["reason"] == ("this teaching is already stored with date May 1, 2020; "
                                              "the earliest (May 1, 2020) is kept")
    assert stored(store) == before


# ------------------------------------------------------------------------------ property: cycles injected
ARRAYS_SKILL, ARRAYS_AS_OF = "batik", date(2022, 1, 1)  # those of test_metrics_arrays' worlds


@st.composite
def cyclic_worlds(draw) -> tuple[Records, list[tuple[str, str, str]], int]:
    """The worlds of test_metrics_arrays and teachings that close cycles, to write past the
    validation (``inject``): some of the teachings turned back (a cycle of two), random
    pairs (longer cycles, through the cascade or among orphans), a self-loop now and then,
    and pairs within the cascade often dated early (earliest teachers in a loop)."""
    records, dormant = draw(worlds())
    ids = sorted(i.ikm_id for i in records.ikm)
    taken = {(t.learner_id, t.teacher_id) for t in records.teachings}
    day = st.integers(min_value=0, max_value=(ARRAYS_AS_OF - date(2019, 1, 1)).days).map(
        lambda d: date(2019, 1, 1) + timedelta(days=d))
    extra: list[tuple[str, str, str]] = []

    def add(learner: str, teacher: str, when: date) -> None:
        if (learner, teacher) not in taken:
            taken.add((learner, teacher))
            extra.append((learner, teacher, when.isoformat()))

    back = draw(st.lists(st.sampled_from(records.teachings), max_size=4)) if records.teachings else []
    for t in back:
        add(t.teacher_id, t.learner_id, draw(day))
    for u, v in draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6)):
        if u != v or draw(st.integers(0, 4)) == 0:
            add(v, u, draw(day))
    oracle = Oracle(records)
    graph = oracle.graph(ARRAYS_SKILL, ARRAYS_AS_OF)
    trained = [s for s in oracle.seeds(ARRAYS_SKILL, ARRAYS_AS_OF) if s in graph]
    cascade = sorted(set(trained).union(*(nx.descendants(graph, s) for s in trained)))
    if len(cascade) > 1:
        early = st.integers(min_value=0, max_value=400).map(lambda d: date(2019, 1, 1) + timedelta(days=d))
        for u, v in draw(st.lists(st.tuples(st.sampled_from(cascade), st.sampled_from(cascade)), max_size=4)):
            if u != v:
                add(v, u, draw(st.one_of(early, day)))
    return records, extra, dormant


def _leads_to_a_seed(parent: np.ndarray, level: np.ndarray) -> bool:
    for node in np.flatnonzero(level > 0).tolist():
        seen = set()
        while parent[node] >= 0:
            if node in seen:
                return False
            seen.add(node)
            node = int(parent[node])
        if level[node] != 0:
            return False
    return True


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(world=cyclic_worlds(), k=st.integers(min_value=1, max_value=6))
def test_the_engine_equals_the_oracle_on_graphs_with_cycles(embedded_store, world, k):
    records, extra, dormant = world
    fill(embedded_store, records)
    inject(embedded_store, extra, ARRAYS_SKILL, source=None)
    seen = records.model_copy(update={"teachings": [*records.teachings,
                                                    *(teaching(l, t, d, ARRAYS_SKILL) for l, t, d in extra)]})
    oracle = Oracle(seen)
    skill, as_of = ARRAYS_SKILL, ARRAYS_AS_OF
    g = oracle.graph(skill, as_of)
    for chosen in FILTERS:
        got = metrics.reach(embedded_store, metrics.Query(skill=skill, as_of=as_of, **chosen)).model_dump()
        assert got == oracle.reach(skill, as_of, **chosen), chosen
        if "kelurahan" not in chosen and "kecamatan" not in chosen:
            # the first-teacher trees still partition S ∪ R, each ending at a seed
            assert sum(v["size"] for v in got["virality"]) == got["total"]
            graph = metrics._walked(embedded_store, [skill], as_of, chosen.get("cohort", ()), chosen.get("year"))[skill]
            assert graph.acyclic == nx.is_directed_acyclic_graph(g)
            assert _leads_to_a_seed(arrays.first_teachers(graph, graph.level), graph.level)
    assert metrics.broken(embedded_store, skill, as_of, dormant).model_dump() == oracle.broken(skill, as_of, dormant)
    graph = metrics._walked(embedded_store, [skill], as_of)[skill]
    got = arrays.top_by_onward_reach(graph, np.flatnonzero(graph.level >= 0), graph.level, k)
    assert [(graph.ids[n], reach) for n, reach in got] == \
        [(t["ikm_id"], t["onward_reach"]) for t in oracle.reach(skill, as_of)["top_teachers"][:k]]
    bound = arrays.onward_reach_bound(graph)
    for node in range(graph.n):
        ikm_id = graph.ids[node]
        assert arrays.onward_reach(graph, node) == (len(nx.descendants(g, ikm_id)) if ikm_id in g else 0) <= bound[node]
    for person in records.ikm[:5]:
        assert metrics.lineage(embedded_store, person.ikm_id, as_of) == oracle.lineage(person.ikm_id, as_of)


@st.composite
def programs_with_cycles(draw):
    """A program of test_metrics_property, and teachings to write past the validation: some of
    its teachings turned back, random pairs, and (where the store can hold them) second copies
    of stored teachings with other dates."""
    records, as_of, dormant = draw(programs())
    ids = [i.ikm_id for i in records.ikm]
    day = st.integers(min_value=0, max_value=900).map(lambda d: date(2020, 1, 1) + timedelta(days=d))
    taken = {(t.learner_id, t.teacher_id, t.skill) for t in records.teachings}
    extra = []
    back = draw(st.lists(st.sampled_from(records.teachings), max_size=4)) if records.teachings else []
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(SKILLS)), max_size=4))
    for learner, teacher, skill in [(t.teacher_id, t.learner_id, t.skill) for t in back] + pairs:
        if learner != teacher and (learner, teacher, skill) not in taken:
            taken.add((learner, teacher, skill))
            extra.append(Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=draw(day)))
    copies = [t.model_copy(update={"date": draw(day)}) for t in
              (draw(st.lists(st.sampled_from(records.teachings), max_size=3)) if records.teachings else [])]
    return records, as_of, dormant, extra, copies


def inject_teachings(store: GraphStore, teachings: list[Teaching]) -> None:
    for skill in SKILLS:
        rows = [(t.learner_id, t.teacher_id, t.date.isoformat()) for t in teachings if t.skill == skill]
        if rows:
            inject(store, rows, skill, source=None)


@pytest.mark.parametrize("store_kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=programs_with_cycles())
def test_every_store_equals_the_oracle_with_cycles_and_copies(request, store_kind, case):
    """Through the store (the cascade walked in Cypher on Neo4j): reach, broken chains and
    the lineage of every IKM equal the oracle computed from the records, where a
    teaching stored twice is its earliest copy."""
    store = request.getfixturevalue(f"{store_kind}_store")
    records, as_of, dormant, extra, copies = case
    fill(store, records)
    inject_teachings(store, extra)
    if store_kind == "neo4j":
        inject_teachings(store, copies)
    effective: dict[tuple, Teaching] = {}
    for t in [*records.teachings, *extra, *(copies if store_kind == "neo4j" else [])]:
        key = (t.learner_id, t.teacher_id, t.skill)
        if key not in effective or t.date < effective[key].date:
            effective[key] = t
    seen = records.model_copy(update={"teachings": list(effective.values())})
    oracle = Oracle(seen)
    for skill in SKILLS:
        query = metrics.Query(skill=skill, as_of=as_of)
        assert metrics.reach(store, query).model_dump() == oracle.reach(skill, as_of)
        assert metrics.broken(store, skill, as_of, dormant).model_dump() == oracle.broken(skill, as_of, dormant)
        if store_kind == "neo4j":  # one generation a step too, as for wide frontiers
            store._snapshot, store.small_frontier = None, 0
            seeds = oracle.seeds(skill, as_of)
            assert skill_graph.cascade(store, skill, as_of, seeds) == generations(oracle.graph(skill, as_of), seeds)
            vars(store).pop("small_frontier")
    for person in records.ikm:
        assert metrics.lineage(store, person.ikm_id, as_of) == oracle.lineage(person.ikm_id, as_of), person.ikm_id
    knots = [knot for skill in SKILLS for knot in nx.strongly_connected_components(oracle.graph(skill, date.max))]
    assert check_store(store).counts["cycle"] == sum(1 for knot in knots if len(knot) > 1)
