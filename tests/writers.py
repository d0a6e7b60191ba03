"""Writers in processes of their own, for the concurrency tests (SPEC §3 "Many writers, one
truth") and ``benchmarks/concurrent_writes.py``: each opens the store by URL as a separate
tular process would, waits at a barrier so that they start together, and reports what it
got back. The invariant checks read the store raw, not through tular's readers.
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx

from tular.graph.io.ingest import import_files, import_tables
from tular.graph.io.readers import COLUMNS, Row, Table
from tular.graph.model.errors import InvalidData, NotFound, StoreBusy, TularError, UsageError
from tular.graph.model.records import BatchMeta
from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore, open_store

TODAY = date(2026, 11, 23)
SKILLS = ("batik", "kemasan")
KELURAHAN = ("Bunulrejo", "Dinoyo", "Kesatrian", "Sumbersari")

# Raw reads of the Neo4j graph (fixed text, no parameters needed): every key with its count.
TEACHING_KEYS = ("MATCH (l:IKM)-[r:TAUGHT_BY]->(t:IKM) "
                 "RETURN l.ikm_id AS learner, t.ikm_id AS teacher, r.skill AS skill, count(r) AS n")
ATTENDANCE_KEYS = "MATCH (i:IKM)-[a:ATTENDED]->(t:Training) RETURN i.ikm_id AS ikm, t.training_id AS training, count(a) AS n"
IKM_KEYS = "MATCH (i:IKM) RETURN i.ikm_id AS ikm, count(i) AS n"


def spawn() -> Any:
    """A fresh interpreter per writer, like a second `tular` command or server worker."""
    return multiprocessing.get_context("spawn")


# ----------------------------------------------------------------------- files
def write_files(folder: Path, rows: dict[str, list[str]]) -> list[Path]:
    """CSV files named after their kind, from header + lines."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, lines in rows.items():
        path = folder / f"{kind}.csv"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        paths.append(path)
    return paths


def program_files(folder: Path, ikm: int = 100, prefix: str = "W") -> list[Path]:
    """A 100-IKM program: 10 trainees of batik and kemasan, each later IKM taught by an
    earlier one in both skills."""
    ids = [f"{prefix}-{i:04d}" for i in range(ikm)]
    teachings = ["learner_id,teacher_id,skill,date"]
    for i in range(10, ikm):
        for skill in SKILLS:
            teachings.append(f"{ids[i]},{ids[(i - 10) // 3]},{skill},{(date(2021, 1, 1) + timedelta(days=i)).isoformat()}")
    return write_files(folder, {
        "ikm": ["ikm_id,name,kelurahan"] + [f"{x},Ibu {x},{KELURAHAN[i % len(KELURAHAN)]}" for i, x in enumerate(ids)],
        "trainings": ["training_id,title,skill,end_date", f"T-{prefix},Pelatihan,batik;kemasan,2020-12-31"],
        "attendance": ["training_id,ikm_id"] + [f"T-{prefix},{x}" for x in ids[:10]],
        "teachings": teachings,
    })


# ----------------------------------------------------------------------- workers
def _outcome(work) -> dict:
    try:
        return {"result": work()}
    except StoreBusy as exc:
        return {"busy": str(exc)}
    except TularError as exc:
        return {"refused": f"{type(exc).__name__}: {exc}"}
    except Exception:  # anything else is a failure the test reports
        return {"crash": traceback.format_exc()}


def import_together(url: str, batches: list[list[str]], lock_wait: float, barrier: Any, results: Any) -> None:
    """Import each of ``batches`` (lists of file paths) in turn, all writers starting each
    round together at ``barrier``; put a summary of each report on ``results``."""
    store = _open(url, lock_wait)
    try:
        for paths in batches:
            barrier.wait()

            def work(paths=paths):
                report = import_files(store, paths, today=TODAY, who="petugas", lang="en")  # English asserted
                return {"ok": report.ok, "errors": [e["reason"] for e in report.errors],
                        "warnings": report.warning_count,
                        "created": {k.kind: k.created for k in report.kinds},
                        "unchanged": {k.kind: k.unchanged for k in report.kinds}}
            results.put(_outcome(work))
    finally:
        store.close()


