"""Chains and concentration (SPEC §12), on both stores.

A chain is a seed and the reached IKM assigned to it: a reached IKM of generation g belongs
to the chain of its generation g − 1 teacher whose teaching to it is earliest-dated (ties to
the smaller teacher id in code-point order), followed back to a seed. The hand-computed
programme below has a tie that code-point order decides differently from alphabetical
order, a learner taught earlier by a teacher two generations away, a stalled lineage, a dead
seed, a new seed and a teaching after T. The property tests hold the engine, on the embedded
store and on Neo4j (the cascade walked in Cypher), equal to the oracle of tests/oracle.py on
random programmes with ties, multi-teacher learners and cycles written past the validation,
and check that the chains partition S ∪ R.
"""

from __future__ import annotations

import doctest
import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tular.graph.admin import api_keys as keys
from tular.graph.metrics import answers
from tular.graph.metrics import public
from tular.graph.metrics.report_data import gather_report
from tular.graph.metrics.results import Chains
from tular.graph.model.errors import UnknownIKM, UsageError
from tular.graph.model.records import Attendance, Records, Teaching
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.app import create_app
from tular.service.cli import app, exit_code_for
from tular.visualizations import chain_views
from tular.visualizations.report import render_html

from .factories import DINOYO, ikm, teaching, training
from .oracle import Oracle, generations
from .test_broken_invariants import inject, is_neo4j
from .test_engine_vs_oracle import SKILLS, fill, programmes
from .test_web import csrf_of

AS_OF = date(2021, 1, 1)
DORMANT = 180  # T − W = 2020-07-05


def hand_programme() -> Records:
    """Five batik seeds. "SB" and "Sa" both taught A on 2020-02-01: in code-point order "SB"
    comes first (B is U+0042, a is U+0061), so A — and C, D after it — are in SB's chain.
    F learned from E (generation 2) on 2020-06-15 and from Sa (a seed) on 2020-12-01: F is
    of generation 1, so its chain is Sa's, whatever E taught first."""
    seeds = ["Sa", "SB", "S3", "S4", "S5"]
    return Records(
        ikm=[ikm(i) for i in ("Sa", "SB", "S3", "S5", "A", "B", "C", "D", "E", "F", "G", "H")] + [ikm("S4", DINOYO)],
        trainings=[training("T-2020", "2020-01-01"), training("T-LATE", "2020-12-01"),
                   training("T-2019", "2019-06-01"), training("T-2018", "2019-01-01")],
        attendance=[Attendance(training_id="T-2020", ikm_id=s) for s in seeds[:2]]
        + [Attendance(training_id="T-LATE", ikm_id="S3"), Attendance(training_id="T-2019", ikm_id="S4"),
           Attendance(training_id="T-2018", ikm_id="S5")],
        teachings=[
            teaching("A", "Sa", "2020-02-01"), teaching("A", "SB", "2020-02-01"),
            teaching("B", "SB", "2020-03-01"), teaching("B", "Sa", "2020-04-01"),
            teaching("C", "A", "2020-05-01"), teaching("C", "B", "2020-05-01"),
            teaching("D", "C", "2020-08-01"), teaching("E", "B", "2020-06-01"),
            teaching("F", "E", "2020-06-15"), teaching("F", "Sa", "2020-12-01"),
            teaching("G", "S5", "2019-03-01"),
            teaching("H", "S3", "2021-02-01"),  # after T: not in G
        ],
    )


EXPECTED_ROWS = [
    # seed, kelurahan, size, depth, first, last, days since last, status
    ("SB", "Bunulrejo", 6, 3, "2020-02-01", "2020-08-01", 153, "growing"),
    ("S5", "Bunulrejo", 2, 1, "2019-03-01", "2019-03-01", 672, "stalled"),
    ("Sa", "Bunulrejo", 2, 1, "2020-12-01", "2020-12-01", 31, "growing"),
    ("S3", "Bunulrejo", 1, 0, None, None, None, "new"),
    ("S4", "Dinoyo", 1, 0, None, None, None, "dead_seed"),
]


def rows(answer: dict) -> list[tuple]:
    return [(c["seed"], c["kelurahan"], c["size"], c["depth"], c["first_teaching"], c["last_teaching"],
             c["days_since_last"], c["status"]) for c in answer["chains"]]


