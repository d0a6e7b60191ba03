"""Reach and broken chains (SPEC §9: city reach for all skills < 0.2 s, province < 3 s),
against the naive baselines and the floor.

    .venv/bin/python -m benchmarks.reach --scale city --store both

Scales: ``city`` is the demo data set (:func:`tular.graph.demo.generator.build_demo`, as of
``DEMO_AS_OF``); ``province`` the synthetic world of :mod:`benchmarks.reach_data` at
1,000,000 IKM (~30,000 seeds, ~2,000,000 edges); ``chain`` one 10,000-long teaching chain;
``tiny`` the province generator at 2,000 IKM (the smoke test). Data go in through
``store.write`` (in chunks at province scale).

Timed, per store: ``metrics.reach_all`` (every skill), ``metrics.reach`` and
``metrics.broken`` (the largest skill) — *cold* is the first call on a store object just
opened (the store's caches empty; the OS file cache and Neo4j's page cache are warm),
*warm* the same call again, *new date* a call about another as-of date on that object (the
graph in memory, the cascade walked again). On the chain: reach, broken and the lineage of
the tail. Each time is the median of ``--repeat`` runs.

Against: the naive baselines — the union of ``nx.descendants`` per seed, on a networkx
graph built from the same edges (the build timed apart), and per skill one Cypher
variable-length ``MATCH (seed)<-[:TAUGHT_BY*]-(x)`` with a 60 s budget for all skills —
and the floor: scipy.sparse.csgraph multi-source BFS on the same edges (CSR already
built; ``levels`` gives every generation, which the reach needs). The naive baselines
also check the reached counts; with both stores, the two answers are compared in full.

Results go to docs/benchmarks.md by hand; ``--json FILE`` keeps the raw numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from tular.graph.metrics import answers as metrics
from tular.graph.model.records import IKM, Attendance, Records, Teaching, Training

from . import reach_data

QUERIES = Path(__file__).resolve().parent / "queries"
NAIVE_BUDGET_S = 60.0
CHUNK = 200_000  # records per store.write at province scale
CHAIN = 10_000


# ----------------------------------------------------------------------------- data
@dataclass
class SkillEdges:
    """One skill's edges dated ≤ as-of and its seeds, as integer node indices."""

    teacher: np.ndarray
    learner: np.ndarray
    seeds: np.ndarray


@dataclass
class DataSet:
    name: str
    as_of: date
    n_ikm: int
    ids: Callable[[int], str]
    chunks: Callable[[], Iterator[Records]]
    skills: dict[str, SkillEdges]
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def largest_skill(self) -> str:
        return max(self.skills, key=lambda s: len(self.skills[s].teacher))


def _from_records(name: str, records: Records, as_of: date) -> DataSet:
    ids = [i.ikm_id for i in records.ikm]
    index = {ikm_id: n for n, ikm_id in enumerate(ids)}
    ends = {t.training_id: t for t in records.trainings}
    skills = sorted({t.skill for t in records.teachings} | {s for t in records.trainings for s in t.skills})
    per_skill = {}
    for skill in skills:
        edges = [(index[t.teacher_id], index[t.learner_id]) for t in records.teachings
                 if t.skill == skill and t.date <= as_of]
        seeds = sorted({index[a.ikm_id] for a in records.attendance if a.completed
                        and skill in ends[a.training_id].skills and ends[a.training_id].end_date <= as_of})
        pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
        per_skill[skill] = SkillEdges(pairs[:, 0], pairs[:, 1], np.array(seeds, dtype=np.int64))
    sizes = {"ikm": len(records.ikm), "trainings": len(records.trainings), "attendance": len(records.attendance),
             "teachings": len(records.teachings), "teachings_as_of": sum(len(e.teacher) for e in per_skill.values()),
             "seeds": sum(len(e.seeds) for e in per_skill.values())}
    return DataSet(name, as_of, len(ids), ids.__getitem__, lambda: iter([records]), per_skill, sizes)


