"""The in-line path for clean rows of big files gives exactly what row-by-row checking gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from benchmarks.import_throughput import generate
from tular.graph.gazetteer import Gazetteer
from tular.graph.readers import read_file
from tular.graph.skills import SkillVocabulary
from tular.graph.validate import Snapshot, Validated, Validator

MESSY = Path(__file__).parent / "data" / "messy"
TODAY = date(2026, 11, 23)


class RowByRow(Validator):
    fast_ikm = None
    fast_teachings = None


def outcome(validator: type[Validator], paths: list[Path]) -> tuple:
    tables = [t for path in paths for t in read_file(path).tables]
    checked: Validated = validator(Snapshot(Gazetteer.kota_malang(), SkillVocabulary.builtin(), TODAY)).run(tables)
    problems = [(str(p), p.severity) for p in checked.errors + checked.warnings]
    return checked.records, problems, checked.rows_read


def spoil(folder: Path) -> None:
    """Rows with something to report among clean ones, at the end of each big file."""
    with open(folder / "ikm.csv", "a", encoding="utf-8") as ikm:
        ikm.write("IKM0000001,Other Name,Dinoyo,,,P,,\n"          # conflicting duplicate
                  ",No Id,Dinoyo,,,,,\n"                          # missing id
                  "X1,Ani,Bunul Rejoo,,,,,\n"                     # unknown kelurahan
                  "X2,Ani,bunul rejo,,,Perempuan,812345678,\n"    # phone without its 0
                  "X3,Ani,Dinoyo,,,W,,2030-01-01\n"               # odd gender, future date
                  "X4,Ani,Dinoyo,,,l.,,31/02/2020\n")             # impossible date
    seen = (folder / "teachings.csv").read_text().splitlines()[1].split(",")[3]  # a date the fast path knows
    with open(folder / "teachings.csv", "a", encoding="utf-8") as teachings:
        teachings.write(f"X2,X2,batik,{seen},\n"                  # teaches themselves
                        f"X2,NOBODY,batik,{seen},\n"              # unknown teacher
                        f"NOBODY,X2,batik,{seen},\n"              # unknown learner
                        f",X2,batik,{seen},\n"                    # missing learner
                        f"X2,IKM0000001,menjahit,{seen},\n"       # unknown skill
                        "X2,IKM0000001,Membatik,2099-01-01,\n"    # future date
                        "X2,IKM0000001,Membatik,01/02/2021,\n")   # an alias, a day-first date


@pytest.mark.parametrize("kind", ["generated", "messy"])
def test_fast_path_and_row_by_row_agree(tmp_path: Path, kind: str):
    if kind == "messy":
        paths = sorted(MESSY.glob("*.csv"))
    else:
        generate(tmp_path, 400)
        spoil(tmp_path)
        paths = sorted(tmp_path.glob("*.csv"))
    fast = outcome(Validator, paths)
    assert fast == outcome(RowByRow, paths)
    assert fast[1]  # there was something to report


def test_a_small_batch_reads_only_the_ikm_it_names_and_says_the_same(store):
    """A few teachings and outcomes (what the API records one at a time): the snapshot holds
    only the IKM they name, and validation gives the same records and problems as against
    a snapshot of every IKM — unknown ids, a cycle, a repeat of a stored edge included."""
    from tular.graph.readers import COLUMNS, Row, Table
    from tular.graph.validate import validate

    from .factories import ikm, small_batik_program

    program = small_batik_program()
    store.write(program.model_copy(update={"ikm": [*program.ikm, ikm("e"), ikm("f")]}))
    rows = [{"learner_id": "e", "teacher_id": "c", "skill": "batik", "date": "2022-05-01"},
            {"learner_id": "s1", "teacher_id": "d", "skill": "batik", "date": "2022-06-01"},  # closes a cycle
            {"learner_id": "a", "teacher_id": "s1", "skill": "batik", "date": "2020-11-01"},  # stored earlier
            {"learner_id": "ghost", "teacher_id": "c", "skill": "batik", "date": "2022-05-01"}]
    tables = [Table("request", None, "teachings", list(COLUMNS["teachings"].known),
                    [Row(n, values) for n, values in enumerate(rows, start=2)]),
              Table("request", None, "outcomes", list(COLUMNS["outcomes"].known),
                    [Row(2, {"ikm_id": "e", "kind": "pameran", "date": "2023-01-01"}),
                     Row(3, {"ikm_id": "nobody", "kind": "pameran", "date": "2023-01-01"})])]
    scoped = Snapshot.of(store, TODAY, tables)
    assert sorted(scoped.ikm) == ["a", "c", "d", "e", "s1"]
    full = Snapshot.of(store, TODAY)
    assert len(full.ikm) == 9

    def said(snapshot: Snapshot) -> tuple:
        checked = validate(tables, snapshot)
        return checked.records, [(str(p), p.severity) for p in checked.errors + checked.warnings]

    records, problems = said(scoped)
    assert (records, problems) == said(full)
    assert any("unknown ikm_id" in text and "ghost" in text for text, _ in problems)
    assert any("unknown ikm_id" in text and "nobody" in text for text, _ in problems)
    assert any("cycle" in text for text, _ in problems)