def random_writer(url: str, seed: int, operations: int, ikm: list[str], lock_wait: float, barrier: Any,
                  results: Any) -> None:
    """``operations`` random writes over a small graph: single teachings (as the API posts
    them), small import batches (new IKM too, some ids shared with other writers), deletions
    and undos. One summary per operation on ``results``."""
    rng = random.Random(seed)
    store = _open(url, lock_wait)
    barrier.wait()
    try:
        for number in range(operations):
            kind = rng.choices(("teaching", "batch", "delete", "undo"), weights=(5, 3, 1, 1))[0]
            work = {"teaching": _one_teaching, "batch": _small_batch, "delete": _delete, "undo": _undo}[kind]
            outcome = _outcome(lambda: work(store, rng, ikm, f"{seed}-{number}"))
            outcome["op"] = kind
            results.put(outcome)
    finally:
        store.close()


def _pair(rng: random.Random, ikm: list[str]) -> tuple[str, str]:
    learner, teacher = rng.sample(ikm, 2)
    return learner, teacher


def _day(rng: random.Random) -> str:
    return (date(2021, 1, 1) + timedelta(days=rng.randrange(900))).isoformat()


def _one_teaching(store: GraphStore, rng: random.Random, ikm: list[str], tag: str) -> dict:
    learner, teacher = _pair(rng, ikm)
    values = {"learner_id": learner, "teacher_id": teacher, "skill": rng.choice(SKILLS), "date": _day(rng),
              "source": f"op {tag}"}
    table = Table("request", None, "teachings", list(COLUMNS["teachings"].known), [Row(1, values)])
    report = import_tables(store, [table], today=TODAY, who="petugas")
    return {"ok": report.ok, "errors": [e["reason"] for e in report.errors]}


def _small_batch(store: GraphStore, rng: random.Random, ikm: list[str], tag: str) -> dict:
    """Two new IKM (one of them from a pool every writer draws from) taught by stored IKM,
    and two teachings among stored IKM."""
    shared = f"N-{rng.randrange(12):02d}"
    own = f"N-{tag}"
    lines = ["learner_id,teacher_id,skill,date"]
    for new in (shared, own):
        lines.append(f"{new},{rng.choice(ikm)},{rng.choice(SKILLS)},{_day(rng)}")
    for _ in range(2):
        learner, teacher = _pair(rng, ikm)
        lines.append(f"{learner},{teacher},{rng.choice(SKILLS)},{_day(rng)}")
    folder = Path(store_folder(store)) / f"batch-{tag}"
    paths = write_files(folder, {
        "ikm": ["ikm_id,name,kelurahan", f"{shared},Ibu {shared},Bunulrejo", f"{own},Bapak {own},Dinoyo"],
        "teachings": lines,
    })
    report = import_files(store, paths, today=TODAY, who="petugas")
    return {"ok": report.ok, "errors": [e["reason"] for e in report.errors]}


def _delete(store: GraphStore, rng: random.Random, ikm: list[str], tag: str) -> dict:
    teachings = store.all_teachings()
    if not teachings:
        return {"ok": True, "skipped": True}
    t = rng.choice(teachings)
    try:
        return {"ok": True, "batch": store.delete_teaching((t.learner_id, t.teacher_id, t.skill),
                                                           BatchMeta(who="petugas"))}
    except NotFound:  # another writer deleted it first: what a sequential second delete says
        return {"ok": True, "gone": True}


def _undo(store: GraphStore, rng: random.Random, ikm: list[str], tag: str) -> dict:
    logged = store.batches()
    if not logged:
        return {"ok": True, "skipped": True}
    batch = rng.choice(logged[-5:])
    try:
        return {"ok": True, "undone": store.undo(batch.batch_id).batch_id}
    except (InvalidData, NotFound, UsageError) as exc:  # later batches depend on it, or undone by another writer
        return {"ok": True, "refused": str(exc)}