def city() -> DataSet:
    from tular.graph.demo.generator import DEMO_AS_OF, build_demo

    return _from_records("city", build_demo(), DEMO_AS_OF)


def chain(n: int = CHAIN) -> DataSet:
    ids = [f"C{i:05d}" for i in range(n)]
    start = date(1990, 1, 1)
    records = Records(
        ikm=[IKM(ikm_id=i, name=f"Ibu {i}", kelurahan_code="blimbing.bunulrejo") for i in ids],
        trainings=[Training(training_id="T-BATIK", title="Pelatihan batik", skills=("batik",),
                            end_date=date(1989, 12, 31), budget_idr=50_000_000)],
        attendance=[Attendance(training_id="T-BATIK", ikm_id=ids[0])],
        teachings=[Teaching(learner_id=ids[i], teacher_id=ids[i - 1], skill="batik",
                            date=start + timedelta(days=i)) for i in range(1, n)],
    )
    return _from_records("chain", records, reach_data.AS_OF)


def synthetic(name: str, n_ikm: int) -> DataSet:
    world = reach_data.province(n_ikm)
    as_of = reach_data.AS_OF
    cutoff = reach_data.ordinal(as_of)
    per_skill = {}
    t_index, who, completed = world.attendance
    for skill, (teacher, learner, days) in world.edges.items():
        keep = days <= cutoff
        of_skill = np.array([s == skill and end <= cutoff for _, s, end, _ in world.trainings])
        seeds = np.unique(who[completed & of_skill[t_index]])
        per_skill[skill] = SkillEdges(teacher[keep], learner[keep], seeds)

    def chunks() -> Iterator[Records]:
        records = world.records()
        yield Records(trainings=records.trainings)
        for start in range(0, len(records.ikm), CHUNK):
            yield Records(ikm=records.ikm[start:start + CHUNK])
        yield Records(attendance=records.attendance)
        for start in range(0, len(records.teachings), CHUNK):
            yield Records(teachings=records.teachings[start:start + CHUNK])

    sizes = {"ikm": n_ikm, "trainings": len(world.trainings), "attendance": len(who), "teachings": world.n_edges,
             "teachings_as_of": sum(len(e.teacher) for e in per_skill.values()),
             "seeds": sum(len(e.seeds) for e in per_skill.values())}
    return DataSet(name, as_of, n_ikm, world.ikm_id, chunks, per_skill, sizes)


def dataset(scale: str) -> DataSet:
    if scale == "city":
        return city()
    if scale == "chain":
        return chain()
    return synthetic(scale, {"tiny": 2_000, "province": 1_000_000}[scale])


# ----------------------------------------------------------------------------- stores
@contextmanager
def store_factory(kind: str, workdir: Path, neo4j_url: str | None, heap: str) -> Iterator[Callable[[], Any]]:
    """A function that opens a new store object on the run's database (an empty one at first)."""
    from tular.graph.store import EmbeddedStore, Neo4jStore

    if kind == "embedded":
        path = workdir / "reach.db"
        for leftover in workdir.glob("reach.db*"):
            leftover.unlink()
        yield lambda: EmbeddedStore(path)
        return
    server = None
    if not neo4j_url:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.neo4j_server import Neo4jServer

        (workdir / "neo4j").mkdir(parents=True, exist_ok=True)
        server = Neo4jServer(workdir / "neo4j" / "data", heap=heap)
        server.start()
        neo4j_url = server.url
    try:
        first = Neo4jStore(neo4j_url)
        first.wipe()
        first.close()
        yield lambda: Neo4jStore(neo4j_url)
    finally:
        if server is not None:
            server.stop()


def load(open_store: Callable[[], Any], data: DataSet) -> float:
    store = open_store()
    try:
        start = time.perf_counter()
        store.init_schema()
        for records in data.chunks():
            store.write(records)
        return time.perf_counter() - start
    finally:
        store.close()


