"""A plain networkx script that answers what ``tular reach --skill S --as-of D --json`` answers
(SPEC §5, on an embedded store's file): the baseline of ``benchmarks/cli_startup.py``.

    python benchmarks/nx_reach_script.py tular.db batik 2026-10-01

Written the way an analyst would, straight from SPEC §5: SQLite rows in, one DiGraph,
networkx for the walks. It imports nothing of tular.
"""

import json
import sqlite3
import sys
from collections import Counter, defaultdict

import networkx as nx


def main(path: str, skill: str, as_of: str) -> dict:
    db = sqlite3.connect(path)
    located = dict(db.execute("SELECT ikm_id, kelurahan_code FROM ikm"))
    names = {}
    kelurahan = {code: (name, kec) for code, name, kec in db.execute("SELECT code, name, kecamatan_code FROM kelurahan")}
    kecamatan = dict(db.execute("SELECT code, name FROM kecamatan"))
    graph = nx.DiGraph()
    for learner, teacher, day in db.execute(
            "SELECT learner_id, teacher_id, date FROM teaching WHERE skill_id = ? AND date <= ?", (skill, as_of)):
        graph.add_edge(teacher, learner, date=day)
    seeds, budgets = {}, {}
    for ikm, training, end, budget in db.execute(
            "SELECT a.ikm_id, t.training_id, t.end_date, t.budget_idr FROM attendance a JOIN training t USING "
            "(training_id) JOIN training_skill ts USING (training_id) WHERE ts.skill_id = ? AND a.completed = 1 "
            "AND t.end_date <= ?", (skill, as_of)):
        seeds.setdefault(ikm, set()).add(training)
        budgets[training] = budget
    generation = {}
    for node, depth in nx.multi_source_dijkstra_path_length(graph, [s for s in seeds if s in graph]).items():
        generation[node] = depth
    generation.update(dict.fromkeys(seeds, 0))
    reached = [v for v in generation if generation[v] > 0]
    sizes = Counter(generation.values())
    depth = max(sizes) if seeds else None
    active = Counter(generation[v] for v in generation
                     if v in graph and any(generation.get(w, 0) > 0 for w in graph.successors(v)))
    rows = []
    for g in range(len(sizes)):
        rows.append({"generation": g, "count": sizes[g],
                     "ratio": sizes[g + 1] / sizes[g] if g + 1 in sizes else None,
                     "active_share": active[g] / sizes[g]})
    nearest = {}  # per IKM, the kelurahan of its nearest seeds
    for v in sorted(generation, key=generation.get):
        nearest[v] = {located[v]} if generation[v] == 0 else set().union(
            *(nearest[t] for t in graph.predecessors(v) if generation.get(t) == generation[v] - 1))
    per_area = defaultdict(lambda: [0, 0, 0])
    for v, g in generation.items():
        row = per_area[located[v]]
        row[0 if g == 0 else 1] += 1
        row[2] += g > 0 and located[v] not in nearest[v]
    areas = sorted(({"kecamatan": kecamatan[kelurahan[code][1]], "kelurahan": kelurahan[code][0], "seeds": s,
                     "reached": r, "total": s + r, "multiplier": (s + r) / s if s else None, "imported": i}
                    for code, (s, r, i) in ((c, per_area[c]) for c in kelurahan)),  # every kelurahan, zeros too
                   key=lambda a: (a["kecamatan"], a["kelurahan"]))
    onward = {v: len(nx.descendants(graph, v)) for v in graph if v in generation and graph.out_degree(v)}
    top = sorted(onward, key=lambda v: (-onward[v], generation[v], v))[:20]
    names = dict(db.execute(f"SELECT ikm_id, name FROM ikm WHERE ikm_id IN ({','.join('?' * len(top))})", top))
    tree = nx.DiGraph()  # first-teacher trees: the earliest-dated edge, ties to the smaller teacher id
    for v in reached:
        teachers = [t for t in graph.predecessors(v) if t in generation]
        tree.add_edge(min(teachers, key=lambda t: (graph.edges[t, v]["date"], t)), v)
    virality = []
    for seed in seeds:
        members = [seed, *nx.descendants(tree, seed)] if seed in tree else [seed]
        n = len(members)
        value = nx.wiener_index(tree.subgraph(members).to_undirected()) / (n * (n - 1) / 2) if n > 1 else None
        virality.append({"seed": seed, "size": n, "structural_virality": value})
    virality.sort(key=lambda v: (-v["size"], v["seed"]))
    budget = [b for b in budgets.values() if b is not None]
    total = len(generation)
    return {"skill": skill, "as_of": as_of, "seeds": len(seeds), "reached": len(reached), "total": total,
            "multiplier": total / len(seeds) if seeds else None, "max_depth": depth,
            "cost_per_ikm_idr": round(sum(budget) / total) if budget and total else None,
            "generations": rows, "areas": areas,
            "top_teachers": [{"ikm_id": v, "name": names[v], "kelurahan": kelurahan[located[v]][0],
                              "generation": generation[v], "onward_reach": onward[v]} for v in top],
            "virality": virality}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
