"""A big CSV file is read column by column and its IKM and teachings checked as array
operations (graph/io/columns.py, graph/io/validation_columns.py). Read so or row by row —
the reference, as every smaller file and every workbook is still read — the same files give
the same problems (code, values, file, row, column) and the same records, and imported, the
same stored content: on the messy and hostile files, on a generated batch with every kind of
problem added, against an empty store and against one that holds data already."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from benchmarks.import_throughput import generate
from tular.graph.io.columns import ColumnRows
from tular.graph.io.ingest import import_tables
from tular.graph.io.readers import FileProblem, read_file
from tular.graph.io.tables import plain
from tular.graph.io.validation import Snapshot, validate
from tular.graph.model.records import BatchMeta
from tular.graph.store import EmbeddedStore

from .test_validate_fast_path import spoil

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 23)
ROW_BY_ROW = 1 << 40  # no file is this big: every one read row by row
COLUMNS = 0  # every plain CSV file read as columns


def tables_of(paths: list[Path], column_min_bytes: int) -> tuple[list, list]:
    """The tables read from ``paths``, and the problems that kept files from being read."""
    tables, refused = [], []
    for path in paths:
        try:
            tables.extend(read_file(path, column_min_bytes=column_min_bytes).tables)
        except FileProblem as problem:
            refused.append(described(problem))
    return tables, refused


def described(problem: FileProblem) -> tuple:
    return (problem.file, problem.sheet, problem.row, problem.column, problem.value, problem.code,
            plain(problem.params), problem.severity)


def outcome(paths: list[Path], store: EmbeddedStore, column_min_bytes: int) -> tuple:
    tables, refused = tables_of(paths, column_min_bytes)
    checked = validate(tables, Snapshot.of(store, TODAY, tables))
    records = {kind: list(getattr(checked.records, kind)) for kind in
               ("ikm", "trainings", "attendance", "teachings", "outcomes", "populations")}
    return ([described(p) for p in checked.errors], [described(p) for p in checked.warnings], refused, records,
            checked.rows_read)


def as_columns(paths: list[Path]) -> set[str]:
    """The kinds of ``paths`` that the column reader reads (the others go row by row)."""
    tables, _ = tables_of(paths, COLUMNS)
    return {t.kind for t in tables if isinstance(t.rows, ColumnRows)}


def new_store(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.init_schema()
    return store


def append(path: Path, rows: list[str]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write("".join(row + "\n" for row in rows))


def trainee(folder: Path) -> tuple[str, str]:
    """An IKM that completed a training of this batch, and the training's skill."""
    with open(folder / "trainings.csv", encoding="utf-8") as handle:
        skills = {row["training_id"]: row["skill"] for row in csv.DictReader(handle)}
    with open(folder / "attendance.csv", encoding="utf-8") as handle:
        done = next(row for row in csv.DictReader(handle) if row["completed"] == "ya")
    return done["ikm_id"], skills[done["training_id"]]


def problems_added(folder: Path, errors: bool = True) -> None:
    """What the column checks must tell as the row checks do, beyond :func:`spoil`: cells with
    spaces and formulas, blank rows, names and phones with other than ASCII, probable
    duplicate persons, repeated teachings, the order of learning, a trainee taught, a cycle."""
    learner, skill = trainee(folder)
    append(folder / "ikm.csv", [
        "  IKM9000001 ,  Ibu  Sri Rahayu ,Dinoyo,,,P,081299990001,2020-01-01",
        "IKM9000002,'=1+2,Dinoyo,,,,,",
        ",,,,,,,",
        "IKM9000003,Bu Sri Rahayu,Dinoyo,,,,081299990001,",
        "IKM9000004,Śrí Ráhayu,dinoyo,,,perempuan,+62 812-9999-0001,",
        "IKM9000005,Ani Ñ,Dinoyo,,,,٠٨١٢٣٤٥٦٧٨٩,",
        "IKM9000006,Ani\u00a0,Bunul Rejo,,,L,812999900001,2021-01-01",
        "IKM9000007,Sri Rahayu,Dinoyo,,,,,2021-01-01",
    ])
    teachings = [
        "IKM9000004,IKM9000006,batik,2020-01-01,survei",     # before the teacher learned
        "IKM9000006,IKM0000001,batik,2021-06-01,",
        "IKM9000004,IKM9000006,batik,2020-03-01,survei",     # again, another date
        "IKM9000004,IKM9000006,batik,2020-01-01,wawancara",  # again, the same date
        "IKM9000004,IKM9000006,batik,2020-01-01,survei",     # exact repeat
        "IKM9000004,IKM9000006,batik,2019-06-01,",           # again, earlier: this row is the one kept
        f"{learner},IKM9000007,{skill},2022-12-01,",         # a trainee taught
        "  IKM9000002 ,IKM9000007,Membatik,01/02/2021,",
    ]
    if errors:
        teachings += ["IKM9000001,IKM9000003,batik,2021-01-01,",  # a cycle
                      "IKM9000003,IKM9000001,batik,2021-02-01,"]
    append(folder / "teachings.csv", teachings)


def stored_content(store: EmbeddedStore) -> tuple:
    return (sorted(store.all_ikm(), key=lambda r: r.ikm_id),
            sorted(store.all_teachings(), key=lambda r: (r.learner_id, r.teacher_id, r.skill)),
            sorted(store.all_attendance(), key=lambda r: (r.training_id, r.ikm_id)),
            sorted(store.trainings(), key=lambda r: r.training_id), store.counts())


@pytest.mark.parametrize("folder", ["messy", "messy/cascade", *(f"hostile/{case.name}" for case in
                                                                 sorted((DATA / "hostile").iterdir()))])
