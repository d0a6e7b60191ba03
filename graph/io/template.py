"""The empty workbook field officers fill in (``tular template``, SPEC §4).

One sheet per kind with the header row (required columns bold on a coloured fill, every
header with a note saying what goes in it), a ``Petunjuk`` sheet of instructions in
Indonesian, and a hidden ``Daftar`` sheet whose lists feed the drop-downs for kelurahan,
kecamatan, skills, ``completed`` and gender. Ids and phone numbers are text columns, so a
leading 0 survives; dates show as ``2021-03-05``.

The readers skip ``Petunjuk`` and ``Daftar``, so the file imports as it is (nothing), and
with whatever rows are filled in.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tular.graph.io.export import COMPLETED_WORDS, SHEET_COLUMNS
from tular.graph.io.files import save_workbook
from tular.graph.io.readers import COLUMNS
from tular.graph.model.catalogue import N_
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import KINDS, OUTCOME_KINDS, Skill

INSTRUCTIONS_SHEET = "Petunjuk"
LISTS_SHEET = "Daftar"
#: Rows that get drop-downs and formats (the header is row 1).
LAST_ROW = 1_048_576
_REQUIRED_FILL = PatternFill("solid", fgColor="FFE699")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_AUTHOR = "tular"

#: What goes in each column, in Indonesian (shown as the header's note and in Petunjuk).
COLUMN_HELP: dict[str, dict[str, str]] = {
    "ikm": {
        "ikm_id": "Kode tetap IKM, mis. IKM-00231. Sama di semua lembar dan semua impor.",
        "name": "Nama pemilik / pelaku usaha.",
        "kelurahan": "Pilih dari daftar.",
        "kecamatan": "Pilih dari daftar (boleh kosong; perlu bila nama kelurahan ada di dua kecamatan).",
        "business_name": "Nama usaha.",
        "sector": "Sektor usaha, mis. kuliner, fesyen, kerajinan.",
        "gender": "P (perempuan) atau L (laki-laki).",
        "phone": "Nomor telepon/WA sebagai teks, mis. 081234567890. Data pribadi (UU 27/2022).",
        "joined_on": "Tanggal terdaftar, mis. 2021-03-05 atau 05/03/2021.",
    },
    "trainings": {
        "training_id": "Kode tetap pelatihan, mis. TR-2021-BARISTA.",
        "title": "Judul pelatihan.",
        "skill": "Pilih dari daftar. Beberapa skill: pisahkan dengan koma, mis. batik, kemasan.",
        "start_date": "Tanggal mulai (boleh kosong).",
        "end_date": "Tanggal selesai, mis. 2021-09-17.",
        "organizer": "Penyelenggara.",
        "location": "Tempat.",
        "budget_idr": "Anggaran dalam rupiah, mis. 45000000.",
        "target_group": "Sasaran peserta.",
    },
    "attendance": {
        "training_id": "Kode pelatihan (lembar trainings atau yang sudah ada).",
        "ikm_id": "Kode IKM peserta.",
        "completed": "ya = menyelesaikan pelatihan, tidak = tidak selesai. Kosong berarti ya.",
    },
    "teachings": {
        "learner_id": "Kode IKM yang BELAJAR.",
        "teacher_id": "Kode IKM yang MENGAJAR.",
        "skill": "Pilih dari daftar.",
        "date": "Tanggal belajar, mis. 2021-03-05. Tidak boleh di masa depan.",
        "source": "Sumber informasi, mis. laporan pendamping.",
        "note": "Catatan.",
        "submission_id": "Diisi oleh impor kiriman ODK Collect/KoboCollect (kode kiriman uuid:…); biarkan kosong.",
    },
    "outcomes": {
        "ikm_id": "Kode IKM yang mencapai hasil ini.",
        "kind": "Pilih dari daftar: pameran, marketplace (jualan online), first_sale (penjualan pertama), "
                "certification (PIRT, halal, HKI), employees (jumlah karyawan), revenue_band (kelompok omzet).",
        "skill": "Pilih dari daftar bila hasil ini karena satu skill; kosong = berlaku untuk semua skill.",
        "date": "Tanggal hasil, mis. 2022-08-17. Tidak boleh di masa depan.",
        "value": "employees: jumlah orang (angka bulat, wajib); revenue_band: kelompok omzet (wajib); "
                 "certification: jenisnya, mis. PIRT.",
        "note": "Catatan.",
    },
    "populations": {
        "kelurahan": "Pilih dari daftar.",
        "kecamatan": "Pilih dari daftar (boleh kosong).",
        "population": "Jumlah IKM di kelurahan itu (untuk cakupan).",
    },
}

SHEET_HELP: dict[str, str] = {
    "ikm": "Satu baris per IKM (usaha dan pemiliknya).",
    "trainings": "Satu baris per pelatihan dari dinas.",
    "attendance": "Satu baris per peserta per pelatihan.",
    "teachings": "Satu baris per peristiwa menularkan ilmu: learner_id belajar skill dari teacher_id pada date.",
    "outcomes": "Satu baris per hasil usaha: pameran, jualan online, penjualan pertama, sertifikat, karyawan, omzet.",
    "populations": "Jumlah IKM per kelurahan (boleh dilewati).",
}

INSTRUCTIONS: tuple[str, ...] = (
    "Petunjuk pengisian — tular",
    "",
    "1. Isi satu lembar per jenis data: ikm, trainings (pelatihan), attendance (kehadiran), teachings "
    "(siapa belajar dari siapa), outcomes (hasil usaha) dan populations (jumlah IKM per kelurahan). "
    "Lembar yang tidak dipakai biarkan kosong.",
    "2. Jangan ubah, hapus atau pindahkan baris judul (baris 1). Kolom berwarna kuning dengan huruf tebal "
    "wajib diisi; kolom biru boleh kosong. Arahkan kursor ke judul kolom untuk melihat keterangannya.",
    "3. ikm_id dan training_id adalah kode tetap: pakai kode yang sama di semua lembar dan di impor berikutnya.",
    "4. Kelurahan, kecamatan, skill, gender dan completed dipilih dari daftar (klik sel, lalu panah di kanannya).",
    "5. Tanggal ditulis 2021-03-05 atau 05/03/2021 (hari dulu, lalu bulan). Tanggal di masa depan ditolak.",
    "6. teachings: learner_id = yang belajar, teacher_id = yang mengajar. Jangan sampai tertukar.",
    "7. Nomor telepon adalah data pribadi (UU 27/2022): simpan dan kirim berkas ini dengan aman.",
    "8. Setelah diisi, impor dengan: tular import NAMA_BERKAS.xlsx  (periksa dulu dengan --dry-run). "
    "Satu impor masuk seluruhnya atau tidak sama sekali; setiap kesalahan disebut dengan lembar, baris dan kolomnya.",
    "",
    "English: fill in one sheet per kind, keep the header row, yellow bold columns are required; pick kelurahan, "
    "skill and completed from the drop-down lists; then run `tular import FILE.xlsx` (try --dry-run first).",
)

#: Widths (in characters) of columns that hold more than a word.
_WIDTHS = {"kind": 16, "value": 16,  # outcomes
           "name": 28, "business_name": 28, "title": 40, "organizer": 30, "location": 30, "target_group": 34,
           "note": 40, "source": 26, "kelurahan": 22, "kecamatan": 18, "skill": 22, "phone": 18}
_TEXT_COLUMNS = {"ikm_id", "training_id", "learner_id", "teacher_id", "phone"}
_DATE_COLUMNS = {"joined_on", "start_date", "end_date", "date"}


def _lists(gazetteer: Gazetteer, skills: list[Skill]) -> dict[str, list[str]]:
    """The drop-down lists, one column of the ``Daftar`` sheet each."""
    kelurahan = sorted({k.name for k in gazetteer.kelurahan_list}, key=str.casefold)
    return {
        "kelurahan": kelurahan,
        "kecamatan": [k.name for k in gazetteer.kecamatan_list],
        "skill": sorted(s.skill_id for s in skills),
        "completed": [COMPLETED_WORDS[True], COMPLETED_WORDS[False]],
        "gender": ["P", "L"],
        "kind": list(OUTCOME_KINDS),
    }


def _list_sheet(workbook: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """Write the hidden lists sheet; returns each list's range formula."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=value)
        sheet.column_dimensions[letter].width = max(12, max(len(v) for v in values) + 2)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _validation(formula: str, column: str, strict: bool) -> DataValidation:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                                showErrorMessage=True, errorStyle="stop" if strict else "warning")
    validation.errorTitle = "Tidak ada di daftar"
    validation.error = ("Pilih dari daftar. " if strict else "Nilai ini tidak ada di daftar; tetap dipakai? ") + (
        "Not in the list." if strict else "Not in the list; keep it?")
    validation.promptTitle = column
    return validation


