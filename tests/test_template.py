"""The workbook field officers fill in (SPEC §4 ``tular template``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tular.graph.io.export import SHEET_COLUMNS, read_records
from tular.graph.io.readers import COLUMNS, read_file
from tular.graph.io.template import write_template
from tular.graph.model.errors import UsageError
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import KINDS, Skill
from tular.graph.store import GraphStore

from .datafiles import run_import


@pytest.fixture
def template(store: GraphStore, tmp_path: Path) -> Path:
    return write_template(tmp_path / "isian.xlsx", store.gazetteer(), store.skills())


def list_values(workbook: openpyxl.Workbook, formula: str) -> list[str]:
    """The values a list validation's ``'Daftar'!$A$2:$A$58`` formula points at."""
    sheet_name, cells = formula.split("!")
    sheet = workbook[sheet_name.strip("'")]
    return [row[0].value for row in sheet[cells.replace("$", "")]]


def validations(sheet) -> dict[str, tuple[str, str]]:
    """Header of the validated column → (list formula, error style)."""
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            assert cell_range.coord == f"{letter}2:{letter}1048576"
            found[header[letter]] = (validation.formula1, validation.errorStyle)
    return found


def test_the_template_reads_as_empty_tables_of_every_kind(template: Path):
    tables = read_file(template).tables
    assert [(t.kind, t.sheet, t.columns, len(t.rows)) for t in tables] == [
        (kind, kind, list(SHEET_COLUMNS[kind]), 0) for kind in KINDS
    ]


def test_sheets_headers_and_layout(template: Path):
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["Petunjuk", *KINDS, "Daftar"]
    assert workbook["Daftar"].sheet_state == "hidden" and workbook.active.title == "Petunjuk"
    for kind in KINDS:
        sheet = workbook[kind]
        assert sheet.freeze_panes == "A2"
        for cell in sheet[1]:
            required = cell.value in COLUMNS[kind].required
            assert cell.font.b is required, (kind, cell.value)
            assert ("WAJIB" in cell.comment.text) is required
            assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value) + 4
    assert workbook["ikm"].column_dimensions["H"].number_format == "@"  # phone as text keeps its 0
    assert workbook["teachings"].column_dimensions["D"].number_format == "yyyy-mm-dd"
    petunjuk = " ".join(str(c.value) for row in workbook["Petunjuk"].iter_rows() for c in row if c.value)
    assert "Petunjuk pengisian" in petunjuk and "tular import" in petunjuk and "English:" in petunjuk
    assert "UU 27/2022" in petunjuk and "learner_id = yang belajar" in petunjuk


def test_drop_down_lists_for_kelurahan_skills_and_completed(store: GraphStore, template: Path):
    workbook = openpyxl.load_workbook(template)
    kelurahan = sorted((k.name for k in store.gazetteer().kelurahan_list), key=str.casefold)
    ikm = validations(workbook["ikm"])
    assert list_values(workbook, ikm["kelurahan"][0]) == kelurahan and len(kelurahan) == 57
    assert list_values(workbook, ikm["kecamatan"][0]) == ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]
    assert ikm["kelurahan"][1] == "stop"
    skills = sorted(s.skill_id for s in store.skills())
    assert list_values(workbook, validations(workbook["teachings"])["skill"][0]) == skills
    # a training may teach several skills ("batik, kemasan"): its list warns instead of refusing
    assert validations(workbook["trainings"])["skill"] == (validations(workbook["teachings"])["skill"][0], "warning")
    assert list_values(workbook, validations(workbook["attendance"])["completed"][0]) == ["ya", "tidak"]
    assert list_values(workbook, validations(workbook["populations"])["kelurahan"][0]) == kelurahan


def test_the_lists_follow_the_stores_gazetteer_and_skills(store: GraphStore, tmp_path: Path):
    store.add_skill(Skill(skill_id="anyaman-bambu", name_id="Anyaman bambu", name_en="Bamboo weaving"))
    store.load_gazetteer(Gazetteer.from_csv_text("kecamatan,kelurahan\nBatu,Sisir\n"))
    path = write_template(tmp_path / "t.xlsx", store.gazetteer(), store.skills())
    workbook = openpyxl.load_workbook(path)
    assert "Sisir" in list_values(workbook, validations(workbook["ikm"])["kelurahan"][0])
    assert "anyaman-bambu" in list_values(workbook, validations(workbook["teachings"])["skill"][0])


def test_a_filled_in_template_imports_cleanly(store: GraphStore, template: Path):
    workbook = openpyxl.load_workbook(template)
    workbook["ikm"].append(["IKM-1", "Ibu Sri Rahayu", "Bunulrejo", "Blimbing", "Batik Sekar", "fesyen", "P",
                            "081234567890", "2019-02-01"])
    workbook["ikm"].append(["IKM-2", "Dewi", "Sumbersari", None, None, None, "P", None, None])
    workbook["trainings"].append(["T-1", "Pelatihan Batik", "batik, kemasan", None, "05/08/2020"])
    workbook["attendance"].append(["T-1", "IKM-1", "ya"])
    workbook["attendance"].append(["T-1", "IKM-2", "tidak"])
    workbook["teachings"].append(["IKM-2", "IKM-1", "batik", "2021-03-05", "laporan pendamping"])
    workbook["populations"].append(["Bunulrejo", "Blimbing", 240])
    workbook.save(template)
    report = run_import(store, [template])
    assert report.error_count == 0 and report.warning_count == 0, report.warnings
    records = read_records(store)
    assert [(i.ikm_id, i.kelurahan_code, i.phone) for i in records.ikm] == [
        ("IKM-1", "blimbing.bunulrejo", "081234567890"), ("IKM-2", "lowokwaru.sumbersari", None)]
    assert records.trainings[0].skills == ("batik", "kemasan")
    assert [a.completed for a in records.attendance] == [True, False]
    assert store.populations() == {"blimbing.bunulrejo": 240}
    assert len(records.teachings) == 1


def test_the_template_must_be_an_xlsx_file(embedded_store, tmp_path: Path):
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_template(tmp_path / "t.csv", embedded_store.gazetteer(), embedded_store.skills())


def test_template_command(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    run = lambda *args: subprocess.run([sys.executable, "-m", "tular", "--db", db, *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    made = run("template", "-o", str(tmp_path / "isian.xlsx"))
    assert made.returncode == 0, made.stderr
    assert len(read_file(tmp_path / "isian.xlsx").tables) == 6  # one sheet per kind, outcomes included
    assert run("template", "-o", str(tmp_path / "isian.csv")).returncode == 2
