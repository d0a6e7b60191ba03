"""The web pages (SPEC §7) through FastAPI's TestClient: signing in with a key (session
cookie, CSRF), roles, language, security headers; the dashboard on both stores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import every_text
from tular.graph.model.errors import UnknownIKM
from tular.graph.model.records import Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app

from .factories import DINOYO, ikm, small_batik_program

AS_OF = "2026-06-30"
MESSY = Path(__file__).parent / "data" / "messy"
ID, EN = every_text()["id"], every_text()["en"]
PHONE = "081234567890"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def metric(html: str, name: str) -> str:
    found = re.search(rf'data-metric="{name}" data-value="([^"]*)"', html)
    assert found, f"no metric {name} on the page"
    return found.group(1)


def text_of(html: str) -> str:
    """The page's text with tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


class Browser:
    """A TestClient that behaves like a person's browser: cookies kept, forms posted with
    the token the page gave."""

    def __init__(self, client: TestClient, made: dict[str, str]):
        self.client, self.keys = client, made

    def sign_in(self, role: str, next: str = "/"):
        form = self.client.get("/masuk")
        return self.client.post("/masuk", data={"api_key": self.keys[role], "csrf_token": csrf_of(form.text),
                                                "next": next}, follow_redirects=False)


def setup(store: GraphStore, **settings) -> Iterator[Browser]:
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("k-1", DINOYO, name="Kopi Tugu", phone=PHONE)]))
    made = {role: keys.create_key(store, role, f"Bu {role}")[0] for role in ("viewer", "editor", "admin")}
    with TestClient(create_app(Settings(**settings), store=store)) as client:
        yield Browser(client, made)


@pytest.fixture
def web(embedded_store: EmbeddedStore) -> Iterator[Browser]:
    yield from setup(embedded_store)


@pytest.fixture
def public_web(embedded_store: EmbeddedStore) -> Iterator[Browser]:
    yield from setup(embedded_store, public_read=True)


