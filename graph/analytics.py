"""SPEC §5 metrics as pure functions of a networkx teaching graph — the reference that
the Cypher versions are tested against.

The teaching graph points from teacher to learner (the direction knowledge flows).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
from pydantic import BaseModel


class ReachSummary(BaseModel):
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    max_depth: int | None
    generations: list[int]


def generations(graph: nx.DiGraph, seeds: Iterable[str]) -> dict[str, int]:
    """Generation of every IKM reachable from ``seeds``: 0 for a seed, else the fewest
    teaching steps from any seed. One breadth-first pass; never enumerates paths.

    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("s", "b"), ("b", "c")])
    >>> sorted(generations(g, ["s"]).items())
    [('a', 1), ('b', 1), ('c', 2), ('s', 0)]
    """
    level = {s: 0 for s in seeds}
    frontier = [s for s in level if s in graph]
    depth = 0
    while frontier:
        depth += 1
        nxt = []
        for node in frontier:
            for learner in graph.successors(node):
                if learner not in level:
                    level[learner] = depth
                    nxt.append(learner)
        frontier = nxt
    return level


def reach_summary(graph: nx.DiGraph, seeds: Iterable[str]) -> ReachSummary:
    """Seeds, reached, total, multiplier, max depth and generation sizes (SPEC §5).

    >>> g = nx.DiGraph([("s1", "a"), ("s2", "b"), ("a", "c")])
    >>> r = reach_summary(g, ["s1", "s2"])
    >>> (r.seeds, r.reached, r.total, r.multiplier, r.max_depth, r.generations)
    (2, 3, 5, 2.5, 2, [2, 2, 1])
    """
    level = generations(graph, seeds)
    n_seeds = sum(1 for g in level.values() if g == 0)
    if n_seeds == 0:
        return ReachSummary(seeds=0, reached=0, total=0, multiplier=None, max_depth=None, generations=[])
    max_depth = max(level.values())
    sizes = [0] * (max_depth + 1)
    for g in level.values():
        sizes[g] += 1
    total = len(level)
    return ReachSummary(
        seeds=n_seeds, reached=total - n_seeds, total=total, multiplier=total / n_seeds,
        max_depth=max_depth, generations=sizes,
    )
