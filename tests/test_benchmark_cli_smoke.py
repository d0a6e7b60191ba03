"""The command-line benchmark keeps working (it is not a test of speed: see docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import cli_startup
from tular.graph.store import EmbeddedStore

from .factories import small_batik_program


def test_tular_reach_and_the_networkx_script_agree_and_are_timed(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "tiny.db")
    store.init_schema()
    store.write(small_batik_program())
    store.close()
    # checks the answers agree: tular's and the script's, and an earlier tree's (here this checkout,
    # arranged as a package the way a `git archive` of an earlier commit is)
    result = cli_startup.main(["--db", f"sqlite:///{tmp_path / 'tiny.db'}", "--rounds", "1",
                               "--before", str(Path(cli_startup.__file__).parents[1])])
    assert result["tular"]["median"] > 0 and result["networkx"]["median"] > 0
    assert result["tular, before"]["cpu_median"] > 0 and result["floor"]["cpu_median"] > 0
    assert result["ratio"] == result["tular"]["median"] / result["networkx"]["median"]


def test_the_after_write_benchmark_runs(tmp_path: Path):
    """benchmarks/after_write.py: the writer patches, another process catches up, and both
    answer as a full re-read does (the run asserts it) — timed, not judged here."""
    from benchmarks import after_write

    result = after_write.main(["--store", "embedded", "--writes", "1"])
    assert set(result["embedded"]) == {"write", "writer", "other", "re-read"}
    assert all(seconds > 0 for seconds in result["embedded"].values())
