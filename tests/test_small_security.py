"""The smaller holes of issue #17 (SPEC §7 "A server, not a process", §9 "Secure"): what /readyz
tells a stranger, files with personal data readable by their owner only, upload names that are
not file names, report labels never read as mathtext, formula neutralisation after leading
whitespace and full-width forms, dependency floors, the map frame's sandbox and the documents'
Content-Security-Policy, and Swagger UI served from here (the last two in a real Chromium).
The compose file's required password is held in tests/test_deploy_files.py."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version as installed_version
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from packaging.requirements import Requirement
from packaging.version import Version

from tular.graph.admin import api_keys as keys
from tular.graph.io.export import SHEET_COLUMNS, export_store, read_records, table_rows, write_csv, write_xlsx
from tular.graph.io.files import PRIVATE_MODE, create_private, open_private
from tular.graph.io.ingest import import_files
from tular.graph.io.readers import neutralise, read_file, unneutralise
from tular.graph.metrics.report_data import gather_report
from tular.graph.model.catalogue import Messages
from tular.graph.model.errors import StoreUnavailable
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Attendance, Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, Neo4jStore
from tular.service.app import create_app
from tular.visualizations.report import render_html

from .factories import ikm, small_batik_program, teaching, training
from .in_process import serving
from .neo4j_server import free_port

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
TODAY = date(2026, 11, 24)


@pytest.fixture
def viewer_key(embedded_store: EmbeddedStore) -> str:
    embedded_store.write(small_batik_program())
    return keys.create_key(embedded_store, "viewer", "Bu viewer")[0]


# ------------------------------------------------------------------ a. /readyz: up or down
def test_readyz_tells_an_anonymous_caller_only_that_the_store_is_down(embedded_store: EmbeddedStore, viewer_key: str,
                                                                     monkeypatch, tmp_path: Path):
    def broken() -> None:
        raise StoreUnavailable(f"cannot open {embedded_store.display_url}: disk I/O error")

    client = TestClient(create_app(Settings(), store=embedded_store))
    assert client.get("/readyz").json() == {"status": "ready"}
    monkeypatch.setattr(embedded_store, "ping", broken)
    for headers in ({}, {"X-API-Key": "tular_deadbeef_not-a-key"}):
        anonymous = client.get("/readyz", headers=headers)
        assert anonymous.status_code == 503 and anonymous.headers["retry-after"]
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert anonymous.json()["detail"] == Messages("id").t("problem.not_ready")
        assert str(tmp_path) not in anonymous.text and "sqlite" not in anonymous.text and "I/O" not in anonymous.text
    told = client.get("/readyz", headers={"X-API-Key": viewer_key})
    assert told.status_code == 503
    assert told.json()["detail"] == f"cannot open {embedded_store.display_url}: disk I/O error"


def test_readyz_hides_the_neo4j_host_and_driver_error_but_a_known_key_sees_them(embedded_store: EmbeddedStore,
                                                                                viewer_key: str):
    keys.verify(embedded_store, viewer_key)  # checked a moment ago: known while the store is down
    port = free_port()
    down = Neo4jStore(f"bolt://127.0.0.1:{port}")
    try:
        client = TestClient(create_app(Settings(), store=down))  # no lifespan: the store is used as it is
        anonymous = client.get("/readyz")
        assert anonymous.status_code == 503 and anonymous.json()["detail"] == Messages("id").t("problem.not_ready")
        assert str(port) not in anonymous.text and "127.0.0.1" not in anonymous.text and "onnect" not in anonymous.text
        told = client.get("/readyz", headers={"X-API-Key": viewer_key}).json()["detail"]
        assert "tidak dapat dihubungi" in told and f"127.0.0.1:{port}" in told
    finally:
        down.close()


# ------------------------------------------------------------------ c. files with personal data: 0600
@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The usual umask (0022), under which a plain open() makes files everybody can read."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_database_and_its_wal_and_shm_are_created_0600(tmp_path: Path, wide_umask):
    store = EmbeddedStore(tmp_path / "tular.db")
    try:
        store.init_schema()
        store.write(small_batik_program())
        made = sorted(p.name for p in tmp_path.iterdir())
        assert made == ["tular.db", "tular.db-shm", "tular.db-wal"]
        assert {name: mode(tmp_path / name) for name in made} == dict.fromkeys(made, PRIVATE_MODE)
    finally:
        store.close()


def test_every_export_format_is_written_0600_and_a_new_csv_folder_0700(embedded_store: EmbeddedStore,
                                                                      tmp_path: Path, wide_umask):
    embedded_store.write(small_batik_program())
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.xlsx").write_bytes(b"an older export, 0644")
    for name in ("net.graphml", "net.gexf", "net.json", "all.xlsx", "old.xlsx"):
        export_store(embedded_store, out / name)
        assert mode(out / name) == PRIVATE_MODE, name
    export_store(embedded_store, out / "csv")
    assert mode(out / "csv") == 0o700
    assert {p.name: mode(p) for p in (out / "csv").iterdir()} == {f"{k}.csv": PRIVATE_MODE for k in SHEET_COLUMNS}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no partial file left behind


def test_the_map_and_report_files_are_written_0600(embedded_store: EmbeddedStore, tmp_path: Path, wide_umask):
    """The internal map and report name people: files only their owner reads."""
    from rich.console import Console

    from tular.service.map_documents import write_map
    from tular.service.reports import write_report

    embedded_store.write(small_batik_program())
    console = Console(file=io.StringIO())
    written = write_map(console, embedded_store, "batik", date(2024, 12, 31), tmp_path / "peta.html")
    report = write_report(console, embedded_store, 2024, date(2025, 1, 15), tmp_path / "laporan.html")
    assert (mode(written), mode(report)) == (PRIVATE_MODE, PRIVATE_MODE)
    assert "Ibu s1" in written.read_text("utf-8")  # the internal map does name people


def test_a_backup_file_is_written_0600(embedded_store: EmbeddedStore, tmp_path: Path, wide_umask):
    from tular.graph.io.backup import write_backup

    embedded_store.write(small_batik_program())
    for name in ("cadangan.json.gz", "cadangan.json"):
        write_backup(embedded_store, tmp_path / name)
        assert mode(tmp_path / name) == PRIVATE_MODE, name


def test_the_private_file_helper(tmp_path: Path, wide_umask):
    with open_private(tmp_path / "a.csv", "w", encoding="utf-8") as out:
        out.write("ikm_id\n")
    assert mode(tmp_path / "a.csv") == PRIVATE_MODE and (tmp_path / "a.csv").read_text() == "ikm_id\n"
    shared = tmp_path / "shared.bin"
    shared.write_bytes(b"x")
    shared.chmod(0o644)
    with open_private(shared, "ab") as out:  # written again: narrowed
        out.write(b"y")
    assert mode(shared) == PRIVATE_MODE and shared.read_bytes() == b"xy"
    assert create_private(tmp_path / "t.db") and not create_private(tmp_path / "t.db")
    assert mode(tmp_path / "t.db") == PRIVATE_MODE
    with pytest.raises(ValueError):
        open_private(tmp_path / "a.csv", "r")


# ------------------------------------------------------------------ d. upload names
TEACHINGS = b"learner_id,teacher_id,skill,date\nx,a,batik,2023-01-01\n"


def multipart(name: str, data: bytes = TEACHINGS, **fields: str) -> tuple[bytes, dict[str, str]]:
    """A multipart body with one file under exactly this name (NUL bytes included), and its header."""
    boundary = "tularboundary7f3a"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="'.encode()
                 + name.encode("utf-8") + b'"\r\nContent-Type: text/csv\r\n\r\n' + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), {
        "content-type": f"multipart/form-data; boundary={boundary}"}


BAD_NAMES = [
    ("teach\x00ings.csv", "U+0000"),
    ("teachings\x1b[31m.csv", "U+001B"),
    ("x" * 252 + ".csv", "256 bytes long"),
    ("é" * 126 + ".csv", "256 bytes long"),  # 130 characters, 256 bytes of UTF-8
    ("../teachings.csv", "names a folder"),
    ("data/teachings.csv", "names a folder"),
    ("data\\teachings.csv", "names a folder"),
    ("..", "names a folder"),
]


@pytest.mark.parametrize("name, says", BAD_NAMES)
def test_an_upload_name_that_is_not_a_file_name_is_a_400(embedded_store: EmbeddedStore, name: str, says: str):
    embedded_store.write(small_batik_program())
    editor = keys.create_key(embedded_store, "editor", "Bu editor")[0]
    client = TestClient(create_app(Settings(), store=embedded_store), raise_server_exceptions=False)
    body, headers = multipart(name, dry_run="true")
    refused = client.post("/api/v1/imports", content=body,
                          headers={**headers, "X-API-Key": editor, "Accept-Language": "en"})
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/bad-file-name") and says in problem["detail"], problem


def test_an_upload_name_of_255_bytes_is_still_a_file_name(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    editor = keys.create_key(embedded_store, "editor", "Bu editor")[0]
    client = TestClient(create_app(Settings(), store=embedded_store))
    name = "teachings-" + "é" * 120 + "-.csv"
    assert len(name.encode()) == 255
    body, headers = multipart(name, dry_run="true")
    accepted = client.post("/api/v1/imports", content=body, headers={**headers, "X-API-Key": editor})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["kinds"][0]["kind"] == "teachings" and accepted.json()["dry_run"]


def test_the_import_page_refuses_a_nul_in_the_name_with_a_400_page(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    editor = keys.create_key(embedded_store, "editor", "Bu editor")[0]
    with TestClient(create_app(Settings(), store=embedded_store), raise_server_exceptions=False) as client:
        form = client.get("/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        client.post("/masuk", data={"api_key": editor, "csrf_token": token, "next": "/impor"})
        page = client.get("/impor")
        assert page.status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        body, headers = multipart("teach\x00ings.csv", csrf_token=token, kind="", dry_run="true")
        refused = client.post("/impor", content=body, headers={**headers, "accept": "text/html"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html")
    assert "U+0000" in refused.text and "ganti nama berkas" in refused.text  # the page's language: Indonesian


# ------------------------------------------------------------------ e. report labels are not mathtext
def test_a_dollar_in_a_training_id_or_title_is_drawn_as_typed(embedded_store: EmbeddedStore):
    odd_id, odd_title = "T-$\\x$-1", "Harga $5 dan $\\alpha$"
    base = small_batik_program()
    embedded_store.write(base.model_copy(update={
        "trainings": [training(odd_id, "2020-08-01", title=odd_title, budget_idr=50_000_000)],
        "attendance": [a.model_copy(update={"training_id": odd_id}) for a in base.attendance]}))
    html = render_html(gather_report(embedded_store, 2020, TODAY), "en")  # every chart of the report
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert any(odd_id in svg for svg in charts)  # the programme's panel title, as text, not math
    assert odd_id in html and "$\\alpha$" in html


# ------------------------------------------------------------------ f. formula neutralisation
TRIGGERS = set("=+-@\uff1d\uff0b\uff0d\uff20")


def skippable(char: str) -> bool:
    """Whitespace, control and format characters: a spreadsheet looks past them for a formula."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def runs_as_formula(cell: str) -> bool:
    """SPEC §4, restated here: starts with tab or CR, or its first character that is not skippable
    is = + - @ or a full-width form of one."""
    if cell[:1] in ("\t", "\r"):
        return True
    return next((c for c in cell if not skippable(c)), "") in TRIGGERS


