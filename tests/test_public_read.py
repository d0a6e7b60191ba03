"""Anonymous public read is aggregates only (SPEC §7): with ``TULAR_PUBLIC_READ=1`` every GET
path of the OpenAPI document and every web page, asked anonymously on the demo data, answers
without a single IKM name, business name or ``ikm_id``; a viewer key still gets the names and
never a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.demo.generator import load_demo
from tular.graph.model.records import Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore
from tular.service.app import create_app

TODAY = "2026-10-31"
#: A value for each path and query parameter the GET operations require.
SAMPLES = {"skill": "batik", "year": "2025", "ikm_id": "IKM-00059", "seats": "10"}
#: Extra questions: more answers for the same paths.
VARIANTS = [
    ("/api/v1/reach", {"skill": "all"}),
    ("/api/v1/reach", {"skill": "batik", "kelurahan": "Bunulrejo"}),
    ("/api/v1/maps/batik", {"kelurahan": "Bunulrejo"}),
    ("/api/v1/maps/batik", {"seed": "IKM-00059"}),
    ("/api/v1/reports/2025", {"lang": "en"}),
    ("/api/v1/plan", {"skill": "olahan-makanan", "seats": "10", "lang": "en"}),
    ("/api/v1/chains", {"skill": "batik", "includes": "IKM-00059"}),
]
PAGES = ["/", "/?lang=en", "/rencana", "/rencana?skill=olahan-makanan", "/peta", "/peta?skill=batik&wilayah=kelurahan:Bunulrejo",
         "/peta/angka?skill=batik", "/peta/bingkai?skill=batik", "/peta/bingkai?skill=batik&lang=en",
         "/ikm", "/ikm?q=Rahayu", "/ikm?kelurahan=Bunulrejo&skill=batik&generation=1", "/ikm/IKM-00059", "/impor",
         "/impor/batch", "/ekspor", "/ekspor/unduh?format=xlsx", "/laporan", "/tular-templat.xlsx",
         "/laporan/unduh?tahun=2025&edisi=internal&format=html", "/masuk", "/tidak-ada", "/rantai",
         "/rantai?skill=batik&urut=days"]
IKM_ID = re.compile(r"IKM-\d{5}")
WORDS = re.compile(r"[A-Za-z0-9'.&-]+")


@dataclass
class Demo:
    client: TestClient
    records: Records
    viewer: str
    persons: set[str]  # every name and business name
    longest: int  # words in the longest of them

    def leaks(self, text: str, asked: str = "") -> list[str]:
        """The IKM ids, names and business names in ``text``, but for what the request
        itself said (``asked``: an id in the URL, echoed back as the problem's instance or
        the sign-in page's way back, discloses nothing)."""
        found = set(IKM_ID.findall(text))
        words = WORDS.findall(text)
        for n in range(1, self.longest + 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i:i + n])
                if phrase in self.persons:
                    found.add(phrase)
        return sorted(f for f in found if f not in asked)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    store = EmbeddedStore(tmp_path_factory.mktemp("public") / "tular.db")
    store.init_schema()
    records = load_demo(store)
    viewer, _ = keys.create_key(store, "viewer", "pembaca")
    persons = {i.name for i in records.ikm} | {i.business_name for i in records.ikm if i.business_name}
    app = create_app(Settings(public_read=True), store=store)
    with TestClient(app) as client:
        yield Demo(client, records, viewer, persons, max(len(p.split()) for p in persons))
    store.close()


def get_paths(client: TestClient) -> list[tuple[str, dict]]:
    """Every GET operation of the OpenAPI document, its parameters filled from SAMPLES."""
    document = client.get("/openapi.json").json()
    asked = []
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        url, query = path, {}
        for parameter in operations["get"].get("parameters", []):
            name = parameter["name"]
            if parameter["in"] == "path":
                url = url.replace("{" + name + "}", SAMPLES[name])
            elif parameter["in"] == "query" and parameter.get("required"):
                query[name] = SAMPLES[name]
        asked.append((url, query))
    return asked


