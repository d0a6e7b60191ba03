"""Import throughput (SPEC §9: province scale ≥ 50,000 rows/s), against a naive baseline.

    .venv/bin/python -m benchmarks.import_throughput --scale city --store both

1. Writes deterministic synthetic CSV files (ikm, trainings, attendance, teachings) to a
   temporary folder: N IKM over the 57 kelurahan of Kota Malang, one training per 500 IKM
   with 15 attendees each (the seeds), and about 2N TAUGHT_BY rows forming a DAG per skill.
2. Imports them with :func:`tular.graph.io.ingest.import_files` as one batch into an empty
   store (read + validate + write, one transaction), timing each phase, in a fresh child
   process so that its peak RSS is the import's own.
3. Measures the floor: the same rows, read and checked beforehand, stored into an empty
   store in one transaction with nothing tular adds (no reading, no checks, no batch log):
   how fast the store itself takes them, the most any import into it could reach.
4. Runs the naive baseline on a sample of about 20,000 rows of the same generator: the
   embedded one does one INSERT and one COMMIT per row; the Neo4j one one auto-commit
   ``session.run(MERGE …)`` per row. tular's import runs on the same sample too, before
   the big run (for Neo4j this warms the JVM up: the big run meets a warm server and an
   empty database).

Neo4j: the Neo4j 5 test server of ``tools/neo4j-test-server`` is started for the run
(``--heap`` sets its JVM heap), unless ``--neo4j-url`` names a running (empty) one.
Results go to docs/benchmarks.md by hand; ``--json FILE`` keeps the raw numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tular.graph.demo.generator import FEMALE_GIVEN, FEMALE_SECOND, MALE_GIVEN, MALE_SECOND, SECTORS
from tular.graph.model.dates import parse_date
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.skills import BUILTIN_SKILLS, SkillVocabulary

SCALES = {"small": 500, "city": 13_000, "province": 1_000_000}
#: A sample of this many IKM gives about 20,000 rows (IKM + 2 teachings each + a few seeds).
BASELINE_IKM = 6_667
TODAY = date(2026, 11, 23)
SEED = 2024
SKILLS = [s.skill_id for s in BUILTIN_SKILLS]
KINDS = ("ikm", "trainings", "attendance", "teachings")
PHASES = ("read", "snapshot", "validate", "write", "commit")
#: Settings of the started Neo4j for a province-scale batch (one transaction of 3M rows):
#: no cap on transaction memory (the default, 70 % of the heap, is too little), an hour
#: before the transaction times out, a page cache for a 1M-node store.
#: ``--tular SRC``: the imports (and floors) run the tular package in SRC, e.g. an earlier version's.
CODE = "TULAR_BENCHMARK_CODE"
BIG_RUN_SETTINGS = {"dbms.memory.transaction.total.max": "0", "db.transaction.timeout": "60m",
                    "server.memory.pagecache.size": "1g"}


# ----------------------------------------------------------------------------- data
def generate(folder: Path, n_ikm: int, seed: int = SEED) -> dict[str, int]:
    """Write ikm.csv, trainings.csv, attendance.csv and teachings.csv; rows per kind.

    The same ``n_ikm`` and ``seed`` always give the same bytes. Teachings form a DAG per
    skill: a learner is taught by someone who already knew the skill, on a later date, so
    the files are valid; about 0.1 % exact duplicate rows and a few probable duplicate
    persons give the warnings that real files have.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kelurahan = [k.name for k in Gazetteer.kota_malang().kelurahan_list]
    ids = [f"IKM{i:07d}" for i in range(n_ikm)]

    with open(folder / "ikm.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ikm_id", "name", "kelurahan", "business_name", "sector", "gender", "phone", "joined_on"])
        for i, ikm_id in enumerate(ids):
            woman = rng.random() < 0.6
            given, second = (FEMALE_GIVEN, FEMALE_SECOND) if woman else (MALE_GIVEN, MALE_SECOND)
            name = f"{rng.choice(given)} {rng.choice(given)} {rng.choice(second)}"
            place = rng.choice(kelurahan)
            if rng.random() < 0.03:  # spellings as field officers type them
                place = place.lower() if rng.random() < 0.5 else place.upper()
            sector = rng.choice(SECTORS)
            phone = f"0812{(i * 7919) % 100_000_000:08d}" if rng.random() < 0.9 else ""
            joined = _day(rng, date(2015, 1, 1), date(2024, 12, 31)) if rng.random() < 0.8 else ""
            out.writerow([ikm_id, name, place, f"{sector.title()} {name.split()[-1]}", sector,
                          "P" if woman else "L", phone, joined])

    n_trainings = max(len(SKILLS), n_ikm // 500)
    trained: dict[str, dict[str, date]] = {s: {} for s in SKILLS}  # skill -> seed -> learned on
    attendance_rows = 0
    with open(folder / "trainings.csv", "w", newline="", encoding="utf-8") as trainings, \
            open(folder / "attendance.csv", "w", newline="", encoding="utf-8") as attendance:
        t_out, a_out = csv.writer(trainings), csv.writer(attendance)
        t_out.writerow(["training_id", "title", "skill", "start_date", "end_date", "organizer", "budget_idr"])
        a_out.writerow(["training_id", "ikm_id", "completed"])
        for t in range(n_trainings):
            skill = SKILLS[t % len(SKILLS)]
            end = _random_date(rng, date(2019, 1, 1), date(2022, 12, 31))
            training_id = f"TR{t:05d}"
            t_out.writerow([training_id, f"Pelatihan {skill} angkatan {t // len(SKILLS) + 1}", skill,
                            (end - timedelta(days=rng.randint(1, 4))).isoformat(), end.isoformat(),
                            "Diskopindag Kota Malang", f"Rp {rng.randint(10, 90)}.000.000"])
            for ikm_id in rng.sample(ids, min(15, n_ikm)):
                completed = rng.random() < 0.93
                a_out.writerow([training_id, ikm_id, "ya" if completed else "tidak"])
                attendance_rows += 1
                if completed and (ikm_id not in trained[skill] or end < trained[skill][ikm_id]):
                    trained[skill][ikm_id] = end

    edges: list[tuple[str, str, str, date]] = []
    per_skill = 2 * n_ikm // len(SKILLS)
    for skill in SKILLS:
        seeds = trained[skill]
        knowers = sorted(seeds, key=lambda i: (seeds[i], i))  # teachers always come before their learners
        learned = dict(seeds)
        fresh = iter(rng.sample([i for i in ids if i not in seeds], n_ikm - len(seeds)))
        taught: set[tuple[str, str]] = set()
        for _ in range(per_skill):
            if not knowers:
                break
            if rng.random() < 0.1 and len(knowers) > len(seeds) + 1:  # a second teacher
                j = rng.randrange(len(seeds), len(knowers))
                learner, teacher = knowers[j], knowers[rng.randrange(j)]
                if (learner, teacher) in taught:
                    continue
                day = max(learned[learner], learned[teacher])
            else:
                learner = next(fresh, None)
                if learner is None:
                    break
                teacher = knowers[rng.randrange(len(knowers))]
                day = learned[teacher]
                knowers.append(learner)
            day = min(day + timedelta(days=rng.randint(1, 40)), TODAY)
            learned.setdefault(learner, day)
            taught.add((learner, teacher))
            edges.append((learner, teacher, skill, day))
    rng.shuffle(edges)
    with open(folder / "teachings.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["learner_id", "teacher_id", "skill", "date", "source"])
        teaching_rows = 0
        for learner, teacher, skill, day in edges:
            text = day.isoformat() if rng.random() < 0.9 else day.strftime("%d/%m/%Y")
            row = [learner, teacher, skill, text, rng.choice(("survei", "wawancara", ""))]
            for _ in range(2 if rng.random() < 0.001 else 1):
                out.writerow(row)
                teaching_rows += 1
    return {"ikm": n_ikm, "trainings": n_trainings, "attendance": attendance_rows, "teachings": teaching_rows}


def _random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _day(rng: random.Random, first: date, last: date) -> str:
    return _random_date(rng, first, last).isoformat()


def files(folder: Path) -> list[Path]:
    return [folder / f"{kind}.csv" for kind in KINDS]


# ----------------------------------------------------------------------------- tular
def import_once(store_kind: str, folder: Path, workdir: Path, neo4j_url: str | None) -> dict[str, Any]:
    """Import ``folder`` into an empty store as one batch; seconds per phase and peak RSS."""
    from tular.graph.io.ingest import import_files

    store = _open(store_kind, workdir, neo4j_url)
    try:
        timings: dict[str, float] = {}
        start, cpu = time.perf_counter(), time.process_time()
        report = import_files(store, files(folder), today=TODAY, who="benchmark", timings=timings)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        # the rest: taking the write lock, and the commit after the write (most of it)
        timings["commit"] = total - sum(timings.get(phase, 0.0) for phase in ("read", "snapshot", "validate", "write"))
        if not report.ok:
            raise SystemExit(f"the import failed: {report.errors[:5]}")
        counts = store.counts()
        return {
            "rows": sum(k.read for k in report.kinds), "seconds": total, "cpu_seconds": cpu, "phases": timings,
            "warnings": report.warning_count, "stored": {"ikm": counts.ikm, "teachings": counts.teachings},
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        store.close()


def _open(store_kind: str, workdir: Path, neo4j_url: str | None):
    from tular.graph.store import EmbeddedStore, Neo4jStore

    if store_kind == "embedded":
        path = workdir / "tular.db"
        for leftover in workdir.glob("tular.db*"):
            leftover.unlink()
        store = EmbeddedStore(path)
    else:
        store = Neo4jStore(neo4j_url or "")
        store.wipe()
    store.init_schema()
    return store


def import_in_child(store_kind: str, folder: Path, workdir: Path, neo4j_url: str | None,
                    floor: bool = False) -> dict[str, Any]:
    """:func:`import_once` (or :func:`floor_once`) in a fresh interpreter, so that peak RSS
    is this import's alone."""
    command = [sys.executable, "-m", "benchmarks.import_throughput", "--child", store_kind,
               "--data", str(folder), "--workdir", str(workdir)] + (["--floor"] if floor else [])
    if neo4j_url:
        command += ["--neo4j-url", neo4j_url]
    root = Path(__file__).resolve().parents[1]
    env, cwd = None, root
    if code := os.environ.get(CODE):  # another version's tular (its folder first on the path)
        env, cwd = {**os.environ, "PYTHONPATH": os.pathsep.join([code, str(root)])}, Path(code)
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"the {store_kind} import failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- floor
def floor_once(store_kind: str, folder: Path, workdir: Path, neo4j_url: str | None) -> dict[str, Any]:
    """The store's own part alone: the rows tular would write, read and checked beforehand
    (not timed), stored into an empty store in one transaction by the least the store needs —
    plain INSERTs (SQLite, secondary indexes dropped and built again as tular does) or the
    ``create_*`` Cypher (Neo4j). No reading, no checks, no batch log: what is left of an
    import when everything tular adds to the store's work is taken away."""
    from tular.graph.io.readers import read_file
    from tular.graph.io.validation import Snapshot, validate
    from tular.graph.store import batches

    store = _open(store_kind, workdir, neo4j_url)
    try:
        tables = [t for path in files(folder) for t in read_file(path).tables]
        checked = validate(tables, Snapshot.of(store, TODAY, tables))
        if checked.errors:
            raise SystemExit(f"the files have errors: {checked.errors[:5]}")
        effective = batches.effective(checked.records)
        records = {kind: list(effective[kind].values()) for kind in KINDS}
        del tables, checked
        write = _floor_embedded if store_kind == "embedded" else _floor_neo4j
        cpu = time.process_time()
        rows, seconds, commit = write(store, records)
        cpu = time.process_time() - cpu
        counts = store.counts()
        return {"rows": rows, "seconds": seconds, "commit_seconds": commit, "cpu_seconds": cpu,
                "stored": {"ikm": counts.ikm, "teachings": counts.teachings}}
    finally:
        store.close()


def _floor_embedded(store: Any, records: dict[str, list]) -> tuple[int, float, None]:
    from tular.graph.store.embedded import TABLES, _indexes_rebuilt, _page_cache, _rows

    tables = {kind: list(_rows(kind, records[kind])) for kind in KINDS}
    skills = [(t.training_id, skill) for t in records["trainings"] for skill in t.skills]
    rows = sum(map(len, tables.values()))
    conn = store._conn  # the store's own connection: its pragmas
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    with _page_cache(conn, rows), _indexes_rebuilt(conn, ["ikm", "attendance", "teaching"]):  # as tular's write
        for kind in KINDS:
            table, keys, values = TABLES[kind]
            columns = (*keys, *values)
            conn.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             tables[kind])
            if kind == "trainings":
                conn.executemany("INSERT INTO training_skill(training_id, skill_id) VALUES (?, ?)", skills)
    conn.execute("COMMIT")
    return rows, time.perf_counter() - start, None


def _floor_neo4j(store: Any, records: dict[str, list]) -> tuple[int, float, float]:
    """Rows, seconds, and the seconds of the commit alone."""
    from tular.graph.store.neo4j import CREATE_QUERIES, IMPORT_CHUNK, _new_rows, _params, query

    created = {kind: _new_rows(kind, records[kind]) for kind in ("ikm", "attendance", "teachings")}
    trainings = [_params(t) for t in records["trainings"]]
    with store._driver.session(database=store.database) as session:
        start = time.perf_counter()
        with session.begin_transaction() as tx:
            for kind in KINDS:
                rows, name = ((trainings, "merge_trainings") if kind == "trainings"
                              else (created[kind], CREATE_QUERIES[kind]))
                for at in range(0, len(rows), IMPORT_CHUNK):
                    tx.run(query(name), rows=rows[at:at + IMPORT_CHUNK]).consume()
            committing = time.perf_counter()
            tx.commit()
        seconds = time.perf_counter() - start
    return sum(map(len, records.values())), seconds, seconds - (committing - start)


# ----------------------------------------------------------------------------- baselines
def _sample_rows(folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    for kind in KINDS:
        with open(folder / f"{kind}.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                yield kind, row


def naive_embedded(folder: Path, workdir: Path) -> dict[str, Any]:
    """One INSERT and one COMMIT per row, into the same schema, no validation beyond
    resolving names: how a straightforward script would load the files."""
    from tular.graph.store import EmbeddedStore

    path = workdir / "naive.db"
    for leftover in workdir.glob("naive.db*"):
        leftover.unlink()
    EmbeddedStore(path).init_schema()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    gazetteer, skills = Gazetteer.kota_malang(), SkillVocabulary(BUILTIN_SKILLS)
    rows = 0
    start = time.perf_counter()
    for kind, row in _sample_rows(folder):
        if kind == "ikm":
            conn.execute(
                "INSERT INTO ikm(ikm_id, name, kelurahan_code, business_name, sector, gender, phone, joined_on) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(ikm_id) DO UPDATE SET name=excluded.name",
                (row["ikm_id"], row["name"], gazetteer.kelurahan(row["kelurahan"]).code, row["business_name"] or None,
                 row["sector"] or None, row["gender"] or None, row["phone"] or None,
                 _iso(row["joined_on"])))
        elif kind == "trainings":
            conn.execute("INSERT INTO training(training_id, title, start_date, end_date, organizer) VALUES (?,?,?,?,?)",
                         (row["training_id"], row["title"], _iso(row["start_date"]), _iso(row["end_date"]),
                          row["organizer"]))
            conn.execute("INSERT INTO training_skill(training_id, skill_id) VALUES (?,?)",
                         (row["training_id"], skills.resolve(row["skill"])))
        elif kind == "attendance":
            conn.execute("INSERT OR REPLACE INTO attendance(training_id, ikm_id, completed) VALUES (?,?,?)",
                         (row["training_id"], row["ikm_id"], int(row["completed"] != "tidak")))
        else:
            conn.execute(
                "INSERT INTO teaching(learner_id, teacher_id, skill_id, date, source) VALUES (?,?,?,?,?) "
                "ON CONFLICT DO UPDATE SET date=min(date, excluded.date)",
                (row["learner_id"], row["teacher_id"], skills.resolve(row["skill"]), _iso(row["date"]),
                 row["source"] or None))
        conn.commit()
        rows += 1
    seconds = time.perf_counter() - start
    conn.close()
    return {"rows": rows, "seconds": seconds}


def naive_neo4j(folder: Path, url: str) -> dict[str, Any]:
    """One auto-commit ``session.run`` (MERGE) per row, into the same schema."""
    from neo4j import GraphDatabase

    from tular.graph.store import Neo4jStore

    store = Neo4jStore(url)
    store.wipe()
    store.init_schema()
    store.close()
    gazetteer, skills = Gazetteer.kota_malang(), SkillVocabulary(BUILTIN_SKILLS)
    rows = 0
    with GraphDatabase.driver(url) as driver, driver.session(database="neo4j") as session:
        start = time.perf_counter()
        for kind, row in _sample_rows(folder):
            if kind == "ikm":
                session.run(
                    "MATCH (k:Kelurahan {code: $code}) MERGE (i:IKM {ikm_id: $ikm_id}) "
                    "SET i.name = $name, i.business_name = $business, i.sector = $sector, i.gender = $gender, "
                    "i.phone = $phone, i.joined_on = $joined MERGE (i)-[:LOCATED_IN]->(k)",
                    code=gazetteer.kelurahan(row["kelurahan"]).code, ikm_id=row["ikm_id"], name=row["name"],
                    business=row["business_name"] or None, sector=row["sector"] or None,
                    gender=row["gender"] or None, phone=row["phone"] or None, joined=_date(row["joined_on"]),
                ).consume()
            elif kind == "trainings":
                session.run(
                    "MATCH (s:Skill {skill_id: $skill}) MERGE (t:Training {training_id: $training_id}) "
                    "SET t.title = $title, t.start_date = $start, t.end_date = $end, t.organizer = $organizer "
                    "MERGE (t)-[:TEACHES]->(s)",
                    skill=skills.resolve(row["skill"]), training_id=row["training_id"], title=row["title"],
                    start=_date(row["start_date"]), end=_date(row["end_date"]), organizer=row["organizer"],
                ).consume()
            elif kind == "attendance":
                session.run(
                    "MATCH (i:IKM {ikm_id: $ikm_id}) MATCH (t:Training {training_id: $training_id}) "
                    "MERGE (i)-[a:ATTENDED]->(t) SET a.completed = $completed",
                    ikm_id=row["ikm_id"], training_id=row["training_id"], completed=row["completed"] != "tidak",
                ).consume()
            else:
                session.run(
                    "MATCH (l:IKM {ikm_id: $learner}) MATCH (t:IKM {ikm_id: $teacher}) "
                    "MERGE (l)-[r:TAUGHT_BY {skill: $skill}]->(t) "
                    "SET r.date = CASE WHEN r.date IS NULL OR $date < r.date THEN $date ELSE r.date END, "
                    "r.source = $source",
                    learner=row["learner_id"], teacher=row["teacher_id"], skill=skills.resolve(row["skill"]),
                    date=_date(row["date"]), source=row["source"] or None,
                ).consume()
            rows += 1
        seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds}


def _date(text: str) -> date | None:
    return parse_date(text) if text else None


def _iso(text: str) -> str | None:
    return parse_date(text).isoformat() if text else None


# ----------------------------------------------------------------------------- running
@contextmanager
def neo4j_server(workdir: Path, url: str | None, heap: str, settings: dict[str, str]) -> Iterator[tuple[str, Any]]:
    if url:
        yield url, None
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.neo4j_server import Neo4jServer

    server = Neo4jServer(workdir / "neo4j" / "data", heap=heap, settings=settings)
    (workdir / "neo4j").mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        yield server.url, server
    finally:
        server.stop()


def _server_cpu_seconds(server: Any) -> float | None:
    """CPU time the Neo4j JVM has used so far, when this run started it."""
    if server is None or server.process is None:
        return None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _folder_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _server_peak_rss_mib(server: Any) -> float | None:
    """The Neo4j JVM's peak resident memory (VmHWM), when this run started it."""
    if server is None or server.process is None:
        return None
    try:
        for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(scale: str, n_ikm: int, stores: list[str], data: Path | None, neo4j_url: str | None, heap: str,
        baseline: bool, repeat: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tular-bench-") as tmp:
        workdir = Path(tmp)
        folder = data or workdir / "data"
        sample = workdir / "sample"
        start = time.perf_counter()
        if not (folder / "teachings.csv").exists():
            generated = generate(folder, n_ikm)
        else:
            generated = {k: _count_rows(folder / f"{k}.csv") for k in KINDS}
        sample_generated = generate(sample, min(n_ikm, BASELINE_IKM), seed=SEED + 1)
        result: dict[str, Any] = {
            "scale": scale, "ikm": n_ikm, "rows": generated, "sample_rows": sample_generated,
            "generated_in": time.perf_counter() - start, "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "stores": {}, "load_average_before": os.getloadavg(),
        }
        print(f"data: {generated} ({sum(generated.values()):,} rows, {result['generated_in']:.0f} s to generate); "
              f"baseline sample: {sum(sample_generated.values()):,} rows", file=sys.stderr)
        for store_kind in stores:
            entry: dict[str, Any] = {}
            try:
                measure(store_kind, entry, folder, sample, workdir, n_ikm, neo4j_url, heap, baseline, repeat)
            except RuntimeError as failure:  # e.g. a Neo4j killed for want of memory: keep the rest
                entry["error"] = str(failure)[-3000:]
            result["stores"][store_kind] = entry
            print(summary(store_kind, entry), file=sys.stderr)
        result["load_average_after"] = os.getloadavg()
        print(f"load average (1, 5, 15 min) before {_load(result['load_average_before'])}, "
              f"after {_load(result['load_average_after'])} on {os.cpu_count()} CPUs", file=sys.stderr)
        return result


def measure(store_kind: str, entry: dict[str, Any], folder: Path, sample: Path, workdir: Path, n_ikm: int,
            neo4j_url: str | None, heap: str, baseline: bool, repeat: int = 1) -> None:
    """Baseline (optional), the sample and the big import on one store, into ``entry``;
    with ``repeat`` > 1 the import and the floor take turns that many times, and ``import``
    and ``floor`` are the median runs (all of them in ``imports`` and ``floors``)."""
    if store_kind == "embedded":
        if baseline:
            entry["naive"] = naive_embedded(sample, workdir)
        entry["sample"] = import_in_child("embedded", sample, workdir, None)
        for _ in range(repeat):
            entry.setdefault("imports", []).append(import_in_child("embedded", folder, workdir, None))
            entry.setdefault("floors", []).append(import_in_child("embedded", folder, workdir, None, floor=True))
    else:
        settings = BIG_RUN_SETTINGS if n_ikm >= 200_000 else {}
        with neo4j_server(workdir, neo4j_url, heap, settings) as (url, server):
            if baseline:
                entry["naive"] = naive_neo4j(sample, url)
            # also warms the JVM up (its JIT), as a long-running server would be
            entry["sample"] = import_in_child("neo4j", sample, workdir, url)
            for _ in range(repeat):
                server_cpu = _server_cpu_seconds(server)
                run = import_in_child("neo4j", folder, workdir, url)
                if server_cpu is not None:
                    run["server_cpu_seconds"] = _server_cpu_seconds(server) - server_cpu
                run["load_average"] = os.getloadavg()
                entry.setdefault("imports", []).append(run)
                server_cpu = _server_cpu_seconds(server)
                floor = import_in_child("neo4j", folder, workdir, url, floor=True)
                if server_cpu is not None:
                    floor["server_cpu_seconds"] = _server_cpu_seconds(server) - server_cpu
                floor["load_average"] = os.getloadavg()
                entry.setdefault("floors", []).append(floor)
                print(f"  run {len(entry['floors'])}: import {json.dumps(run)}\n  floor {json.dumps(floor)}",
                      file=sys.stderr, flush=True)  # kept if the whole run is stopped early
            entry["server_peak_rss_mib"] = _server_peak_rss_mib(server)
            if server is not None:
                entry["store_mib"] = _folder_mib(server.data_dir)
            entry["heap"] = heap if server is not None else None
            entry["settings"] = settings if server is not None else None
    entry["import"] = _median(entry["imports"])
    entry["floor"] = _median(entry["floors"])
    if "server_cpu_seconds" in entry["import"]:
        entry["server_cpu_seconds"] = entry["import"]["server_cpu_seconds"]


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]


def _load(averages: tuple[float, ...]) -> str:
    return " ".join(f"{a:.1f}" for a in averages)


def _count_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else float("inf")


def summary(store_kind: str, entry: dict[str, Any]) -> str:
    if "error" in entry:
        return f"{store_kind}: FAILED\n{entry['error']}"
    big = entry["import"]
    lines = [f"{store_kind}: {big['rows']:,} rows in {big['seconds']:.1f} s = "
             f"{_rate(big['rows'], big['seconds']):,.0f} rows/s (Python CPU {big['cpu_seconds']:.1f} s"
             + (f", Neo4j CPU {entry['server_cpu_seconds']:.1f} s" if "server_cpu_seconds" in entry else "")
             + f"); peak RSS {big['peak_rss_mib']:,.0f} MiB"]
    lines.append("  phases: " + ", ".join(
        f"{phase} {big['phases'].get(phase, 0):.1f} s ({_rate(big['rows'], big['phases'].get(phase, 0)):,.0f} rows/s)"
        for phase in PHASES))
    if "naive" in entry:
        naive, sample = entry["naive"], entry["sample"]
        naive_rate = _rate(naive["rows"], naive["seconds"])
        lines.append(f"  naive row by row: {naive['rows']:,} rows in {naive['seconds']:.1f} s = {naive_rate:,.0f} rows/s;"
                     f" tular on the same sample: {_rate(sample['rows'], sample['seconds']):,.0f} rows/s;"
                     f" ratio (full import / naive) {_rate(big['rows'], big['seconds']) / naive_rate:,.1f}x")
    sent = {phase: seconds for phase, seconds in big["phases"].items() if phase.startswith("sent:")}
    if sent:
        lines.append("  written while checking (in the write transaction): "
                     + ", ".join(f"{phase[5:]} {seconds:.1f} s" for phase, seconds in sent.items()))
    if len(entry.get("imports", ())) > 1:
        lines.append("  runs (import / floor, s): " + "; ".join(
            f"{i['seconds']:.1f} / {f['seconds']:.1f} = {i['seconds'] / f['seconds']:.2f}x"
            + (f" (Neo4j CPU {i['server_cpu_seconds']:.1f} / {f['server_cpu_seconds']:.1f})"
               if "server_cpu_seconds" in f else "")
            for i, f in zip(entry["imports"], entry["floors"])) + " (medians below)")
    if "floor" in entry:
        floor = entry["floor"]
        lines.append(f"  floor (the store alone: {floor['rows']:,} prepared rows, one transaction, no reading, no "
                     f"checks): {floor['seconds']:.1f} s = {_rate(big['rows'], floor['seconds']):,.0f} rows read/s; "
                     f"tular takes {big['seconds'] / floor['seconds']:.2f}x the floor"
                     + (f" (CPU of this process: {big['cpu_seconds']:.1f} s against the floor's "
                        f"{floor['cpu_seconds']:.1f} s, {big['cpu_seconds'] / floor['cpu_seconds']:.2f}x)"
                        if floor.get("cpu_seconds") else ""))
    if entry.get("server_peak_rss_mib"):
        lines.append(f"  Neo4j JVM peak RSS {entry['server_peak_rss_mib']:,.0f} MiB (heap {entry['heap']}), "
                     f"store on disk {entry['store_mib']:,.0f} MiB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--ikm", type=int, help="number of IKM, instead of the scale's")
    parser.add_argument("--store", choices=("embedded", "neo4j", "both"), default="both")
    parser.add_argument("--data", type=Path, help="folder for the generated files (kept; reused when present)")
    parser.add_argument("--neo4j-url", help="an empty Neo4j to use instead of starting the test server")
    parser.add_argument("--heap", default=None, help="JVM heap of the started Neo4j (default 1g; 4g from 50,000 IKM, 14g from 500,000)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baselines")
    parser.add_argument("--json", type=Path, help="write the raw numbers to this file")
    parser.add_argument("--repeat", type=int, default=1,
                        help="import and floor, taking turns, this many times; the medians are reported")
    parser.add_argument("--child", choices=("embedded", "neo4j"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tular", type=Path, help="a folder holding another version's tular package, for the "
                        "imports and floors (a before/after: the same data, server and method)")
    args = parser.parse_args(argv)
    if args.tular:
        os.environ[CODE] = str(args.tular.resolve())

    if args.child:
        once = floor_once if args.floor else import_once
        import tular.graph
        result = once(args.child, args.data, args.workdir, args.neo4j_url)
        result["code"] = str(Path(tular.graph.__file__).parent)
        print(json.dumps(result))
        return
    n_ikm = args.ikm or SCALES[args.scale]
    heap = args.heap or ("14g" if n_ikm >= 500_000 else "4g" if n_ikm >= 50_000 else "1g")
    stores = ["embedded", "neo4j"] if args.store == "both" else [args.store]
    result = run(args.scale, n_ikm, stores, args.data, args.neo4j_url, heap, not args.no_baseline, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, default=str))
    if any("error" in entry for entry in result["stores"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