# ----------------------------------------------------------------------------- timing
def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def cold_and_warm(open_store: Callable[[], Any], work: Callable[[Any, date], Any], as_of: date,
                  repeat: int) -> dict[str, Any]:
    """Median seconds of the first call on a freshly opened store, of the same call again,
    and of a call about another as-of date (the graph in memory, the cascade walked again)."""
    cold, warm, new_date, result = [], [], [], None
    for i in range(repeat):
        store = open_store()
        try:
            seconds, result = timed(lambda: work(store, as_of))
            cold.append(seconds)
            warm.append(timed(lambda: work(store, as_of))[0])
            new_date.append(timed(lambda: work(store, as_of - timedelta(days=i + 1)))[0])
        finally:
            store.close()
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "new_date": statistics.median(new_date),
            "cold_all": cold, "warm_all": warm, "new_date_all": new_date, "result": result}


def tular_times(open_store: Callable[[], Any], data: DataSet, repeat: int, warmup: int) -> dict[str, Any]:
    """``warmup`` calls of each first, each about another date (the JVM of a Neo4j just
    started compiles its hot code over about twenty calls; a running server has done so long
    ago); the very first call after the load is kept apart as ``first``."""
    skill = data.largest_skill
    work: dict[str, Callable[[Any, date], Any]] = {
        "reach_all": lambda s, day: metrics.reach_all(s, metrics.Query(skill="all", as_of=day)),
        "reach": lambda s, day: metrics.reach(s, metrics.Query(skill=skill, as_of=day)),
        "broken": lambda s, day: metrics.broken(s, skill, day, 180),
    }
    if data.name == "chain":
        tail = data.ids(data.n_ikm - 1)
        work = {"reach": work["reach"], "broken": work["broken"],
                "lineage": lambda s, day: metrics.lineage(s, tail, day, skill)}
    out = {}
    store = open_store()
    try:
        for name, call in work.items():
            out[name] = {"first": timed(lambda: call(store, data.as_of))[0]}
            for k in range(warmup):
                call(store, data.as_of - timedelta(days=100 + k))
    finally:
        store.close()
    for name, call in work.items():
        out[name].update(cold_and_warm(open_store, call, data.as_of, repeat))
    return out


# ----------------------------------------------------------------------------- baselines and floor
def networkx_baseline(data: DataSet) -> dict[str, Any]:
    """Per skill, the union of ``nx.descendants`` of every seed (on integer node ids)."""
    build = walk = 0.0
    reached = {}
    for skill, edges in data.skills.items():
        seconds, graph = timed(lambda: nx.DiGraph(zip(edges.teacher.tolist(), edges.learner.tolist())))
        build += seconds

        def descendants_union() -> int:
            seeds = set(edges.seeds.tolist())
            found: set[int] = set()
            for seed in seeds:
                if seed in graph:
                    found |= nx.descendants(graph, seed)
            return len(found - seeds)

        seconds, reached[skill] = timed(descendants_union)
        walk += seconds
    return {"build": build, "walk": walk, "reached": reached}


def cypher_baseline(open_store: Callable[[], Any], data: DataSet, budget: float = NAIVE_BUDGET_S) -> dict[str, Any]:
    """Per skill, one variable-length match from every seed; ``None`` seconds when the
    skills together do not finish within ``budget``."""
    from neo4j import Query
    from neo4j.exceptions import ClientError, TransientError

    text = (QUERIES / "naive_reach.cypher").read_text("utf-8")
    store = open_store()
    reached = {}
    start = time.perf_counter()
    try:
        for skill, edges in data.skills.items():
            left = budget - (time.perf_counter() - start)
            if left <= 0:
                return {"seconds": None, "budget": budget, "reached": reached}
            seeds = [data.ids(i) for i in edges.seeds.tolist()]
            try:
                records, _, _ = store._driver.execute_query(
                    Query(text, timeout=left), parameters_={"seeds": seeds, "skill": skill, "as_of": data.as_of},
                    database_=store.database, routing_="r")
            except (ClientError, TransientError) as exc:
                if "Timeout" in (exc.code or "") or "timed out" in str(exc).lower() or "terminated" in str(exc).lower():
                    return {"seconds": None, "budget": budget, "reached": reached}
                raise
            reached[skill] = len({r["learner"] for r in records} - set(seeds))
        return {"seconds": time.perf_counter() - start, "budget": budget, "reached": reached}
    finally:
        store.close()


