from __future__ import annotations

import csv
import doctest
import functools
import hashlib
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tular.graph.io import readers
from tular.graph.io.readers import (
    COLUMNS,
    FileProblem,
    Row,
    kind_from_name,
    neutralise,
    read_file,
    unneutralise,
)
from tular.graph.io.tables import Month, Said
from tular.graph.model.errors import InvalidData, UsageError
from tular.graph.model.records import KINDS

TEACHINGS_HEADER = "learner_id,teacher_id,skill,date"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def workbook(folder: Path, name: str, sheets: dict[str, list[list[object]]],
             hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    path = folder / name
    book.save(path)
    return path


def only_table(source):
    assert len(source.tables) == 1
    return source.tables[0]


def problem(path: Path, **kwargs) -> FileProblem:
    with pytest.raises(FileProblem) as info:
        read_file(path, **kwargs)
    return info.value


def test_doctests_pass():
    assert doctest.testmod(readers).failed == 0


# ------------------------------------------------------------------ kinds and columns
def test_columns_follow_the_spec_table():
    assert set(COLUMNS) == set(KINDS)
    assert COLUMNS["teachings"].required == ("learner_id", "teacher_id", "skill", "date")
    assert COLUMNS["attendance"].optional == ("completed",)
    assert COLUMNS["populations"].known == ("kelurahan", "population", "kecamatan")


@pytest.mark.parametrize("name, kind", [
    ("ikm.csv", "ikm"), ("IKM.CSV", "ikm"), ("ikm-bunulrejo.csv", "ikm"), ("ikms", "ikm"),
    ("2023_teachings.csv", "teachings"), ("Teachings (Q3).csv", "teachings"), ("teaching", "teachings"),
    ("Pengajaran", "teachings"), ("tular_2024.xlsx", "teachings"), ("data/2023/tular.csv", "teachings"),
    ("trainings.csv", "trainings"), ("Training", "trainings"), ("Pelatihan 2021", "trainings"),
    ("attendance", "attendance"), ("Kehadiran", "attendance"), ("peserta-batik", "attendance"),
    ("outcomes", "outcomes"), ("Hasil", "outcomes"), ("populations.csv", "populations"),
    ("Populasi", "populations"), ("Data IKM", "ikm"), ("teachings2023.csv", "teachings"),
])
def test_kind_from_name(name, kind):
    assert kind_from_name(name) == kind


@pytest.mark.parametrize("name", [
    "Sheet1", "data.csv", "tularan.csv", "pelatihanku", "ikm_attendance.csv", "csv", "",
])
def test_names_that_announce_no_single_kind(name):
    assert kind_from_name(name) is None


@pytest.mark.usefixtures("english")
def test_kind_argument_accepts_aliases_and_rejects_the_unknown(tmp_path):
    path = write(tmp_path, "data.csv", f"{TEACHINGS_HEADER}\nA,B,batik,2021-03-05\n")
    assert only_table(read_file(path, kind="Pengajaran")).kind == "teachings"
    with pytest.raises(UsageError, match="unknown kind 'pets'"):
        read_file(path, kind="pets")


def test_kind_argument_overrides_the_file_name(tmp_path):
    path = write(tmp_path, "ikm.csv", f"{TEACHINGS_HEADER}\nA,B,batik,2021-03-05\n")
    assert only_table(read_file(path, kind="teachings")).kind == "teachings"


def test_csv_whose_name_says_nothing_is_read_by_its_columns(tmp_path):
    table = only_table(read_file(write(tmp_path, "data-juli-2021.csv", f"{TEACHINGS_HEADER}\nA,B,batik,2021-07-05\n")))
    assert (table.kind, len(table.rows)) == ("teachings", 1)
    # a name fitting two kinds: the columns decide
    assert only_table(read_file(write(tmp_path, "ikm_attendance.csv", "training_id,ikm_id\n"))).kind == "attendance"
    # two of the four columns of teachings: teachings, missing the others
    found = problem(write(tmp_path, "juli.csv", "learner_id,teacher_id\nA,B\n"))
    assert found.code == "problem.missing_columns" and found.params["kind"] == "teachings"


def test_csv_whose_name_and_columns_say_nothing_asks_for_a_kind(tmp_path):
    found = problem(write(tmp_path, "data.csv", "nama,alamat\nSiti,Bunulrejo\n"))
    assert found.reason_in("en") == (
        "cannot tell what kind of data this file holds: its name says none and its columns (nama, alamat) fit "
        "none — name it after what it holds (ikm, trainings, attendance, teachings, outcomes or populations) "
        "or pass --kind")
    assert found.reason_in("id") == (
        "tidak jelas data apa isi berkas ini: namanya tidak menyebut jenisnya dan kolomnya (nama, alamat) tidak "
        "cocok dengan jenis mana pun — beri nama sesuai isinya (ikm, trainings, attendance, teachings, outcomes "
        "atau populations) atau pakai --kind")
    assert found.reason_in("id", "web").endswith("— pilih isinya di “Jenis berkas” lalu unggah lagi")
    assert "--kind" not in found.reason_in("id", "web") + found.reason_in("en", "web")


def test_csv_whose_name_says_two_kinds_says_so(tmp_path):
    found = problem(write(tmp_path, "ikm_attendance.csv", "nama,alamat\n"))
    assert "its name fits ikm, attendance and its columns (nama, alamat) do not decide" in found.reason_in("en")


# ------------------------------------------------------------------ CSV basics
def test_plain_csv_rows_are_numbered_like_the_spreadsheet(tmp_path):
    path = write(tmp_path, "teachings.csv",
                 f"{TEACHINGS_HEADER},note\nIKM-2,IKM-1,batik,2021-03-05,\nIKM-3,IKM-2,batik,05/04/2021,ok\n")
    source = read_file(path)
    table = only_table(source)
    assert (table.source, table.sheet, table.kind) == (str(path), None, "teachings")
    assert table.columns == ["learner_id", "teacher_id", "skill", "date", "note"]
    assert table.unknown_columns == []
    assert table.rows == [
        Row(2, {"learner_id": "IKM-2", "teacher_id": "IKM-1", "skill": "batik", "date": "2021-03-05", "note": None}),
        Row(3, {"learner_id": "IKM-3", "teacher_id": "IKM-2", "skill": "batik", "date": "05/04/2021", "note": "ok"}),
    ]
    assert source.size == path.stat().st_size
    assert source.checksum == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bom_semicolons_crlf_and_quoted_semicolons_and_newlines(tmp_path):
    content = ('\ufeffLearner ID;Teacher_ID; SKILL ;Date;Note\r\n'
               'A;B;batik;05/03/2021;"pameran; Bunulrejo"\r\n'
               'C;A;batik;06/03/2021;"baris satu\r\nbaris dua"\r\n'
               'D;C;batik;07/03/2021;"kata ""batik"""\r\n')
    table = only_table(read_file(write(tmp_path, "teachings.csv", content)))
    assert table.columns == ["learner_id", "teacher_id", "skill", "date", "note"]
    assert [row.values["note"] for row in table.rows] == [
        "pameran; Bunulrejo", "baris satu\r\nbaris dua", 'kata "batik"']
    # The record with a line break inside is spreadsheet row 3; the next one is row 4.
    assert [row.line for row in table.rows] == [2, 3, 4]


def test_tab_separated_txt(tmp_path):
    path = write(tmp_path, "populasi.txt", "kecamatan\tkelurahan\tpopulation\nBlimbing\tBunulrejo\t412\n")
    table = only_table(read_file(path))
    assert table.kind == "populations"
    assert table.rows[0].values == {"kecamatan": "Blimbing", "kelurahan": "Bunulrejo", "population": "412"}


def test_comma_wins_when_the_header_counts_tie_or_has_no_delimiter(tmp_path):
    assert readers._detect_delimiter("a,b;c") == ","
    assert readers._detect_delimiter("abc") == ","
    assert readers._detect_delimiter('"a;b;c",d') == ","


def test_old_mac_cr_only_line_ends(tmp_path):
    path = write(tmp_path, "attendance.csv", "training_id,ikm_id\rT1,A\rT1,B\r")
    assert [row.values["ikm_id"] for row in only_table(read_file(path)).rows] == ["A", "B"]


def test_values_are_stripped_and_blank_cells_are_none(tmp_path):
    path = write(tmp_path, "ikm.csv", "ikm_id,name,kelurahan,phone\n  A1 , Siti ,  ,\t\n")
    assert only_table(read_file(path)).rows[0].values == {
        "ikm_id": "A1", "name": "Siti", "kelurahan": None, "phone": None}


def test_blank_rows_are_skipped_but_still_counted(tmp_path):
    path = write(tmp_path, "attendance.csv", "training_id,ikm_id\n\nT1,A\n,\n  ,  \n \nT1,B\n")
    table = only_table(read_file(path))
    assert [(row.line, row.values["ikm_id"]) for row in table.rows] == [(3, "A"), (7, "B")]


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    path = write(tmp_path, "attendance.csv", "\n\ntraining_id;ikm_id\nT1;A\n")
    assert only_table(read_file(path)).rows == [Row(4, {"training_id": "T1", "ikm_id": "A"})]


def test_short_rows_are_padded_with_none(tmp_path):
    path = write(tmp_path, "teachings.csv", f"{TEACHINGS_HEADER},note\nA,B\n")
    assert only_table(read_file(path)).rows[0].values == {
        "learner_id": "A", "teacher_id": "B", "skill": None, "date": None, "note": None}


def test_unknown_columns_are_kept_as_notes(tmp_path):
    path = write(tmp_path, "attendance.csv", "Training ID,IKM_ID,Catatan Petugas\nT1,A,datang terlambat\n")
    table = only_table(read_file(path))
    assert table.unknown_columns == ["catatan_petugas"]
    assert table.rows[0].values["catatan_petugas"] == "datang terlambat"


def test_header_only_is_a_table_without_rows(tmp_path):
    table = only_table(read_file(write(tmp_path, "teachings.csv", f"{TEACHINGS_HEADER}\r\n")))
    assert table.rows == [] and len(table.columns) == 4


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \r\n", b"\xef\xbb\xbf\r\n"])
def test_empty_file_is_an_error(tmp_path, content):
    assert "file is empty" in problem(write(tmp_path, "ikm.csv", content)).reason_in("en")


def test_trailing_empty_cells_beyond_the_header_are_tolerated(tmp_path):
    # Excel writes them when some cell further right was ever used.
    path = write(tmp_path, "attendance.csv", "training_id,ikm_id,,\nT1,A,,\n")
    table = only_table(read_file(path))
    assert table.columns == ["training_id", "ikm_id"]
    assert table.rows[0].values == {"training_id": "T1", "ikm_id": "A"}


def test_more_cells_than_the_header_names_the_row(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", "training_id,ikm_id\nT1,A\nT1,B,extra\n"))
    assert (found.row, found.value) == (3, "extra")
    assert "column C, which has no header" in found.reason_in("en")
    assert found.text("en").startswith(f"{tmp_path / 'attendance.csv'}, row 3, value 'extra': ")


def test_value_under_a_blank_header_cell_is_an_error(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", "training_id,,ikm_id\nT1,oops,A\n"))
    assert (found.row, found.value) == (2, "oops")
    assert "column B" in found.reason_in("en")


def test_duplicate_header_names_the_column(tmp_path):
    found = problem(write(tmp_path, "teachings.csv", "learner_id,teacher_id,skill,Date, date \n"))
    assert (found.row, found.column) == (1, "date")
    assert "appears twice" in found.reason_in("en")


def test_missing_required_columns_are_named_with_the_columns_found(tmp_path):
    found = problem(write(tmp_path, "teachings.csv", "learner_id;teacher;skill\nA;B;batik\n"))
    assert found.file == str(tmp_path / "teachings.csv") and found.sheet is None
    assert found.reason_in("en") == ("missing required columns for teachings: teacher_id, date (it needs learner_id, "
                                     "teacher_id, skill, date); columns found: learner_id, teacher, skill")
    assert found.reason_in("id") == ("kolom wajib untuk teachings tidak ada: teacher_id, date (perlu learner_id, "
                                     "teacher_id, skill, date); kolom yang ada: learner_id, teacher, skill")


def test_missing_one_required_column_is_singular(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", "ikm_id,completed\n"))
    assert "missing required columns for attendance: training_id (" in found.reason_in("en")


def test_name_argument_is_used_for_messages_format_and_kind(tmp_path):
    upload = write(tmp_path, "upload-1234", "training_id\nT1\n")
    found = problem(upload, name="Kehadiran.csv")
    assert found.file == "Kehadiran.csv" and "ikm_id" in found.reason_in("en")


# ------------------------------------------------------------------ bad bytes
def test_broken_utf8_names_the_row_and_byte_offset(tmp_path):
    content = b'training_id,ikm_id\nT1,"A\nB"\nT1,\xc3\x28\n'
    found = problem(write(tmp_path, "attendance.csv", content))
    assert found.row == 3  # the quoted line break makes physical line 4 spreadsheet row 3
    assert "byte 0xC3 at byte offset 31" in found.reason_in("en")
    assert content[31] == 0xC3
    assert "CSV UTF-8" in found.reason_in("en")


def test_latin1_file_gets_a_clear_error(tmp_path):
    content = "ikm_id,name,kelurahan\nA1,Café Siti,Bunulrejo\n".encode("latin-1")
    found = problem(write(tmp_path, "ikm.csv", content))
    assert found.row == 2 and "not UTF-8" in found.reason_in("en") and "0xE9" in found.reason_in("en")


def test_broken_bytes_in_the_header(tmp_path):
    found = problem(write(tmp_path, "ikm.csv", b"\n\xffikm_id,name\n"))
    assert found.row == 2 and "byte offset 1" in found.reason_in("en")


def test_utf16_file_is_recognised(tmp_path):
    found = problem(write(tmp_path, "ikm.csv", "ikm_id\tname\tkelurahan\n".encode("utf-16")))
    assert "UTF-16" in found.reason_in("en") and "CSV UTF-8" in found.reason_in("en")


def test_workbook_saved_as_csv_is_recognised(tmp_path):
    book = workbook(tmp_path, "ikm.xlsx", {"ikm": [["ikm_id", "name", "kelurahan"]]})
    found = problem(write(tmp_path, "ikm.csv", book.read_bytes()))
    assert "Excel workbook" in found.reason_in("en") and ".xlsx" in found.reason_in("en")


def test_nul_byte_is_an_error_naming_the_row(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", b"training_id,ikm_id\nT1,\xc3\xa9A\x00\n"))
    assert found.row == 2 and "NUL byte (at byte offset 25)" in found.reason_in("en")


def test_unclosed_quote_is_an_error_naming_the_row(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", 'training_id,ikm_id\nT1,A\nT1,"B\nT2,C\n'))
    assert found.row == 3 and "never closed" in found.reason_in("en")


def test_text_after_a_closing_quote_is_an_error(tmp_path):
    found = problem(write(tmp_path, "attendance.csv", 'training_id,ikm_id\nT1,"B"x\n'))
    assert found.row == 2 and "closing quote" in found.reason_in("en")


# ------------------------------------------------------------------ files in general
def test_too_large_file_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, "ikm.csv", b"\xff" * 2048)
    found = problem(path, max_bytes=1024)
    assert "more than the 0.0 MB allowed" in found.reason_in("en") or "allowed" in found.reason_in("en")
    assert "split it" in found.reason_in("en")


@pytest.mark.parametrize("name, hint", [
    ("ikm.pdf", "'.pdf' files cannot be read"), ("ikm.xls", ".xls workbooks cannot be read"),
    ("ikm", "files without an extension"), ("ikm.ods", "save it as Excel Workbook"),
])
def test_unsupported_formats(tmp_path, name, hint):
    assert hint in problem(write(tmp_path, name, "ikm_id,name,kelurahan\n")).reason_in("en")


def test_missing_file_and_folder(tmp_path):
    assert problem(tmp_path / "nope.csv").reason_in("en") == "no such file"
    (tmp_path / "dir.csv").mkdir()
    assert "folder" in problem(tmp_path / "dir.csv").reason_in("en")


def test_csv_progress_reports_bytes(tmp_path):
    body = "".join(f"T{i},IKM-{i:07d}\n" for i in range(150_000))
    path = write(tmp_path, "attendance.csv", "training_id,ikm_id\n" + body)
    seen: list[int] = []
    table = only_table(read_file(path, progress=seen.append))
    assert len(table.rows) == 150_000
    assert seen == sorted(seen) and len(seen) >= 2
    assert seen[-1] == path.stat().st_size


# ------------------------------------------------------------------ problems
def test_file_problem_message_and_dict():
    found = FileProblem("teachings.csv", "problem.not_a_date", row=14, column="date", value="31/02/2021",
                        params={"why": Said("date.no_such_day", {"month": Month(2021, 2), "day": 31})})
    assert found.text("en") == ("teachings.csv, row 14, column date, value '31/02/2021': not a date: "
                                "February 2021 has no day 31")
    assert found.text("id") == ("teachings.csv, baris 14, kolom date, nilai '31/02/2021': bukan tanggal: "
                                "Februari 2021 tidak punya tanggal 31")
    assert isinstance(found, InvalidData)
    assert found.to_dict("en") == {
        "file": "teachings.csv", "sheet": None, "row": 14, "column": "date", "value": "31/02/2021",
        "reason": "not a date: February 2021 has no day 31", "severity": "error", "code": "problem.not_a_date",
        "params": {"why": {"code": "date.no_such_day", "params": {"month": "2021-02", "day": 31}}}}
    # the code and its values are the same in both languages; only the reason is told
    assert {k: v for k, v in found.to_dict("id").items() if k != "reason"} == {
        k: v for k, v in found.to_dict("en").items() if k != "reason"}


def test_file_problem_parts_are_optional_and_long_values_shortened():
    assert FileProblem(None, "problem.folder").text("en") == "this is a folder, not a file"
    assert (FileProblem("b.xlsx", "problem.empty_file", sheet="Tular 2023").text("id")
            == "b.xlsx, lembar 'Tular 2023': berkas ini kosong")
    shown = FileProblem("f.csv", "problem.folder", value="x" * 500).text("en")
    assert len(shown) < 120 and shown.endswith("…': this is a folder, not a file")
    warning = FileProblem("f.csv", "problem.exact_duplicate", row=3, severity="warning",
                          params={"where": Said("problem.at_row", {"line": 2})})
    assert warning.to_dict()["severity"] == "warning"
    assert warning.reason_in("id") == "sama persis dengan baris 2; diimpor sekali"


# ------------------------------------------------------------------ formula prefix
@pytest.mark.parametrize("value, written", [
    ("=HYPERLINK(\"http://x\",\"klik\")", "'=HYPERLINK(\"http://x\",\"klik\")"),
    ("+62812", "'+62812"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=1", "''=1"), ("Bunulrejo", "Bunulrejo"), ("'quoted'", "'quoted'"), ("", ""), ("'", "'"),
])
def test_neutralise_and_back(value, written):
    assert neutralise(value) == written
    assert unneutralise(written) == value


@given(st.text())
def test_formula_prefix_round_trip_is_exact(value):
    assert unneutralise(neutralise(value)) == value
    assert not neutralise(value).startswith(readers.FORMULA_STARTS)


def test_importer_removes_exactly_the_prefix(tmp_path):
    content = ("ikm_id,name,kelurahan,business_name,phone\n"
               "A1,'=HYPERLINK(\"http://evil\"),Bunulrejo,'tis batik,'+62812\n"
               "A2,\"'-- Siti\",Bunulrejo,''=x,+62813\n")
    rows = only_table(read_file(write(tmp_path, "ikm.csv", content))).rows
    assert [(r.values["name"], r.values["business_name"], r.values["phone"]) for r in rows] == [
        ('=HYPERLINK("http://evil")', "'tis batik", "+62812"),
        ("-- Siti", "'=x", "+62813"),
    ]


# ------------------------------------------------------------------ XLSX
IKM_ROWS = [["ikm_id", "name", "kelurahan", "phone", "joined_on"],
            [1001, "Siti", "Bunulrejo", 81234567890, datetime(2021, 3, 5)],
            [1002.0, "Ani", "Bunul Rejo", 81234567891.0, date(2021, 3, 6)]]


def test_workbook_with_several_sheets_and_instructions(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {
        "Petunjuk": [["Isi setiap lembar. Jangan ubah baris judul."]],
        "IKM": IKM_ROWS,
        "Pelatihan": [["training_id", "title", "skill", "end_date", "budget_idr"],
                      ["T1", "Batik", "batik", 44260, 1250000.0]],
        "Tular": [["learner_id", "teacher_id", "skill", "date"], ["1002", "1001", "batik", "05/04/2021"]],
        "Lists": [["Bunulrejo"], ["Kesatrian"]],
        "Sheet9": [],
    })
    source = read_file(path)
    assert [(t.sheet, t.kind) for t in source.tables] == [
        ("IKM", "ikm"), ("Pelatihan", "trainings"), ("Tular", "teachings")]
    ikm = source.tables[0]
    assert ikm.source == str(path)
    assert ikm.rows[0] == Row(2, {"ikm_id": "1001", "name": "Siti", "kelurahan": "Bunulrejo",
                                  "phone": "81234567890", "joined_on": "2021-03-05"})
    assert ikm.rows[1].values["ikm_id"] == "1002" and ikm.rows[1].values["phone"] == "81234567891"
    assert ikm.rows[1].values["joined_on"] == "2021-03-06"
    assert source.tables[1].rows[0].values["end_date"] == "44260"
    assert source.tables[1].rows[0].values["budget_idr"] == "1250000"
    assert source.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.size == path.stat().st_size


def test_cell_types_become_text():
    cell = readers._cell_text
    assert cell(None) is None and cell("  ") is None
    assert cell(" Siti ") == "Siti" and cell("'=1") == "=1"
    assert cell(81234567890) == "81234567890" and cell(81234567890.0) == "81234567890"
    assert cell(2.5) == "2.5" and cell(0.1) == "0.1"
    assert cell(True) == "true" and cell(False) == "false"
    assert cell(datetime(2021, 3, 5, 14, 0)) == "2021-03-05" and cell(date(2021, 3, 5)) == "2021-03-05"


def test_sheet_of_no_kind_is_ignored_with_a_warning(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"IKM": IKM_ROWS, "Murid": [["learner_id"], ["x"]]})
    source = read_file(path)
    assert [t.sheet for t in source.tables] == ["IKM"]
    [warning] = source.warnings
    assert (warning.sheet, warning.severity) == ("Murid", "warning")
    assert warning.reason_in("en") == ("this sheet is not imported: neither its name nor its columns (learner_id) "
                                       "say what data it holds (notes and summaries are left as they are)")


def test_every_bad_sheet_is_named_at_once(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"IKM": IKM_ROWS, "Pelatihan": [["training_id", "title", "skill"]],
                                            "Kehadiran": [["ikm_id"]], "Catatan": [["dicek bu Sri"]]})
    found = problem(path)
    assert [(p.sheet, p.row, p.reason_in("en")) for p in found.all()] == [
        ("Pelatihan", 1, "missing required columns for trainings: end_date (it needs training_id, title, skill, "
                         "end_date); columns found: training_id, title, skill"),
        ("Kehadiran", 1, "missing required columns for attendance: training_id (it needs training_id, ikm_id); "
                         "columns found: ikm_id"),
        ("Catatan", None, "this sheet is not imported: neither its name nor its columns (dicek_bu_sri) say what "
                          "data it holds (notes and summaries are left as they are)"),
    ]
    assert [p.severity for p in found.all()] == ["error", "error", "warning"]


def test_workbook_without_a_recognised_sheet(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"Petunjuk": [["baca dulu"]], "Daftar": [["Bunulrejo"]]})
    assert "no sheet with data to import" in problem(path).reason_in("en")


def test_empty_workbook(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"ikm": [], "Sheet2": []})
    assert "file is empty" in problem(path).reason_in("en")


def test_single_sheet_takes_the_kind_argument(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"Sheet1": [["learner_id", "teacher_id", "skill", "date"]],
                                            "Sheet2": [], "Sheet3": []})
    table = only_table(read_file(path, kind="teachings"))
    assert (table.sheet, table.kind, table.rows) == ("Sheet1", "teachings", [])


def test_single_sheet_takes_the_kind_of_the_file_name(tmp_path):
    path = workbook(tmp_path, "kehadiran-2021.xlsx", {"Sheet1": [["training_id", "ikm_id"], ["T1", "A"]]})
    assert only_table(read_file(path)).kind == "attendance"


def test_single_unnamed_sheet_is_read_by_its_columns(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"Sheet1": [["training_id", "ikm_id"]]})
    assert only_table(read_file(path)).kind == "attendance"


