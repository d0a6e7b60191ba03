"""The HTTP API (SPEC §7) through FastAPI's TestClient, on both stores."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.metrics import answers as metrics
from tular.graph.model.records import Records
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.app import create_app

from .factories import DINOYO, ikm, small_batik_program
from .skill_graph import edges

AS_OF = "2026-06-30"


@dataclass
class Api:
    client: TestClient
    store: GraphStore
    keys: dict[str, str]

    def get(self, url: str, role: str | None = "viewer", **kw):
        return self.client.get(url, headers=self._headers(role), **kw)

    def post(self, url: str, role: str | None = "editor", **kw):
        return self.client.post(url, headers=self._headers(role), **kw)

    def patch(self, url: str, role: str | None = "editor", **kw):
        return self.client.patch(url, headers=self._headers(role), **kw)

    def delete(self, url: str, role: str | None = "editor", **kw):
        return self.client.delete(url, headers=self._headers(role), **kw)

    def _headers(self, role: str | None) -> dict:
        return {"X-API-Key": self.keys[role]} if role else {}


def make_api(store: GraphStore, **settings) -> Iterator[Api]:
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("k-1", DINOYO, name="Kopi Tugu", phone="081234567890")]))
    made = {role: keys.create_key(store, role, f"{role} test")[0] for role in ("viewer", "editor", "admin")}
    revoked, stored = keys.create_key(store, "admin", "gone")
    keys.revoke_key(store, stored.key_id)
    made["revoked"] = revoked
    made["garbage"] = "tular_nope_nope"
    with TestClient(create_app(Settings(**settings), store=store)) as client:
        yield Api(client, store, made)


@pytest.fixture
def api(store: GraphStore) -> Iterator[Api]:
    yield from make_api(store)


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"] and body["type"] and body["title"]
    return body


# -------------------------------------------------------------------- health
def test_health_and_readiness(api: Api):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}


# ----------------------------------------------------------------- analytics
def test_reach_is_the_cli_json(api: Api):
    response = api.get("/api/v1/reach", params={"skill": "Membatik", "as_of": AS_OF})
    assert response.status_code == 200
    expected = metrics.reach(api.store, metrics.Query(skill="batik", as_of=date.fromisoformat(AS_OF)))
    assert response.json() == expected.model_dump(mode="json")
    assert (response.json()["seeds"], response.json()["reached"]) == (2, 4)


def test_reach_filters_and_all(api: Api):
    dinoyo = api.get("/api/v1/reach", params={"skill": "batik", "as_of": AS_OF, "kelurahan": "Dinoyo"}).json()
    assert (dinoyo["total"], [a["kelurahan"] for a in dinoyo["areas"]]) == (1, ["Dinoyo"])
    every = api.get("/api/v1/reach", params={"skill": "all", "as_of": AS_OF, "cohort": ["T-BATIK-2020"]}).json()
    assert set(every) == {"as_of", "skills", "distinct_total"} and every["distinct_total"] == 6


def test_broken_chains_is_the_cli_json(api: Api):
    response = api.get("/api/v1/broken-chains", params={"skill": "batik", "as_of": AS_OF, "dormant_days": 30})
    expected = metrics.broken(api.store, "batik", date.fromisoformat(AS_OF), 30)
    assert response.json() == expected.model_dump(mode="json")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("params, words", [
    ({"skill": "tari"}, "valid skills"),
    ({"skill": "batik", "as_of": "31/02/2026"}, "no day 31"),
    ({"skill": "batik", "kelurahan": "Bunul Rejoo"}, "did you mean 'Bunulrejo'"),
    ({"skill": "batik", "cohort": ["T-NOPE"]}, "T-NOPE"),
    ({}, "skill"),
    ({"skill": "batik", "year": "twenty"}, "year"),
])
def test_bad_parameters_are_422_problems(api: Api, params: dict, words: str):
    assert words in is_problem(api.get("/api/v1/reach", params=params), 422)["detail"]


# ----------------------------------------------------------------------- ikm
def test_search_pages_in_a_stable_order(api: Api):
    first = api.get("/api/v1/ikm", params={"page_size": 3}).json()
    second = api.get("/api/v1/ikm", params={"page_size": 3, "page": 2}).json()
    third = api.get("/api/v1/ikm", params={"page_size": 3, "page": 3}).json()
    ids = [i["ikm_id"] for page in (first, second, third) for i in page["items"]]
    assert first["total"] == 8 and ids == sorted(ids) and len(set(ids)) == 8
    assert [i["ikm_id"] for i in api.get("/api/v1/ikm", params={"q": "kopi"}).json()["items"]] == ["k-1"]
    assert {i["ikm_id"] for i in api.get("/api/v1/ikm", params={"kelurahan": "dinoyo"}).json()["items"]} == {"d", "k-1"}
    assert api.get("/api/v1/ikm", params={"skill": "Membatik"}).json()["total"] == 7


def test_viewers_never_see_phone_numbers(api: Api):
    assert api.get("/api/v1/ikm/k-1", role="viewer").json()["phone"] == "0812******90"
    assert api.get("/api/v1/ikm/k-1", role="editor").json()["phone"] == "081234567890"
    listed = api.get("/api/v1/ikm", role="viewer", params={"q": "k-1"}).text
    assert "081234567890" not in listed and "0812******90" in listed


def test_unknown_ikm_is_404(api: Api):
    assert "nobody" in is_problem(api.get("/api/v1/ikm/nobody"), 404)["detail"]
    is_problem(api.get("/api/v1/ikm/nobody/lineage"), 404)


def test_lineage(api: Api):
    body = api.get("/api/v1/ikm/d/lineage", params={"skill": "batik", "as_of": AS_OF}).json()
    assert body["skills"][0]["paths"] == [["s2", "d"], ["s1", "b", "d"]]


def test_trainings(api: Api):
    [t] = api.get("/api/v1/trainings").json()
    assert (t["training_id"], t["skills"], t["budget_idr"]) == ("T-BATIK-2020", ["batik"], 50_000_000)


def test_map_is_an_html_document_for_viewers(api: Api):
    response = api.get("/api/v1/maps/membatik", params={"as_of": AS_OF})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Peta penyebaran: Batik" in response.text and "081234567890" not in response.text
    is_problem(api.get("/api/v1/maps/batik", role=None), 401)
    is_problem(api.get("/api/v1/maps/batik", params={"seed": "nobody"}), 404)
    is_problem(api.get("/api/v1/maps/batik", params={"seed": "a"}), 422)  # not a seed
    is_problem(api.get("/api/v1/maps/kopi"), 422)


# -------------------------------------------------------------------- writes
def test_recording_a_teaching_is_audited_and_undoable(api: Api):
    event = {"learner_id": "x", "teacher_id": "c", "skill": "Membatik", "date": "01/02/2023", "source": "form"}
    response = api.post("/api/v1/teachings", json=event)
    assert response.status_code == 201, response.text
    batch_id = response.json()["batch_id"]
    assert edges(api.store, "batik")["c", "x"] == date(2023, 2, 1)
    [batch] = [b for b in api.store.batches() if b.batch_id == batch_id]
    assert batch.who.startswith(f"api key {api.keys['editor'].split('_')[1]}")
    api.store.undo(batch_id)
    assert ("c", "x") not in edges(api.store, "batik")


def test_a_get_reads_the_store_version_once_and_the_next_request_sees_a_write(api: Api):
    """A request that writes nothing reads the version once for its restore check, its key
    check and its answer (one round trip to Neo4j, not three); the request after a write reads
    it again and answers from the written state."""
    reads: list[str] = []
    read = api.store._read_version

    def counted() -> str:
        reads.append(read())
        return reads[-1]

    api.store._read_version = counted
    question = {"skill": "batik", "as_of": AS_OF}
    before = api.get("/api/v1/reach", params=question)
    assert before.status_code == 200 and len(reads) == 1
    assert api.get("/api/v1/ikm/a").status_code == 200 and len(reads) == 2
    event = {"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2023-02-01", "source": "form"}
    assert api.post("/api/v1/teachings", json=event).status_code == 201
    written = len(reads)
    after = api.get("/api/v1/reach", params=question)
    assert after.status_code == 200 and len(reads) == written + 1 and reads[-1] != reads[0]
    assert after.json()["reached"] == before.json()["reached"] + 1


@pytest.mark.parametrize("event, words", [
    ({"learner_id": "s1", "teacher_id": "c", "skill": "batik", "date": "2023-01-01"}, "would close a cycle"),
    ({"learner_id": "x", "teacher_id": "nobody", "skill": "batik", "date": "2023-01-01"}, "unknown ikm_id"),
    ({"learner_id": "x", "teacher_id": "c", "skill": "tari", "date": "2023-01-01"}, "valid skills"),
    ({"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2999-01-01"}, "in the future"),
    ({"learner_id": "x", "teacher_id": "x", "skill": "batik", "date": "2023-01-01"}, "teaches themselves"),
])
def test_a_bad_teaching_is_rejected_like_an_imported_row(api: Api, event: dict, words: str):
    before = api.store.counts()
    body = is_problem(api.post("/api/v1/teachings", json=event, params={"lang": "en"}), 422)  # English words
    assert words in body["detail"] and body["report"]["errors"][0]["file"] == "request"
    assert api.store.counts() == before


def test_correcting_an_ikm_keeps_the_before_and_after(api: Api):
    response = api.patch("/api/v1/ikm/a", json={"name": "Ani Rahayu", "kelurahan": "Bunul Rejo"})
    assert response.status_code == 200, response.text
    assert response.json()["ikm"]["name"] == "Ani Rahayu"
    [batch] = [b for b in api.store.batches(with_changes=True) if b.batch_id == response.json()["batch_id"]]
    assert batch.changes[0].before["name"] == "Ibu a"
    assert "Bunulrejo" in is_problem(api.patch("/api/v1/ikm/a", json={"kelurahan": "Bunul Rejoo"}), 422)["detail"]
    is_problem(api.patch("/api/v1/ikm/nobody", json={"name": "x"}), 404)
    is_problem(api.patch("/api/v1/ikm/a", json={"ikm_id": "other"}), 422)


def test_deleting_a_teaching_edge_is_audited_and_undoable(api: Api):
    response = api.delete("/api/v1/teachings/d/b/batik")
    assert response.status_code == 200, response.text
    assert ("b", "d") not in edges(api.store, "batik")
    is_problem(api.delete("/api/v1/teachings/d/b/batik"), 404)
    api.store.undo(response.json()["batch_id"])
    assert edges(api.store, "batik")["b", "d"] == date(2022, 2, 2)


def test_uploading_files_imports_one_batch(api: Api):
    ikm_csv = b"ikm_id;name;kelurahan\nu1;Ibu Umi;Bunul Rejo\nu2;Ibu Ida;Sumbersari\n"
    teach_csv = b"learner_id,teacher_id,skill,date\nu2,u1,batik,2024-01-01\n"
    response = api.post("/api/v1/imports", files=[("files", ("teachings.csv", teach_csv, "text/csv")),
                                                  ("files", ("ikm.csv", ikm_csv, "text/csv"))])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] and {k["kind"]: k["created"] for k in report["kinds"]} == {"ikm": 2, "teachings": 1}
    assert api.store.get_ikm("u1").kelurahan_code == "blimbing.bunulrejo"
    bad = api.post("/api/v1/imports", files=[("files", ("ikm.csv", b"ikm_id,name,kelurahan\nu3,Ibu,Atlantis\n",
                                                        "text/csv"))])
    body = is_problem(bad, 422)
    assert body["report"]["errors"][0]["column"] == "kelurahan" and "ikm.csv" in body["detail"]
    dry = api.post("/api/v1/imports", data={"dry_run": "true"},
                   files=[("files", ("ikm.csv", b"ikm_id,name,kelurahan\nu4,Ibu,Dinoyo\n", "text/csv"))])
    assert dry.json()["dry_run"] and api.store.search_ikm(q="u4").total == 0


def test_uploads_over_the_limit_are_413(store: GraphStore):
    for api in make_api(store, max_upload_mb=1):
        big = b"ikm_id,name,kelurahan\n" + b"x,y,Dinoyo\n" * 200_000
        assert "1 MB" in is_problem(api.post("/api/v1/imports", files=[("files", ("ikm.csv", big, "text/csv"))]),
                                    413)["detail"]


# ---------------------------------------------------------------------- auth
ENDPOINTS = [
    ("get", "/api/v1/reach?skill=batik", "viewer"),
    ("get", "/api/v1/broken-chains?skill=batik", "viewer"),
    ("get", "/api/v1/ikm", "viewer"),
    ("get", "/api/v1/ikm/a", "viewer"),
    ("get", "/api/v1/ikm/a/lineage", "viewer"),
    ("get", "/api/v1/trainings", "viewer"),
    ("post", "/api/v1/teachings", "editor"),
    ("patch", "/api/v1/ikm/a", "editor"),
    ("delete", "/api/v1/teachings/d/b/batik", "editor"),
    ("post", "/api/v1/imports", "editor"),
    ("get", "/api/v1/keys", "admin"),
]
BODIES = {
    "/api/v1/teachings": {"json": {"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2023-01-01"}},
    "/api/v1/ikm/a": {"json": {"sector": "kuliner"}},
    "/api/v1/imports": {"files": [("files", ("ikm.csv", b"ikm_id,name,kelurahan\nz,Z,Dinoyo\n", "text/csv"))]},
}
RANK = {"viewer": 0, "editor": 1, "admin": 2}


@pytest.mark.parametrize("caller", [None, "garbage", "revoked", "viewer", "editor", "admin"])
def test_auth_matrix(api: Api, caller: str | None):
    for method, url, needed in ENDPOINTS:
        kwargs = BODIES.get(url, {}) if method != "get" else {}
        response = getattr(api, method)(url, role=caller, **kwargs)
        if caller in (None, "garbage", "revoked"):
            expected = 401
        else:
            expected = 403 if RANK[caller] < RANK[needed] else None
        if expected:
            is_problem(response, expected)
        else:
            assert response.status_code in (200, 201), (method, url, caller, response.text)


def test_public_read_allows_anonymous_reads_but_never_writes(store: GraphStore):
    for api in make_api(store, public_read=True):
        assert api.get("/api/v1/reach", role=None, params={"skill": "batik"}).status_code == 200
        is_problem(api.get("/api/v1/ikm/k-1", role=None), 401)  # a person: aggregates only for the public
        assert api.get("/api/v1/reach", role=None, params={"skill": "batik"}).json()["top_teachers"] == []
        is_problem(api.post("/api/v1/teachings", role=None, json=BODIES["/api/v1/teachings"]["json"]), 401)
        is_problem(api.get("/api/v1/keys", role=None), 401)


def test_admins_manage_keys(api: Api):
    created = api.post("/api/v1/keys", role="admin", json={"role": "viewer", "name": "analis"})
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert api.client.get("/api/v1/trainings", headers={"X-API-Key": new_key}).status_code == 200
    listed = api.get("/api/v1/keys", role="admin").json()
    assert all("hash" not in k and "key" not in k for k in listed)
    assert api.delete(f"/api/v1/keys/{created.json()['key_id']}", role="admin").json()["revoked_at"]
    is_problem(api.client.get("/api/v1/trainings", headers={"X-API-Key": new_key}), 401)


def test_a_key_revoked_by_another_process_is_refused_at_the_next_request(api: Api):
    """The verified-key cache of a worker does not outlive a revocation made elsewhere: the
    revocation moves the store's version, and the cached key is read again."""
    assert api.get("/api/v1/trainings", role="viewer").status_code == 200  # verified and cached here
    [stored] = [k for k in api.store.api_keys() if k.name == "viewer test"]
    api.store.save_api_key(stored.model_copy(update={"revoked_at": stored.created_at}))  # not through this cache
    is_problem(api.get("/api/v1/trainings", role="viewer"), 401)
    assert api.get("/api/v1/trainings", role="editor").status_code == 200  # other keys unaffected


