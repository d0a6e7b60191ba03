"""Importing files as one batch (SPEC §4), on both stores."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tular.graph.io.ingest import ImportReport, import_files
from tular.graph.store import GraphStore

from .skill_graph import edges

MESSY = Path(__file__).parent / "data" / "messy"
TODAY = date(2026, 11, 23)


def run(store: GraphStore, *paths: Path, dry_run: bool = False, kind: str | None = None,
        lang: str = "en") -> ImportReport:
    """The import of ``paths``, its problems told in ``lang`` (English: the texts asserted below)."""
    return import_files(store, list(paths), today=TODAY, who="petugas", dry_run=dry_run, kind=kind, lang=lang)


def problems(report: ImportReport, level: str) -> list[tuple[str, int | None, str | None, str]]:
    found = report.errors if level == "error" else report.warnings
    return [(Path(p["file"]).name, p["row"], p["column"], p["reason"]) for p in found]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    folder = tmp_path / "messy"
    shutil.copytree(MESSY, folder)
    return folder


# ------------------------------------------------------------ the messy files
def test_messy_files_are_rejected_with_the_exact_report_and_nothing_written(store: GraphStore, messy: Path):
    before = store.counts()
    report = run(store, *sorted(messy.glob("*.csv")))
    assert not report.ok and report.batch_id is None
    assert problems(report, "error") == [(
        "teachings.csv", 9, "teacher_id",
        "this teaching would close a cycle for skill batik (M-005 teaches M-004 teaches M-005); a skill cannot "
        "come back to someone who taught it — are the learner_id and teacher_id columns swapped?",
    )]
    assert [(f, r, c) for f, r, c, _ in problems(report, "warning")] == [
        ("ikm.csv", None, None),            # column catatan is not stored
        ("ikm.csv", 2, "name"),             # Ibu Sri Rahayu = Sri Rahayu (M-005), same kelurahan
        ("ikm.csv", 5, "phone"),            # same phone as M-007
        ("ikm.csv", 6, "name"),
        ("ikm.csv", 8, "ikm_id"),           # exact duplicate of row 7
        ("ikm.csv", 9, "phone"),
        ("teachings.csv", 5, "learner_id"),  # exact duplicate row
        ("teachings.csv", 6, "date"),       # taught before the teacher finished training
        ("teachings.csv", 8, "date"),       # same edge, another date: the earliest is kept
    ]
    assert {k.kind: (k.read, k.errors, k.warnings) for k in report.kinds} == {
        "ikm": (9, 0, 6), "trainings": (2, 0, 0), "attendance": (4, 0, 0), "teachings": (8, 1, 3),
    }
    assert store.counts() == before and store.batches() == []


def test_fixed_messy_files_import_with_warnings_whatever_the_order(store: GraphStore, messy: Path):
    teachings = messy / "teachings.csv"
    teachings.write_text("\n".join(teachings.read_text().splitlines()[:-1]) + "\n")  # drop the swapped row
    report = run(store, teachings, messy / "attendance.csv", messy / "ikm.csv", messy / "Pelatihan.csv")
    assert report.ok, report.errors
    assert report.warning_count == 9  # the same warnings as before; the swapped row had none of its own
    created = {k.kind: k.created for k in report.kinds}
    assert created == {"ikm": 8, "trainings": 2, "attendance": 4, "teachings": 5}
    counts = store.counts()
    assert (counts.ikm, counts.trainings, counts.attendance, counts.teachings) == (8, 2, 4, 5)
    # forgiving names resolved, values parsed
    assert store.get_ikm("M-001").kelurahan_code == "blimbing.bunulrejo"
    assert store.get_ikm("M-003").kelurahan_code == "blimbing.kesatrian"
    assert store.get_ikm("M-006").kelurahan_code == "klojen.oro-oro-dowo"
    assert store.get_ikm("M-002").gender == "P" and store.get_ikm("M-002").joined_on == date(2019, 3, 1)
    assert store.get_ikm("M-008").name == '=HYPERLINK("http://x","klik")'
    trainings = {t.training_id: t for t in store.trainings()}
    assert trainings["T-BATIK-20"].budget_idr == 45_000_000 and trainings["T-BATIK-20"].skills == ("batik",)
    assert trainings["T-KOPI-21"].end_date == date(2021, 9, 16)  # Excel serial 44455
    assert edges(store, "barista")["M-006", "M-008"] == date(2021, 11, 11)  # the earlier of the two dates
    [taught] = [t for t in store.all_teachings() if (t.teacher_id, t.learner_id, t.skill) == ("M-004", "M-005", "batik")]
    assert taught.note == "pameran 2022"
    [batch] = store.batches()
    assert batch.batch_id == report.batch_id and len(batch.files) == 4 and batch.who == "petugas"
    assert all(len(f.checksum) == 64 for f in batch.files)

    # importing the same files again changes nothing
    again = run(store, teachings, messy / "attendance.csv", messy / "ikm.csv", messy / "Pelatihan.csv")
    assert again.ok and sum(k.written for k in again.kinds) == 0
    assert store.counts() == counts

    # undo the first batch: refused, the second depends on nothing, so undo it first
    store.undo(again.batch_id)
    store.undo(report.batch_id)
    assert store.counts().ikm == 0


class Recorded:
    """An import's progress reports, in order."""

    def __init__(self):
        self.events: list[tuple] = []

    def reading(self, name: str, total_bytes: int | None):
        self.events.append(("reading", Path(name).name, total_bytes))
        return lambda done: self.events.append(("read", Path(name).name, done))

    def checking(self, rows: int):
        self.events.append(("checking", rows))
        return lambda done: self.events.append(("checked", done))

    def step(self, description: str, **values) -> None:
        self.events.append(("step", description))  # the catalogue's key of the step's name


