"""Import messages a field officer can act on in one reading (SPEC §11, §4), in Indonesian and
English, on both stores: every problem of a batch at once, a row whose IKM row has an error
says so, the kind of a file read from its columns, sheets of no kind ignored with a warning,
the nearest skill suggested, and advice for the page the person is on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.io.ingest import ImportReport, import_files
from tular.graph.io.tables import describe
from tular.graph.model.catalogue import every_text
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app

MESSY = Path(__file__).parent / "data" / "messy"
CASCADE = MESSY / "cascade"
WORKBOOK = MESSY / "laporan-juli-2021.xlsx"
TODAY = date(2026, 11, 23)
SKILLS = "barista, batik, fesyen-muslim, home-decor, kemasan, legalitas-usaha, lukis-kain, olahan-makanan"

#: The cascade batch: ikm.csv row 2 has a misspelt kelurahan; data-juli-2021.csv (a teachings
#: file by its columns) row 2 names that IKM and has an impossible date, row 3 has three problems.
CASCADE_ERRORS = {
    "id": [
        "data-juli-2021.csv, baris 2, kolom learner_id, nilai 'IKM-20001': "
        "IKM-20001 ada di ikm.csv baris 2, yang berisi kesalahan",
        "data-juli-2021.csv, baris 2, kolom date, nilai '31/02/2021': "
        "bukan tanggal: Februari 2021 tidak punya tanggal 31",
        "data-juli-2021.csv, baris 3, kolom teacher_id, nilai 'IKM-99999': "
        "ikm_id tidak dikenal: tidak ada di basis data dan tidak ada di berkas ikm impor ini",
        "data-juli-2021.csv, baris 3, kolom skill, nilai 'batk': "
        f"keterampilan tidak dikenal; maksudnya batik? keterampilan yang ada: {SKILLS}",
        "data-juli-2021.csv, baris 3, kolom date, nilai '2099-01-01': "
        "tanggal ini di masa depan (hari ini 23 November 2026); hanya kejadian yang sudah terjadi yang dapat dicatat",
        "ikm.csv, baris 2, kolom kelurahan, nilai 'Bunul Rejoo': "
        "kelurahan 'Bunul Rejoo' tidak dikenal; maksudnya 'Bunulrejo'?",
    ],
    "en": [
        "data-juli-2021.csv, row 2, column learner_id, value 'IKM-20001': "
        "IKM-20001 is in ikm.csv row 2, which has an error",
        "data-juli-2021.csv, row 2, column date, value '31/02/2021': not a date: February 2021 has no day 31",
        "data-juli-2021.csv, row 3, column teacher_id, value 'IKM-99999': "
        "unknown ikm_id: not in the store and not in an ikm file of this import",
        f"data-juli-2021.csv, row 3, column skill, value 'batk': unknown skill; did you mean batik? "
        f"valid skills: {SKILLS}",
        "data-juli-2021.csv, row 3, column date, value '2099-01-01': "
        "date is in the future (today is November 23, 2026); only events that happened can be recorded",
        "ikm.csv, row 2, column kelurahan, value 'Bunul Rejoo': unknown kelurahan 'Bunul Rejoo'; did you mean "
        "'Bunulrejo'?",
    ],
}

#: The office's workbook: a notes sheet, the IKM, a teachings sheet called "Data Juli", a summary.
WORKBOOK_WARNINGS = {
    "id": [
        "laporan-juli-2021.xlsx, lembar 'Catatan': lembar ini tidak diimpor: nama maupun kolomnya "
        "(catatan_petugas_lapangan) tidak menunjukkan data apa isinya (catatan dan ringkasan dibiarkan)",
        "laporan-juli-2021.xlsx, lembar 'Ringkasan': lembar ini tidak diimpor: nama maupun kolomnya "
        "(kelurahan, jumlah_ikm, jumlah_pengajaran) tidak menunjukkan data apa isinya (catatan dan ringkasan "
        "dibiarkan)",
    ],
    "en": [
        "laporan-juli-2021.xlsx, sheet 'Catatan': this sheet is not imported: neither its name nor its columns "
        "(catatan_petugas_lapangan) say what data it holds (notes and summaries are left as they are)",
        "laporan-juli-2021.xlsx, sheet 'Ringkasan': this sheet is not imported: neither its name nor its columns "
        "(kelurahan, jumlah_ikm, jumlah_pengajaran) say what data it holds (notes and summaries are left as they "
        "are)",
    ],
}


def cascade_errors(lang: str, today: date) -> list[str]:
    """:data:`CASCADE_ERRORS` on another day (the web, API and command line import as of the real today)."""
    told = {"id": "23 November 2026", "en": "November 23, 2026"}[lang]
    return [line.replace(told, format_date(today, "long", locale=lang)) for line in CASCADE_ERRORS[lang]]


def run(store: GraphStore, *paths: Path, lang: str, surface: str = "cli") -> ImportReport:
    """An import of ``paths`` named as the office named them (no folders), told in ``lang``."""
    return import_files(store, list(paths), names=[p.name for p in paths], today=TODAY, who="petugas",
                        lang=lang, surface=surface)


def said(report: ImportReport, lang: str, level: str = "error") -> list[str]:
    return [describe(p, lang) for p in (report.errors if level == "error" else report.warnings)]


# ------------------------------------------------------------------ one reading, both languages
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_cascade_batch_lists_every_problem_of_every_row_at_once(store: GraphStore, lang: str):
    before = store.counts()
    report = run(store, CASCADE / "ikm.csv", CASCADE / "data-juli-2021.csv", lang=lang)
    assert not report.ok and report.batch_id is None
    assert said(report, lang) == CASCADE_ERRORS[lang]
    assert report.warnings == [] and report.error_count == 6
    assert {k.kind: (k.read, k.errors) for k in report.kinds} == {"ikm": (3, 1), "teachings": (3, 5)}
    assert store.counts() == before


def test_the_problems_keep_their_codes_and_values_in_both_languages(embedded_store: EmbeddedStore):
    told = {lang: run(embedded_store, CASCADE / "ikm.csv", CASCADE / "data-juli-2021.csv", lang=lang)
            for lang in ("id", "en")}
    plain = {lang: [{k: v for k, v in p.items() if k != "reason"} for p in report.errors]
             for lang, report in told.items()}
    assert plain["id"] == plain["en"]  # only the reason is told in the reader's language
    assert [(p["row"], p["column"], p["code"]) for p in plain["id"]] == [
        (2, "learner_id", "problem.ikm_row_has_error"), (2, "date", "problem.not_a_date"),
        (3, "teacher_id", "problem.unknown_ikm"), (3, "skill", "problem.unknown_skill_suggest"),
        (3, "date", "problem.future_date"), (2, "kelurahan", "problem.unknown_area_suggest")]
    assert plain["id"][0]["params"] == {"ikm_id": "IKM-20001", "file": "ikm.csv", "line": 2}
    assert plain["id"][1]["params"] == {"why": {"code": "date.no_such_day", "params": {"month": "2021-02", "day": 31}}}
    assert plain["id"][3]["params"]["suggestion"] == "batik"


def test_once_the_ikm_row_is_fixed_the_teaching_row_is_known(embedded_store: EmbeddedStore, tmp_path: Path):
    fixed = tmp_path / "ikm.csv"
    fixed.write_text((CASCADE / "ikm.csv").read_text().replace("Bunul Rejoo", "Bunul Rejo"), encoding="utf-8")
    report = run(embedded_store, fixed, CASCADE / "data-juli-2021.csv", lang="en")
    assert [(p["row"], p["column"]) for p in report.errors] == [
        (2, "date"), (3, "teacher_id"), (3, "skill"), (3, "date")]  # the same problems, the IKM now known


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_workbook_with_notes_and_a_summary_imports_its_data_sheets(store: GraphStore, lang: str):
    report = run(store, WORKBOOK, lang=lang)
    assert report.ok, report.errors
    assert said(report, lang, "warning") == WORKBOOK_WARNINGS[lang]
    assert report.errors == [] and report.warning_count == 2
    assert {k.kind: k.created for k in report.kinds} == {"ikm": 3, "teachings": 2}
    assert {(t.learner_id, t.teacher_id, t.skill, t.date) for t in store.all_teachings()} == {
        ("IKM-30002", "IKM-30001", "batik", date(2021, 7, 5)), ("IKM-30003", "IKM-30002", "batik", date(2021, 7, 19))}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_training_row_with_an_error_is_named_by_the_attendance_rows(store: GraphStore, tmp_path: Path, lang: str):
    (tmp_path / "ikm.csv").write_text("ikm_id,name,kelurahan\nIKM-1,Ibu Umi,Bunulrejo\n", encoding="utf-8")
    (tmp_path / "pelatihan.csv").write_text("training_id,title,skill,end_date\nT-1,Batik,batk,2021-01-01\n",
                                            encoding="utf-8")
    (tmp_path / "kehadiran.csv").write_text("training_id,ikm_id\nT-1,IKM-1\nT-2,IKM-1\n", encoding="utf-8")
    report = run(store, *(tmp_path / n for n in ("ikm.csv", "pelatihan.csv", "kehadiran.csv")), lang=lang)
    assert said(report, lang) == {
        "id": ["kehadiran.csv, baris 2, kolom training_id, nilai 'T-1': T-1 ada di pelatihan.csv baris 2, yang "
               "berisi kesalahan",
               "kehadiran.csv, baris 3, kolom training_id, nilai 'T-2': training_id tidak dikenal: tidak ada di "
               "basis data dan tidak ada di berkas trainings impor ini",
               f"pelatihan.csv, baris 2, kolom skill, nilai 'batk': keterampilan tidak dikenal; maksudnya batik? "
               f"keterampilan yang ada: {SKILLS}"],
        "en": ["kehadiran.csv, row 2, column training_id, value 'T-1': T-1 is in pelatihan.csv row 2, which has "
               "an error",
               "kehadiran.csv, row 3, column training_id, value 'T-2': unknown training_id: not in the store and "
               "not in a trainings file of this import",
               f"pelatihan.csv, row 2, column skill, value 'batk': unknown skill; did you mean batik? valid "
               f"skills: {SKILLS}"],
    }[lang]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_bad_sheet_of_a_workbook_is_named_at_once(store: GraphStore, tmp_path: Path, lang: str):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in {"Catatan": [["jangan diubah"]], "IKM": [["ikm_id", "nama", "kelurahan"]],
                        "Pelatihan": [["training_id", "title", "skill"]],
                        "Data Juli": [["learner_id", "teacher_id", "skill", "date"]]}.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path := tmp_path / "rekap.xlsx")
    report = run(store, path, lang=lang)
    assert said(report, lang) == {
        "id": ["rekap.xlsx, lembar 'IKM', baris 1: kolom wajib untuk ikm tidak ada: name (perlu ikm_id, name, "
               "kelurahan); kolom yang ada: ikm_id, nama, kelurahan",
               "rekap.xlsx, lembar 'Pelatihan', baris 1: kolom wajib untuk trainings tidak ada: end_date (perlu "
               "training_id, title, skill, end_date); kolom yang ada: training_id, title, skill"],
        "en": ["rekap.xlsx, sheet 'IKM', row 1: missing required columns for ikm: name (it needs ikm_id, name, "
               "kelurahan); columns found: ikm_id, nama, kelurahan",
               "rekap.xlsx, sheet 'Pelatihan', row 1: missing required columns for trainings: end_date (it needs "
               "training_id, title, skill, end_date); columns found: training_id, title, skill"],
    }[lang]
    assert [p["sheet"] for p in report.warnings] == ["Catatan"]  # and the notes sheet is only a warning


# ------------------------------------------------------------------ advice for the page one is on
UNKNOWN = b"nama,alamat\nSiti,Jl. Mawar 3\n"


def test_a_file_of_no_kind_gets_the_advice_of_each_surface(embedded_store: EmbeddedStore, tmp_path: Path):
    (path := tmp_path / "data.csv").write_bytes(UNKNOWN)
    told = {(lang, surface): run(embedded_store, path, lang=lang, surface=surface).errors[0]["reason"]
            for lang in ("id", "en") for surface in ("cli", "web", "api")}
    start = {"id": "tidak jelas data apa isi berkas ini: namanya tidak menyebut jenisnya dan kolomnya (nama, alamat) "
                   "tidak cocok dengan jenis mana pun — ",
             "en": "cannot tell what kind of data this file holds: its name says none and its columns (nama, alamat) "
                   "fit none — "}
    assert told == {
        ("id", "cli"): start["id"] + "beri nama sesuai isinya (ikm, trainings, attendance, teachings, outcomes atau "
                                     "populations) atau pakai --kind",
        ("id", "web"): start["id"] + "pilih isinya di “Jenis berkas” lalu unggah lagi",
        ("id", "api"): start["id"] + "kirim jenis isinya di kolom formulir kind",
        ("en", "cli"): start["en"] + "name it after what it holds (ikm, trainings, attendance, teachings, outcomes "
                                     "or populations) or pass --kind",
        ("en", "web"): start["en"] + "choose what it holds under “Kind of file” and upload it again",
        ("en", "api"): start["en"] + "send what it holds in the form field kind",
    }
    texts = every_text()
    assert texts["id"]["web.kind"] in told[("id", "web")] and texts["en"]["web.kind"] in told[("en", "web")]


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&").replace("&#39;", "'")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def site(embedded_store: EmbeddedStore):
    key, _ = keys.create_key(embedded_store, "editor", "Bu Editor")
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        form = client.get("/masuk")
        client.post("/masuk", data={"api_key": key, "csrf_token": _csrf(form.text), "next": "/impor"})
        yield client


def test_the_import_page_tells_the_problems_in_indonesian_with_the_drop_down_advice(site: TestClient):
    token = _csrf(site.get("/impor").text)
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in (CASCADE / "ikm.csv", CASCADE / "data-juli-2021.csv")]
    page = site.post("/impor", data={"csrf_token": token}, files=files)
    assert page.status_code == 422
    body = re.search(r'<table class="problems errors">.*?<tbody>(.*?)</tbody>', page.text, re.S).group(1)
    rows = [[_text_of(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert rows[0] == ["data-juli-2021.csv", "2", "learner_id", "IKM-20001",
                       "IKM-20001 ada di ikm.csv baris 2, yang berisi kesalahan"]
    assert [row[-1] for row in rows] == [line.split(": ", 1)[1] for line in cascade_errors("id", Settings().today())]

    unknown = site.post("/impor", data={"csrf_token": token}, files=[("files", ("data.csv", UNKNOWN, "text/csv"))])
    text = _text_of(unknown.text)
    assert "tidak jelas data apa isi berkas ini" in text and "pilih isinya di “Jenis berkas” lalu unggah lagi" in text
    assert "--kind" not in unknown.text
    english = site.post("/impor?lang=en", data={"csrf_token": token},
                        files=[("files", ("data.csv", UNKNOWN, "text/csv"))])
    assert "choose what it holds under “Kind of file” and upload it again" in _text_of(english.text)
    assert "--kind" not in english.text


def test_the_api_tells_the_problems_in_the_language_asked_for(embedded_store: EmbeddedStore):
    key, _ = keys.create_key(embedded_store, "editor", "Bu Editor")
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in (CASCADE / "ikm.csv", CASCADE / "data-juli-2021.csv")]
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        answers = {
            "id": client.post("/api/v1/imports", files=files, headers={"X-API-Key": key}),
            "en": client.post("/api/v1/imports", files=files, headers={"X-API-Key": key, "Accept-Language": "en"}),
        }
        chosen = client.post("/api/v1/imports?lang=id", files=files,
                             headers={"X-API-Key": key, "Accept-Language": "en-US,en;q=0.9"})
        unknown = client.post("/api/v1/imports", files=[("files", ("data.csv", UNKNOWN, "text/csv"))],
                              headers={"X-API-Key": key})
    for lang, answer in answers.items():
        assert answer.status_code == 422
        report = answer.json()["report"]
        assert [describe(p, lang) for p in report["errors"]] == cascade_errors(lang, Settings().today())
    assert answers["en"].json()["detail"].startswith(
        "the import was rejected, nothing was written: data-juli-2021.csv, row 2, column learner_id")
    assert answers["id"].json()["detail"].startswith(
        "impor ditolak, tidak ada yang ditulis: data-juli-2021.csv, baris 2, kolom learner_id")
    assert answers["id"].json()["detail"].endswith(" (dan 1 lagi)")
    assert chosen.json()["report"]["errors"] == answers["id"].json()["report"]["errors"]  # ?lang= first
    assert unknown.json()["report"]["errors"][0]["reason"].endswith("— kirim jenis isinya di kolom formulir kind")


# ------------------------------------------------------------------ the command line
def tular(*args: str, db: str, lang_env: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``tular ARGS`` in ``cwd`` (a fresh folder by default), with ``TULAR_LANG`` set only when given."""
    env = {"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), **({"TULAR_LANG": lang_env} if lang_env else {})}
    return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd or tempfile.mkdtemp(prefix="tular-cli-"), env=env)