_FOLDERS: dict[int, str] = {}


def store_folder(store: GraphStore) -> str:
    return _FOLDERS[id(store)]


def _open(url: str, lock_wait: float) -> GraphStore:
    from tular.graph.model.settings import Settings

    store = open_store(url, Settings(lock_wait=lock_wait))
    import tempfile

    _FOLDERS[id(store)] = tempfile.mkdtemp(prefix="tular-writer-")
    return store


def run_writers(target, args_per_writer: list[tuple], timeout: float = 600) -> list[dict]:
    """Start one process per argument tuple (``barrier`` and ``results`` appended), wait for
    all, and return every summary they put."""
    ctx = spawn()
    barrier, results = ctx.Barrier(len(args_per_writer)), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, barrier, results)) for args in args_per_writer]
    for process in processes:
        process.start()
    collected = []
    try:
        while any(p.is_alive() for p in processes) or not results.empty():
            try:
                collected.append(results.get(timeout=0.2))
            except Exception:  # queue.Empty
                pass
    finally:
        for process in processes:
            process.join(timeout)
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return collected


# ----------------------------------------------------------------------- invariants
@dataclass
class Violations:
    """What breaks SPEC §3's invariants in a store, read raw."""

    teachings: list[tuple] = field(default_factory=list)  # keys stored more than once
    attendance: list[tuple] = field(default_factory=list)
    ikm: list[str] = field(default_factory=list)
    cycles: list[tuple[str, list]] = field(default_factory=list)  # (skill, IKM on a cycle)

    def total(self) -> int:
        return len(self.teachings) + len(self.attendance) + len(self.ikm) + len(self.cycles)


def violations(store: GraphStore) -> Violations:
    found = Violations()
    if isinstance(store, Neo4jStore):
        teaching_rows = [(r["learner"], r["teacher"], r["skill"], r["n"]) for r in _cypher(store, TEACHING_KEYS)]
        attendance_rows = [(r["ikm"], r["training"], r["n"]) for r in _cypher(store, ATTENDANCE_KEYS)]
        ikm_rows = [(r["ikm"], r["n"]) for r in _cypher(store, IKM_KEYS)]
    else:
        assert isinstance(store, EmbeddedStore)
        teaching_rows = store._read("SELECT learner_id, teacher_id, skill_id, count(*) FROM teaching "
                                    "GROUP BY learner_id, teacher_id, skill_id")
        attendance_rows = store._read("SELECT ikm_id, training_id, count(*) FROM attendance GROUP BY ikm_id, training_id")
        ikm_rows = store._read("SELECT ikm_id, count(*) FROM ikm GROUP BY ikm_id")
    found.teachings = [tuple(r[:3]) for r in teaching_rows if r[3] > 1]
    found.attendance = [tuple(r[:2]) for r in attendance_rows if r[2] > 1]
    found.ikm = [r[0] for r in ikm_rows if r[1] > 1]
    by_skill: dict[str, nx.DiGraph] = {}
    for learner, teacher, skill, _ in teaching_rows:
        by_skill.setdefault(skill, nx.DiGraph()).add_edge(teacher, learner)
    for skill, graph in sorted(by_skill.items()):
        found.cycles += [(skill, sorted(c)) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    return found


def _cypher(store: Neo4jStore, text: str) -> list:
    records, _, _ = store._driver.execute_query(text, database_=store.database)
    return records


def tally(outcomes: list[dict]) -> Counter:
    """How the operations ended: ok, rejected (validation errors), refused, busy, crash."""
    counts: Counter = Counter()
    for outcome in outcomes:
        if "crash" in outcome:
            counts["crash"] += 1
        elif "busy" in outcome:
            counts["busy"] += 1
        elif "refused" in outcome:
            counts["refused"] += 1
        elif outcome["result"].get("ok"):
            counts["ok"] += 1
        else:
            counts["rejected"] += 1
    return counts
