"""The web app does the whole job (SPEC §7): the report page, the template and export
downloads, the import batches with undo, the IKM search by kelurahan, kecamatan, skill and
generation; an HTML 404 for browsers; the dashboard's date checks; compressed responses and
cache headers. Counts are computed here from the demo's records (tests/oracle.py for the
generations), never taken from the code under test."""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tular.graph.admin import api_keys as keys
from tular.graph.demo.generator import DEMO_AS_OF, load_demo
from tular.graph.model.catalogue import every_text
from tular.graph.model.errors import UnknownIKM
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import KINDS, Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore
from tular.service.app import create_app

from .oracle import Oracle, generations
from .test_web import Browser, csrf_of, setup, text_of

ID, EN = every_text()["id"], every_text()["en"]
AS_OF = DEMO_AS_OF.isoformat()
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@dataclass
class Demo:
    client: TestClient
    records: Records
    keys: dict[str, str]
    db: Path

    def as_role(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}

    def browser(self) -> Browser:
        """A fresh cookie jar on the same app (a person in another browser)."""
        return Browser(TestClient(self.client.app), self.keys)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    db = tmp_path_factory.mktemp("jobs") / "tular.db"
    store = EmbeddedStore(db)
    store.init_schema()
    records = load_demo(store)
    made = {role: keys.create_key(store, role, f"Petugas {role}")[0] for role in ("viewer", "editor")}
    with TestClient(create_app(Settings(public_read=True), store=store)) as client:
        yield Demo(client, records, made, db)
    store.close()


@pytest.fixture
def web(embedded_store: EmbeddedStore) -> Iterator[Browser]:
    yield from setup(embedded_store)


# ------------------------------------------------------------------------------ search
def _expected(records: Records, *, kelurahan: set[str] | None = None, skill: str | None = None,
              generation: int | None = None, as_of: date = DEMO_AS_OF) -> list[str]:
    """The ids the search must find, counted from the records themselves."""
    with_skill: set[str] | None = None
    if skill:
        trainings = {t.training_id for t in records.trainings if skill in t.skills}
        with_skill = {a.ikm_id for a in records.attendance if a.training_id in trainings}
        with_skill |= {x for t in records.teachings if t.skill == skill for x in (t.learner_id, t.teacher_id)}
    level: dict[str, int] = {}
    if generation is not None:
        oracle = Oracle(records)
        level = generations(oracle.graph(skill, as_of), oracle.seeds(skill, as_of))
    return sorted(i.ikm_id for i in records.ikm
                  if (kelurahan is None or i.kelurahan_code in kelurahan)
                  and (with_skill is None or i.ikm_id in with_skill)
                  and (generation is None or level.get(i.ikm_id) == generation))


def _all_pages(demo: Demo, **params) -> tuple[int, list[str]]:
    found, page, total = [], 1, None
    while True:
        body = demo.client.get("/api/v1/ikm", params={**params, "page": page, "page_size": 100},
                               headers=demo.as_role("viewer")).json()
        total = body["total"]
        found += [i["ikm_id"] for i in body["items"]]
        if not body["items"] or len(found) >= total:
            return total, found
        page += 1


def test_the_search_finds_a_kelurahan_however_the_importer_would_read_it(demo: Demo):
    gazetteer = Gazetteer.kota_malang()
    bunulrejo = next(k.code for k in gazetteer.kelurahan_list if k.name == "Bunulrejo")
    expected = _expected(demo.records, kelurahan={bunulrejo})
    assert len(expected) > 100  # a whole kelurahan, not the few IKM whose names hold the word
    for written in ("Bunulrejo", "Bunul Rejo", "bunul-rejo", bunulrejo):
        total, found = _all_pages(demo, kelurahan=written)
        assert total == len(expected), written
        assert found == expected, written
    # paging: the second page of 50 starts where the first ended
    second = demo.client.get("/api/v1/ikm", params={"kelurahan": "Bunul Rejo", "page": 2, "page_size": 50},
                             headers=demo.as_role("viewer")).json()
    assert second["total"] == len(expected) and [i["ikm_id"] for i in second["items"]] == expected[50:100]