def test_the_hand_computed_chains(store: GraphStore):
    fill(store, hand_programme())
    got = json.loads(answers.chains(store, "batik", AS_OF, DORMANT).model_dump_json())
    assert (got["skill"], got["as_of"], got["dormant_days"]) == ("batik", "2021-01-01", 180)
    assert rows(got) == EXPECTED_ROWS
    assert got["histogram"] == [{"size": 1, "chains": 2}, {"size": 2, "chains": 2}, {"size": 6, "chains": 1}]
    reach = answers.reach(store, answers.Query(skill="batik", as_of=AS_OF))
    assert sum(c["size"] for c in got["chains"]) == reach.total == 12
    # a dead seed and a stalled lineage here are exactly broken's findings for the seed
    findings = answers.broken(store, "batik", AS_OF, DORMANT).findings
    assert {(f.kind, f.ikm_id) for f in findings if f.kind in ("dead_seed", "stalled_lineage")} == \
        {("dead_seed", "S4"), ("stalled_lineage", "S5")}


def test_filters_choose_rows_and_leave_the_histogram(store: GraphStore):
    fill(store, hand_programme())
    every = answers.chains(store, "batik", AS_OF, DORMANT)

    def seeds(**filters) -> list[str]:
        chosen = answers.chains(store, "batik", AS_OF, DORMANT, **filters)
        assert chosen.histogram == every.histogram
        return [c.seed for c in chosen.chains]

    assert seeds(statuses=["growing"]) == ["SB", "Sa"]
    assert seeds(statuses=["stalled", "dead_seed"]) == ["S5", "S4"]
    assert seeds(min_size=2) == ["SB", "S5", "Sa"]
    assert seeds(includes="D") == ["SB"] and seeds(includes="F") == ["Sa"] and seeds(includes="S4") == ["S4"]
    assert seeds(includes="H") == []  # taught only after T: in no chain
    assert seeds(includes="F", min_size=3) == []
    with pytest.raises(UnknownIKM):
        answers.chains(store, "batik", AS_OF, DORMANT, includes="NOPE")
    with pytest.raises(UsageError, match="status rantai 'macet' tidak dikenal"):
        answers.chains(store, "batik", AS_OF, DORMANT, statuses=["macet"])
    with pytest.raises(UsageError):
        answers.chains(store, "batik", AS_OF, DORMANT, min_size=0)
    # a window of 20 days (T − W = 2020-12-12): SB's lineage last taught on 2020-08-01, Sa's on
    # 2020-12-01 — both stalled now — and S3, trained on 2020-12-01, is a trainee who taught nobody
    assert [c.status for c in answers.chains(store, "batik", AS_OF, 20).chains] == \
        ["stalled", "stalled", "stalled", "dead_seed", "dead_seed"]


def test_doctests_pass():
    assert doctest.testmod(chain_views).failed == 0


def test_the_public_answer_has_no_seed():
    answer = Chains(skill="batik", as_of=AS_OF, dormant_days=DORMANT, chains=[
        {"seed": "SB", "kelurahan": "Bunulrejo", "size": 2, "depth": 1, "first_teaching": AS_OF,
         "last_teaching": AS_OF, "days_since_last": 0, "status": "growing"}], histogram=[{"size": 2, "chains": 1}])
    shown = public.chains(answer)
    assert shown.chains[0].seed is None and shown.chains[0].kelurahan == "Bunulrejo"
    assert shown.histogram == answer.histogram and answer.chains[0].seed == "SB"


def test_concentration_of_the_hand_programme(store: GraphStore):
    """11 teachings within S ∪ R by 7 teachers (Sa 3, SB 2, B 2, A, C, E and S5 one each):
    the top ⌈5 % × 7⌉ = 1 gave 3, the top ⌈20 % × 7⌉ = 2 gave 5."""
    fill(store, hand_programme())
    got = answers.reach(store, answers.Query(skill="batik", as_of=AS_OF)).concentration.model_dump()
    assert got == {"teachers": 7, "teachings": 11, "top_5_percent_share": 3 / 11, "top_20_percent_share": 5 / 11}
    # counted by the teacher's kelurahan: none of Dinoyo's IKM taught
    area = answers.reach(store, answers.Query(skill="batik", as_of=AS_OF, kelurahan="Dinoyo")).concentration
    assert area.model_dump() == {"teachers": 0, "teachings": 0, "top_5_percent_share": None,
                                 "top_20_percent_share": None}


