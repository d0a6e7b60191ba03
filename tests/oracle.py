"""The test oracle: SPEC §5 (reach, broken chains, lineage) and §10 (outcome rates) written
plainly with networkx, straight from the records as they are written to a store.

Nothing here comes from ``tular.graph.metrics`` (neither the engine, the answers, nor their
result models): the oracle reads only the records and the gazetteer of
``tular.graph.model``, and answers with plain dicts shaped like the engine's answers'
``.model_dump()`` (``lineage`` like ``answers.lineage``, which is already JSON-shaped). It
aims to be obviously right rather than fast: every IKM's onward reach is a
``nx.descendants``, structural virality is ``nx.average_shortest_path_length`` of the
undirected first-teacher tree, lineage paths are ``nx.all_simple_paths`` enumerated and
counted one by one.

Straight from SPEC §5 / §10:

- Seeds S: IKM with a completed attendance at a training teaching the skill whose end is
  ≤ T (and in the cohort / ending in the year, when given). A seed learned the skill on
  its earliest such end.
- G: the skill's teachings dated ≤ T, teacher → learner. Generation: breadth-first from
  every seed at once (a seed taught by a seed stays 0). R: everything reached, minus S.
- Filters count IKM by their own kelurahan; the cascade is always the whole city's.
- The city population is the sum of the kelurahan figures only when a population is given
  for every kelurahan of the gazetteer; otherwise 13,000 (a kelurahan without a figure:
  the IKM on record there; a kecamatan: the sum of its kelurahan).
- Broken chains: "≥ W before T" is "on or before T − W"; an IKM learned on its earliest
  incoming edge; it taught nobody when it has no outgoing edge in G; a seed's lineage is
  itself and all its descendants (through other seeds too) and its last activity the
  latest edge taught by an IKM of the lineage; orphans are IKM with an edge in G in
  neither S nor R, fragments the weakly connected components of the orphans, the top of a
  fragment its IKM without a teacher.
- Lineage: every path from a seed to the IKM (through other seeds too; a seed's own
  lineage holds the one-IKM path ``[seed]``), shortest first, at most 100, with the count
  of all.
- Outcome rate of generation g: share of the counted generation-g IKM with an outcome of
  the kind (any kind when None) dated ≤ T whose skill is the skill or blank — and, after
  learning, dated on or after the day it learned.

Where the spec is silent, the readings (taken from what the engine and ``answers`` do, never
from calling them):

- Reach rows: ``areas`` has one row per kelurahan of the gazetteer that the filter admits
  (all 57 without one), zeros included, by (kecamatan name, kelurahan name); ``kecamatan``
  one row per kecamatan with an admitted kelurahan, by name. A kecamatan's ``imported``
  counts its reached IKM none of whose nearest seeds lives in that kecamatan.
- Nearest seeds of a reached IKM v: the seeds whose distance to v in G equals v's generation.
- With no counted seed (a filter may count reached IKM but no seed), ``max_depth`` is null
  and ``generations`` is empty, whatever the total.
- ``max_depth`` and the generation rows are over the counted IKM; ``ratio_g`` is null for
  the last generation and when n_g = 0, ``active_share_g`` null when n_g = 0; an IKM is
  active when it has an edge in G to an IKM of R (R of the whole city, any area).
- Coverage: total / population, null when the population is 0.
- Cost: the distinct trainings (of the skill, completed, ended ≤ T, in the cohort / year)
  attended by a counted seed; sum of those with a budget / counted total, rounded with
  Python's ``round`` (half to even); null when none has a budget or the total is 0. When
  some have a budget and some not, the warning
  ``trainings without a budget are left out of the cost: T1, T2`` (ids sorted); when none
  has one, no warning.
- Warnings, in this order: the budget warning; ``no completed training of {skill} ended by
  {T} in the selection: no seeds`` when no seed is counted; ``{n} seed(s) were also taught by
  another IKM; they count as generation 0`` where n counts the selected seeds of the whole
  city (not only the counted ones) with an incoming edge in G.
- Top teachers: the counted IKM that taught somebody (an outgoing edge in G), by onward
  reach descending, then generation ascending, then ikm_id; the first 20. (On a DAG these
  are the IKM with an onward reach of at least 1; a self-loop, which only a store breaking
  an invariant holds, makes a teacher of onward reach 0, as it makes an IKM "active" and no
  dormant leaf: the edge counts as a teaching everywhere.)
- Virality: one row per counted seed, by size descending then seed id; a reached IKM's
  first teacher is its earliest-dated teacher in S ∪ R (ties: smaller id); a tree of one
  IKM has a null virality. The tree is the seed's whole tree, whatever the area filter.
- Broken chains: findings ordered by kind (dead_seed, stalled_lineage, dormant_leaf,
  orphan), then days dormant descending, then ikm_id. A dead seed's last activity is the
  day it learned; a dormant leaf's is the day it learned and its ``seeds`` every seed whose
  lineage holds it (sorted); an orphan's last activity is its latest edge in G, in or out;
  a seed's ``seeds`` is itself, an orphan's empty. Broken chains take no cohort or year:
  every seed of the skill.
- Lineage: the skills listed are those of the store (by id) in which the IKM has an edge in
  G or a qualifying attendance, or the one skill asked for. ``learned_on``: a seed's
  earliest qualifying end, else its earliest incoming edge, else null. The 100 paths kept
  are the first after sorting all of them by (length, ids). ``downstream``: the IKM's
  descendants, by (depth, id), each with its depth (steps from the IKM), generation (null
  outside the cascade), ``taught_by`` (its teachers in the downstream or the IKM itself,
  sorted) and ``date`` (the earliest of those teachings).
- Outcome rates: generation rows as for reach (none without a counted seed), a rate is
  with_outcome / count (null for count 0); ``areas`` the kelurahan with at least one counted
  IKM, by (kecamatan name, kelurahan name); "after learning" counts an outcome dated on the
  day the IKM learned. A seed learned at its earliest training end among the trainings the
  cohort / year select.
- A teaching stored twice (a Neo4j store can hold copies) counts once, at its earliest date.
- Concentration (§12) with an area filter: the teachings counted are those whose teacher is
  counted (located in the area), as the generation rows count teachers; the learner may be
  anywhere in S ∪ R. Without a teaching: 0 teachers, 0 teachings, null shares.
- Chains (§12): every seed of the skill (chains take no cohort or year, as broken chains do);
  ``days_since_last`` is T − ``last_teaching`` (null with it); the histogram counts the
  chains of each size present, ascending; ``includes`` keeps the chain the IKM is a member of
  (none when it is in no chain).

A store may hold a cycle within one skill anyway (SPEC §3: "an edge inside a cycle is not
followed past an IKM already reached"). The readings that a cycle makes necessary:

- Generations, descendants and ancestors are breadth-first / reachability as usual.
- First-teacher tree: where first teachers go round a loop, every IKM of the loop takes
  instead its earliest teacher one generation nearer a seed (ties: smaller id), repeated
  until no loop is left.
- Lineage paths and their count use only the edges the cascade follows: an edge between
  two IKM of one strongly connected component is kept only when it goes from generation g
  to generation g + 1.
- The top of an orphan fragment: its IKM every one of whose ancestors it reaches itself
  (on a DAG, those without a teacher; on a cycle nobody outside taught, the IKM of it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction

import networkx as nx

from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Records
from tular.graph.model.skills import BUILTIN_SKILLS

CITY_POPULATION = 13_000
TOP_TEACHERS = 20
MAX_PATHS = 100
FINDING_KINDS = ("dead_seed", "stalled_lineage", "dormant_leaf", "orphan")


def generations(graph: nx.DiGraph, seeds: Iterable[str]) -> dict[str, int]:
    """Breadth-first from all seeds at once: 0 for a seed, else the fewest steps from one."""
    level = {s: 0 for s in seeds}
    frontier = list(level)
    while frontier:
        following = []
        for node in frontier:
            if node not in graph:
                continue
            for learner in graph.successors(node):
                if learner not in level:
                    level[learner] = level[node] + 1
                    following.append(learner)
        frontier = following
    return level


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


class Oracle:
    """The SPEC §5 / §10 answers of a set of records (what a store holds)."""

    def __init__(self, records: Records, gazetteer: Gazetteer | None = None, skills: Sequence[str] | None = None):
        self.gazetteer = gazetteer or Gazetteer.kota_malang()
        self.skills = sorted(skills or [s.skill_id for s in BUILTIN_SKILLS])
        self.ikm = {i.ikm_id: i for i in records.ikm}
        self.trainings = {t.training_id: t for t in records.trainings}
        attendance = {}
        for a in records.attendance:
            attendance[(a.ikm_id, a.training_id)] = a.completed
        self.attendance = [(ikm, training, completed) for (ikm, training), completed in attendance.items()]
        earliest: dict[tuple, date] = {}
        for t in records.teachings:
            key = (t.learner_id, t.teacher_id, t.skill)
            if key not in earliest or t.date < earliest[key]:
                earliest[key] = t.date
        self.teachings = [(learner, teacher, skill, day) for (learner, teacher, skill), day in earliest.items()]
        self.outcomes = list(records.outcomes)
        self.populations = {p.kelurahan_code: p.population for p in records.populations}
        self.on_record: dict[str, int] = {}
        for i in records.ikm:
            self.on_record[i.kelurahan_code] = self.on_record.get(i.kelurahan_code, 0) + 1

    # ------------------------------------------------------------------ inputs
    def graph(self, skill: str, as_of: date) -> nx.DiGraph:
        """G: the skill's teachings dated ≤ T, from teacher to learner."""
        graph = nx.DiGraph()
        for learner, teacher, s, day in self.teachings:
            if s == skill and day <= as_of:
                graph.add_edge(teacher, learner, date=day)
        return graph

    def qualifying(self, skill: str, as_of: date, cohort: Sequence[str] = (), year: int | None = None,
                   ) -> list[tuple[str, str, date]]:
        """(ikm, training, end) of every completed attendance that makes a seed."""
        rows = []
        for ikm, training_id, completed in self.attendance:
            training = self.trainings[training_id]
            if not completed or skill not in training.skills or training.end_date > as_of:
                continue
            if cohort and training_id not in cohort:
                continue
            if year is not None and training.end_date.year != year:
                continue
            rows.append((ikm, training_id, training.end_date))
        return rows

    def seeds(self, skill: str, as_of: date, cohort: Sequence[str] = (), year: int | None = None) -> dict[str, date]:
        """S, with the day each seed learned (its earliest qualifying end)."""
        seeds: dict[str, date] = {}
        for ikm, _, end in self.qualifying(skill, as_of, cohort, year):
            seeds[ikm] = min(end, seeds.get(ikm, end))
        return seeds

    def _admitted(self, kelurahan: str | None, kecamatan: str | None) -> list[str]:
        """The kelurahan codes a filter counts."""
        if kelurahan:
            return [self.gazetteer.kelurahan(kelurahan).code]
        if kecamatan:
            kec = self.gazetteer.kecamatan(kecamatan).code
            return [k.code for k in self.gazetteer.kelurahan_list if k.kecamatan_code == kec]
        return [k.code for k in self.gazetteer.kelurahan_list]

    def where(self, ikm: str) -> str:
        return self.ikm[ikm].kelurahan_code

    def kelurahan_name(self, code: str) -> str:
        return self.gazetteer.by_code(code).name

    def kecamatan_code(self, code: str) -> str:
        return self.gazetteer.by_code(code).kecamatan_code

    def population(self, kelurahan: str | None, kecamatan: str | None) -> int:
        def of(code: str) -> int:
            return self.populations.get(code, self.on_record.get(code, 0))

        if kelurahan or kecamatan:
            return sum(of(code) for code in self._admitted(kelurahan, kecamatan))
        every = [k.code for k in self.gazetteer.kelurahan_list]
        if all(code in self.populations for code in every):
            return sum(self.populations[code] for code in every)
        return CITY_POPULATION

    # ------------------------------------------------------------------ the pieces
    def first_teachers(self, graph: nx.DiGraph, level: dict[str, int]) -> dict[str, str]:
        """Parent of every reached IKM: its earliest-dated teacher in S ∪ R, ties to the smaller id."""
        def earliest(node: str, allowed) -> str:
            return min((graph.edges[u, node]["date"], u) for u in graph.predecessors(node) if allowed(u))[1]

        parent = {v: earliest(v, lambda u: u in level) for v, g in level.items() if g > 0}
        while True:
            looped = set()
            for start in parent:
                seen, node = [], start
                while node in parent and node not in seen:
                    seen.append(node)
                    node = parent[node]
                if node in seen:  # went round: the loop is seen[seen.index(node):]
                    looped.update(seen[seen.index(node):])
            if not looped:
                return parent
            for v in looped:
                parent[v] = earliest(v, lambda u, v=v: level.get(u) == level[v] - 1)

    def nearest_seeds(self, graph: nx.DiGraph, level: dict[str, int]) -> dict[str, set[str]]:
        distance = {s: nx.single_source_shortest_path_length(graph, s) if s in graph else {s: 0}
                    for s, g in level.items() if g == 0}
        return {v: {s for s, d in distance.items() if d.get(v) == g} for v, g in level.items()}

    # ------------------------------------------------------------------ reach
    def reach(self, skill: str, as_of: date, *, kelurahan: str | None = None, kecamatan: str | None = None,
              cohort: Sequence[str] = (), year: int | None = None) -> dict:
        graph = self.graph(skill, as_of)
        seeds = self.seeds(skill, as_of, cohort, year)
        level = generations(graph, seeds)
        admitted = set(self._admitted(kelurahan, kecamatan))
        counted = {v for v in level if self.where(v) in admitted}
        reached_anywhere = {v for v, g in level.items() if g > 0}
        counted_seeds = {v for v in counted if level[v] == 0}
        n_seeds, total = len(counted_seeds), len(counted)
        warnings: list[str] = []

        # generations
        rows = []
        depth = max(level[v] for v in counted) if n_seeds else None
        if depth is not None:
            for g in range(depth + 1):
                at_g = [v for v in counted if level[v] == g]
                n_next = sum(1 for v in counted if level[v] == g + 1)
                active = [v for v in at_g if v in graph and any(w in reached_anywhere for w in graph.successors(v))]
                rows.append({
                    "generation": g, "count": len(at_g),
                    "ratio": _ratio(n_next, len(at_g)) if g < depth else None,
                    "active_share": _ratio(len(active), len(at_g)),
                })

        # areas
        nearest = self.nearest_seeds(graph, level)
        areas = []
        for code in self._admitted(kelurahan, kecamatan):
            here = [v for v in counted if self.where(v) == code]
            s = sum(1 for v in here if level[v] == 0)
            r = len(here) - s
            imported = sum(1 for v in here if level[v] > 0 and all(self.where(n) != code for n in nearest[v]))
            areas.append({"kecamatan": self.gazetteer.kecamatan_of(code).name, "kelurahan": self.kelurahan_name(code),
                          "seeds": s, "reached": r, "total": s + r, "multiplier": _ratio(s + r, s),
                          "imported": imported})
        areas.sort(key=lambda row: (row["kecamatan"], row["kelurahan"]))
        kecamatan_rows = []
        for kec in sorted({self.kecamatan_code(code) for code in admitted}):
            here = [v for v in counted if self.kecamatan_code(self.where(v)) == kec]
            s = sum(1 for v in here if level[v] == 0)
            r = len(here) - s
            imported = sum(1 for v in here if level[v] > 0
                           and all(self.kecamatan_code(self.where(n)) != kec for n in nearest[v]))
            name = next(k.name for k in self.gazetteer.kecamatan_list if k.code == kec)
            kecamatan_rows.append({"kecamatan": name, "seeds": s, "reached": r, "total": s + r,
                                   "multiplier": _ratio(s + r, s), "imported": imported})
        kecamatan_rows.sort(key=lambda row: row["kecamatan"])

        # coverage and cost
        population = self.population(kelurahan, kecamatan)
        coverage = total / population if population else None
        trainings = sorted({t for ikm, t, _ in self.qualifying(skill, as_of, cohort, year) if ikm in counted_seeds})
        budgeted = [self.trainings[t].budget_idr for t in trainings if self.trainings[t].budget_idr is not None]
        unbudgeted = [t for t in trainings if self.trainings[t].budget_idr is None]
        if budgeted and unbudgeted:
            warnings.append(f"trainings without a budget are left out of the cost: {', '.join(unbudgeted)}")
        cost = round(sum(budgeted) / total) if budgeted and total else None
        if not n_seeds:
            warnings.append(f"no completed training of {skill} ended by {as_of.isoformat()} in the selection: no seeds")
        taught = [s for s in seeds if s in graph and graph.in_degree(s) > 0]
        if taught:
            warnings.append(f"{len(taught)} seed(s) were also taught by another IKM; they count as generation 0")

        # top teachers: the onward reach of every counted IKM, then ranked
        onward = {v: len(nx.descendants(graph, v)) if v in graph else 0 for v in counted}
        teachers = [v for v in counted if v in graph and graph.out_degree(v) > 0]  # taught somebody
        ranked = sorted(teachers, key=lambda v: (-onward[v], level[v], v))
        top = [{"ikm_id": v, "name": self.ikm[v].name, "kelurahan": self.kelurahan_name(self.where(v)),
                "generation": level[v], "onward_reach": onward[v]} for v in ranked[:TOP_TEACHERS]]

        # structural virality of each counted seed's first-teacher tree
        parent = self.first_teachers(graph, level)

        def root(v: str) -> str:
            while v in parent:
                v = parent[v]
            return v

        virality = []
        for seed in counted_seeds:
            tree = nx.Graph()
            tree.add_node(seed)
            tree.add_edges_from((v, parent[v]) for v in parent if root(v) == seed)
            n = tree.number_of_nodes()
            virality.append({"seed": seed, "size": n,
                             "structural_virality": nx.average_shortest_path_length(tree) if n >= 2 else None})
        virality.sort(key=lambda row: (-row["size"], row["seed"]))

        return {
            "skill": skill, "as_of": as_of, "seeds": n_seeds, "reached": total - n_seeds, "total": total,
            "multiplier": _ratio(total, n_seeds), "max_depth": depth, "coverage": coverage,
            "cost_per_ikm_idr": cost, "generations": rows, "areas": areas, "kecamatan": kecamatan_rows,
            "top_teachers": top, "virality": virality, "warnings": warnings,
            "concentration": self.concentration(graph, level, counted),
        }

    @staticmethod
    def concentration(graph: nx.DiGraph, level: dict[str, int], counted: set[str]) -> dict:
        """§12: a teaching is an edge of G with both ends in S ∪ R; a teacher an IKM with at
        least one; teachers sorted by their number of teachings, descending; k = ⌈p × teachers⌉;
        share = teachings of the top k / all teachings."""
        teachings = [(u, v) for u, v in graph.edges if u in level and v in level and u in counted]
        per_teacher = Counter(u for u, _ in teachings)
        ranked = sorted(per_teacher.values(), reverse=True)

        def share(p: Fraction) -> float | None:
            if not teachings:
                return None
            k = math.ceil(p * len(ranked))
            return sum(ranked[:k]) / len(teachings)

        return {"teachers": len(per_teacher), "teachings": len(teachings),
                "top_5_percent_share": share(Fraction(5, 100)), "top_20_percent_share": share(Fraction(20, 100))}

    def reach_all(self, as_of: date, *, kelurahan: str | None = None, kecamatan: str | None = None,
                  cohort: Sequence[str] = (), year: int | None = None) -> dict:
        answers = [self.reach(skill, as_of, kelurahan=kelurahan, kecamatan=kecamatan, cohort=cohort, year=year)
                   for skill in self.skills]
        admitted = set(self._admitted(kelurahan, kecamatan))
        somewhere = set()
        for skill in self.skills:
            level = generations(self.graph(skill, as_of), self.seeds(skill, as_of, cohort, year))
            somewhere |= {v for v in level if self.where(v) in admitted}
        return {"as_of": as_of, "skills": answers, "distinct_total": len(somewhere)}

    # ------------------------------------------------------------------ broken chains
    def broken(self, skill: str, as_of: date, dormant_days: int) -> dict:
        graph = self.graph(skill, as_of)
        seeds = self.seeds(skill, as_of)
        level = generations(graph, seeds)
        cutoff = as_of - timedelta(days=dormant_days)
        findings = []

        def taught_nobody(v: str) -> bool:
            return v not in graph or graph.out_degree(v) == 0

        def add(kind: str, v: str, last: date, seed_list: list[str], top: list[str] | None = None) -> None:
            findings.append({
                "kind": kind, "ikm_id": v, "name": self.ikm[v].name, "kelurahan": self.kelurahan_name(self.where(v)),
                "generation": level.get(v), "last_activity": last, "days_dormant": (as_of - last).days,
                "seeds": seed_list, "fragment_top": top,
            })

        for seed, learned in seeds.items():
            if taught_nobody(seed):
                if learned <= cutoff:
                    add("dead_seed", seed, learned, [seed])
                continue
            lineage = {seed} | nx.descendants(graph, seed)
            last = max(d for u, _, d in graph.edges(data="date") if u in lineage)
            if last <= cutoff:
                add("stalled_lineage", seed, last, [seed])
        for v, g in level.items():
            if g == 0 or not taught_nobody(v):
                continue
            learned = min(d for _, _, d in graph.in_edges(v, data="date"))
            if learned <= cutoff:
                add("dormant_leaf", v, learned, sorted(s for s in seeds if s in graph and v in nx.descendants(graph, s)))
        orphans = [v for v in graph if v not in level]
        for fragment in nx.weakly_connected_components(graph.subgraph(orphans)):
            top = sorted(v for v in fragment if nx.ancestors(graph, v) <= nx.descendants(graph, v))
            for v in fragment:
                last = max(d for a, b, d in graph.edges(data="date") if v in (a, b))
                add("orphan", v, last, [], top)
        findings.sort(key=lambda f: (FINDING_KINDS.index(f["kind"]), -f["days_dormant"], f["ikm_id"]))
        return {"skill": skill, "as_of": as_of, "dormant_days": dormant_days, "findings": findings}

    # ------------------------------------------------------------------ chains (SPEC §12)
    def chains(self, skill: str, as_of: date, dormant_days: int, statuses: Sequence[str] = (),
               min_size: int | None = None, includes: str | None = None) -> dict:
        graph = self.graph(skill, as_of)
        seeds = self.seeds(skill, as_of)
        level = generations(graph, seeds)

        def assigning(v: str) -> tuple[date, str]:
            """The teaching that assigns v: from its teacher of generation g − 1, earliest-dated,
            ties to the smaller teacher id (Python compares strings by code point)."""
            return min((graph.edges[u, v]["date"], u) for u in graph.predecessors(v) if level.get(u) == level[v] - 1)

        chain_of: dict[str, str] = {}
        for v in level:
            w = v
            while level[w] > 0:  # each step lowers the generation: ends at a seed
                w = assigning(w)[1]
            chain_of[v] = w
        found = self.broken(skill, as_of, dormant_days)["findings"]
        dead = {f["ikm_id"] for f in found if f["kind"] == "dead_seed"}
        stalled = {f["ikm_id"] for f in found if f["kind"] == "stalled_lineage"}
        rows = []
        for seed in seeds:
            members = [v for v, s in chain_of.items() if s == seed]
            dates = [assigning(v)[0] for v in members if level[v] > 0]
            lineage = {seed} | (nx.descendants(graph, seed) if seed in graph else set())
            taught = any(u in lineage for u, _ in graph.edges)
            status = ("dead_seed" if seed in dead else "stalled" if seed in stalled
                      else "growing" if taught else "new")
            last = max(dates) if dates else None
            rows.append({
                "seed": seed, "kelurahan": self.kelurahan_name(self.where(seed)), "size": len(members),
                "depth": max(level[v] for v in members), "first_teaching": min(dates) if dates else None,
                "last_teaching": last, "days_since_last": (as_of - last).days if last else None, "status": status,
            })
        rows.sort(key=lambda r: (-r["size"], r["seed"]))
        histogram = [{"size": n, "chains": c} for n, c in sorted(Counter(r["size"] for r in rows).items())]
        if statuses:
            rows = [r for r in rows if r["status"] in statuses]
        if min_size is not None:
            rows = [r for r in rows if r["size"] >= min_size]
        if includes is not None:
            rows = [r for r in rows if chain_of.get(includes) == r["seed"]]
        return {"skill": skill, "as_of": as_of, "dormant_days": dormant_days, "chains": rows,
                "histogram": histogram}

    # ------------------------------------------------------------------ lineage
    def followed(self, graph: nx.DiGraph, level: dict[str, int]) -> nx.DiGraph:
        """G without the edges inside a cycle that the cascade does not follow."""
        component = {v: i for i, members in enumerate(nx.strongly_connected_components(graph)) for v in members}
        kept = nx.DiGraph()
        kept.add_nodes_from(graph)
        for u, v, d in graph.edges(data="date"):
            if component[u] != component[v] or (u in level and v in level and level[v] == level[u] + 1):
                kept.add_edge(u, v, date=d)
        return kept

    def lineage_of_skill(self, skill: str, ikm_id: str, as_of: date) -> dict:
        graph = self.graph(skill, as_of)
        seeds = self.seeds(skill, as_of)
        level = generations(graph, seeds)
        if ikm_id in seeds:
            learned = seeds[ikm_id]
        elif ikm_id in graph and graph.in_degree(ikm_id):
            learned = min(d for _, _, d in graph.in_edges(ikm_id, data="date"))
        else:
            learned = None
        walk = self.followed(graph, level)
        start = ("", "start")  # one node ahead of every seed: a path from it is a path from a seed
        walk.add_nodes_from([ikm_id, start])
        walk.add_edges_from((start, s) for s in seeds)
        every = sorted((path[1:] for path in nx.all_simple_paths(walk, start, ikm_id)), key=lambda p: (len(p), p))
        upstream = (nx.ancestors(graph, ikm_id) if ikm_id in graph else set()) | {ikm_id}
        downstream = []
        if ikm_id in graph:
            depth = nx.single_source_shortest_path_length(graph, ikm_id)
            for v in sorted(depth, key=lambda v: (depth[v], v)):
                if v == ikm_id:
                    continue
                teachers = sorted(u for u in graph.predecessors(v) if u in depth)
                downstream.append({
                    "ikm_id": v, "name": self.ikm[v].name, "kelurahan": self.kelurahan_name(self.where(v)),
                    "depth": depth[v], "generation": level.get(v), "taught_by": teachers,
                    "date": min(graph.edges[u, v]["date"] for u in teachers).isoformat(),
                })
        return {
            "skill": skill, "generation": level.get(ikm_id), "learned_on": learned.isoformat() if learned else None,
            "seeds": sorted(v for v in upstream if v in seeds), "path_count": len(every), "paths": every[:MAX_PATHS],
            "downstream": downstream,
        }

    def lineage(self, ikm_id: str, as_of: date, skill: str | None = None) -> dict:
        per_skill = []
        for s in [skill] if skill else self.skills:
            graph = self.graph(s, as_of)
            trained = any(ikm == ikm_id for ikm, _, _ in self.qualifying(s, as_of))
            if skill or trained or ikm_id in graph:
                per_skill.append(self.lineage_of_skill(s, ikm_id, as_of))
        code = self.where(ikm_id)
        return {"ikm_id": ikm_id, "name": self.ikm[ikm_id].name, "kelurahan": self.kelurahan_name(code),
                "kecamatan": self.gazetteer.kecamatan_of(code).name, "as_of": as_of.isoformat(), "skills": per_skill}

    # ------------------------------------------------------------------ outcomes (SPEC §10)
    def outcome_rates(self, skill: str, as_of: date, kind: str | None = None, *, after_learning: bool = False,
                      kelurahan: str | None = None, kecamatan: str | None = None, cohort: Sequence[str] = (),
                      year: int | None = None) -> dict:
        graph = self.graph(skill, as_of)
        seeds = self.seeds(skill, as_of, cohort, year)
        level = generations(graph, seeds)
        admitted = set(self._admitted(kelurahan, kecamatan))
        counted = {v for v in level if self.where(v) in admitted}

        def learned(v: str) -> date:
            return seeds[v] if level[v] == 0 else min(d for _, _, d in graph.in_edges(v, data="date"))

        achieved = {
            o.ikm_id for o in self.outcomes
            if o.ikm_id in counted and o.skill in (None, skill) and (kind is None or o.kind == kind)
            and o.date <= as_of and (not after_learning or o.date >= learned(o.ikm_id))
        }
        rows = []
        if any(level[v] == 0 for v in counted):
            for g in range(max(level[v] for v in counted) + 1):
                at_g = [v for v in counted if level[v] == g]
                hits = sum(1 for v in at_g if v in achieved)
                rows.append({"generation": g, "count": len(at_g), "with_outcome": hits, "rate": _ratio(hits, len(at_g))})
        areas = []
        for code in sorted({self.where(v) for v in counted}):
            here = [v for v in counted if self.where(v) == code]
            hits = sum(1 for v in here if v in achieved)
            areas.append({"kecamatan": self.gazetteer.kecamatan_of(code).name, "kelurahan": self.kelurahan_name(code),
                          "count": len(here), "with_outcome": hits, "rate": _ratio(hits, len(here))})
        areas.sort(key=lambda row: (row["kecamatan"], row["kelurahan"]))
        return {"skill": skill, "kind": kind, "as_of": as_of, "generations": rows, "areas": areas}
