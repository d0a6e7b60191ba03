"""The reach benchmark keeps working (it is not a test of speed: see docs/benchmarks.md)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np

from benchmarks import reach, reach_data


def test_the_synthetic_province_is_the_same_for_the_same_seed_and_a_dag_per_skill():
    first, again = reach_data.province(3_000), reach_data.province(3_000)
    assert first.n_edges == again.n_edges > 3_000 and first.n_seeds == again.n_seeds > 50
    for skill, (teacher, learner, day) in first.edges.items():
        other = again.edges[skill]
        assert all(np.array_equal(a, b) for a, b in zip((teacher, learner, day), other))
        pairs = set(zip(teacher.tolist(), learner.tolist()))
        assert len(pairs) == len(teacher)  # one edge per (teacher, learner, skill)
        assert nx.is_directed_acyclic_graph(nx.DiGraph(pairs))


def test_tiny_scale_runs_on_the_embedded_store_with_baselines_and_floor(tmp_path: Path):
    out = tmp_path / "result.json"
    reach.main(["--scale", "tiny", "--store", "embedded", "--repeat", "1", "--json", str(out)])
    result = json.loads(out.read_text())
    embedded = result["stores"]["embedded"]
    assert {"reach_all", "broken"} <= set(embedded)
    assert all(embedded[name][timing] > 0 for name in ("reach_all", "broken") for timing in ("first", "cold", "warm", "new_date"))
    assert result["baseline_reached_agrees"] is True  # tular's reached = the union of nx.descendants per seed
    assert result["floor"]["levels"] > 0 and result["networkx_naive"]["walk"] > 0
    assert result["sizes"]["ikm"] == 2_000 and result["sizes"]["seeds"] > 0
    assert "| embedded | reach_all |" in reach.report(result)