# ------------------------------------------------------------------------------ signing in
def test_signing_in_sets_an_httponly_samesite_session_cookie_and_goes_where_asked(web: Browser):
    form = web.client.get("/masuk")
    assert form.status_code == 200 and ID["web.login_title"] in form.text
    before = web.client.cookies.get("tular_session")
    assert before  # the form's token is tied to a session of its own
    response = web.client.post("/masuk", data={"api_key": web.keys["viewer"], "csrf_token": csrf_of(form.text),
                                               "next": "/ikm/c"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ikm/c"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tular_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    after = web.client.cookies.get("tular_session")
    assert after and after != before  # a new session id on signing in
    page = web.client.get("/")
    assert page.status_code == 200
    assert ID["web.signed_in"].format(name="Bu viewer", role=ID["web.role_viewer"]) in text_of(page.text)


def test_a_wrong_key_shows_the_form_again_with_a_clear_message(web: Browser):
    form = web.client.get("/masuk")
    response = web.client.post("/masuk", data={"api_key": "tular_nope_nope", "csrf_token": csrf_of(form.text)},
                               follow_redirects=False)
    assert response.status_code == 401
    assert ID["web.login_wrong"] in response.text and 'name="api_key"' in response.text
    assert web.client.get("/", follow_redirects=False).status_code == 303  # still not signed in


def test_the_sign_in_form_needs_this_sessions_csrf_token(web: Browser):
    web.client.get("/masuk")
    missing = web.client.post("/masuk", data={"api_key": web.keys["admin"]}, follow_redirects=False)
    assert missing.status_code == 403 and ID["web.csrf_failed"] in missing.text
    other = TestClient(web.client.app)
    foreign = csrf_of(other.get("/masuk").text)  # a token of another browser's session
    wrong = web.client.post("/masuk", data={"api_key": web.keys["admin"], "csrf_token": foreign},
                            follow_redirects=False)
    assert wrong.status_code == 403
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_signing_out_needs_the_token_and_ends_the_session(web: Browser):
    assert web.sign_in("editor").status_code == 303
    page = web.client.get("/")
    assert web.client.post("/keluar", follow_redirects=False).status_code == 403
    assert web.client.get("/").status_code == 200  # the refused sign-out changed nothing
    out = web.client.post("/keluar", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/masuk?keluar=1"
    assert ID["web.logged_out"] in web.client.get(out.headers["location"]).text
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_the_next_page_after_signing_in_is_on_this_site_only(web: Browser):
    assert web.sign_in("viewer", next="https://evil.example/").headers["location"] == "/"
    assert web.sign_in("viewer", next="//evil.example/x").headers["location"] == "/"


# ------------------------------------------------------------------------------ roles
def test_without_public_read_every_page_sends_to_the_sign_in_form(web: Browser):
    for url in ("/", "/peta?skill=batik", "/ikm?q=a", "/ikm/a", "/impor", "/peta/bingkai?skill=batik"):
        response = web.client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/masuk?next=%2F"), url


def test_with_public_read_the_read_pages_open_anonymously_but_import_does_not(public_web: Browser):
    for url in ("/", f"/peta?skill=batik&as_of={AS_OF}", "/ikm?q=a", "/ikm/a", f"/peta/bingkai?skill=batik&as_of={AS_OF}"):
        assert public_web.client.get(url).status_code == 200, url
    assert public_web.client.get("/impor", follow_redirects=False).headers["location"] == "/masuk?next=%2Fimpor"


def test_the_import_page_is_for_editors_a_viewer_gets_403(web: Browser):
    web.sign_in("viewer")
    refused = web.client.get("/impor")
    assert refused.status_code == 403
    assert ID["web.forbidden_role"].format(role=ID["web.role_editor"], current=ID["web.role_viewer"]) in refused.text
    assert ID["web.nav_import"] not in web.client.get("/").text  # and the menu does not offer it
    web.sign_in("editor")
    assert web.client.get("/impor").status_code == 200


def test_phone_numbers_only_for_editors_and_admins(public_web: Browser):
    anonymous = public_web.client.get("/ikm/k-1")  # a person's page: signed-in readers only (SPEC §7)
    assert "Kopi Tugu" not in anonymous.text and ID["web.login_needed"] in anonymous.text
    assert PHONE not in anonymous.text and "0812" not in anonymous.text
    public_web.sign_in("viewer")
    viewer = public_web.client.get("/ikm/k-1").text
    assert "Kopi Tugu" in viewer and PHONE not in viewer and "0812" not in viewer
    assert ID["web.phone_hidden"] in viewer
    public_web.sign_in("editor")
    assert PHONE in public_web.client.get("/ikm/k-1").text


# ------------------------------------------------------------------------------ language
def test_indonesian_by_default_english_on_request_and_remembered(public_web: Browser):
    client = public_web.client
    first = client.get(f"/?as_of={AS_OF}")
    assert '<html lang="id">' in first.text and ID["web.dash_title"] in first.text
    assert f'href="/?as_of={AS_OF}&amp;lang=en"' in first.text  # the switch keeps the page's parameters
    english = client.get(f"/?as_of={AS_OF}&lang=en")
    assert '<html lang="en">' in english.text and EN["web.dash_title"] in english.text
    assert "tular_lang=en" in english.headers["set-cookie"]
    assert EN["web.map_title"] in client.get(f"/peta?skill=batik&as_of={AS_OF}").text  # remembered
    # numbers follow the language: Rp 8.333.333 in Indonesian, IDR 8,333,333 in English
    assert "IDR 8,333,333" in client.get(f"/?skill=batik&as_of={AS_OF}").text
    back = client.get(f"/?skill=batik&as_of={AS_OF}&lang=id")
    assert ID["web.dash_title"] in back.text and "Rp 8.333.333" in back.text
    for url in ("/masuk", "/ikm?q=a", "/ikm/a", "/peta?skill=batik"):
        assert ID["web.switch_lang"] in client.get(url).text, url  # a switch on every page


# ------------------------------------------------------------------------------ headers
def test_pages_carry_security_headers_and_the_map_frame_a_scoped_policy(public_web: Browser):
    page = public_web.client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["referrer-policy"] == "same-origin"
    frame = public_web.client.get(f"/peta/bingkai?skill=batik&as_of={AS_OF}")
    frame_policy = frame.headers["content-security-policy"]
    assert "script-src 'unsafe-inline'" in frame_policy and "default-src 'none'" in frame_policy
    assert "connect-src" not in frame_policy  # falls back to 'none': the map fetches nothing
    docs_policy = public_web.client.get("/docs").headers["content-security-policy"]  # its own: Swagger UI from here
    assert "default-src 'self'" in docs_policy and "http" not in docs_policy
    assert public_web.client.get("/static/tular.css").status_code == 200


# ------------------------------------------------------------------------------ dashboard
@pytest.fixture
def any_store_web(store: GraphStore) -> Iterator[Browser]:
    yield from setup(store, public_read=True)


def test_dashboard_numbers_are_the_apis_reach(any_store_web: Browser):
    client = any_store_web.client
    page = client.get(f"/?skill=batik&as_of={AS_OF}")
    assert page.status_code == 200
    api = client.get("/api/v1/reach", params={"skill": "batik", "as_of": AS_OF}).json()
    # two seeds; a, b and d learn in generation 1 (d also from s2), c in generation 2
    expected = {"seeds": "2", "reached": "4", "total": "6", "multiplier": "3.0", "max_depth": "2",
                "coverage": str(6 / 13_000), "cost_per_ikm_idr": "8333333"}
    for name, value in expected.items():
        assert metric(page.text, name) == value == str(api[name]), name
    shown = text_of(page.text)
    assert "Peserta pelatihan 2 Terjangkau 4 Total 6 Pengganda 3,0 Generasi terdalam 2" in shown
    assert 'data-generation="0" data-count="2"' in page.text and 'data-generation="1" data-count="3"' in page.text
    assert 'data-generation="2" data-count="1"' in page.text
    # broken chains, as GET /api/v1/broken-chains: both seeds' lineages stalled since 2022, c and d dormant
    # (anonymous: counts per kind and kelurahan, SPEC §7)
    broken = client.get("/api/v1/broken-chains", params={"skill": "batik", "as_of": AS_OF}).json()["counts"]
    for kind, count in {"dead_seed": 0, "stalled_lineage": 2, "dormant_leaf": 2, "orphan": 0}.items():
        assert re.search(rf'data-kind="{kind}"[^>]*>\s*<dt>[^<]*</dt><dd>{count}</dd>', page.text), kind
        assert sum(c["count"] for c in broken if c["kind"] == kind) == count
    # top kelurahan: Bunulrejo holds s1, s2, a, b; Kesatrian c; Dinoyo d
    assert re.search(r"Bunulrejo\s*</td>\s*<td>Blimbing</td>\s*<td class=\"num\">2</td>\s*<td class=\"num\">2</td>"
                     r"\s*<td class=\"num\">4</td>", page.text)


def test_dashboard_year_counts_only_that_years_trainees(any_store_web: Browser):
    client = any_store_web.client
    none = client.get(f"/?skill=batik&as_of={AS_OF}&year=2021")
    assert metric(none.text, "seeds") == "0" and metric(none.text, "multiplier") == "null"
    assert ID["web.no_seeds"] in none.text
    same = client.get(f"/?skill=batik&as_of={AS_OF}&year=2020")
    api = client.get("/api/v1/reach", params={"skill": "batik", "as_of": AS_OF, "year": 2020}).json()
    assert metric(same.text, "total") == str(api["total"]) == "6"


def test_dashboard_says_what_is_wrong_with_a_bad_skill_as_a_page(public_web: Browser):
    page = public_web.client.get("/?skill=tenun")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "keterampilan 'tenun' tidak dikenal" in page.text.replace("&#39;", "'")  # the page's language


# ------------------------------------------------------------------------------ map, IKM
def test_map_counts_follow_the_date(public_web: Browser):
    early = public_web.client.get("/peta/angka", params={"skill": "batik", "as_of": "2020-12-31"}).json()
    late = public_web.client.get("/peta/angka", params={"skill": "batik", "as_of": AS_OF}).json()
    assert (early["seeds"], early["reached"], early["edges"]) == (2, 1, 1)  # only s1 → a by then
    assert (late["seeds"], late["reached"], late["edges"]) == (2, 4, 5)
    page = public_web.client.get("/peta", params={"skill": "batik", "as_of": "2020-12-31",
                                                   "wilayah": "kelurahan:Bunulrejo"})
    assert page.status_code == 200 and 'id="date-slider"' in page.text
    assert "/peta/bingkai?skill=batik&amp;wilayah=kelurahan%3ABunulrejo&amp;as_of=2020-12-31" in page.text


def test_ikm_page_shows_lineage_downstream_and_trainings(public_web: Browser):
    public_web.sign_in("viewer")
    page = text_of(public_web.client.get(f"/ikm/c?as_of={AS_OF}").text)
    assert "Ibu s1 → Ibu a → Ibu c" in page
    assert ID["web.generation_of"].format(generation=2, date="1 Juni 2021") in page
    seed = public_web.client.get(f"/ikm/s1?as_of={AS_OF}").text
    assert ID["web.downstream"].format(count=4) in text_of(seed)
    assert "Pelatihan T-BATIK-2020" in seed and ID["web.seed_of"].format(date="1 Agustus 2020") in text_of(seed)
    found = public_web.client.get("/ikm", params={"q": "kopi"})
    assert 'href="/ikm/k-1"' in found.text and ID["web.search_found"].format(count=1) in found.text
    missing = public_web.client.get("/ikm/nobody")
    assert missing.status_code == 404 and "nobody" in missing.text


# ------------------------------------------------------------------------------ import
def test_import_page_reports_row_errors_and_writes_nothing(web: Browser):
    web.sign_in("editor")
    form = web.client.get("/impor")
    before = web.client.app.state.store.counts()
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(MESSY.glob("*.csv"))]
    response = web.client.post("/impor", data={"csrf_token": csrf_of(form.text)}, files=files)
    assert response.status_code == 422 and ID["web.rejected"] in response.text
    row = re.search(r'<table class="problems errors">.*?<tbody>(.*?)</tbody>', response.text, re.S).group(1)
    cycle = ID["problem.cycle"].format(skill="batik", path=ID["problem.teaches"].join(["M-005", "M-004", "M-005"]))
    assert text_of(row).strip() == f"teachings.csv 9 teacher_id M-005 {cycle}"  # the page's language, Indonesian
    assert 'data-errors="1"' in response.text and 'data-warnings="9"' in response.text
    assert web.client.app.state.store.counts() == before


def test_import_page_dry_run_and_import_of_a_good_file(web: Browser):
    web.sign_in("editor")
    token = csrf_of(web.client.get("/impor").text)
    good = ("ikm.csv", "ikm_id,name,kelurahan\nn-1,Ibu Baru,Bunul Rejo\n".encode(), "text/csv")
    dry = web.client.post("/impor", data={"csrf_token": token, "dry_run": "true"}, files=[("files", good)])
    assert dry.status_code == 200 and ID["web.dry_run_ok"] in dry.text
    with pytest.raises(UnknownIKM):  # a dry run writes nothing
        web.client.app.state.store.get_ikm("n-1")
    done = web.client.post("/impor", data={"csrf_token": token}, files=[("files", good)])
    assert done.status_code == 200 and "batch" in done.text
    assert web.client.app.state.store.get_ikm("n-1").name == "Ibu Baru"


def test_an_import_without_the_token_is_refused(web: Browser):
    web.sign_in("editor")
    good = ("ikm.csv", b"ikm_id,name,kelurahan\nn-1,Ibu Baru,Bunulrejo\n", "text/csv")
    response = web.client.post("/impor", files=[("files", good)], data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert web.client.app.state.store.counts().ikm == 8  # nothing written


def test_the_api_reads_with_the_session_cookie_but_writes_only_with_its_token(web: Browser):
    web.sign_in("editor")
    assert web.client.get("/api/v1/reach", params={"skill": "batik", "as_of": AS_OF}).json()["total"] == 6
    event = {"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2023-01-01"}
    refused = web.client.post("/api/v1/teachings", json=event)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    token = csrf_of(web.client.get("/").text)
    assert web.client.post("/api/v1/teachings", json=event, headers={"X-CSRF-Token": token}).status_code == 201


def test_the_package_ships_every_module_template_and_static_file():
    """What `pip install .` (and the Docker image) gets: every package folder and every file
    the pages load (checked once by hand with `pip wheel . && unzip -l`)."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {f"tular.{name}" if name != "tular" else name: root / path
               for name, path in [(k.removeprefix("tular."), v) for k, v in config["package-dir"].items()]}
    for package, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            dotted = ".".join([package, *init.parent.relative_to(folder).parts])
            assert dotted in config["packages"], f"{dotted} is not packaged"
    catalogues = root / "graph" / "model" / "catalogue" / "locale"
    data_files = [*(root / "visualizations" / "templates").rglob("*"), *(root / "graph" / "data").glob("*"),
                  *(root / "graph" / "store" / "queries").glob("*"), *catalogues.glob("*/LC_MESSAGES/*.po")]
    assert len(data_files) > 80
    assert {p.parts[-3] for p in catalogues.glob("*/LC_MESSAGES/tular.po")} == {"id", "en"}
    for path in (p for p in data_files if p.is_file()):
        package, folder = next((package, folder) for package, folder in folders.items()
                               if folder != root / "tular" and folder in path.parents)
        dotted = ".".join([package, *path.parent.relative_to(folder).parts])
        assert dotted in config["packages"], f"{dotted} is not packaged"
        assert any(fnmatch.fnmatch(path.name, g) for g in config["package-data"].get(dotted, [])), path
    # the .mo files are no package data: setup.py compiles them into the build (checked by hand
    # with `pip wheel . && unzip -l`: tular/graph/model/catalogue/locale/{id,en}/LC_MESSAGES/tular.{po,mo})
    assert "BuildPyWithCatalogues" in (root / "setup.py").read_text()


def test_a_key_revoked_after_signing_in_ends_the_session(web: Browser):
    web.sign_in("editor")
    assert web.client.get("/impor").status_code == 200
    store = web.client.app.state.store
    editor_id = web.keys["editor"].split("_")[1]
    keys.revoke_key(store, editor_id)
    response = web.client.get("/impor", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/masuk?next=%2Fimpor"


def test_a_refused_value_is_said_in_the_pages_language(web: Browser):
    """SPEC §11: a web page's refusal of a form's value comes from the catalogue, in the page's
    language (``?lang=``, never the browser's header), and names no command line."""
    from html import unescape

    web.sign_in("viewer")
    said = {lang: web.client.get(f"/ikm?halaman=abc&lang={lang}" if lang else "/ikm?halaman=abc",
                                 headers={"Accept-Language": "en"})
            for lang in (None, "en", "id")}  # None first: before any choice is remembered
    for lang, page in said.items():
        assert page.status_code == 422, (lang, page.status_code)
    assert ID["web.refuse_page_form"].format(value="'abc'") in unescape(text_of(said["id"].text))
    assert EN["web.refuse_page_form"].format(value="'abc'") in unescape(text_of(said["en"].text))
    assert ID["web.refuse_page_form"].format(value="'abc'") in unescape(text_of(said[None].text))  # not the header
    assert "tular " not in ID["web.refuse_no_skills"] and "tular " not in EN["web.refuse_no_skills"]