def test_anonymous_answers_name_nobody(demo: Demo, capsys: pytest.CaptureFixture) -> None:
    asked = get_paths(demo.client) + VARIANTS
    assert len(asked) >= 14, asked
    statuses: dict[str, int] = {}
    leaked: dict[str, list[str]] = {}
    for url, query in asked:
        response = demo.client.get(url, params={**query, "as_of": TODAY} if url.startswith("/api/v1/") and
                                   "reports" not in url else query)
        statuses[f"{url}?{query}"] = response.status_code
        if found := demo.leaks(response.text, f"{url} {query}"):
            leaked[f"{url} {query} ({response.status_code})"] = found[:5]
    for url in PAGES:
        response = demo.client.get(url)
        statuses[url] = response.status_code
        if found := demo.leaks(response.text, url):
            leaked[f"{url} ({response.status_code})"] = found[:5]
    assert not leaked, leaked
    # the aggregates are there: the walk did not pass by answering nothing
    assert statuses["/api/v1/reach?{'skill': 'batik'}"] == 200
    assert statuses["/api/v1/maps/batik?{}"] == 200 and statuses["/peta/bingkai?skill=batik"] == 200
    assert statuses["/api/v1/reports/2025?{}"] == 200 and statuses["/rencana"] == 200 and statuses["/"] == 200
    # routes that exist to return persons need a key
    for url in ("/api/v1/ikm?{}", "/api/v1/ikm/IKM-00059?{}", "/api/v1/ikm/IKM-00059/lineage?{}",
                "/api/v1/maps/batik?{'seed': 'IKM-00059'}", "/api/v1/chains?{'skill': 'batik', 'includes': 'IKM-00059'}"):
        assert statuses[url] == 401, (url, statuses[url])
    with capsys.disabled():
        print(f"\nanonymous walk: {len(asked)} API answers, {len(PAGES)} pages; "
              f"{len(demo.persons):,} names and business names and {len(demo.records.ikm):,} ids looked for; "
              f"found: {sum(len(v) for v in leaked.values())}")


def test_anonymous_bodies_keep_the_aggregates(demo: Demo) -> None:
    client = demo.client
    reach = client.get("/api/v1/reach", params={"skill": "batik", "as_of": TODAY}).json()
    named = client.get("/api/v1/reach", params={"skill": "batik", "as_of": TODAY},
                       headers={"X-API-Key": demo.viewer}).json()
    assert reach["top_teachers"] == [] and named["top_teachers"]
    assert reach["virality"] and all(v["seed"] is None for v in reach["virality"])
    assert {k: v for k, v in reach.items() if k not in ("top_teachers", "virality")} == \
        {k: v for k, v in named.items() if k not in ("top_teachers", "virality")}
    broken = client.get("/api/v1/broken-chains", params={"skill": "batik", "as_of": TODAY}).json()
    findings = client.get("/api/v1/broken-chains", params={"skill": "batik", "as_of": TODAY},
                          headers={"X-API-Key": demo.viewer}).json()["findings"]
    assert sum(c["count"] for c in broken["counts"]) == len(findings) > 0
    plan = client.get("/api/v1/plan", params={"skill": "batik", "seats": 10, "as_of": TODAY}).json()
    full = client.get("/api/v1/plan", params={"skill": "batik", "seats": 10, "as_of": TODAY},
                      headers={"X-API-Key": demo.viewer}).json()
    assert plan["kelurahan"] == full["kelurahan"]
    assert sum(c["count"] for c in plan["visits"]) == len(full["visits"]) > 0
    assert sum(c["count"] for c in plan["narasumber"]) == len(full["narasumber"]) > 0
    chains = client.get("/api/v1/chains", params={"skill": "batik", "as_of": TODAY}).json()
    named_chains = client.get("/api/v1/chains", params={"skill": "batik", "as_of": TODAY},
                              headers={"X-API-Key": demo.viewer}).json()
    assert chains["chains"] and all(c["seed"] is None for c in chains["chains"])
    assert [{**c, "seed": None} for c in named_chains["chains"]] == chains["chains"]
    assert chains["histogram"] == named_chains["histogram"]


def test_a_viewer_gets_names_and_never_phones(demo: Demo) -> None:
    phones = {i.phone for i in demo.records.ikm if i.phone}
    headers = {"X-API-Key": demo.viewer}
    page = demo.client.get("/api/v1/ikm", params={"q": "Rahayu", "page_size": 100}, headers=headers)
    assert page.status_code == 200
    assert page.json()["items"] and all("Rahayu" in (i["name"] + (i["business_name"] or "")) for i in page.json()["items"])
    for url, query in [("/api/v1/ikm", {"q": "Rahayu", "page_size": 500}), ("/api/v1/ikm/IKM-00059", {}),
                       ("/api/v1/ikm/IKM-00059/lineage", {}), ("/api/v1/maps/batik", {}),
                       ("/api/v1/broken-chains", {"skill": "batik"}), ("/api/v1/plan", {"skill": "batik", "seats": 10})]:
        text = demo.client.get(url, params=query, headers=headers).text
        digits = set(re.findall(r"0\d{8,12}", text))
        assert not digits & phones, url
    assert demo.leaks(demo.client.get("/api/v1/maps/batik", headers=headers).text)  # the internal map names


def test_the_public_map_is_dots_without_names(demo: Demo) -> None:
    first = demo.client.get("/api/v1/maps/batik", params={"as_of": TODAY}).text
    assert "IKM, generasi 1, Bunulrejo" in first
    assert not demo.leaks(first)