def safe(cell: str) -> bool:
    return cell.startswith("'") or not runs_as_formula(cell)


LEADS = st.text(st.sampled_from([" ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u200b", "\u200e", "\u202e", "\ufeff",
                                 "\x01", "\x1f", "\x85"]), max_size=3)
STARTS = st.sampled_from(["", "=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "'", "''", "'=", "' =",
                          "'\uff1d", "a", "1"])
ANY_VALUE = st.builds(lambda lead, start, body: lead + start + body, LEADS, STARTS, st.text(max_size=8))


WRITTEN_AS = [
    (" =cmd", "' =cmd"), ("\n=cmd", "'\n=cmd"), ("\t=1+1", "'\t=1+1"), ("\r\n@x", "'\r\n@x"),
    ("\uff1dcmd", "'\uff1dcmd"), ("\uff0b1", "'\uff0b1"), ("\uff0d1", "'\uff0d1"), ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
    ("\u200b=1", "'\u200b=1"), ("\u3000\ufeff+1", "'\u3000\ufeff+1"), ("' =1", "'' =1"), ("'\uff1dx", "''\uff1dx"),
    ("''=1", "'''=1"), ("'tis", "'tis"), ("' ok", "' ok"), ("a =1", "a =1"), (" ok", " ok"), ("", ""),
]