def test_single_unnamed_sheet_without_a_kind_is_an_error(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"Sheet1": [["nama", "alamat"], ["Siti", "Jl. Mawar"]]})
    found = problem(path)
    assert found.sheet == "Sheet1" and found.reason_in("en").endswith("or pass --kind")
    assert found.reason_in("id", "web").endswith("pilih isinya di “Jenis berkas” lalu unggah lagi")


def test_list_sheet_named_after_a_kind_is_data(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"Daftar IKM": IKM_ROWS, "Daftar": [["Bunulrejo"]]})
    assert [t.kind for t in read_file(path).tables] == ["ikm"]


def test_hidden_helper_sheet_is_ignored(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"ikm": IKM_ROWS, "_kelurahan": [["Bunulrejo"]]},
                    hidden=("_kelurahan",))
    assert [t.sheet for t in read_file(path).tables] == ["ikm"]


def test_sheet_header_problems_name_the_sheet(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"ikm": [["ikm_id", "nama", "kelurahan"]], "tular": [["x"]]})
    found = problem(path)
    assert (found.sheet, found.row) == ("ikm", 1)
    assert "missing required columns for ikm: name (" in found.reason_in("en")
    assert [p.sheet for p in found.all()] == ["ikm", "tular"]  # the other bad sheet too
    assert found.text("en").startswith(f"{path}, sheet 'ikm', row 1: ")


