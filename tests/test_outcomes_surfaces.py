"""`tular outcomes`, `tular plan` and their HTTP twins (SPEC §10): the same bodies, the
editor-only single-record POST, problems for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import planner
from tular.graph.store import GraphStore

from .test_api import Api, is_problem, make_api
from .test_cli import tular
from .test_outcomes import AS_OF, outcomes, planning


@pytest.fixture
def api(store: GraphStore) -> Iterator[Api]:
    store.write(planning())
    yield from make_api(store)


def test_get_outcomes_is_the_cli_json_and_cached_until_a_write(api: Api):
    params = {"skill": "Membatik", "kind": "pameran", "as_of": AS_OF.isoformat()}
    body = api.get("/api/v1/outcomes", params=params).json()
    expected = metrics.outcome_rates(api.store, metrics.Query(skill="batik", as_of=AS_OF), "pameran")
    assert body == expected.model_dump(mode="json")
    assert [(g["generation"], g["count"], g["with_outcome"]) for g in body["generations"]] == [
        (0, 2, 2), (1, 3, 1), (2, 2, 0)]
    created = api.post("/api/v1/outcomes", json={"ikm_id": "e", "kind": "Pameran", "date": "01/06/2022"})
    assert created.status_code == 201 and created.json()["batch_id"]
    after = api.get("/api/v1/outcomes", params=params).json()
    assert [(g["generation"], g["with_outcome"]) for g in after["generations"]] == [(0, 2), (1, 1), (2, 1)]
    learned = api.get("/api/v1/outcomes", params={**params, "after_learning": "true"}).json()
    assert learned["generations"][0]["with_outcome"] == 1  # s1's exhibition predates its training


def test_post_outcome_needs_an_editor_and_is_validated_like_a_row(api: Api):
    one = {"ikm_id": "a", "kind": "employees", "date": "2022-01-01"}
    is_problem(api.post("/api/v1/outcomes", role="viewer", json={**one, "value": "2"}), 403)
    is_problem(api.post("/api/v1/outcomes", role=None, json={**one, "value": "2"}), 401)
    missing = is_problem(api.post("/api/v1/outcomes", json=one, params={"lang": "en"}), 422)
    assert "head count" in missing["detail"] and missing["report"]["errors"][0]["column"] == "value"
    indonesian = is_problem(api.post("/api/v1/outcomes", json=one), 422)  # the default language
    assert "perlu jumlah karyawan" in indonesian["detail"]
    english = {"lang": "en"}
    wrong = is_problem(api.post("/api/v1/outcomes", json={**one, "kind": "pamran"}, params=english), 422)
    assert "did you mean 'pameran'" in wrong["detail"]
    unknown = is_problem(api.post("/api/v1/outcomes", json={**one, "ikm_id": "zz"}, params=english), 422)
    assert "unknown ikm_id" in unknown["detail"]
    assert api.store.counts().outcomes == len(outcomes())


def test_get_plan_is_the_cli_json(api: Api):
    body = api.get("/api/v1/plan", params={"skill": "batik", "seats": 2, "as_of": AS_OF.isoformat(), "lang": "en"})
    assert body.status_code == 200
    assert body.json() == planner.plan(api.store, "batik", 2, AS_OF, lang="en").model_dump(mode="json")
    assert [k["kelurahan"] for k in body.json()["kelurahan"]] == ["Polehan", "Sumbersari"]
    assert "seats" in is_problem(api.get("/api/v1/plan", params={"skill": "batik", "seats": 0}), 422)["detail"]
    is_problem(api.get("/api/v1/plan", params={"skill": "batik", "seats": 1, "lang": "fr"}), 422)
    assert "jenis yang ada: pameran" in is_problem(api.get("/api/v1/outcomes", params={"skill": "batik", "kind": "x"}),
                                                    422)["detail"]  # Indonesian unless asked
    assert "valid kinds: pameran" in is_problem(api.get("/api/v1/outcomes", params={"skill": "batik", "kind": "x",
                                                                                     "lang": "en"}), 422)["detail"]


def test_openapi_documents_both_answers_with_examples(api: Api):
    spec = api.client.get("/openapi.json").json()
    for path in ("/api/v1/outcomes", "/api/v1/plan"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content["example"] and content["schema"]
    assert "post" in spec["paths"]["/api/v1/outcomes"]


# ------------------------------------------------------------------ command line
@pytest.fixture
def db(tmp_path: Path) -> str:
    from tular.graph.store import EmbeddedStore

    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    store.write(planning())
    store.close()
    return f"sqlite:///{tmp_path / 'tular.db'}"


def test_cli_outcomes_json_has_the_spec_shape_and_the_table_reads(db: str):
    result = tular("outcomes", "--skill", "batik", "--kind", "pameran", "--as-of", "2023-01-01", "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["skill", "kind", "as_of", "generations", "areas"]
    assert data["generations"][0] == {"generation": 0, "count": 2, "with_outcome": 2, "rate": 1.0}
    assert data["areas"][0] == {"kecamatan": "Blimbing", "kelurahan": "Bunulrejo", "count": 5, "with_outcome": 3,
                                "rate": 0.6}
    table = tular("--lang", "en", "outcomes", "--skill", "batik", "--as-of", "2023-01-01", "--after-learning", db=db)
    text = " ".join(table.stdout.split())  # rich wraps titles at the terminal's width
    assert table.returncode == 0 and "(any outcome, after learning)" in text and "Bunulrejo" in text
    indonesian = " ".join(tular("outcomes", "--skill", "batik", "--as-of", "2023-01-01", "--after-learning",
                                db=db).stdout.split())
    assert "(hasil usaha apa saja, sesudah belajar)" in indonesian and "1 Januari 2023" in indonesian
    bad = tular("outcomes", "--skill", "batik", "--kind", "parade", db=db)
    assert bad.returncode == 2 and "jenis hasil 'parade' tidak dikenal" in " ".join(bad.stderr.split())


def test_cli_plan_json_and_table(db: str):
    result = tular("plan", "--skill", "batik", "--seats", "2", "--as-of", "2023-01-01", "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["skill", "seats", "as_of", "kelurahan", "narasumber", "visits"]
    assert list(data["kelurahan"][0]) == ["kecamatan", "kelurahan", "population", "total", "unmet_need", "broken",
                                          "reason"]
    assert [n["ikm_id"] for n in data["narasumber"]] == ["s1"] and [v["ikm_id"] for v in data["visits"]] == ["e", "d", "c"]
    table = tular("plan", "--skill", "batik", "--seats", "2", "--year", "2023", "--lang", "en", db=db)
    text = " ".join(table.stdout.split())
    assert table.returncode == 0 and "Narasumber to co-teach" in text and "as of 31 December 2022" in text
    assert tular("plan", "--skill", "batik", "--seats", "0", db=db).returncode == 2


def test_cli_imports_an_outcomes_file(db: str, tmp_path: Path):
    path = tmp_path / "outcomes.csv"
    path.write_text("ikm_id,kind,date,value\nq1,revenue_band,2022-02-02,< 300 juta\n", encoding="utf-8")
    result = tular("import", str(path), db=db)
    assert result.returncode == 0, result.stderr
    assert json.loads(tular("status", "--json", db=db).stdout)["outcomes"] == len(outcomes()) + 1
    assert date(2022, 2, 2)  # the row's date, kept as written


def test_upload_of_an_outcomes_file_with_its_ikm_is_one_batch(api: Api):
    people = b"ikm_id,name,kelurahan\nu1,Ibu Baru,Polehan\n"
    hasil = b"ikm_id,kind,date,skill\nu1,pameran,2022-09-09,batik\n"
    response = api.post("/api/v1/imports", files=[("files", ("hasil.csv", hasil, "text/csv")),
                                                  ("files", ("ikm.csv", people, "text/csv"))])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] and [(k["kind"], k["created"]) for k in body["kinds"]] == [("ikm", 1), ("outcomes", 1)]
    assert [o.ikm_id for o in api.store.all_outcomes() if o.ikm_id == "u1"] == ["u1"]
    undone = api.store.undo(body["batch_id"])
    assert undone.batch_id == body["batch_id"] and api.store.counts().outcomes == len(outcomes())
