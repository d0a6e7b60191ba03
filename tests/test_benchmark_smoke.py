"""The import benchmark keeps working (it is not a test of speed: see docs/benchmarks.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import import_throughput


def test_generated_files_are_the_same_for_the_same_seed(tmp_path: Path):
    first = import_throughput.generate(tmp_path / "a", 300)
    again = import_throughput.generate(tmp_path / "b", 300)
    assert first == again and first["ikm"] == 300 and first["teachings"] >= 590
    for kind in import_throughput.KINDS:
        assert (tmp_path / "a" / f"{kind}.csv").read_bytes() == (tmp_path / "b" / f"{kind}.csv").read_bytes()


def test_small_scale_runs_on_the_embedded_store(tmp_path: Path):
    out = tmp_path / "result.json"
    import_throughput.main(["--scale", "small", "--store", "embedded", "--json", str(out)])
    result = json.loads(out.read_text())
    embedded = result["stores"]["embedded"]
    big, naive = embedded["import"], embedded["naive"]
    assert big["rows"] == sum(result["rows"].values()) and big["stored"]["ikm"] == result["ikm"] == 500
    assert set(big["phases"]) == {"read", "snapshot", "validate", "write", "commit"}
    assert naive["rows"] == sum(result["sample_rows"].values()) and naive["seconds"] > 0
    assert big["peak_rss_mib"] > 0
    floor = embedded["floor"]  # the store alone, with the same records as the import stored
    assert floor["stored"] == big["stored"] and floor["seconds"] > 0
    assert floor["rows"] == sum(big["stored"].values()) + result["rows"]["trainings"] + result["rows"]["attendance"]


@pytest.mark.neo4j
def test_small_scale_runs_on_neo4j_taking_turns_with_its_floor(tmp_path: Path, neo4j_url: str):
    out = tmp_path / "result.json"
    import_throughput.main(["--scale", "small", "--store", "neo4j", "--no-baseline", "--repeat", "2",
                            "--neo4j-url", neo4j_url, "--json", str(out)])
    neo4j = json.loads(out.read_text())["stores"]["neo4j"]
    assert len(neo4j["imports"]) == len(neo4j["floors"]) == 2
    assert neo4j["import"] in neo4j["imports"] and neo4j["floor"] in neo4j["floors"]
    for run, floor in zip(neo4j["imports"], neo4j["floors"]):
        assert run["stored"] == floor["stored"] == {"ikm": 500, "teachings": run["stored"]["teachings"]}
        # each kind written in the write transaction while the later ones were checked
        assert {"sent:ikm", "sent:trainings", "sent:attendance", "sent:teachings"} <= set(run["phases"])
