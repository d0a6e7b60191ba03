"""The long fault run of docs/reliability.md: Neo4j killed (SIGKILL) in the middle of an
import 20 times, and `tular import` killed 6 times on the embedded store. The test suite's
default run kills Neo4j 6 times (`tests/test_faults.py`); this runs the same test with more.

    .venv/bin/python -m benchmarks.faults [--kills 20]

Prints the figures (pytest ``-s``); takes 5–10 minutes, mostly Neo4j starting again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "TULAR_NEO4J_KILLS": str(args.kills), "TULAR_REQUIRE_NEO4J": "1"}
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider",
                              "tests/test_faults.py", "-k", "killed"], cwd=root, env=env))


if __name__ == "__main__":
    main()