def test_sheet_rows_keep_their_spreadsheet_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "attendance"
    sheet["A2"], sheet["B2"] = "training_id", "ikm_id"
    sheet["A3"], sheet["B3"] = "T1", "A"
    sheet["A6"], sheet["B6"] = "T1", "B"
    sheet["A7"] = "   "
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert [(r.line, r.values["ikm_id"]) for r in only_table(read_file(path)).rows] == [(3, "A"), (6, "B")]


def test_wrong_stored_dimension_does_not_lose_rows(tmp_path):
    good = workbook(tmp_path, "good.xlsx", {"attendance": [["training_id", "ikm_id"], ["T1", "A"], ["T1", "B"]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                assert b'<dimension ref="A1:B3" />' in data
                data = data.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1:A1" />')
            target.writestr(item, data)
    assert len(only_table(read_file(bad)).rows) == 2


def test_value_beyond_the_sheet_header_is_an_error(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"attendance": [["training_id", "ikm_id"], ["T1", "A", None, "x"]]})
    found = problem(path)
    assert (found.sheet, found.row, found.value) == ("attendance", 2, "x")
    assert "column D" in found.reason_in("en")


def test_formula_without_cached_value_reads_as_blank(tmp_path):
    # openpyxl stores no computed value; Excel would. data_only means we never see the formula.
    path = workbook(tmp_path, "data.xlsx", {"attendance": [["training_id", "ikm_id"], ["T1", "=A2"]]})
    assert only_table(read_file(path)).rows[0].values["ikm_id"] is None


def test_neutralised_values_round_trip_through_a_workbook(tmp_path):
    values = ["=HYPERLINK(\"http://x\")", "+62812", "-", "@me", "'=1", "biasa"]
    path = workbook(tmp_path, "data.xlsx", {"ikm": [["ikm_id", "name", "kelurahan"]]
                                            + [[f"A{i}", neutralise(v), "Bunulrejo"] for i, v in enumerate(values)]})
    assert [r.values["name"] for r in only_table(read_file(path)).rows] == values


def test_xlsx_progress_reports_rows(tmp_path):
    rows = [["training_id", "ikm_id"]] + [["T1", f"A{i}"] for i in range(2500)]
    path = workbook(tmp_path, "attendance.xlsx", {"attendance": rows})
    seen: list[int] = []
    read_file(path, progress=seen.append)
    assert seen == [1000, 2000, 2501]


def test_xlsm_is_read_like_xlsx(tmp_path):
    path = workbook(tmp_path, "data.xlsx", {"attendance": [["training_id", "ikm_id"], ["T1", "A"]]})
    macro = path.rename(tmp_path / "data.xlsm")
    assert only_table(read_file(macro)).kind == "attendance"


# ------------------------------------------------------------------ hostile workbooks
def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = zip_with(tmp_path / "bomb.xlsx", {
        "[Content_Types].xml": b"<Types/>",
        "xl/worksheets/sheet1.xml": b"<c>0</c>" * (4 * 1024 * 1024),  # 32 MB, compresses ~1000x
    })
    assert path.stat().st_size < 200_000
    found = problem(path)
    assert "xl/worksheets/sheet1.xml" in found.reason_in("en") and "zip bomb" in found.reason_in("en")


def test_workbook_unpacking_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    path = workbook(tmp_path, "ikm.xlsx", {"ikm": IKM_ROWS})
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 1024)
    assert "would unpack to" in problem(path).reason_in("en")


@pytest.mark.parametrize("content, hint", [
    (b"\x00\x01\x02garbage" * 10, "not a zip archive"),
    ("ikm_id,name,kelurahan\nA1,Siti,Bunulrejo\n".encode(), "give it the .csv extension"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel workbook (.xls) or a password-protected"),
])
def test_non_zip_xlsx_is_explained(tmp_path, content, hint):
    assert hint in problem(write(tmp_path, "ikm.xlsx", content)).reason_in("en")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = zip_with(tmp_path / "ikm.xlsx", {"hello.txt": b"hi"})
    assert "zip archive but not an Excel workbook" in problem(path).reason_in("en")


def test_entity_expansion_bomb_in_a_sheet_is_a_file_problem(tmp_path):
    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
    source = workbook(tmp_path, "source.xlsx", {"ikm": [["ikm_id", "name", "kelurahan"]]})
    path = tmp_path / "ikm.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode() + data.replace(b"<t>ikm_id</t>", b"<t>&lol9;</t>")
            bomb.writestr(item, data)
    assert "cannot read this workbook" in problem(path).reason_in("en")


def test_damaged_workbook_is_a_file_problem(tmp_path):
    path = zip_with(tmp_path / "ikm.xlsx", {"[Content_Types].xml": b"<not xml", "xl/workbook.xml": b"?"})
    assert "cannot read this workbook" in problem(path).reason_in("en")


# ------------------------------------------------------------------ properties
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_any_bytes_as_csv_read_or_raise_a_file_problem(tmp_path, content):
    path = write(tmp_path, "teachings.csv", content)
    try:
        source = read_file(path)
    except InvalidData as exc:
        assert isinstance(exc, FileProblem) and exc.reason_in("en")
    else:
        assert source.size == len(content)


csv_like_bytes = st.lists(st.sampled_from([
    b"learner_id", b"teacher_id", b"skill", b"date", b"note", b",", b";", b"\t", b'"', b"\r", b"\n",
    b"\r\n", b"A", b" ", b"'=", b"\xef\xbb\xbf", b"\xc3", b"\xa9", b"\x00", b"\xe2\x80", b"PK\x03\x04",
]), max_size=60).map(b"".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_like_bytes)
def test_csv_shaped_bytes_read_or_raise_a_file_problem(tmp_path, content):
    try:
        read_file(write(tmp_path, "teachings.csv", content))
    except FileProblem as exc:
        assert exc.reason_in("en")


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_any_bytes_as_xlsx_read_or_raise_a_file_problem(tmp_path, content):
    try:
        read_file(write(tmp_path, "data.xlsx", content))
    except FileProblem as exc:
        assert exc.reason_in("en")


@functools.cache
def real_workbook_bytes() -> bytes:
    # Built once: a workbook saved at another second differs, which hypothesis would call flaky.
    book = openpyxl.Workbook()
    book.active.title = "ikm"
    for row in IKM_ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_real_workbooks_read_or_raise_a_file_problem(tmp_path, data):
    original = real_workbook_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    damage = data.draw(st.binary(min_size=1, max_size=16))
    content = original[:position] + damage + original[position + len(damage):]
    try:
        read_file(write(tmp_path, "data.xlsx", content))
    except FileProblem as exc:
        assert exc.reason_in("en")


cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell_text, min_size=5, max_size=5), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       bom=st.booleans())
def test_any_table_written_as_csv_reads_back(tmp_path, rows, delimiter, quoting, bom):
    header = ["learner_id", "teacher_id", "skill", "date", "note"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerows([header, *rows])
    path = write(tmp_path, "teachings.csv", ("\ufeff" if bom else "") + buffer.getvalue())

    table = only_table(read_file(path))

    def expected(cell: str) -> str | None:
        return unneutralise(cell.strip()) if cell.strip() else None

    wanted = [Row(line, dict(zip(header, map(expected, row))))
              for line, row in enumerate(rows, start=2) if any(cell.strip() for cell in row)]
    assert table.columns == header
    assert table.rows == wanted


xlsx_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda text: text == text.strip() and not ILLEGAL_CHARACTERS_RE.search(text))


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(xlsx_text, min_size=1, max_size=6))
def test_neutralised_text_round_trips_through_xlsx(tmp_path, names):
    assume(all(name.strip() for name in names))
    path = workbook(tmp_path, "ikm.xlsx", {"ikm": [["ikm_id", "name", "kelurahan"]]
                                           + [[str(i), neutralise(n), "Bunulrejo"] for i, n in enumerate(names)]})
    assert [row.values["name"] for row in only_table(read_file(path)).rows] == names
