"""Many writers at once (SPEC §3): writers in processes of their own doing random writes —
single teachings as the API posts them, small import batches (some IKM ids shared between
writers), deletions, undos — against each store, then the invariants read raw and a backup
restored into the other kind of store.

    .venv/bin/python -m benchmarks.concurrent_writes [--writers 8] [--operations 200]
                                                     [--store both|embedded|neo4j]

The test suite runs the same with 8 writers × 50 operations
(`tests/test_concurrent_writes.py`); the figures of docs/reliability.md come from both.
Prints one JSON object per store.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.writers import TODAY, program_files, random_writer, run_writers, tally, violations  # noqa: E402
from tular.graph.io.backup import restore_file, take_backup, write_backup  # noqa: E402
from tular.graph.io.ingest import import_files  # noqa: E402
from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore  # noqa: E402


def run(store: GraphStore, other: GraphStore, workdir: Path, writers: int, operations: int) -> dict:
    import_files(store, program_files(workdir / "program", ikm=30, prefix="R"), today=TODAY, who="petugas")
    ikm = [f"R-{i:04d}" for i in range(30)]
    started = time.perf_counter()
    outcomes = run_writers(random_writer, [(store.display_url, 1000 + w, operations, ikm, 60.0)
                                           for w in range(writers)], timeout=3600)
    seconds = time.perf_counter() - started
    found = violations(store)
    path = workdir / "backup.json.gz"
    written = write_backup(store, path)
    restore_file(other, path, force=True)
    again = take_backup(other)
    exact = again.records == written.records and [b.model_dump(exclude={"seq"}) for b in again.batches] == \
        [b.model_dump(exclude={"seq"}) for b in written.batches]
    return {"store": type(store).__name__, "writers": writers, "operations": writers * operations,
            "seconds": round(seconds, 1), "outcomes": dict(tally(outcomes)),
            "teachings": store.counts().teachings, "batches": len(store.batches()),
            "violations": found.total(), "restored_exactly_into": type(other).__name__ if exact else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--operations", type=int, default=200)
    parser.add_argument("--store", choices=("both", "embedded", "neo4j"), default="both")
    parser.add_argument("--neo4j-url", help="a Neo4j to use (wiped!) instead of starting the test server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tular-writers-") as tmp:
        workdir = Path(tmp)
        server = None
        url = args.neo4j_url
        if not url:
            from tests.neo4j_server import Neo4jServer

            (workdir / "neo4j").mkdir(parents=True)
            server = Neo4jServer(workdir / "neo4j" / "data")
            server.start()
            url = server.url
        try:
            stores = {"embedded": lambda: EmbeddedStore(workdir / "tular.db"), "neo4j": lambda: Neo4jStore(url)}
            kinds = ("embedded", "neo4j") if args.store == "both" else (args.store,)
            for kind in kinds:
                store, other = stores[kind](), stores["neo4j" if kind == "embedded" else "embedded"]()
                for s in (store, other):
                    s.init_schema()
                    s.wipe()
                    s.init_schema()
                try:
                    print(json.dumps(run(store, other, workdir / kind, args.writers, args.operations)), flush=True)
                finally:
                    store.close()
                    other.close()
                (workdir / "tular.db").unlink(missing_ok=True)
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