def floor(data: DataSet, repeat: int) -> dict[str, Any]:
    """scipy.sparse.csgraph on the same edges, per skill: the CSR build, a multi-source BFS
    (a virtual source ahead of every seed) and the generations (``dijkstra`` from the
    seeds, unweighted, ``min_only``)."""
    graphs = {}

    def build() -> None:
        for skill, edges in data.skills.items():
            n = data.n_ikm + 1  # the last node is the virtual source
            rows = np.concatenate([edges.teacher, np.full(len(edges.seeds), data.n_ikm)])
            cols = np.concatenate([edges.learner, edges.seeds])
            graphs[skill] = (csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)), edges.seeds)

    def bfs() -> int:
        return sum(len(breadth_first_order(g, data.n_ikm, directed=True, return_predecessors=False)) - 1 - len(seeds)
                   for g, seeds in graphs.values())

    def levels() -> int:
        deepest = 0
        for g, seeds in graphs.values():
            if len(seeds):
                dist = dijkstra(g, unweighted=True, indices=seeds, min_only=True)
                deepest = max(deepest, int(dist[np.isfinite(dist)].max()))
        return deepest

    build_s = statistics.median(timed(build)[0] for _ in range(repeat))
    return {"csr_build": build_s, "bfs": statistics.median(timed(bfs)[0] for _ in range(repeat)),
            "levels": statistics.median(timed(levels)[0] for _ in range(repeat))}