def _data_sheet(workbook: Workbook, kind: str, ranges: dict[str, str]) -> Worksheet:
    sheet = workbook.create_sheet(kind)
    required = set(COLUMNS[kind].required)
    for index, column in enumerate(SHEET_COLUMNS[kind], start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column)
        is_required = column in required
        cell.font = Font(bold=is_required)
        cell.fill = _REQUIRED_FILL if is_required else _OPTIONAL_FILL
        cell.alignment = Alignment(vertical="center")
        label = "WAJIB / required" if is_required else "boleh kosong / optional"
        comment = Comment(f"{label}\n{COLUMN_HELP[kind][column]}", _AUTHOR)
        comment.width, comment.height = 260, 110
        cell.comment = comment
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(_WIDTHS.get(column, 14), len(column) + 4)
        # Column formats apply to what is typed later: text keeps 0811… and 007 as typed.
        if column in _TEXT_COLUMNS:
            dimension.number_format = "@"
        elif column in _DATE_COLUMNS:
            dimension.number_format = "yyyy-mm-dd"
        if column in ranges:
            # Several skills may share a training's cell, and gender is stored as written: those only warn.
            strict = not (kind == "trainings" and column == "skill") and column != "gender"
            validation = _validation(ranges[column], column, strict)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
    sheet.freeze_panes = "A2"
    return sheet


