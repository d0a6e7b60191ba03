"""The command line as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tular.graph.demo.generator import build_demo


def tular(*args: str, db: str | None = None) -> subprocess.CompletedProcess:
    """``tular ARGS`` in a fresh working folder (``tular demo`` writes its map and report there)."""
    command = [sys.executable, "-m", "tular", *(["--db", db] if db else []), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          cwd=tempfile.mkdtemp(prefix="tular-cli-"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tular.db'}"


def test_demo_loads_and_prints_the_summary(db: str):
    result = tular("demo", "--no-serve", db=db)
    assert result.returncode == 0, result.stderr
    demo = build_demo()
    assert f"{len(demo.ikm):,}" in result.stdout and f"{len(demo.teachings):,}" in result.stdout
    assert "Reach per skill" in result.stdout and "olahan-makanan" in result.stdout
    assert "Bunulrejo (batik): 2 trained" in result.stdout
    assert "21 of these 22 learners have exhibited (pameran)" in " ".join(result.stdout.split())
    status = json.loads(tular("status", "--json", db=db).stdout)
    assert (status["ikm"], status["teachings"], status["kelurahan"]) == (13_000, len(demo.teachings), 57)
    # running it again changes nothing
    assert tular("demo", "--no-serve", db=db).returncode == 0
    assert json.loads(tular("status", "--json", db=db).stdout) == status


@pytest.mark.neo4j
def test_demo_on_neo4j_gives_the_same_summary(db: str, neo4j_store, neo4j_url: str):
    embedded = tular("demo", "--no-serve", db=db)
    on_neo4j = tular("demo", "--no-serve", db=neo4j_url)
    assert on_neo4j.returncode == 0, on_neo4j.stderr
    summary = lambda out: out[out.index("Reach per skill"):]  # noqa: E731 - the store URL differs above it
    assert summary(on_neo4j.stdout) == summary(embedded.stdout)


def test_demo_refuses_to_mix_into_a_store_with_other_data(tmp_path: Path, db: str):
    from tular.graph.model.records import IKM, Records
    from tular.graph.store import open_store

    store = open_store(db)
    store.init_schema()
    store.write(Records(ikm=[IKM(ikm_id="MINE-1", name="Bu Sri", kelurahan_code="blimbing.bunulrejo")]))
    store.close()
    result = tular("demo", "--no-serve", db=db)
    assert result.returncode == 2
    assert "--reset" in result.stderr
    assert json.loads(tular("status", "--json", db=db).stdout)["ikm"] == 1


def test_init_and_skills(db: str):
    assert "57 kelurahan" in tular("init", db=db).stdout
    added = tular("skills", "add", "Anyaman Bambu", "--name-id", "Anyaman bambu", "--name-en", "Bamboo weaving",
                  "--alias", "anyaman", db=db)
    assert added.returncode == 0, added.stderr
    skills = {s["skill_id"]: s for s in json.loads(tular("skills", "list", "--json", db=db).stdout)}
    assert skills["anyaman-bambu"]["aliases"] == ["anyaman"] and len(skills) == 9
    clash = tular("skills", "add", "batik-modern", "--name-id", "x", "--name-en", "x", "--alias", "membatik", db=db)
    assert clash.returncode == 2 and "membatik" in clash.stderr and "batik" in clash.stderr


@pytest.mark.parametrize("args, code", [
    (["--db", "postgres://x", "status"], 2),
    (["--no-such-flag"], 2),
    (["reach-everything"], 2),
])
def test_usage_errors_exit_2(args: list[str], code: int):
    result = subprocess.run([sys.executable, "-m", "tular", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == code
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert tular("demo", "--no-serve", db=db).returncode == 0
    return db


def test_reach_json_has_the_shape_of_spec_6(demo_db: str):
    result = tular("reach", "--skill", "Membatik", "--as-of", "2026-10-31", "--json", db=demo_db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"skill", "as_of", "seeds", "reached", "total", "multiplier", "max_depth", "coverage",
                         "cost_per_ikm_idr", "generations", "areas", "kecamatan", "top_teachers", "virality", "warnings",
                         "concentration"}
    assert data["skill"] == "batik" and data["total"] == data["seeds"] + data["reached"]
    # SPEC §12: the top 5 % of the teachers gave a share of the teachings no larger than the top 20 %'s
    concentration = data["concentration"]
    assert set(concentration) == {"teachers", "teachings", "top_5_percent_share", "top_20_percent_share"}
    assert 0 < concentration["teachers"] <= concentration["teachings"]
    assert 0.05 <= concentration["top_5_percent_share"] <= concentration["top_20_percent_share"] <= 1
    assert set(data["generations"][0]) == {"generation", "count", "ratio", "active_share"}
    assert set(data["areas"][0]) == {"kecamatan", "kelurahan", "seeds", "reached", "total", "multiplier", "imported"}
    assert set(data["kecamatan"][0]) == {"kecamatan", "seeds", "reached", "total", "multiplier", "imported"}
    assert set(data["top_teachers"][0]) == {"ikm_id", "name", "kelurahan", "generation", "onward_reach"}
    assert len(data["top_teachers"]) == 20
    assert set(data["virality"][0]) == {"seed", "size", "structural_virality"}
    assert all(isinstance(data[k], int) for k in ("seeds", "reached", "total", "max_depth"))
    bunulrejo = next(a for a in data["areas"] if a["kelurahan"] == "Bunulrejo")
    assert (bunulrejo["seeds"], bunulrejo["reached"]) == (2, 22)


def test_reach_all_and_broken_json(demo_db: str):
    every = json.loads(tular("reach", "--skill", "all", "--as-of", "2026-10-31", "--json", db=demo_db).stdout)
    assert set(every) == {"as_of", "skills", "distinct_total"} and len(every["skills"]) == 8
    assert max(s["total"] for s in every["skills"]) <= every["distinct_total"] <= sum(s["total"] for s in every["skills"])
    broken = json.loads(tular("broken", "--skill", "batik", "--as-of", "2026-10-31", "--json", db=demo_db).stdout)
    assert broken["dormant_days"] == 180
    assert {f["kind"] for f in broken["findings"]} >= {"dead_seed", "stalled_lineage", "dormant_leaf"}


@pytest.mark.parametrize("args, code, words", [
    (["reach", "--skill", "tari"], 2, "unknown skill"),
    (["reach", "--skill", "batik", "--as-of", "31/02/2026"], 2, "no day 31"),
    (["reach", "--skill", "batik", "--kelurahan", "Bunul Rejoo"], 2, "Bunulrejo"),
    (["lineage", "IKM-99999"], 1, "IKM-99999"),
])
def test_query_errors_and_exit_codes(demo_db: str, args: list[str], code: int, words: str):
    result = tular(*args, db=demo_db)
    assert result.returncode == code and words in result.stderr and "Traceback" not in result.stderr