def test_progress_follows_the_import_from_reading_to_writing(store: GraphStore, messy: Path, monkeypatch):
    """A long import is never silent: each file read, the rows checked as they go, then
    the whole-batch rules and the write as steps — and a rejected batch never says it writes."""
    from tular.graph.io import validation as validate

    monkeypatch.setattr(validate, "REPORT_EVERY_ROWS", 3)
    teachings = messy / "teachings.csv"
    teachings.write_text("\n".join(teachings.read_text().splitlines()[:-1]) + "\n")  # drop the swapped row
    files = [messy / name for name in ("ikm.csv", "Pelatihan.csv", "attendance.csv", "teachings.csv")]
    recorded = Recorded()
    report = import_files(store, files, today=TODAY, who="petugas", progress=recorded)
    assert report.ok
    events = recorded.events
    rows = sum(k.read for k in report.kinds)
    assert [e[1] for e in events if e[0] == "reading"] == [f.name for f in files]
    assert all(e[2] == f.stat().st_size for e, f in zip([e for e in events if e[0] == "reading"], files))
    checked = [e[1] for e in events if e[0] == "checked"]
    assert events.index(("checking", rows)) > max(i for i, e in enumerate(events) if e[0] == "read")
    assert checked == sorted(checked) and checked[-1] == rows and len(checked) >= rows // 3
    steps = [e[1] for e in events if e[0] == "step"]
    assert steps == ["progress.reading_store", "progress.whole_batch", "progress.writing"]
    assert events.index(("step", steps[1])) > events.index(("checked", rows))

    rejected = Recorded()
    assert not import_files(store, list(messy.glob("*.csv")) + [write(messy, "bad.csv", "ikm_id,name\n")],
                            today=TODAY, who="petugas", progress=rejected).ok
    assert not any(e[0] == "step" and e[1] == "progress.writing" for e in rejected.events)


def test_dry_run_validates_and_counts_without_writing(store: GraphStore, tmp_path: Path):
    ikm = write(tmp_path, "ikm.csv", "ikm_id,name,kelurahan\nA,Ani,Dinoyo\nB,Budi,Dinoyo\n")
    report = run(store, ikm, dry_run=True)
    assert report.ok and report.dry_run and report.batch_id is None
    assert report.kinds[0].created == 2
    assert store.counts().ikm == 0 and store.batches() == []


# --------------------------------------------------------------- every rule
IKM = "ikm_id,name,kelurahan,phone\nA,Ani,Dinoyo,0811111111\nB,Budi,Dinoyo,\nC,Cici,Kauman,\n"
TRAINING = "training_id,title,skill,end_date\nT1,Pelatihan Batik,batik,2020-08-01\n"
ATTENDANCE = "training_id,ikm_id\nT1,A\n"