# ----------------------------------------------------------------------------- run
def machine() -> dict[str, Any]:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), platform.processor())
    memory = next((int(ln.split()[1]) // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), None)
    return {"cpus": os.cpu_count(), "cpu": model, "memory_mib": memory, "python": sys.version.split()[0]}


def run(scale: str, stores: list[str], repeat: int, warmup: int | None, neo4j_url: str | None, heap: str,
        baselines: bool, workdir: Path) -> dict[str, Any]:
    seconds, data = timed(lambda: dataset(scale))
    result: dict[str, Any] = {"scale": scale, "as_of": data.as_of.isoformat(), "sizes": data.sizes,
                              "broken_skill": data.largest_skill, "generated_in": seconds, "machine": machine(),
                              "repeat": repeat, "stores": {}}
    print(f"{scale}: {data.sizes} (made in {seconds:.1f} s)", file=sys.stderr)
    answers = {}
    for kind in stores:
        with store_factory(kind, workdir, neo4j_url, heap) as open_store:
            entry: dict[str, Any] = {"load": load(open_store, data)}
            entry["warmup"] = warmup if warmup is not None else (20 if kind == "neo4j" else 0)
            print(f"{kind}: loaded in {entry['load']:.1f} s", file=sys.stderr)
            times = tular_times(open_store, data, repeat, entry["warmup"])
            answers[kind] = {name: t.pop("result") for name, t in times.items()}
            entry.update(times)
            if baselines and kind == "neo4j" and scale != "chain":
                entry["cypher_naive"] = cypher_baseline(open_store, data)
        result["stores"][kind] = entry
        print(summary(kind, entry), file=sys.stderr)
    if baselines and scale != "chain":
        result["networkx_naive"] = networkx_baseline(data)
        result["floor"] = floor(data, repeat)
        reached = {r.skill: r.reached for r in next(iter(answers.values()))["reach_all"].skills}
        result["baseline_reached_agrees"] = all(
            result["networkx_naive"]["reached"][s] == reached[s] for s in data.skills
        ) and all(n == reached[s] for e in result["stores"].values() for s, n in e.get("cypher_naive", {})
                  .get("reached", {}).items())
    if len(answers) == 2:
        embedded, neo4j = answers["embedded"], answers["neo4j"]
        result["stores_agree"] = all(embedded[k] == neo4j[k] for k in embedded)
    print(report(result), file=sys.stderr)
    return result


def summary(kind: str, entry: dict[str, Any]) -> str:
    parts = [f"{name} first {t['first']:.3f} s, cold {t['cold']:.3f} s, warm {t['warm']:.3f} s, "
             f"new date {t['new_date']:.3f} s"
             for name, t in entry.items() if isinstance(t, dict) and "cold" in t]
    return f"{kind}: " + "; ".join(parts)


def _seconds(value: float | None) -> str:
    return f"> {NAIVE_BUDGET_S:.0f}" if value is None else f"{value:.3f}"


def report(result: dict[str, Any]) -> str:
    """The numbers as the rows of the docs' table: seconds, and the ratios against the naive
    baseline (how many times faster) and against the floor (how many times slower)."""
    naive, floor_ = result.get("networkx_naive"), result.get("floor")
    lines = ["| store | metric | first call | cold | warm | new date | naive baseline | × faster (warm) "
             "| × faster (new date) | floor | × floor (new date) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind, entry in result["stores"].items():
        for name in ("reach_all", "reach", "broken", "lineage"):
            if name not in entry:
                continue
            t = entry[name]
            base = faster = faster_new = slower = floor_at = ""
            if name == "reach_all" and naive:
                cypher = entry.get("cypher_naive")
                seconds = cypher["seconds"] if cypher else naive["build"] + naive["walk"]
                base = _seconds(seconds)
                more = "+" if seconds is None else ""
                faster = f"{(seconds or NAIVE_BUDGET_S) / t['warm']:.0f}{more}"
                faster_new = f"{(seconds or NAIVE_BUDGET_S) / t['new_date']:.0f}{more}"
            if name == "reach_all" and floor_:
                floor_at, slower = f"{floor_['levels']:.3f}", f"{t['new_date'] / floor_['levels']:.1f}"
            lines.append(f"| {kind} | {name} | {t['first']:.3f} | {t['cold']:.3f} | {t['warm']:.3f} | "
                         f"{t['new_date']:.3f} | {base} | {faster} | {faster_new} | {floor_at} | {slower} |")
    if naive:
        lines.append(f"networkx naive: build {naive['build']:.2f} s + per-seed descendants {naive['walk']:.2f} s")
    for kind, entry in result["stores"].items():
        if "cypher_naive" in entry:
            lines.append(f"cypher naive ({kind}): {_seconds(entry['cypher_naive']['seconds'])} s")
    if floor_:
        lines.append(f"floor: csr build {floor_['csr_build']:.3f} s, multi-source bfs {floor_['bfs']:.3f} s, "
                     f"levels {floor_['levels']:.3f} s")
    for key in ("baseline_reached_agrees", "stores_agree"):
        if key in result:
            lines.append(f"{key}: {result[key]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reach", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=("tiny", "city", "province", "chain"), default="city")
    parser.add_argument("--store", choices=("embedded", "neo4j", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; the median is reported")
    parser.add_argument("--warmup", type=int, help="calls before timing (default: 20 on Neo4j, none embedded)")
    parser.add_argument("--neo4j-url", help="an empty Neo4j to use instead of starting the test server")
    parser.add_argument("--heap", default=None, help="JVM heap of the started Neo4j (default 1g, 6g at province scale)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baselines and the floor")
    parser.add_argument("--json", type=Path, help="write the raw numbers to this file")
    args = parser.parse_args(argv)
    stores = ["embedded", "neo4j"] if args.store == "both" else [args.store]
    heap = args.heap or ("6g" if args.scale == "province" else "1g")
    with tempfile.TemporaryDirectory(prefix="tular-reach-") as tmp:
        result = run(args.scale, stores, args.repeat, args.warmup, args.neo4j_url, heap, not args.no_baseline,
                     Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


if __name__ == "__main__":
    # a SIGTERM (timeout, kill) unwinds like an exception: the Neo4j started here is stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
