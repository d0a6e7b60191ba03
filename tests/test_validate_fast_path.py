"""Each kind is checked one way: rows with nothing to report are kept in-line, the others
read in full by the code that names problems. Kept in-line or read in full, a row gives the
same record: checking every row in full (the plain reading, held here as the reference)
gives exactly what the validator gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from benchmarks.import_throughput import generate
from tular.graph.io.readers import Table, read_file
from tular.graph.io.validation import Snapshot, Validated, Validator
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.skills import SkillVocabulary

MESSY = Path(__file__).parent / "data" / "messy"
TODAY = date(2026, 11, 23)


class RowByRow(Validator):
    """Every row read in full by ``explain_<kind>``, none kept in-line."""

    def every_row(self, table: Table, explain) -> None:
        for row in table.rows:
            self.explain(explain, table, row)

    def check_ikm(self, table: Table) -> None:
        self.every_row(table, self.explain_ikm)

    def check_trainings(self, table: Table) -> None:
        self.every_row(table, self.explain_trainings)

    def check_attendance(self, table: Table) -> None:
        self.every_row(table, self.explain_attendance)

    def check_teachings(self, table: Table) -> None:
        self.every_row(table, self.explain_teachings)

    def check_outcomes(self, table: Table) -> None:
        self.every_row(table, self.explain_outcomes)

    def check_populations(self, table: Table) -> None:
        self.every_row(table, self.explain_populations)


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
    with open(folder / "trainings.csv", "a", encoding="utf-8") as trainings:
        trainings.write("TR00000,Other,batik,2022-09-17,2022-09-19,Diskopindag Kota Malang,\n"  # conflicting duplicate
                        f",No Id,batik,,{seen},,\n"                       # missing id
                        f"TRX1,Kopi,barista,2099-01-05,{seen},,\n"        # starts after it ends
                        f"TRX2,Kopi,menjahit,,{seen},,\n"                 # unknown skill
                        f"TRX3,Kopi,Barista; batik,,{seen},,sepuluh juta\n"  # two skills, no amount
                        "TRX4,Kopi,barista,,2099-01-01,,\n"               # future
                        f"TRX5,Kopi Dua,barista; batik,,{seen},,Rp 1.000.000\n")  # nothing to report
    with open(folder / "attendance.csv", "a", encoding="utf-8") as attendance:
        attendance.write("TR00000,X2,ya\n"            # nothing to report
                         "TR00000,X2,\n"              # exact duplicate
                         "TR00000,X2,tidak\n"         # conflicting duplicate
                         "TR00000,X4,mungkin\n"       # no word for true or false
                         "NOPE,X2,ya\n"               # unknown training
                         "TR00000,NOBODY,ya\n"        # unknown IKM
                         ",IKM0000002,\n"             # missing training
                         "TRX5,IKM0000002,0\n")       # a training of this batch
    (folder / "outcomes.csv").write_text(
        "ikm_id,kind,date,skill,value,note,extra\n"
        + "".join(f"IKM00000{i:02},pameran,2023-03-01,batik,,,\n" for i in range(40))  # nothing to report
        + "IKM0000001,Jualan Online,2023-02-01,Membatik,,catatan,x\n"   # an alias of each; a column not used
        "IKM0000002,employees,2023-01-01,,1.200,,\n"                    # a head count with a separator
        "IKM0000002,employees,2023-01-02,,tiga,,\n"                     # not a number
        "IKM0000002,revenue_band,2023-01-01,,,,\n"                      # no value
        "IKM0000003,lomba,2023-01-01,,,,\n"                             # unknown kind
        "NOBODY,pameran,2023-01-01,,,,\n"                               # unknown IKM
        "IKM0000001,pameran,2023-03-01,batik,,,\n"                      # exact duplicate
        "IKM0000001,pameran,2023-03-01,batik,,lain,\n"                  # conflicting duplicate
        "IKM0000004,pameran,2099-01-01,,,,\n"                           # future
        "IKM0000004,pameran,2023-01-01,menjahit,,,\n", encoding="utf-8")  # unknown skill
    (folder / "populations.csv").write_text(
        "kelurahan,population,kecamatan\n"
        "Dinoyo,120,\nBunul Rejo,1.200,Blimbing\nDinoyo,120,\n"      # the third an exact duplicate
        "Dinoyo,130,\nBunul Rejoo,5,\nSumbersari,banyak,\nKesatrian,,\n", encoding="utf-8")


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
    from tular.graph.io.readers import COLUMNS, Row, Table
    from tular.graph.io.validation import validate

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
        return checked.records, [(p.text("en"), p.severity) for p in checked.errors + checked.warnings]

    records, problems = said(scoped)
    assert (records, problems) == said(full)
    assert any("unknown ikm_id" in text and "ghost" in text for text, _ in problems)
    assert any("unknown ikm_id" in text and "nobody" in text for text, _ in problems)
    assert any("cycle" in text for text, _ in problems)


def _learning_order_reference(snapshot: Snapshot, trainings: dict, attended: list, teachings: list) -> set:
    """The rule of SPEC §4 written plainly, one dict per skill: (row, message id, values) of each
    warning "dated before the teacher learned" and "learner is also a trainee"."""
    found = set()
    first: dict = {}
    for record, line in teachings:  # one edge per key, its earliest date (as the import keeps)
        key = (record.learner_id, record.teacher_id, record.skill)
        if key not in first or record.date < first[key][0].date:
            first[key] = (record, line)
    for skill in {record.skill for record, _ in first.values()}:
        trained: dict = {}
        for a in attended:
            training = trainings.get(a.training_id)
            if a.completed and training is not None and skill in training.skills:
                if a.ikm_id not in trained or training.end_date < trained[a.ikm_id]:
                    trained[a.ikm_id] = training.end_date
        learned = dict(trained)
        new = [(r, line) for r, line in first.values() if r.skill == skill]
        for t in [*(t for t in snapshot.teachings if t.skill == skill), *(r for r, _ in new)]:
            if t.learner_id not in learned or t.date < learned[t.learner_id]:
                learned[t.learner_id] = t.date
        for record, line in new:
            if record.teacher_id in learned and record.date < learned[record.teacher_id]:
                found.add((line, "problem.before_teacher_learned",
                           (record.teacher_id, skill, learned[record.teacher_id])))
            if record.learner_id in trained:
                found.add((line, "problem.learner_is_trainee", (record.learner_id, skill)))
    return found


@pytest.mark.parametrize("seed", range(12))
def test_learning_order_on_arrays_agrees_with_the_plain_rule(seed: int):
    """The learning-order warnings, computed on arrays across skills, stored edges first,
    against the rule written plainly — random graphs of three skills with stored edges,
    stored and new trainings, repeated edges with other dates."""
    import random
    from datetime import timedelta

    from tular.graph.io.readers import COLUMNS, Row, Table
    from tular.graph.model.records import Attendance, Teaching

    from .factories import ikm, training

    rng = random.Random(seed)
    people = [f"P{i}" for i in range(40)]
    skills = ["batik", "barista", "kemasan"]
    day = lambda: date(2020, 5, 20) + timedelta(days=rng.randrange(25))  # noqa: E731 (few days: many ties)
    stored_trainings = {"T1": training("T1", "2020-06-01", "batik"), "T2": training("T2", "2020-05-25", "barista")}
    stored_edges = []
    for _ in range(30):  # a DAG per skill: a lower number teaches a higher one
        a, b = sorted(rng.sample(range(40), 2))
        stored_edges.append(Teaching(learner_id=people[b], teacher_id=people[a], skill=rng.choice(skills), date=day()))
    snapshot = Snapshot(Gazetteer.kota_malang(), SkillVocabulary.builtin(), TODAY, ikm={p: ikm(p) for p in people},
                        trainings=stored_trainings,
                        attendance=[Attendance(training_id=rng.choice(["T1", "T2"]), ikm_id=p, completed=rng.random() < .8)
                                    for p in rng.sample(people, 10)],
                        teachings=stored_edges)
    rows = []
    for _ in range(60):
        a, b = sorted(rng.sample(range(40), 2))
        rows.append({"learner_id": people[b], "teacher_id": people[a], "skill": rng.choice(skills),
                     "date": day().isoformat()})
    rows += [dict(r, date=day().isoformat()) for r in rng.sample(rows, 8)]  # the same edges, other dates
    trainings_rows = [{"training_id": "T3", "title": "Kopi", "skill": "barista", "end_date": "2020-06-05"}]
    attendance_rows = [{"training_id": "T3", "ikm_id": p} for p in rng.sample(people, 6)]

    def table(kind: str, data: list[dict]) -> Table:
        columns = list(COLUMNS[kind].known)
        return Table("batch.csv" if kind == "teachings" else f"{kind}.csv", None, kind, columns,
                     [Row(line, {c: r.get(c) for c in columns}) for line, r in enumerate(data, 2)])

    checked = Validator(snapshot).run([table("teachings", rows), table("trainings", trainings_rows),
                                       table("attendance", attendance_rows)])
    assert not checked.errors
    got = {(p.row, p.code, (p.params["teacher"], p.params["skill"], p.params["learned"])
            if p.code == "problem.before_teacher_learned" else (p.params["learner"], p.params["skill"]))
           for p in checked.warnings if p.code in ("problem.before_teacher_learned", "problem.learner_is_trainee")}
    all_trainings = {**stored_trainings, "T3": checked.records.trainings[0]}
    attended = [*snapshot.attendance, *checked.records.attendance]
    teachings = [(r, line) for line, r in enumerate(
        [Teaching(learner_id=r["learner_id"], teacher_id=r["teacher_id"], skill=r["skill"],
                  date=date.fromisoformat(r["date"])) for r in rows], 2)]
    expected = _learning_order_reference(snapshot, all_trainings, attended, teachings)
    assert got == expected and expected  # and the rule had something to say


def test_doctests_pass():
    import doctest

    from tular.graph.io import validation

    assert doctest.testmod(validation).failed == 0