RULES = [
    # (name, extra files, expected level, file, row, column, words in the reason)
    ("missing-value", {"teachings.csv": "learner_id,teacher_id,skill,date\n,A,batik,2021-01-01\n"},
     "error", "teachings.csv", 2, "learner_id", "required value is missing"),
    ("unknown-ikm", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,Z,batik,2021-01-01\n"},
     "error", "teachings.csv", 2, "teacher_id", "unknown ikm_id"),
    ("unknown-training", {"attendance2.csv": "training_id,ikm_id\nT9,A\n"},
     "error", "attendance2.csv", 2, "training_id", "unknown training_id"),
    ("unknown-skill", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,A,tari jaipong,2021-01-01\n"},
     "error", "teachings.csv", 2, "skill", "valid skills: barista, batik"),
    ("unknown-kelurahan", {"ikm2.csv": "ikm_id,name,kelurahan\nD,Dodi,Bunul Rejoo\n"},
     "error", "ikm2.csv", 2, "kelurahan", "did you mean 'Bunulrejo'"),
    ("bad-date", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,A,batik,31/02/2021\n"},
     "error", "teachings.csv", 2, "date", "has no day 31"),
    ("future-date", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,A,batik,2027-01-01\n"},
     "error", "teachings.csv", 2, "date", "in the future"),
    ("self-teaching", {"teachings.csv": "learner_id,teacher_id,skill,date\nA,A,batik,2021-01-01\n"},
     "error", "teachings.csv", 2, "teacher_id", "nobody teaches themselves"),
    ("cycle", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,A,batik,2021-01-01\nC,B,batik,2021-02-01\n"
                                "A,C,batik,2021-03-01\n"},
     "error", "teachings.csv", 4, "teacher_id", "(C teaches A teaches B teaches C)"),
    ("conflicting-ikm", {"ikm2.csv": "ikm_id,name,kelurahan\nD,Dodi,Dinoyo\nD,Dedi,Dinoyo\n"},
     "error", "ikm2.csv", 3, "ikm_id", "conflicting duplicate"),
    ("bad-completed", {"attendance2.csv": "training_id,ikm_id,completed\nT1,B,mungkin\n"},
     "error", "attendance2.csv", 2, "completed", "completed must be"),
    ("taught-before-learning", {"teachings.csv": "learner_id,teacher_id,skill,date\nB,A,batik,2020-07-01\n"},
     "warning", "teachings.csv", 2, "date", "before the teacher A learned batik (August 1, 2020)"),
    ("learner-is-trainee", {"teachings.csv": "learner_id,teacher_id,skill,date\nA,B,batik,2021-07-01\n"},
     "warning", "teachings.csv", 2, "learner_id", "also a trainee of batik"),
    ("probable-duplicate", {"ikm2.csv": "ikm_id,name,kelurahan,phone\nD,Dodi,Dinoyo,+62 811-111-111\n"},
     "warning", "ikm2.csv", 2, "phone", "same phone as A"),
]


@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_each_rule_names_file_row_column_and_reason(store: GraphStore, tmp_path: Path, rule):
    _, extra, level, file, row, column, words = rule
    base = [write(tmp_path, "ikm.csv", IKM), write(tmp_path, "trainings.csv", TRAINING),
            write(tmp_path, "attendance.csv", ATTENDANCE)]
    assert run(store, *base).ok
    before = store.counts()
    report = run(store, *(write(tmp_path, name, text) for name, text in extra.items()))
    found = [p for p in problems(report, level) if p[:3] == (file, row, column)]
    assert found and words in found[0][3], problems(report, level)
    if level == "error":
        assert not report.ok and store.counts() == before
    else:
        assert report.ok and report.error_count == 0


def test_a_cycle_is_checked_within_one_skill_only(store: GraphStore, tmp_path: Path):
    ikm = write(tmp_path, "ikm.csv", IKM)
    teachings = write(tmp_path, "teachings.csv", "learner_id,teacher_id,skill,date\n"
                                                 "B,A,batik,2021-01-01\nA,B,barista,2021-02-01\n")
    assert run(store, ikm, teachings).ok
    assert store.counts().teachings == 2


def test_a_cycle_through_stored_edges_is_found(store: GraphStore, tmp_path: Path):
    assert run(store, write(tmp_path, "ikm.csv", IKM)).ok
    assert run(store, write(tmp_path, "t1.csv", "learner_id,teacher_id,skill,date\nB,A,batik,2021-01-01\n"),
               kind="teachings").ok
    report = run(store, write(tmp_path, "teachings.csv", "learner_id,teacher_id,skill,date\nA,B,batik,2021-05-05\n"))
    assert not report.ok
    assert "(B teaches A teaches B)" in report.errors[0]["reason"]