def test_the_search_filters_by_kecamatan_skill_and_generation_as_the_oracle_counts(demo: Demo):
    gazetteer = Gazetteer.kota_malang()
    blimbing = next(k for k in gazetteer.kecamatan_list if k.name == "Blimbing")
    codes = {k.code for k in gazetteer.kelurahan_list if k.kecamatan_code == blimbing.code}
    cases = [({"kecamatan": "Blimbing"}, {"kelurahan": codes}),
             ({"skill": "batik"}, {"skill": "batik"}),
             ({"skill": "batik", "generation": 0}, {"skill": "batik", "generation": 0}),
             ({"skill": "batik", "generation": 2, "kecamatan": "blimbing"},
              {"skill": "batik", "generation": 2, "kelurahan": codes}),
             ({"skill": "olahan-makanan", "generation": 1}, {"skill": "olahan-makanan", "generation": 1})]
    for asked, counted in cases:
        expected = _expected(demo.records, **counted)
        assert expected, asked  # each case finds somebody: the filter is tested, not an empty answer
        total, found = _all_pages(demo, **asked, as_of=AS_OF)
        assert (total, found) == (len(expected), expected), asked
    # a generation as of an earlier date: fewer IKM had learned then
    earlier = date(2022, 12, 31)
    expected = _expected(demo.records, skill="batik", generation=1, as_of=earlier)
    assert _all_pages(demo, skill="batik", generation=1, as_of=earlier.isoformat()) == (len(expected), expected)
    assert len(expected) < len(_expected(demo.records, skill="batik", generation=1))
    refused = demo.client.get("/api/v1/ikm", params={"generation": 1}, headers=demo.as_role("viewer"))
    assert refused.status_code == 422 and "pilih juga keterampilannya" in refused.json()["detail"]  # Indonesian default


def test_the_search_page_shows_its_filters_and_the_counts(demo: Demo):
    browser = demo.browser()
    browser.sign_in("viewer")
    gazetteer = Gazetteer.kota_malang()
    bunulrejo = next(k.code for k in gazetteer.kelurahan_list if k.name == "Bunulrejo")
    expected = _expected(demo.records, kelurahan={bunulrejo})
    page = browser.client.get("/ikm", params={"kelurahan": "Bunul Rejo"})
    assert page.status_code == 200
    for field in ("search-q", "search-kelurahan", "search-kecamatan", "search-skill", "search-generation",
                  "search-as-of"):
        assert f'id="{field}"' in page.text, field
    assert f'<option value="{bunulrejo}" selected>Bunulrejo</option>' in page.text
    assert f'data-total="{len(expected)}"' in page.text and 'data-shown="50"' in page.text
    assert re.findall(r'<tr data-ikm="([^"]+)">', page.text) == expected[:50]
    second = browser.client.get("/ikm", params={"kelurahan": bunulrejo, "halaman": 2})
    assert re.findall(r'<tr data-ikm="([^"]+)">', second.text) == expected[50:100]
    # a kelurahan's name typed as a word: the page offers the whole kelurahan
    worded = browser.client.get("/ikm", params={"q": "Bunul Rejo"})
    assert 'id="search-place"' in worded.text and f"/ikm?kelurahan={bunulrejo}" in worded.text.replace("&amp;", "&")
    # with a skill, each row says its generation (the engine's, as the oracle counts it)
    oracle = Oracle(demo.records)
    level = generations(oracle.graph("batik", DEMO_AS_OF), oracle.seeds("batik", DEMO_AS_OF))
    by_generation = browser.client.get("/ikm", params={"skill": "batik", "generation": "2", "as_of": AS_OF})
    rows = re.findall(r'<tr data-ikm="([^"]+)">.*?<td class="num">G(\d+)</td></tr>', by_generation.text, re.S)
    assert rows and all(level[i] == int(g) == 2 for i, g in rows)