def test_tular_chains_prints_the_json_and_a_table(embedded_store, tmp_path):
    fill(embedded_store, hand_programme())
    embedded_store.close()
    runner = CliRunner()
    db = ["--db", f"sqlite:///{embedded_store.path}"]
    done = runner.invoke(app, [*db, "chains", "--skill", "Membatik", "--as-of", "2021-01-01", "--json"])
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert list(printed) == ["skill", "as_of", "dormant_days", "chains", "histogram"]
    assert rows(printed) == EXPECTED_ROWS
    assert list(printed["chains"][0]) == ["seed", "kelurahan", "size", "depth", "first_teaching", "last_teaching",
                                          "days_since_last", "status"]
    done = runner.invoke(app, [*db, "chains", "--skill", "batik", "--as-of", "2021-01-01", "--json",
                               "--status", "stalled", "--status", "new", "--min-size", "1"])
    assert [c["seed"] for c in json.loads(done.stdout)["chains"]] == ["S5", "S3"]
    done = runner.invoke(app, [*db, "chains", "--skill", "batik", "--as-of", "2021-01-01", "--includes", "E",
                               "--json"])
    assert [c["seed"] for c in json.loads(done.stdout)["chains"]] == ["SB"]
    table = runner.invoke(app, [*db, "chains", "--skill", "batik", "--as-of", "2021-01-01", "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert "SB" in table.stdout and "stalled lineage" in table.stdout and "153" in table.stdout
    assert "Chain sizes" in table.stdout
    indonesian = runner.invoke(app, [*db, "chains", "--skill", "batik", "--as-of", "2021-01-01"])
    assert "garis macet" in indonesian.stdout and "Rantai penularan batik per 1 Januari 2021" in indonesian.stdout
    # domain errors reach main(), which prints them and exits 1 (data) or 2 (usage)
    unknown = runner.invoke(app, [*db, "chains", "--skill", "batik", "--includes", "NOPE"])
    assert isinstance(unknown.exception, UnknownIKM) and exit_code_for(unknown.exception) == 1
    bad = runner.invoke(app, [*db, "chains", "--skill", "batik", "--status", "macet"])
    assert isinstance(bad.exception, UsageError) and exit_code_for(bad.exception) == 2


def test_the_report_has_a_chains_chapter_and_its_public_edition_names_nobody(embedded_store):
    """The 2020 report (T = 31 December 2020): histogram, the largest chains, counts by status,
    concentration; the public edition describes each trainee by kelurahan."""
    fill(embedded_store, hand_programme())
    today = date(2021, 3, 1)
    internal = gather_report(embedded_store, 2020, today)
    [batik] = internal.chains
    assert batik.skill.skill_id == "batik" and batik.chains == 5
    assert [(c.seed, c.name, c.size) for c in batik.largest] == \
        [("SB", "Ibu SB", 6), ("S5", "Ibu S5", 2), ("Sa", "Ibu Sa", 2), ("S3", "Ibu S3", 1), ("S4", "Ibu S4", 1)]
    assert batik.statuses == {"growing": 2, "stalled": 1, "dead_seed": 1, "new": 1}
    assert [(h.size, h.chains) for h in batik.histogram] == [(1, 2), (2, 2), (6, 1)]
    assert batik.concentration.teachings == 11 and batik.active_shares[0] == 3 / 5  # Sa, SB and S5 taught
    html = render_html(internal, "en")
    chapter = html.split('id="chains"')[1].split("</section>")[0]
    assert "Transmission chains" in html and "Ibu SB" in chapter and "2 growing, 1 stalled lineage" in chapter
    assert chapter.count("<rect") == 3  # one bar per size present
    public = gather_report(embedded_store, 2020, today, public=True)
    assert all(c.seed is None and c.name is None for c in public.chains[0].largest)
    shown = render_html(public, "id").split('id="chains"')[1].split("</section>")[0]
    assert "Peserta pelatihan di Bunulrejo" in shown and "Peserta pelatihan di Dinoyo" in shown
    assert not re.search(r"Ibu S|\bS[B3-5a]\b", shown)


# ----------------------------------------------------------------------------- HTTP: the API and the page
@pytest.fixture
def served(embedded_store):
    """The hand programme served with public read on, and a viewer's key."""
    fill(embedded_store, hand_programme())
    viewer, _ = keys.create_key(embedded_store, "viewer", "Bu Pembaca")
    with TestClient(create_app(Settings(public_read=True), store=embedded_store)) as client:
        yield client, viewer


def test_the_api_answers_the_cli_json_and_anonymous_readers_get_no_seed(served):
    client, viewer = served
    asked = {"skill": "batik", "as_of": "2021-01-01"}
    named = client.get("/api/v1/chains", params=asked, headers={"X-API-Key": viewer})
    assert named.status_code == 200
    assert named.json() == json.loads(answers.chains(client.app.state.store, "batik", AS_OF, DORMANT).model_dump_json())
    assert rows(named.json()) == EXPECTED_ROWS
    anonymous = client.get("/api/v1/chains", params=asked).json()
    assert [c["seed"] for c in anonymous["chains"]] == [None] * 5
    assert [{k: v for k, v in c.items() if k != "seed"} for c in anonymous["chains"]] == \
        [{k: v for k, v in c.items() if k != "seed"} for c in named.json()["chains"]]
    assert anonymous["histogram"] == named.json()["histogram"]
    filtered = client.get("/api/v1/chains", params={**asked, "status": ["stalled", "new"], "min_size": 1},
                          headers={"X-API-Key": viewer}).json()
    assert [c["seed"] for c in filtered["chains"]] == ["S5", "S3"] and filtered["histogram"] == anonymous["histogram"]
    one = client.get("/api/v1/chains", params={**asked, "includes": "C"}, headers={"X-API-Key": viewer}).json()
    assert [c["seed"] for c in one["chains"]] == ["SB"]
    # the chain of one IKM names a person: a key is needed
    refused = client.get("/api/v1/chains", params={**asked, "includes": "C"})
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/chains", params={**asked, "includes": "NOPE"},
                      headers={"X-API-Key": viewer}).status_code == 404
    bad = client.get("/api/v1/chains", params={**asked, "status": "macet"}, headers={"X-API-Key": viewer})
    assert bad.status_code == 422 and "macet" in bad.json()["detail"]


def test_the_chains_page_sorts_filters_and_names_only_for_a_signed_in_reader(served):
    client, viewer = served
    page = client.get("/rantai", params={"skill": "batik", "as_of": "2021-01-01", "lang": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Transmission chains" in html and 'data-chains="5"' in html and 'data-total="12"' in html
    assert re.findall(r'data-size="(\d+)" data-depth', html) == ["6", "2", "2", "1", "1"]
    assert not re.search(r'data-seed="S', html) and "Ibu SB" not in html  # guests: no seed, no name
    assert "/peta?skill=batik&amp;wilayah=kelurahan%3ABunulrejo" in html  # a guest's map: the kelurahan's
    bars = re.findall(r'class="size-bar" data-size="(\d+)" data-chains="(\d+)"', html)
    assert bars == [("1", "2"), ("2", "2"), ("6", "1")]
    by_days = client.get("/rantai", params={"skill": "batik", "as_of": "2021-01-01", "urut": "days"}).text
    assert re.findall(r'data-days="(\d*)"', by_days) == ["31", "153", "672", "", ""]  # no teaching yet: last
    stalled = client.get("/rantai", params={"skill": "batik", "as_of": "2021-01-01", "status": "stalled"}).text
    assert re.findall(r'data-status="(\w+)"', stalled.split('id="chains"')[1].split("status-legend")[0]) == ["stalled"]
    assert client.get("/rantai", params={"skill": "batik", "ikm": "C"}, follow_redirects=False).status_code == 303
    form = client.get("/masuk")
    client.post("/masuk", data={"api_key": viewer, "csrf_token": csrf_of(form.text), "next": "/rantai"})
    named = client.get("/rantai", params={"skill": "batik", "as_of": "2021-01-01", "urut": "-depth", "ikm": ""}).text
    assert re.findall(r'data-seed="([^"]+)"', named) == ["SB", "S5", "Sa", "S3", "S4"] and "Ibu SB" in named
    assert "/api/v1/maps/batik?seed=SB&amp;as_of=2021-01-01" in named  # a reader's map: the seed's lineage
    one = client.get("/rantai", params={"skill": "batik", "as_of": "2021-01-01", "ikm": "E"}).text
    assert re.findall(r'data-seed="([^"]+)"', one) == ["SB"]


# ----------------------------------------------------------------------------- property tests
@st.composite
def programmes_with_cycles(draw) -> dict:
    """A programme of test_engine_vs_oracle (ties on one day, several teachers a learner) and
    teachings that close cycles, to write past the validation: some turned back, random
    pairs, often dated on a day another teaching of the learner has (ties inside a cycle)."""
    p = draw(programmes(max_ikm=24))
    records = p["records"]
    ids = [i.ikm_id for i in records.ikm]
    taken = {(t.learner_id, t.teacher_id, t.skill) for t in records.teachings}
    days = sorted({t.date for t in records.teachings}) or [p["as_of"]]
    extra: list[Teaching] = []
    if draw(st.booleans()):
        back = draw(st.lists(st.sampled_from(records.teachings), max_size=3)) if records.teachings else []
        pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(SKILLS)),
                              max_size=3))
        for learner, teacher, skill in [(t.teacher_id, t.learner_id, t.skill) for t in back] + pairs:
            if learner != teacher and (learner, teacher, skill) not in taken:
                taken.add((learner, teacher, skill))
                when = draw(st.one_of(st.sampled_from(days), st.just(p["as_of"] - timedelta(days=p["dormant"]))))
                extra.append(Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=when))
    return {**p, "extra": extra}


