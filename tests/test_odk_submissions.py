"""Submissions of the phone form (SPEC §13) imported as teachings, on both stores: ODK Central's
CSV and zip, KoboToolbox's XLSX (tests/data/odk, made from the form itself: see its README),
new learners' ``ODK-`` ids, importing the same export twice or one that overlaps it, every
SPEC §4 check named as the export writes its columns, the servers' columns never kept as notes;
``submission_id`` through the stores, the exports, backup and restore, the web page and the API."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import networkx as nx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.io.backup import restore, take_backup
from tular.graph.io.export import export_store, read_records
from tular.graph.io.ingest import ImportReport, import_files
from tular.graph.io.readers import read_file
from tular.graph.model.errors import UnknownIKM
from tular.graph.model.records import Records, Teaching
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app

from .factories import ikm, small_batik_program
from .in_process import serving
from .test_web import Browser, csrf_of, setup

ODK = Path(__file__).parent / "data" / "odk"
CENTRAL_CSV = ODK / "tular_catat_pengajaran.csv"
CENTRAL_ZIP = ODK / "tular_catat_pengajaran.zip"
KOBO_XLSX = ODK / "Catat_pengajaran_-_all_versions_-_XML_values.xlsx"
TODAY = date(2026, 11, 23)
RINA, JOKO, SRI = "ODK-7c1d2e3f", "ODK-e5f6a7b8", "ODK-c1d2e3f4"


def run(store: GraphStore, *paths: Path, dry_run: bool = False) -> ImportReport:
    return import_files(store, list(paths), today=TODAY, who="petugas", dry_run=dry_run, lang="en")


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    """Per kind: created, updated, unchanged."""
    return {k.kind: (k.created, k.updated, k.unchanged) for k in report.kinds}


def problems(report: ImportReport) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    return [(Path(p["file"]).name, p["sheet"], p["row"], p["column"], p["value"]) for p in report.errors]


def submitted(store: GraphStore) -> dict[str, Teaching]:
    """The stored teachings that came from a submission, by submission id."""
    return {t.submission_id: t for t in store.all_teachings() if t.submission_id}


@pytest.fixture
def program(store: GraphStore) -> GraphStore:
    """The IKM the exports name: two batik seeds, their learners (s1, s2, a, b, c, d, x)."""
    store.write(small_batik_program())
    return store


def edited(tmp_path: Path, change) -> Path:
    """A copy of ODK Central's CSV with ``change(rows)`` applied to its rows (header first)."""
    rows = list(csv.reader(io.StringIO(CENTRAL_CSV.read_text("utf-8"))))
    change(rows)
    path = tmp_path / CENTRAL_CSV.name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def set_cell(rows: list[list[str]], line: int, header: str, value: str) -> None:
    rows[line - 1][rows[0].index(header)] = value


