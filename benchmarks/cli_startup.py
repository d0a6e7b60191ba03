"""`tular reach` as a whole process against a plain networkx script doing the same (SPEC §9:
at most 1.2× at city scale, on the embedded store), timed in one run.

    .venv/bin/python -m benchmarks.cli_startup [--db sqlite:///tular.db] [--rounds 15]
                                               [--before SRC] [--json FILE]

Without ``--db`` the demo (13,000 IKM) is written to a temporary file first. Each round runs,
one after the other, `tular --db … reach --skill batik --as-of 2026-06-30 --json` and
`python benchmarks/nx_reach_script.py` (the same answer from SQLite rows with networkx; its
answer is checked equal on every field both give), and, with ``--before SRC``, the same
`tular reach` from another source tree (an earlier version, for a before/after row: a source
checkout such as ``git archive COMMIT | tar -x -C SRC`` gives, arranged here as a ``tular``
package put first on PYTHONPATH). A third process only imports the modules `tular reach`
imports; a fourth, the floor, only what no version of the command can do without: the
interpreter, numpy (the engine's arrays), pydantic with one model built (the answer types),
typer (the command line) and sqlite3. Wall times of the whole process, interpreter start
included (the median and the fastest of the rounds), and the median of its CPU time (user
and system), which a machine busy with other work disturbs less.

Every process runs in a fresh temporary folder (``python -m tular`` run in a checkout would
import the checkout's ``tular`` folder, whatever PYTHONPATH says), with the bytecode of the
trees it times compiled first, as ``pip install`` leaves an installed package
(``PYTHONDONTWRITEBYTECODE`` would otherwise make every process compile tular's sources
again; networkx, like every installed library, has its bytecode).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKILL, AS_OF = "batik", "2026-06-30"


PACKAGES = ("graph", "service", "visualizations")  # the checkout's folders: tular.graph, …
FLOOR = "import numpy, pydantic, sqlite3, typer; pydantic.create_model('Answer', skill=(str, ...))"


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """Wall time, CPU time (user and system, of the process) and what it printed."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=True)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime, done.stdout


def as_package(source: Path, folder: Path) -> Path:
    """A folder to put on PYTHONPATH for ``source``: ``source`` itself when it holds the
    ``tular`` package whole, else (a checkout: ``tular/`` beside ``graph/``, ``service/``,
    ``visualizations/``) a ``tular`` package made of links to them. Its bytecode compiled."""
    compileall.compile_dir(str(source), quiet=1)
    if (source / "tular" / "graph").is_dir():
        return source
    package = folder / "before" / "tular"
    package.mkdir(parents=True)
    for entry in (source / "tular").iterdir():
        (package / entry.name).symlink_to(entry.resolve())
    for name in PACKAGES:
        (package / name).symlink_to((source / name).resolve())
    return package.parent


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
        path = str(Path(db[len("sqlite:///"):]).resolve())
        db = f"sqlite:///{path}"
        for name in ("tular", *PACKAGES):
            compileall.compile_dir(str(ROOT / name), quiet=1)
        here = Path(folder) / "run"
        here.mkdir()
        tular = [sys.executable, "-m", "tular", "--db", db, "reach", "--skill", SKILL, "--as-of", AS_OF, "--json"]
        script = [sys.executable, str(ROOT / "benchmarks" / "nx_reach_script.py"), path, SKILL, AS_OF]
        imports = [sys.executable, "-c", "import tular.service.cli, tular.graph.metrics.answers, "
                   "tular.graph.store.embedded"]
        floor = [sys.executable, "-c", FLOOR]
        commands = {"tular": (tular, None), "networkx": (script, None), "tular's imports alone": (imports, None),
                    "floor": (floor, None)}
        if args.before:
            before_env = {**os.environ, "PYTHONPATH": str(as_package(args.before.resolve(), Path(folder)))}
            commands["tular, before"] = (tular, before_env)
        runs: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        printed: dict[str, str] = {}
        for _ in range(args.rounds):
            for name, (command, env) in commands.items():
                seconds, used, printed[name] = timed(command, here, env)
                runs[name].append(seconds)
                cpu[name].append(used)
        ours, theirs = printed["tular"], printed["networkx"]
        if args.before:
            assert json.loads(printed["tular, before"]) == json.loads(ours)
        ours, theirs = json.loads(ours), json.loads(theirs)
        assert all(ours[k] == theirs[k] for k in theirs), [k for k in theirs if ours[k] != theirs[k]]
    result = {name: {"median": statistics.median(t), "fastest": min(t), "cpu_median": statistics.median(cpu[name])}
              for name, t in runs.items()}
    result["ratio"] = result["tular"]["median"] / result["networkx"]["median"]
    result["ratio_fastest"] = result["tular"]["fastest"] / result["networkx"]["fastest"]
    result["ratio_to_floor"] = result["tular"]["median"] / result["floor"]["median"]
    result["ratio_cpu"] = result["tular"]["cpu_median"] / result["networkx"]["cpu_median"]
    print("| process | median | fastest | / networkx | / floor | CPU median | / networkx | / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in runs:
        row, nx_, floor_ = result[name], result["networkx"], result["floor"]
        print(f"| {name} | {row['median']:.3f} s | {row['fastest']:.3f} s | {row['median'] / nx_['median']:.2f}× | "
              f"{row['median'] / floor_['median']:.2f}× | {row['cpu_median']:.3f} s | "
              f"{row['cpu_median'] / nx_['cpu_median']:.2f}× | {row['cpu_median'] / floor_['cpu_median']:.2f}× |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