def test_the_shipped_files_give_the_same_problems_and_records(tmp_path: Path, folder: str):
    paths = sorted(p for p in (DATA / folder).iterdir() if p.is_file())
    store = new_store(tmp_path / "tular.db")
    assert outcome(paths, store, COLUMNS) == outcome(paths, store, ROW_BY_ROW)


def test_a_file_the_column_reader_cannot_read_exactly_is_read_row_by_row():
    """Quotes, a NUL byte, bytes that are not UTF-8: the row reader reads them and says what is wrong."""
    assert "ikm" not in as_columns([DATA / "messy" / "ikm.csv"])  # quoted values
    for case in ("nul-byte", "broken-utf8", "unclosed-quote"):
        with pytest.raises(FileProblem) as by_columns:
            read_file(DATA / "hostile" / case / "ikm.csv", column_min_bytes=COLUMNS)
        with pytest.raises(FileProblem) as by_rows:
            read_file(DATA / "hostile" / case / "ikm.csv", column_min_bytes=ROW_BY_ROW)
        assert described(by_columns.value) == described(by_rows.value)


@pytest.mark.parametrize("stored", [False, True], ids=["empty-store", "store-with-data"])
def test_a_generated_batch_with_every_problem_gives_the_same_problems_and_records(tmp_path: Path, stored: bool):
    folder = tmp_path / "batch"
    generate(folder, 400)
    spoil(folder)
    problems_added(folder)
    paths = sorted(folder.glob("*.csv"))
    store = new_store(tmp_path / "tular.db")
    if stored:  # some of the same IKM and teachings stored already, one IKM erased
        earlier = tmp_path / "earlier"
        generate(earlier, 120, seed=7)
        report = import_tables(store, [t for p in sorted(earlier.glob("*.csv")) for t in read_file(p).tables],
                               today=TODAY, who="test")
        assert report.ok, report.errors[:3]
        store.forget("IKM0000005", BatchMeta(who="test"))
        append(folder / "ikm.csv", ["IKM0000005,Nama Baru,Dinoyo,,,,,"])
        first, second = store.all_teachings()[:2]
        append(folder / "teachings.csv", [f"{first.learner_id},{first.teacher_id},{first.skill},2024-01-01,",
                                          f"{second.learner_id},{second.teacher_id},{second.skill},"
                                          f"{second.date.isoformat()},"])
    assert {"ikm", "teachings"} <= as_columns(paths)
    by_columns = outcome(paths, store, COLUMNS)
    by_rows = outcome(paths, store, ROW_BY_ROW)
    assert by_columns[0] == by_rows[0] and by_columns[1] == by_rows[1]  # errors, warnings
    assert by_columns == by_rows
    codes = {p[5] for p in by_rows[0] + by_rows[1]}
    assert {"problem.cycle", "problem.same_name", "problem.same_phone", "problem.exact_duplicate",
            "problem.teaching_again", "problem.teaching_other_date", "problem.before_teacher_learned",
            "problem.learner_is_trainee", "problem.phone_lost_zero", "problem.unknown_area_suggest"} <= codes
    if stored:
        assert {"problem.erased_data_back", "problem.stored_other_date"} <= codes


@pytest.mark.parametrize("stored", [False, True], ids=["empty-store", "store-with-data"])
def test_imported_as_columns_or_row_by_row_the_store_holds_the_same(tmp_path: Path, stored: bool):
    folder = tmp_path / "batch"
    generate(folder, 500)
    problems_added(folder, errors=False)
    paths = sorted(folder.glob("*.csv"))
    assert {"ikm", "teachings"} <= as_columns(paths)
    results = []
    for how, limit in (("columns", COLUMNS), ("rows", ROW_BY_ROW)):
        store = new_store(tmp_path / f"{how}.db")
        if stored:
            earlier = tmp_path / f"earlier-{how}"
            generate(earlier, 150, seed=7)
            assert import_tables(store, [t for p in sorted(earlier.glob("*.csv")) for t in read_file(p).tables],
                                 today=TODAY, who="test").ok
        tables, refused = tables_of(paths, limit)
        assert not refused
        report = import_tables(store, tables, today=TODAY, who="test", lang="en")
        assert report.ok, report.errors[:3]
        results.append((report.model_dump(exclude={"batch_id"}), stored_content(store)))
        store.close()
    assert results[0] == results[1]
    assert results[0][0]["warning_count"] > 0


def test_records_held_as_columns_are_written_by_either_store(tmp_path: Path, store):
    """The records of a column table reach the store as columns: the embedded store writes
    them as they are, Neo4j sends them from the columns too; both hold what a row-by-row import
    holds, and importing the same files again changes nothing."""
    folder = tmp_path / "batch"
    generate(folder, 300)
    problems_added(folder, errors=False)
    paths = sorted(folder.glob("*.csv"))
    reference = new_store(tmp_path / "rows.db")
    assert import_tables(reference, tables_of(paths, ROW_BY_ROW)[0], today=TODAY, who="test").ok
    tables = tables_of(paths, COLUMNS)[0]
    assert {t.kind for t in tables if isinstance(t.rows, ColumnRows)} == {"ikm", "teachings", "trainings",
                                                                          "attendance"}
    first = import_tables(store, tables, today=TODAY, who="test")
    assert first.ok and sum(k.created for k in first.kinds) > 0
    assert stored_content(store) == stored_content(reference)
    again = import_tables(store, tables_of(paths, COLUMNS)[0], today=TODAY, who="test")
    assert again.ok and sum(k.created + k.updated for k in again.kinds) == 0
    assert sum(k.unchanged for k in again.kinds) == sum(k.created for k in first.kinds)