# ------------------------------------------------------------------ reading
def test_the_readers_tell_a_submissions_export_by_its_columns_whatever_its_name(tmp_path: Path):
    renamed = shutil.copy(CENTRAL_CSV, tmp_path / "export-oktober.csv")  # a name that says no kind
    for path in (CENTRAL_CSV, renamed, CENTRAL_ZIP, KOBO_XLSX):
        [table] = read_file(path).tables
        assert table.kind == "teachings" and table.submissions
        assert "submissiondate" not in table.columns and "_submitted_by" not in table.columns
    [central] = read_file(CENTRAL_CSV).tables
    assert central.header("skill") == "pengajaran-skill" and central.header("new_name") == "pengajaran-ikm_baru-name"
    [kobo] = read_file(KOBO_XLSX).tables
    assert kobo.sheet == "Catat pengajaran - Record a te" and kobo.header("teacher_id") == "pengajaran/teacher_id"
    assert [r.values["submission_id"] for r in kobo.rows] == [  # _uuid, with ODK's prefix
        "uuid:c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "uuid:d4c3b2a1-f6e5-4d7c-8b9a-5f4e3d2c1b0a"]


# ------------------------------------------------------------------ importing
def test_odk_centrals_csv_imports_as_teachings_and_new_learners(program: GraphStore):
    report = run(program, CENTRAL_CSV)
    assert report.ok and report.warning_count == 0, report.errors
    assert counts(report) == {"teachings": (4, 0, 0), "ikm": (2, 0, 0)}
    taught = submitted(program)
    x = taught["uuid:3f2b6c1e-8a4d-4c2b-9e71-0d5a6b7c8d90"]
    assert (x.learner_id, x.teacher_id, x.skill, x.date, x.source, x.note) == (
        "x", "s1", "batik", date(2026, 10, 2), "kunjungan lapangan", None)
    rina = program.get_ikm(RINA)  # ODK- and the first 8 hex digits of the submission's uuid
    assert (rina.name, rina.kelurahan_code, rina.business_name) == ("Ibu Rina Wati", "blimbing.bunulrejo", "Batik Rina")
    assert taught["uuid:7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"].learner_id == RINA
    assert program.get_ikm(JOKO).kelurahan_code == "lowokwaru.dinoyo"


def test_the_servers_columns_are_dropped_not_kept_as_notes(program: GraphStore):
    for path in (CENTRAL_CSV, KOBO_XLSX):
        assert run(program, path).ok
    notes = {t.submission_id[5:13]: t.note for t in program.all_teachings() if t.submission_id}
    assert notes == {"3f2b6c1e": None, "7c1d2e3f": "belajar motif teratai", "b8e4a1c2": None,
                     "e5f6a7b8": "belajar di rumah", "c1d2e3f4": None, "d4c3b2a1": "kopi tubruk"}


def test_a_question_the_form_does_not_have_is_a_note_but_no_server_column_is(program: GraphStore, tmp_path: Path):
    def add(rows):
        rows[0].insert(13, "pengajaran-jumlah_peserta")
        for row in rows[1:]:
            row.insert(13, "3")
    assert run(program, edited(tmp_path, add)).ok
    assert {t.note for t in submitted(program).values()} == {
        "pengajaran-jumlah_peserta: 3", "belajar motif teratai; pengajaran-jumlah_peserta: 3",
        "belajar di rumah; pengajaran-jumlah_peserta: 3"}


def test_the_same_export_twice_changes_nothing(program: GraphStore):
    assert run(program, CENTRAL_CSV).ok
    before = (read_records(program), len(program.batches()))
    again = run(program, CENTRAL_CSV)
    assert again.ok and again.warning_count == 0 and counts(again) == {"teachings": (0, 0, 4)}
    assert read_records(program) == before[0] and len(program.batches()) == before[1] + 1


def test_a_later_export_that_overlaps_adds_only_the_new_submission(program: GraphStore):
    assert run(program, CENTRAL_CSV).ok
    later = run(program, CENTRAL_ZIP)  # ODK Central's zip: the four again, and one more
    assert later.ok and counts(later) == {"teachings": (1, 0, 4)}
    new = submitted(program)["uuid:0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"]
    assert (new.learner_id, new.teacher_id, new.date) == ("b", RINA, date(2026, 11, 1))  # the new learner teaches
    assert [f.name for f in program.batches()[-1].files] == [str(CENTRAL_ZIP)]


def test_kobotoolboxs_xlsx_with_slash_groups_imports(program: GraphStore):
    report = run(program, KOBO_XLSX)
    assert report.ok and counts(report) == {"teachings": (2, 0, 0), "ikm": (1, 0, 0)}
    assert program.get_ikm(SRI).kelurahan_code == "sukun.bandulan"
    coffee = submitted(program)["uuid:d4c3b2a1-f6e5-4d7c-8b9a-5f4e3d2c1b0a"]
    assert (coffee.learner_id, coffee.teacher_id, coffee.skill, coffee.source) == ("c", "s2", "barista",
                                                                                    "laporan pendamping")
    assert counts(run(program, KOBO_XLSX)) == {"teachings": (0, 0, 2)}


def test_kobotoolboxs_csv_with_semicolons_imports(program: GraphStore, tmp_path: Path):
    """KoboToolbox's CSV export: the same columns, ``;`` between them."""
    sheet = openpyxl.load_workbook(KOBO_XLSX).active
    path = tmp_path / "Catat_pengajaran_-_all_versions_-_XML_values_-_2026-10-22.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v.date().isoformat() if hasattr(v, "date") else v for v in row])
    report = run(program, path)
    assert report.ok and counts(report) == {"teachings": (2, 0, 0), "ikm": (1, 0, 0)}, report.errors
    assert counts(run(program, KOBO_XLSX)) == {"teachings": (0, 0, 2)}  # the same submissions


def test_an_export_from_before_an_erasure_leaves_the_erased_learner_erased(program: GraphStore):
    from tular.graph.admin.erasure import forget

    assert run(program, CENTRAL_CSV).ok
    forget(program, RINA, who="admin")
    again = run(program, CENTRAL_CSV)
    assert again.ok and counts(again) == {"teachings": (0, 0, 4)}
    assert program.get_ikm(RINA).name == f"Dihapus ({RINA})" and program.get_ikm(RINA).business_name is None


def test_a_dry_run_writes_nothing(program: GraphStore):
    before = read_records(program)
    report = run(program, CENTRAL_ZIP, dry_run=True)
    assert report.ok and counts(report) == {"teachings": (5, 0, 0), "ikm": (2, 0, 0)}
    assert read_records(program) == before and program.batches() == []


# ------------------------------------------------------------------ problems
def test_bad_rows_are_named_by_file_row_and_column_as_the_export_writes_them(program: GraphStore,
                                                                              tmp_path: Path):
    def spoil(rows):
        set_cell(rows, 2, "pengajaran-teacher_id", "s9")           # not in the register
        set_cell(rows, 3, "pengajaran-ikm_baru-kelurahan", "Bunul Rejoo")  # no such kelurahan
        set_cell(rows, 4, "pengajaran-skill", "menjahit")          # no such skill
        set_cell(rows, 5, "pengajaran-date", "2027-01-05")         # in the future
    before = read_records(program)
    report = run(program, edited(tmp_path, spoil))
    assert not report.ok and report.batch_id is None
    assert problems(report) == [
        (CENTRAL_CSV.name, None, 2, "pengajaran-teacher_id", "s9"),
        (CENTRAL_CSV.name, None, 3, "pengajaran-ikm_baru-kelurahan", "Bunul Rejoo"),
        (CENTRAL_CSV.name, None, 4, "pengajaran-skill", "menjahit"),
        (CENTRAL_CSV.name, None, 5, "pengajaran-date", "2027-01-05"),
    ]
    reasons = [p["reason"] for p in report.errors]
    assert "unknown ikm_id" in reasons[0] and "did you mean 'Bunulrejo'" in reasons[1]
    assert "unknown skill" in reasons[2] and "batik" in reasons[2] and "in the future" in reasons[3]
    assert read_records(program) == before


def test_a_swapped_teaching_that_closes_a_cycle_is_named(program: GraphStore, tmp_path: Path):
    def swap(rows):  # c teaches a batik, but a taught c (small_batik_program)
        set_cell(rows, 2, "pengajaran-learner_id", "a")
        set_cell(rows, 2, "pengajaran-teacher_id", "c")
    report = run(program, edited(tmp_path, swap))
    assert problems(report) == [(CENTRAL_CSV.name, None, 2, "pengajaran-teacher_id", "c")]
    assert "close a cycle" in report.errors[0]["reason"]


def test_a_new_learners_id_held_by_another_ikm_is_an_error(program: GraphStore):
    program.write(Records(ikm=[ikm(RINA, name="Bu Lain")]))
    report = run(program, CENTRAL_CSV)
    assert problems(report) == [(CENTRAL_CSV.name, None, 3, "pengajaran-ikm_baru-name", "Ibu Rina Wati")]
    assert f"{RINA}" in report.errors[0]["reason"] and "another IKM, Bu Lain (Bunulrejo)" in report.errors[0]["reason"]


def test_the_same_person_under_the_new_learners_id_is_that_learner(program: GraphStore):
    """An export of submissions that an earlier tular export brought in already (the IKM with its
    ODK- id, not the teaching): the id is that learner's, and the IKM is not written to."""
    program.write(Records(ikm=[ikm(RINA, name="IBU  Rina Wati", phone="081234")]))
    report = run(program, CENTRAL_CSV)
    assert report.ok and counts(report) == {"teachings": (4, 0, 0), "ikm": (1, 0, 0)}  # Joko only
    assert program.get_ikm(RINA).phone == "081234"


def test_two_submissions_giving_one_new_id_are_an_error(program: GraphStore, tmp_path: Path):
    def clash(rows):  # row 5's uuid begins with the same 8 hex digits as row 3's
        uuid = "uuid:7c1d2e3f-0000-4c6d-8e9f-a0b1c2d3e4f5"
        set_cell(rows, 5, "KEY", uuid)
        set_cell(rows, 5, "meta-instanceID", uuid)
    report = run(program, edited(tmp_path, clash))
    assert problems(report) == [(CENTRAL_CSV.name, None, 5, "key", "uuid:7c1d2e3f-0000-4c6d-8e9f-a0b1c2d3e4f5")]
    assert "row 3" in report.errors[0]["reason"]


def test_a_submission_without_learner_is_a_missing_value(program: GraphStore, tmp_path: Path):
    def blank(rows):
        set_cell(rows, 2, "pengajaran-learner_id", "")
    report = run(program, edited(tmp_path, blank))
    assert problems(report) == [(CENTRAL_CSV.name, None, 2, "pengajaran-learner_id", None)]


# ------------------------------------------------------------------ repeat groups
def test_a_repeat_group_that_holds_the_teachings_gives_one_per_row(program: GraphStore, tmp_path: Path):
    """A form whose repeat group ``murid`` records several learners of one teacher (ODK Central's
    zip: the submissions' CSV, and one per repeat group tied by PARENT_KEY)."""
    uuid = "uuid:9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    main = ("SubmissionDate,start,end,pengajaran-teacher_id,pengajaran-skill,pengajaran-date,meta-instanceID,KEY,"
            "SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,"
            f"FormVersion\n2026-10-30T01:00:00.000Z,,,s1,kemasan,2026-10-29,{uuid},{uuid},7,Petugas,0,0,,,,0,1\n")
    murid = ("learner_id,ikm_baru-name,ikm_baru-kelurahan,PARENT_KEY,KEY\n"
             f"d,,,{uuid},{uuid}/pengajaran/murid[1]\n"
             f",Ibu Tini,Kesatrian,{uuid},{uuid}/pengajaran/murid[2]\n")
    path = tmp_path / "repeat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tular_catat_pengajaran.csv", main)
        archive.writestr("tular_catat_pengajaran-murid.csv", murid)
    report = run(program, path)
    assert report.ok and counts(report) == {"teachings": (2, 0, 0), "ikm": (1, 0, 0)}, report.errors
    taught = submitted(program)
    assert {k: (t.learner_id, t.teacher_id, t.skill, t.date) for k, t in taught.items()} == {
        f"{uuid}/pengajaran/murid[1]": ("d", "s1", "kemasan", date(2026, 10, 29)),
        f"{uuid}/pengajaran/murid[2]": ("ODK-9e8d7c6b-2", "s1", "kemasan", date(2026, 10, 29)),
    }
    assert program.get_ikm("ODK-9e8d7c6b-2").kelurahan_code == "blimbing.kesatrian"
    assert counts(run(program, path)) == {"teachings": (0, 0, 2)}