def test_a_key_is_hashed_once_however_many_present_it_at_once_and_however_long_it_is_used(
        api: Api, monkeypatch: pytest.MonkeyPatch):
    """scrypt (~50 ms of CPU) runs once for a key: the requests presenting it at the same
    moment wait for that one check, and later uses — a minute on, or after a write — read the
    key again by id, not hash it. A server that forgot its keys every minute made every client
    pay scrypt at that moment (20 clients: about 0.5 s each on two cores)."""
    hashed: list[str] = []
    real = keys._hash

    def counted(secret: str, salt: str) -> str:
        hashed.append(salt)
        time.sleep(0.05)  # as slow as scrypt is, so that the requests meet
        return real(secret, salt)

    monkeypatch.setattr(keys, "_hash", counted)
    keys._cache.clear()
    barrier = threading.Barrier(8)

    def ask(_: int) -> int:
        barrier.wait()
        return api.get("/api/v1/trainings", role="viewer").status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(ask, range(8))) == [200] * 8
    assert len(hashed) == 1
    real_monotonic = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + 3600)  # an hour on
    assert api.post("/api/v1/teachings", json={"learner_id": "x", "teacher_id": "c", "skill": "batik",
                                               "date": "2023-02-01"}).status_code == 201
    assert api.get("/api/v1/trainings", role="viewer").status_code == 200
    assert api.get("/api/v1/trainings", role="editor").status_code == 200
    assert len(hashed) == 2  # the editor's key, checked once by the POST; the viewer's not again
    is_problem(api.client.get("/api/v1/trainings", headers={"X-API-Key": api.keys["viewer"] + "x"}), 401)
    assert len(hashed) == 3  # another string is checked