@pytest.mark.parametrize("value, written", WRITTEN_AS)
def test_formula_starts_after_whitespace_and_full_width_forms_are_neutralised(value: str, written: str):
    assert neutralise(value) == written and unneutralise(written) == value


@given(ANY_VALUE | st.text())
def test_neutralised_values_are_safe_and_come_back_exactly(value: str):
    written = neutralise(value)
    assert safe(written), written
    assert unneutralise(written) == value
    assert written in (value, "'" + value)
    if value.strip():  # the importer trims cells: exact for every value it can carry
        carried = value == value.rstrip() and (value == value.lstrip() or written != value)
        if carried:
            assert unneutralise(written.strip()) == value


def carried_by_files(value: str) -> bool:
    """What an import-format file gives back exactly: cells are trimmed (a neutralised value's
    leading whitespace is kept behind its quote), a NUL is refused."""
    return (bool(value.strip()) and "\x00" not in value and value == value.rstrip()
            and (value == value.lstrip() or neutralise(value) != value))


XLSX_UNFIT = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(ANY_VALUE.filter(carried_by_files), min_size=1, max_size=6))
def test_any_value_survives_export_and_import_files_and_no_cell_runs_as_a_formula(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("cells")
    records = Records(ikm=[ikm(f"A{i}", name=v, business_name=v, sector="'" + v) for i, v in enumerate(values)],
                      attendance=[Attendance(training_id=v, ikm_id="A0") for v in values[:1]])
    rows = {kind: list(table_rows(kind, records, Gazetteer.kota_malang())) for kind in ("ikm", "attendance")}
    for kind, kind_rows in rows.items():
        with open(folder / f"{kind}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            write_csv(kind, kind_rows, handle)
    written_cells = [c for r in csv.reader(io.StringIO((folder / "ikm.csv").read_text("utf-8-sig"))) for c in r]
    assert all(safe(c) for c in written_cells), [c for c in written_cells if not safe(c)]
    back = read_file(folder / "ikm.csv").tables[0].rows
    assert [(r.values["name"], r.values["business_name"], r.values["sector"]) for r in back] == [
        (v, v, "'" + v) for v in values]
    assert read_file(folder / "attendance.csv").tables[0].rows[0].values["training_id"] == values[0]
    if not any(XLSX_UNFIT.search(v) for v in values):
        with open(folder / "all.xlsx", "wb") as handle:
            write_xlsx(rows, handle)
        book = load_workbook(folder / "all.xlsx")
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert all(c.data_type == "s" and safe(c.value) for c in cells)
        sheets = {t.kind: t.rows for t in read_file(folder / "all.xlsx").tables}
        assert [r.values["name"] for r in sheets["ikm"]] == values
        assert [r.values["sector"] for r in sheets["ikm"]] == ["'" + v for v in values]


TRICKY = [" =cmd|' /C calc'!A0", "\n=HYPERLINK(\"http://evil\")", "\t=1+1", "\n @SUM(A1)", "\uff1dcmd", "\uff0b62 811",
          "\uff0d5", "\uff20me", "\u200b=1", "\ufeff+1", "\u00a0-2", "' =already quoted", "'\uff1dquoted", "''=2",
          "'tis", "'", "ok =fine"]


def test_tricky_values_round_trip_through_a_whole_export_and_import(embedded_store: EmbeddedStore, tmp_path: Path):
    people = [ikm(f"T{i}", name=v, business_name=v, sector=v) for i, v in enumerate(TRICKY)]
    embedded_store.write(Records(ikm=people, trainings=[training(TRICKY[0], "2021-01-01")],
                                 attendance=[Attendance(training_id=TRICKY[0], ikm_id="T0")],
                                 teachings=[teaching("T1", "T0", "2021-02-01", note=TRICKY[4])]))
    original = read_records(embedded_store)
    export_store(embedded_store, tmp_path / "csv")
    raw = (tmp_path / "csv" / "ikm.csv").read_text("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(raw)) for c in row]
    assert all(safe(c) for c in cells) and "' =cmd|' /C calc'!A0" in cells and "'\uff1dcmd" in cells
    exported = [p for p in (tmp_path / "csv").iterdir()]
    for name, paths in (("csv", exported), ("xlsx", None)):
        fresh = EmbeddedStore(tmp_path / f"{name}.db")
        fresh.init_schema()
        if paths is None:
            export_store(embedded_store, tmp_path / "all.xlsx")
            paths = [tmp_path / "all.xlsx"]
        report = import_files(fresh, paths, today=TODAY, who="test")
        assert report.ok, report.errors
        assert read_records(fresh) == original, name
        fresh.close()


# ------------------------------------------------------------------ g. dependency floors
#: (package, first version without the advisory, advisory): pyproject's floor and what is installed
#: must both be at least the fixed version.
FIXED = [
    ("starlette", "0.47.2", "GHSA-2c2j-9gv5-cj73"), ("starlette", "0.49.1", "GHSA-7f5h-v6xp-fcq8"),
    ("starlette", "1.3.1", "CVE-2026-54283"),
    ("python-multipart", "0.0.18", "GHSA-59g5-xgcq-4qw3"), ("python-multipart", "0.0.22", "GHSA-wp53-j4wj-2cfg"),
    ("python-multipart", "0.0.27", "GHSA-pp6c-gr5w-3c5g"), ("python-multipart", "0.0.31", "GHSA-v9pg-7xvm-68hf"),
    ("jinja2", "3.1.6", "GHSA-cpwx-vrp4-4pq7"),
]


def floors() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    found = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        lower = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=", ">")]
        found[requirement.name.lower()] = max(lower) if lower else Version("0")
    return found


@pytest.mark.parametrize("package, fixed, advisory", FIXED)
def test_dependency_floors_are_past_known_vulnerabilities(package: str, fixed: str, advisory: str):
    assert floors().get(package, Version("0")) >= Version(fixed), f"{package} floor allows {advisory}"
    assert Version(installed_version(package)) >= Version(fixed), f"the installed {package} has {advisory}"


def test_fastapi_floor_allows_the_starlette_floor():
    # FastAPI 0.132 and older pin starlette<1.0.0 (checked on the package index): 0.133 is the first
    # to allow the Starlette floor above.
    assert floors()["fastapi"] >= Version("0.133") and floors()["starlette"] >= Version("1")


# ------------------------------------------------------------------ h, i. in a real Chromium
@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The app on a loopback port, in this process: its base URL and a viewer key."""
    store = EmbeddedStore(tmp_path_factory.mktemp("served") / "tular.db")
    store.init_schema()
    store.write(small_batik_program())
    key = keys.create_key(store, "viewer", "Bu viewer")[0]
    with serving(create_app(Settings(), store=store)) as port:
        yield f"http://127.0.0.1:{port}", key
    store.close()


class Watched:
    """A browser context that may reach this server only (every other request is refused and
    recorded) and keeps the console's errors (a Content-Security-Policy violation is one)."""

    def __init__(self, browser, base: str, **options):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base = base

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


@pytest.mark.browser
def test_the_map_frame_is_sandboxed_and_the_api_documents_run_under_their_policy(browser, served, artifacts: Path):
    base, key = served
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/masuk")
        page.fill("#api_key", key)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/peta?skill=batik&as_of={AS_OF}")
        assert page.get_attribute("#map-frame", "sandbox") == "allow-scripts allow-forms"
        page.frame_locator("#map-frame").locator("body[data-ready='1']").wait_for(timeout=30_000)
        frame = page.frame(url=lambda url: "/peta/bingkai?" in url)
        assert frame.evaluate("window.origin") == "null"  # an origin of its own: no cookies, no storage
        assert frame.evaluate("network.body.data.nodes.length") == 6  # drawn, with the viewer's session
        frame.fill("#search", "zzzz")
        frame.press("#search", "Enter")  # the form's submit handler runs (allow-forms), nothing is posted
        frame.wait_for_function("document.getElementById('status').textContent.indexOf('zzzz') >= 0",
                                timeout=5_000)
        page.screenshot(path=artifacts / "map-frame-sandboxed.png")
        assert watched.errors == [] and watched.refused == []
    finally:
        watched.context.close()

    api = Watched(browser, base, extra_http_headers={"X-API-Key": key})
    try:
        shown = api.page.goto(f"{base}/api/v1/maps/batik?as_of={AS_OF}")
        policy = shown.headers["content-security-policy"]
        assert "default-src 'none'" in policy and shown.headers["x-content-type-options"] == "nosniff"
        api.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert api.page.evaluate("network.body.data.nodes.length") == 6
        report = api.page.goto(f"{base}/api/v1/reports/2020?lang=en")
        assert report.headers["content-security-policy"] == policy
        assert report.headers["x-content-type-options"] == "nosniff"
        assert api.page.locator("svg").count() >= 3  # the charts, inline
        assert api.errors == [] and api.refused == []
    finally:
        api.context.close()


@pytest.mark.browser
def test_swagger_ui_renders_every_operation_offline(browser, served, artifacts: Path):
    base, _ = served
    watched = Watched(browser, base)
    try:
        docs = watched.page.goto(f"{base}/docs")
        assert "default-src 'self'" in docs.headers["content-security-policy"]
        watched.page.wait_for_selector(".opblock", timeout=30_000)
        operations = sum(len(methods) for methods in httpx.get(f"{base}/openapi.json").json()["paths"].values())
        assert watched.page.locator(".opblock").count() == operations
        assert watched.page.locator(".opblock-summary-path", has_text="/api/v1/reach").count() == 1
        watched.page.screenshot(path=artifacts / "docs-offline.png")
        assert watched.refused == [] and watched.errors == []
        scripts = watched.page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
        assert scripts and all(s.startswith(base + "/docs/assets/") for s in scripts)
    finally:
        watched.context.close()