def test_a_repeat_row_whose_submission_is_missing_is_named(tmp_path: Path):
    path = tmp_path / "repeat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("f.csv", "SubmissionDate,pengajaran-teacher_id,KEY\n2026-10-30,s1,uuid:1\n")
        archive.writestr("f-murid.csv", "learner_id,PARENT_KEY,KEY\nd,uuid:2,uuid:2/murid[1]\n")
    problem = run(EmbeddedStore(tmp_path / "t.db"), path).errors[0]
    assert (problem["sheet"], problem["row"], problem["column"], problem["value"]) == (
        "f-murid.csv", 2, "parent_key", "uuid:2")


# ------------------------------------------------------------------ the field through tular
def test_exports_carry_the_submission_id_and_the_csv_export_imports_back_exactly(program: GraphStore,
                                                                                 tmp_path: Path):
    assert run(program, CENTRAL_CSV).ok
    export_store(program, tmp_path / "csv")
    teachings = list(csv.DictReader(io.StringIO((tmp_path / "csv" / "teachings.csv").read_text("utf-8-sig"))))
    assert {r["submission_id"] for r in teachings} >= {"uuid:3f2b6c1e-8a4d-4c2b-9e71-0d5a6b7c8d90", ""}
    export_store(program, tmp_path / "all.xlsx")
    assert "submission_id" in [c.value for c in openpyxl.load_workbook(tmp_path / "all.xlsx")["teachings"][1]]
    export_store(program, tmp_path / "net.graphml")
    graph = nx.read_graphml(tmp_path / "net.graphml", force_multigraph=True)
    assert graph.edges["a", RINA, "batik"]["submission_id"] == "uuid:7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
    export_store(program, tmp_path / "net.json")
    links = json.loads((tmp_path / "net.json").read_text("utf-8"))["edges"]
    assert {e.get("submission_id") for e in links if e["target"] == JOKO} == {"uuid:e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b"}
    empty = EmbeddedStore(tmp_path / "empty.db")
    empty.init_schema()
    assert import_files(empty, sorted((tmp_path / "csv").glob("*.csv")), today=TODAY, who="t").ok
    assert read_records(empty) == read_records(program)


