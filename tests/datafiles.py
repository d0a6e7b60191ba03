"""Records for the export, backup and check tests: awkward strings, several batches."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from tular.graph.io.export import read_records
from tular.graph.io.ingest import ImportReport, import_files
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Records, Skill
from tular.graph.store import GraphStore

TODAY = date(2026, 11, 23)
HYPERLINK = '=HYPERLINK("http://evil","x")'


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file as a field officer's spreadsheet would save it: values as typed, no ``'``."""
    path = folder / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(store: GraphStore, paths: list[Path]) -> ImportReport:
    report = import_files(store, paths, today=TODAY, who="petugas")
    assert report.ok, report.errors
    return report


def awkward_files(folder: Path) -> list[Path]:
    """One file per kind with values a spreadsheet would run, quote or mangle."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(folder, "ikm.csv", ["ikm_id", "name", "kelurahan", "kecamatan", "business_name", "sector",
                                      "gender", "phone", "joined_on"], [
            ["A-1", HYPERLINK, "Bunul Rejo", "Blimbing", "Batik \"Sekar\"; Arum, Malang", "fesyen", "P",
             "+62 811-1111-111", "2019-02-01"],
            ["=2+3", "@SUM(A1)", "Dinoyo", "", "line one\nline two", "-kuliner", "perempuan", "0811 2222 222", ""],
            ["'=quoted", "'=already neutral", "Ksatrian", "", "\u200fمتجر\u200f", "''+sector", "L", "", "01/03/2020"],
            ["B-2", "Émilie Þórsdóttir 😀", "oro oro dowo", "", "\t=tab", "\u202eevil", "", "", ""],
            ["C-3", "Sri Rahayu", "Bunulrejo", "", "", "", "", "+62 811 1111 111", ""],
        ]),
        write_csv(folder, "trainings.csv", ["training_id", "title", "skill", "start_date", "end_date",
                                            "organizer", "location", "budget_idr", "target_group"], [
            ["T-1", "Pelatihan =Batik=", "Membatik; kemasan", "2020-07-20", "2020-08-01", "+Diskopindag",
             "Aula, lt. 2", "Rp 45.000.000", "Ibu rumah tangga; satu per kelurahan"],
            ["T-2", "Barista", "barista", "", "15/09/2021", "", "", "", ""],
        ]),
        write_csv(folder, "attendance.csv", ["training_id", "ikm_id", "completed"], [
            ["T-1", "A-1", ""], ["T-1", "=2+3", "tidak"], ["T-2", "B-2", "ya"],
        ]),
        write_csv(folder, "teachings.csv", ["learner_id", "teacher_id", "skill", "date", "source", "note"], [
            ["=2+3", "A-1", "batik", "2020-10-01", "laporan, pendamping", "-"],
            ["'=quoted", "=2+3", "batik", "2021-01-15", "", "kata \"guru\"\nbaris dua"],
            ["'=quoted", "A-1", "kemasan", "2021-02-02", "@survei", ""],
            ["C-3", "B-2", "barista", "2022-03-03", "", "=1"],
        ]),
        write_csv(folder, "populations.csv", ["kelurahan", "kecamatan", "population"], [
            ["Bunulrejo", "Blimbing", "240"], ["Dinoyo", "", "310"],
        ]),
    ]


def add_references(store: GraphStore) -> None:
    """A custom skill and a kelurahan outside Kota Malang (what a restore or an operator adds)."""
    store.add_skill(Skill(skill_id="anyaman-bambu", name_id="Anyaman bambu", name_en="Bamboo weaving",
                          aliases=("anyaman",)))
    store.load_gazetteer(Gazetteer.from_csv_text("kecamatan,kelurahan,code,aliases\nBatu,Sisir,batu.sisir,Sisir Lor\n"))


def populate(store: GraphStore, folder: Path) -> Records:
    """Awkward records in two import batches (the second changes an IKM), a custom skill and
    a kelurahan outside Kota Malang; returns what the store then holds."""
    add_references(store)
    run_import(store, awkward_files(folder))
    second = folder / "second"
    second.mkdir()
    run_import(store, [
        write_csv(second, "ikm.csv", ["ikm_id", "name", "kelurahan", "phone"],
                  [["C-3", "Sri Rahayu", "Sisir", "0811 3333 333"], ["D-4", "Dwi", "Sisir", ""]]),
        write_csv(second, "teachings.csv", ["learner_id", "teacher_id", "skill", "date"],
                  [["D-4", "C-3", "anyaman", "2023-05-05"], ["D-4", "C-3", "kemasan", "2023-06-06"]]),
    ])
    return read_records(store)