def _instructions_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    widths = (16, 18, 20, 80)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    line_chars = sum(widths) - 6
    for row, text in enumerate(INSTRUCTIONS, start=1):
        # Excel does not fit the height of merged cells itself: set it from the text's length.
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = wrap
        sheet.row_dimensions[row].height = 15 * max(1, -(-len(text) // line_chars))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 20
    start = len(INSTRUCTIONS) + 2
    for column, text in enumerate(("Lembar / sheet", "Kolom / column", "Wajib? / required?", "Keterangan"), start=1):
        sheet.cell(row=start, column=column, value=text).font = Font(bold=True)
    row = start + 1
    for kind in KINDS:
        sheet.cell(row=row, column=1, value=kind).font = Font(bold=True)
        sheet.cell(row=row, column=4, value=SHEET_HELP[kind]).alignment = wrap
        row += 1
        for column in SHEET_COLUMNS[kind]:
            sheet.cell(row=row, column=2, value=column)
            sheet.cell(row=row, column=3, value="wajib" if column in COLUMNS[kind].required else "")
            sheet.cell(row=row, column=4, value=COLUMN_HELP[kind][column]).alignment = wrap
            row += 1


def template_workbook(gazetteer: Gazetteer, skills: list[Skill]) -> Workbook:
    """The template as an openpyxl workbook: Petunjuk, the six kinds, hidden Daftar."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _instructions_sheet(workbook)
    ranges = _list_sheet(workbook, _lists(gazetteer, skills))
    for kind in KINDS:
        _data_sheet(workbook, kind, ranges)
    # Daftar last: it is hidden, and Petunjuk (first) is what opens.
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames) - 1 - workbook.sheetnames.index(LISTS_SHEET))
    workbook.active = 0
    return workbook


def write_template(path: str | os.PathLike[str], gazetteer: Gazetteer, skills: list[Skill]) -> Path:
    """Write the template to ``path`` (an ``.xlsx`` file)."""
    return save_workbook(path, template_workbook(gazetteer, skills), N_("files.what_template"))