def test_backup_keeps_the_submission_id_and_a_backup_from_before_it_restores(program: GraphStore):
    assert run(program, CENTRAL_CSV).ok
    backup = take_backup(program)
    older = json.loads(backup.model_dump_json())
    for teaching in older["records"]["teachings"]:
        del teaching["submission_id"]  # a backup written before the field existed
    for batch in older["batches"]:
        for info in batch["files"]:
            del info["newest_submission"]
    restore(program, type(backup).model_validate(older), force=True)
    assert submitted(program) == {} and len(program.all_teachings()) == len(backup.records.teachings)
    restore(program, backup, force=True)
    assert read_records(program) == backup.records


def test_an_older_store_file_gains_the_column_when_opened(tmp_path: Path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the teaching table as the first versions made it
        conn.execute("CREATE TABLE teaching (learner_id TEXT NOT NULL, teacher_id TEXT NOT NULL, skill_id TEXT "
                     "NOT NULL, date TEXT NOT NULL, source TEXT, note TEXT, PRIMARY KEY (learner_id, teacher_id, "
                     "skill_id))")
    store = EmbeddedStore(path)
    store.init_schema()
    store.write(small_batik_program())
    assert run(store, CENTRAL_CSV).ok and len(submitted(store)) == 4
    store.close()


def test_the_import_page_takes_odk_centrals_zip(embedded_store: EmbeddedStore):
    web: Browser
    for web in setup(embedded_store):  # the web tests' signed-in browser (a generator: cleaned up after)
        web.sign_in("editor")
        token = csrf_of(web.client.get("/impor").text)
        assert 'accept=".csv,.xlsx,.zip' in web.client.get("/impor").text
        upload = ("files", (CENTRAL_ZIP.name, CENTRAL_ZIP.read_bytes(), "application/zip"))
        response = web.client.post("/impor", data={"csrf_token": token}, files=[upload])
        assert response.status_code == 200 and 'data-ok="true"' in response.text
        assert embedded_store.get_ikm(RINA).name == "Ibu Rina Wati"


def test_the_api_imports_kobotoolboxs_xlsx(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    key = keys.create_key(embedded_store, "editor", "Bu editor")[0]
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        files = [("files", (KOBO_XLSX.name, KOBO_XLSX.read_bytes(), "application/octet-stream"))]
        response = client.post("/api/v1/imports", files=files, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    assert {k["kind"]: k["created"] for k in response.json()["kinds"]} == {"teachings": 2, "ikm": 1}
    with pytest.raises(UnknownIKM):
        embedded_store.get_ikm("ODK-d4c3b2a1")  # a learner from the register gets no new IKM


@pytest.mark.browser
def test_the_import_page_in_a_browser_reports_a_submissions_export(browser, embedded_store: EmbeddedStore,
                                                                   artifacts: Path):
    """The README's picture (docs/img/impor-odk.png is this test's screenshot)."""
    embedded_store.write(small_batik_program())
    key = keys.create_key(embedded_store, "editor", "Petugas Blimbing")[0]
    with serving(create_app(Settings(), store=embedded_store)) as port:
        base = f"http://127.0.0.1:{port}"
        context = browser.new_context(viewport={"width": 1100, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/masuk")
        page.fill("#api_key", key)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/impor")
        page.set_input_files("#files", [CENTRAL_ZIP])
        page.click("form.stack button[type=submit]")
        page.wait_for_selector("section.report")
        assert page.get_attribute("section.report", "data-ok") == "true"
        rows = page.evaluate("[...document.querySelectorAll('table.kinds tbody tr')].map("
                             "r => [...r.cells].map(c => c.textContent.trim()))")
        assert [row[:5] for row in rows] == [["teachings", "5", "5", "0", "0"], ["ikm", "0", "2", "0", "0"]]
        assert errors == []
        page.screenshot(path=artifacts / "web-import-odk.png", full_page=True)
        context.close()
    assert embedded_store.get_ikm(RINA).name == "Ibu Rina Wati"


def test_a_zip_that_would_unpack_to_far_more_than_it_weighs_is_refused(tmp_path: Path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("f.csv", "SubmissionDate,pengajaran-teacher_id,KEY\n" + " " * 3_000_000)
    [problem] = run(EmbeddedStore(tmp_path / "t.db"), path).errors
    assert "compressed more than 100 times" in problem["reason"] and "archive" in problem["reason"]