def check_chains(store: GraphStore, p: dict, every_ikm: bool) -> None:
    records = p["records"].model_copy(update={"teachings": [*p["records"].teachings, *p["extra"]]})
    oracle = Oracle(records)
    as_of, dormant = p["as_of"], p["dormant"]
    for skill in SKILLS:
        got = answers.chains(store, skill, as_of, dormant).model_dump()
        expected = oracle.chains(skill, as_of, dormant)
        assert got == expected, (skill, got, expected)
        covered = generations(oracle.graph(skill, as_of), oracle.seeds(skill, as_of))
        assert sum(c["size"] for c in got["chains"]) == len(covered) == \
            answers.reach(store, answers.Query(skill=skill, as_of=as_of)).total
        assert sum(h["size"] * h["chains"] for h in got["histogram"]) == len(covered)
        for chosen in ({"statuses": ["growing", "stalled"]}, {"min_size": 2}):
            assert answers.chains(store, skill, as_of, dormant, **chosen).model_dump() == \
                oracle.chains(skill, as_of, dormant, **chosen), chosen
        # every IKM of the total is in exactly one chain; the others in none
        people = [i.ikm_id for i in records.ikm] if every_ikm else p["lineage_of"]
        for ikm_id in people:
            found = answers.chains(store, skill, as_of, dormant, includes=ikm_id).model_dump()
            assert len(found["chains"]) == (1 if ikm_id in covered else 0), ikm_id
            assert found == oracle.chains(skill, as_of, dormant, includes=ikm_id), ikm_id


def write(store: GraphStore, p: dict) -> None:
    fill(store, p["records"])
    for skill in SKILLS:
        rows = [(t.learner_id, t.teacher_id, t.date.isoformat()) for t in p["extra"] if t.skill == skill]
        if rows:
            inject(store, rows, skill, source=None)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(p=programmes_with_cycles())
def test_the_embedded_chains_equal_the_oracle(embedded_store, p):
    write(embedded_store, p)
    check_chains(embedded_store, p, every_ikm=True)


@pytest.mark.neo4j
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(p=programmes_with_cycles())
def test_the_neo4j_chains_equal_the_oracle(neo4j_store, p):
    assert is_neo4j(neo4j_store)
    write(neo4j_store, p)
    check_chains(neo4j_store, p, every_ikm=False)