def test_tular_import_tells_the_problems_with_the_flag_advice(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    (path := tmp_path / "data.csv").write_bytes(UNKNOWN)
    default = tular("import", str(path), db=db)
    assert default.returncode == 1, default.stderr
    line = " ".join(default.stdout.split())
    assert "tidak jelas data apa isi berkas ini" in line and "atau pakai --kind" in line
    assert "Jenis berkas" not in line
    english = tular("import", "--lang", "en", str(path), db=db)
    assert "cannot tell what kind of data this file holds" in " ".join(english.stdout.split())
    assert "or pass --kind" in " ".join(english.stdout.split())
    # the files as an officer names them, from their folder; the language from TULAR_LANG
    from_env = tular("import", "--json", "ikm.csv", "data-juli-2021.csv", db=db, lang_env="en", cwd=CASCADE)
    assert from_env.returncode == 1, from_env.stderr
    assert [describe(p, "en") for p in json.loads(from_env.stdout)["errors"]] == cascade_errors("en", Settings().today())
    shown = tular("import", "ikm.csv", "data-juli-2021.csv", db=db, cwd=CASCADE)
    assert [line.strip()[2:] for line in shown.stdout.splitlines() if line.strip().startswith("• ")] == (
        cascade_errors("id", Settings().today()))