def test_anonymous_readers_get_no_search(demo: Demo):
    anonymous = demo.browser()
    assert anonymous.client.get("/ikm", params={"kelurahan": "Bunulrejo"}, follow_redirects=False).status_code == 303
    assert anonymous.client.get("/api/v1/ikm", params={"kelurahan": "Bunulrejo"}).status_code == 401


# ------------------------------------------------------------------------------ report and template
def test_the_report_page_offers_the_internal_edition_to_signed_in_readers_only(demo: Demo):
    anonymous = demo.browser()
    page = anonymous.client.get("/laporan")
    assert page.status_code == 200 and 'id="report-public-only"' in page.text
    assert 'name="edisi"' not in page.text
    assert 'href="/laporan"' in anonymous.client.get("/").text  # in the menu and on the dashboard
    assert 'id="dashboard-report"' in anonymous.client.get("/", params={"as_of": AS_OF}).text
    # a guest asking for the internal edition is sent to the public one
    sent = anonymous.client.get("/laporan/unduh", params={"tahun": "2025", "bahasa": "en", "edisi": "internal",
                                                          "format": "html"}, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/api/v1/reports/2025?lang=en&format=html&public=true"
    report = anonymous.client.get(sent.headers["location"])
    assert report.status_code == 200 and 'filename="laporan-2025-en-publik.html"' in report.headers["content-disposition"]

    english = anonymous.client.get("/laporan", params={"lang": "en"}).text
    assert f"<h1>{EN['web.report_title']}</h1>" in english and EN["web.report_public_only"] in english

    viewer = demo.browser()
    viewer.sign_in("viewer")
    page = viewer.client.get("/laporan")
    assert 'name="edisi"' in page.text and 'id="report-public-only"' not in page.text
    sent = viewer.client.get("/laporan/unduh", params={"tahun": "2025", "bahasa": "id", "edisi": "internal",
                                                       "format": "pdf"}, follow_redirects=False)
    assert sent.headers["location"] == "/api/v1/reports/2025?lang=id&format=pdf"
    pdf = viewer.client.get(sent.headers["location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="laporan-2025-id-internal.pdf"' in pdf.headers["content-disposition"]


def test_the_template_downloads_from_the_report_import_and_export_pages(demo: Demo):
    editor = demo.browser()
    editor.sign_in("editor")
    for url in ("/laporan", "/impor", "/ekspor"):
        assert 'href="/tular-templat.xlsx"' in editor.client.get(url).text, url
    response = demo.browser().client.get("/tular-templat.xlsx")  # no personal data: guests too
    assert response.status_code == 200
    assert 'attachment; filename="tular-templat.xlsx"' == response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert set(KINDS) <= set(workbook.sheetnames)
    assert [c.value for c in workbook["ikm"][1]][:3] == ["ikm_id", "name", "kelurahan"]


def test_the_export_page_gives_editors_the_whole_store(demo: Demo):
    editor = demo.browser()
    editor.sign_in("editor")
    page = editor.client.get("/ekspor")
    assert 'action="/ekspor/unduh"' in page.text
    workbook = load_workbook(io.BytesIO(editor.client.get("/ekspor/unduh", params={"format": "xlsx"}).content))
    assert workbook["ikm"].max_row - 1 == len(demo.records.ikm)
    assert workbook["teachings"].max_row - 1 == len({(t.learner_id, t.teacher_id, t.skill)
                                                     for t in demo.records.teachings})
    graphml = editor.client.get("/ekspor/unduh", params={"format": "graphml"})
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert graph.number_of_nodes() == len(demo.records.ikm)
    viewer = demo.browser()
    viewer.sign_in("viewer")
    assert viewer.client.get("/ekspor/unduh").status_code == 403
    assert demo.browser().client.get("/ekspor/unduh", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------------------ batches and undo
def _import(web: Browser, name: str, text: str) -> str:
    token = csrf_of(web.client.get("/impor").text)
    done = web.client.post("/impor", data={"csrf_token": token}, files=[("files", (name, text.encode(), "text/csv"))])
    assert done.status_code == 200, text_of(done.text)
    return re.search(r'href="/impor/batch/([^"]+)" id="import-undo"', done.text).group(1)


def test_the_batch_list_undoes_a_batch_with_the_command_lines_refusals(web: Browser, embedded_store: EmbeddedStore):
    web.sign_in("editor")
    first = _import(web, "ikm.csv", "ikm_id,name,kelurahan\nn-1,Ibu Baru,Bunul Rejo\n")
    second = _import(web, "ikm.csv", "ikm_id,name,kelurahan\nn-1,Ibu Baru Sekali,Bunul Rejo\n")
    listed = web.client.get("/impor/batch")
    assert listed.status_code == 200
    order = re.findall(r'<tr data-batch="([^"]+)">', listed.text)
    assert order[:2] == [second, first]  # newest first
    # undoing the first while the second changed its IKM: refused, exactly as `tular import --undo`
    confirm = web.client.get(f"/impor/batch/{first}")
    assert 'id="undo-button"' in confirm.text
    refused = web.client.post(f"/impor/batch/{first}/batal", data={"csrf_token": csrf_of(confirm.text)})
    assert refused.status_code == 422 and 'id="undo-refused"' in refused.text
    cli = subprocess.run([sys.executable, "-m", "tular", "--db", f"sqlite:///{embedded_store.path}", "import",
                          "--undo", first], capture_output=True, text=True, timeout=120,
                         env={**{k: v for k, v in os.environ.items() if k != "TULAR_LANG"}, "COLUMNS": "400"})
    assert cli.returncode != 0
    said = " ".join(cli.stderr.split() + cli.stdout.split())
    shown = re.search(r'id="undo-refused"[^>]*>(.*?)</p>', refused.text, re.S).group(1)
    reason = ID["undo.later_batches"].format(batch=first, later=second)  # the page's language and the CLI's: id
    assert reason in said and reason in " ".join(text_of(shown).split()), (said, shown)
    assert embedded_store.get_ikm("n-1").name == "Ibu Baru Sekali"  # nothing changed
    # without the page's token: refused too
    assert web.client.post(f"/impor/batch/{second}/batal", data={"csrf_token": "forged"}).status_code == 403
    # newest first: both undo
    for batch, name in ((second, "Ibu Baru"), (first, None)):
        token = csrf_of(web.client.get(f"/impor/batch/{batch}").text)
        done = web.client.post(f"/impor/batch/{batch}/batal", data={"csrf_token": token})
        assert done.status_code == 200 and f'id="undo-done" data-batch="{batch}"' in done.text
        if name:
            assert embedded_store.get_ikm("n-1").name == name
    with pytest.raises(UnknownIKM):
        embedded_store.get_ikm("n-1")
    assert web.client.get("/impor/batch/no-such-batch").status_code == 404


def test_the_batch_list_is_for_editors(web: Browser):
    assert web.client.get("/impor/batch", follow_redirects=False).status_code == 303
    web.sign_in("viewer")
    assert web.client.get("/impor/batch").status_code == 403
    assert ID["web.nav_batches"] not in web.client.get("/").text


# ------------------------------------------------------------------------------ small defects
def test_a_mistyped_address_is_a_page_for_browsers_and_problem_json_for_the_api(demo: Demo):
    page = demo.client.get("/dasbor-salah", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert f"<h1>{ID['web.not_found_title']}</h1>" in page.text and 'id="not-found"' in page.text
    english = demo.client.get("/dasbor-salah", params={"lang": "en"}, headers=HTML)
    assert f"<h1>{EN['web.not_found_title']}</h1>" in english.text
    api = demo.client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 404
    script = demo.client.get("/dasbor-salah")  # a program that does not ask for HTML
    assert script.status_code == 404 and script.headers["content-type"] == "application/problem+json"


def test_a_future_date_on_the_dashboard_gets_a_notice(demo: Demo):
    today = Settings().today()
    future = date(today.year + 3, 1, 1)
    page = demo.client.get("/", params={"as_of": future.isoformat()})
    assert page.status_code == 200 and 'id="future-notice"' in page.text
    assert 'id="future-notice"' not in demo.client.get("/", params={"as_of": AS_OF}).text


def test_nonsense_in_the_dashboard_fields_is_flagged_on_the_field(demo: Demo):
    page = demo.client.get("/", params={"as_of": "2021-13-45", "skill": "batik"})
    assert page.status_code == 422
    assert re.search(r'<input type="date" name="as_of"[^>]*aria-invalid="true" aria-describedby="as_of-error"', page.text)
    alert = re.search(r'<p class="alert" role="alert" id="as_of-error">(.*?)</p>', page.text, re.S).group(1)
    assert "2021-13-45" in alert
    assert 'data-metric="total"' in page.text  # the dashboard is still there, as of today
    year = demo.client.get("/", params={"year": "20x5"})
    assert year.status_code == 422 and 'id="year-error"' in year.text and "20x5" in year.text
    far = demo.client.get("/", params={"as_of": "0001-01-01"})
    assert far.status_code == 422 and 'id="as_of-error"' in far.text


# ------------------------------------------------------------------------------ light
def test_pages_json_and_static_files_go_compressed(demo: Demo):
    accept = {"Accept-Encoding": "gzip"}
    for url in ("/?as_of=" + AS_OF, "/api/v1/reach?skill=batik&as_of=" + AS_OF, "/static/tular.css",
                "/peta/bingkai?skill=batik&as_of=" + AS_OF):
        response = demo.client.get(url, headers=accept)
        assert response.status_code == 200 and response.headers.get("content-encoding") == "gzip", url
        assert "accept-encoding" in response.headers.get("vary", "").lower(), url
    raw = demo.client.get("/static/tular.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    small = demo.client.get("/healthz", headers=accept)
    assert "content-encoding" not in small.headers  # too small to gain anything
    # the TestClient unpacks; the bytes on the wire are smaller
    assert len(gzip.compress(raw.content)) < len(raw.content)


def test_static_files_are_kept_a_year_under_their_versioned_address(demo: Demo):
    page = demo.client.get("/", params={"as_of": AS_OF}).text
    css = re.search(r'href="(/static/tular\.css\?v=([0-9a-f]{12}))"', page)
    assert css, "the page links its stylesheet by a versioned address"
    import hashlib

    from tular.visualizations.web_pages import STATIC
    assert css.group(2) == hashlib.sha256((STATIC / "tular.css").read_bytes()).hexdigest()[:12]
    kept = demo.client.get(css.group(1))
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = demo.client.get("/static/tular.css")
    assert plain.headers["cache-control"] == "no-cache" and plain.headers["etag"]
    again = demo.client.get("/static/tular.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    stale = demo.client.get("/static/tular.css?v=000000000000")
    assert stale.headers["cache-control"] == "no-cache"  # an old address is checked, not kept


def test_every_page_has_a_plain_title_a_description_and_one_heading(demo: Demo):
    editor = demo.browser()
    editor.sign_in("editor")
    pages = ["/", f"/?skill=batik&as_of={AS_OF}", "/peta", "/rencana", "/ikm", "/ikm?kelurahan=Bunulrejo",
             "/ikm/IKM-00059", "/laporan", "/impor", "/impor/batch", "/ekspor", "/tidak-ada"]
    for url in pages:
        html = editor.client.get(url, headers=HTML).text
        head = html[:html.index("</head>")]
        title = re.search(r"<title>(.*?)</title>", head, re.S).group(1)
        description = re.search(r'<meta name="description" content="([^"]*)">', head).group(1)
        assert "<" not in title and title.strip(), url
        assert len(description) > 20 and "<" not in description, url
        assert head.count("<section") == 0, url  # nothing of the page's body in its head
        assert len(re.findall(r"<h1[ >]", html)) == 1, url
    assert 'content="' + ID["web.meta_report"] + '"' in editor.client.get("/laporan").text
