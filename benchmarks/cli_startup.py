"""`tular reach` as a whole process against a plain networkx script doing the same (SPEC §9:
at most 1.2× at city scale, on the embedded store), timed in one run.

    .venv/bin/python -m benchmarks.cli_startup [--db sqlite:///tular.db] [--rounds 15]
                                               [--before SRC] [--json FILE]

Without ``--db`` the demo (13,000 IKM) is written to a temporary file first. Each round runs,
one after the other, `tular --db … reach --skill batik --as-of 2026-06-30 --json` and
`python benchmarks/nx_reach_script.py` (the same answer from SQLite rows with networkx; its
answer is checked equal on every field both give), and, with ``--before SRC``, the same
`tular reach` from another source tree (an earlier version, for a before/after row: a folder
holding a ``tular`` package, put first on PYTHONPATH). A third process only imports what
`tular reach` imports (numpy, pydantic's models, typer and rich): the part of its time that
no work can remove. Wall times of the whole process,
interpreter start included; the median and the fastest of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKILL, AS_OF = "batik", "2026-06-30"


def timed(command: list[str], env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start, done.stdout


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="an embedded store's URL (default: the demo, written first)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--before", type=Path, help="a source tree whose tular to time as well")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tular-cli-") as folder:
        db = args.db
        if db is None:
            from tular.graph.demo.generator import load_demo
            from tular.graph.store import EmbeddedStore

            store = EmbeddedStore(Path(folder) / "demo.db")
            store.init_schema()
            load_demo(store)
            store.close()
            db = f"sqlite:///{Path(folder) / 'demo.db'}"
        path = db[len("sqlite:///"):]
        tular = [sys.executable, "-m", "tular", "--db", db, "reach", "--skill", SKILL, "--as-of", AS_OF, "--json"]
        script = [sys.executable, str(ROOT / "benchmarks" / "nx_reach_script.py"), path, SKILL, AS_OF]
        imports = [sys.executable, "-c", "import tular.service.cli, tular.service.views, "
                   "tular.graph.metrics.answers, tular.graph.store.embedded"]
        runs: dict[str, list[float]] = {"tular": [], "networkx": [], "tular's imports alone": []}
        before_env = None
        if args.before:
            runs["tular, before"] = []
            before_env = {**os.environ, "PYTHONPATH": str(args.before)}
        for _ in range(args.rounds):
            seconds, ours = timed(tular)
            runs["tular"].append(seconds)
            seconds, theirs = timed(script)
            runs["networkx"].append(seconds)
            runs["tular's imports alone"].append(timed(imports)[0])
            if before_env is not None:
                runs["tular, before"].append(timed(tular, before_env)[0])
        ours, theirs = json.loads(ours), json.loads(theirs)
        assert all(ours[k] == theirs[k] for k in theirs), [k for k in theirs if ours[k] != theirs[k]]
    result = {name: {"median": statistics.median(t), "fastest": min(t)} for name, t in runs.items()}
    result["ratio"] = result["tular"]["median"] / result["networkx"]["median"]
    result["ratio_fastest"] = result["tular"]["fastest"] / result["networkx"]["fastest"]
    print("| process | median | fastest | / networkx (median) |")
    print("|---|---:|---:|---:|")
    for name in runs:
        print(f"| {name} | {result[name]['median']:.3f} s | {result[name]['fastest']:.3f} s | "
              f"{result[name]['median'] / result['networkx']['median']:.2f}× |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