def test_keys_are_stored_hashed(api: Api):
    stored = api.store.api_keys()
    for plaintext in api.keys.values():
        secret = plaintext.split("_", 2)[-1]
        assert all(secret not in k.model_dump_json() for k in stored)


def test_openapi_documents_every_route_with_examples(api: Api):
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/reach", "/api/v1/broken-chains", "/api/v1/ikm", "/api/v1/ikm/{ikm_id}",
                 "/api/v1/ikm/{ikm_id}/lineage", "/api/v1/teachings", "/api/v1/teachings/{learner_id}/{teacher_id}/{skill}",
                 "/api/v1/imports", "/api/v1/trainings", "/api/v1/maps/{skill}", "/api/v1/reports/{year}",
                 "/healthz", "/readyz"):
        assert path in paths, path
    assert "examples" in str(schema["components"]["schemas"]["TeachingIn"])
    assert "application/problem+json" in str(paths["/api/v1/reach"]["get"]["responses"]["422"])


def test_cached_answers_follow_every_write(api: Api):
    params = {"skill": "batik", "as_of": AS_OF}
    first = api.get("/api/v1/reach", params=params).json()
    assert api.get("/api/v1/reach", params=params).json() == first
    event = {"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2023-01-01"}
    assert api.post("/api/v1/teachings", json=event).status_code == 201
    assert api.get("/api/v1/reach", params=params).json()["reached"] == first["reached"] + 1


def test_a_write_by_another_process_expires_cached_answers(tmp_path):
    from tular.graph.store import EmbeddedStore

    one, other = EmbeddedStore(tmp_path / "t.db"), None
    one.init_schema()
    other = EmbeddedStore(tmp_path / "t.db")
    before = one.version()
    other.write(Records(ikm=[ikm("p1")]))
    assert one.version() != before
