"""The same question after a single-record write (SPEC §9: within 50 ms at city scale), on
both stores, in the process that wrote and in another one on the same database.

    .venv/bin/python -m benchmarks.after_write [--store embedded|neo4j|both] [--writes 15]
                                               [--scale city|province] [--heap 6g] [--json FILE]

City scale: the demo (13,000 IKM); province: the synthetic 1,000,000 IKM of
``benchmarks/reach_data.py`` (written through ``store.write`` in chunks first). Each round records one teaching (a new learner of batik,
taught by a reached IKM, as `POST /api/v1/teachings` does), then asks `reach --skill batik`
as of the demo's date:

- *writer*: the process that wrote, which patches the graph it keeps;
- *other*: another store object on the same database (another worker, the CLI beside a
  server), which catches up from the batch log;
- *re-read*: the same question answered after reading the whole graph again — what every
  write cost before writes patched what is kept (the kept graph dropped before asking).

Times are medians over the rounds, each the whole answer (`metrics.reach`), warm otherwise.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run_store(open_store, writes: int, scale: str = "city") -> dict:
    from benchmarks import reach as reach_benchmark
    from tular.graph.metrics import answers as metrics
    from tular.graph.model.records import BatchMeta, Records, Teaching

    data = reach_benchmark.dataset(scale)
    writer = open_store()
    writer.init_schema()
    for records in data.chunks():
        writer.write(records)
    other = open_store()
    as_of = data.as_of
    question = metrics.Query(skill="batik", as_of=as_of)
    first = metrics.reach(writer, question)
    metrics.reach(other, question)
    graph = writer.skill_arrays(["batik"], as_of)["batik"]
    on_batik = set(graph.ids.tolist())
    everyone = (data.ids(i) for i in range(data.n_ikm))
    learners = [i for i in everyone if i not in on_batik][:3 * writes]
    teachers = [t.ikm_id for t in first.top_teachers]
    timings: dict[str, list[float]] = {"write": [], "writer": [], "other": [], "re-read": []}
    for n in range(3 * writes):
        teaching = Teaching(learner_id=learners[n], teacher_id=teachers[n % len(teachers)], skill="batik",
                            date=as_of - timedelta(days=10))
        timings["write"].append(_timed(lambda: writer.write(Records(teachings=[teaching]), BatchMeta(who="bench"))))
        if n % 3 == 0:
            timings["writer"].append(_timed(lambda: metrics.reach(writer, question)))
        elif n % 3 == 1:
            timings["other"].append(_timed(lambda: metrics.reach(other, question)))
        else:  # as before: the whole graph read again after a write
            other._snapshot = None
            timings["re-read"].append(_timed(lambda: metrics.reach(other, question)))
    after = metrics.reach(writer, question)
    assert after.reached == first.reached + 3 * writes, (first.reached, after.reached)
    assert metrics.reach(other, question) == after
    writer.close()
    other.close()
    return {name: statistics.median(values) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=("embedded", "neo4j", "both"), default="both")
    parser.add_argument("--writes", type=int, default=15, help="rounds of each kind")
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--neo4j-url", help="a Neo4j to use (emptied first) instead of starting one")
    parser.add_argument("--heap", help="the test server's JVM heap (default: 1g city, 6g province)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from tular.graph.store import EmbeddedStore, Neo4jStore

    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="tular-after-write-") as folder:
        if args.store in ("embedded", "both"):
            path = Path(folder) / "tular.db"
            result["embedded"] = run_store(lambda: EmbeddedStore(path), args.writes, args.scale)
        if args.store in ("neo4j", "both") and args.neo4j_url:
            Neo4jStore(args.neo4j_url).wipe()
            result["neo4j"] = run_store(lambda: Neo4jStore(args.neo4j_url), args.writes, args.scale)
        elif args.store in ("neo4j", "both"):
            sys.path.insert(0, str(ROOT))
            from tests.neo4j_server import Neo4jServer

            heap = args.heap or ("6g" if args.scale == "province" else "1g")
            server = Neo4jServer(Path(folder) / "neo4j", heap=heap)
            server.start()
            try:
                result["neo4j"] = run_store(lambda: Neo4jStore(server.url), args.writes, args.scale)
            finally:
                server.stop()
    print("| store | write | answer, writer | answer, other process | answer after re-reading (before) "
          "| re-read / other |")
    print("|---|---:|---:|---:|---:|---:|")
    for store, t in result.items():
        print(f"| {store} | {t['write'] * 1000:.1f} ms | {t['writer'] * 1000:.1f} ms | {t['other'] * 1000:.1f} ms | "
              f"{t['re-read'] * 1000:.1f} ms | {t['re-read'] / t['other']:.1f}× |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
