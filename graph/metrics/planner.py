"""SPEC §10 next-cohort planner: where to train next, whom to ask to co-teach, whom to visit.

Readings of the spec where it leaves room (documented here, followed everywhere):

- **As of.** ``year`` Y plans the cohort of program year Y: the data count as of
  31 December of Y − 1 (the state the office knows when it plans). Without a year, as of
  ``as_of`` (default today).
- **Kelurahan.** Only kelurahan with at least one IKM on record are proposed (a kelurahan
  with no IKM has nobody to train). ``population`` is the ``populations`` input, else the
  IKM on record there (SPEC §5); ``total`` the seeds and reached IKM of the skill located
  there; ``unmet_need`` = max(population − total, 0); ``broken`` the broken-chain findings
  (§5, all four kinds) of IKM located there. Kelurahan with no unmet need are left out.
  Ranked by unmet need, then broken chains (both largest first), then kecamatan and
  kelurahan name. ``seats`` bounds the list: one seat per proposed kelurahan, as in the
  office's one-trainee-per-kelurahan workshops, so at most ``seats`` rows.
- **Narasumber** (resource persons to co-teach): IKM of the cascade (seeds and reached)
  who taught at least one IKM. ``per_seed_reach`` is their onward reach (for a seed, its
  per-seed reach, §5); ``outcomes`` the outcome records that count for the skill dated
  ≤ as-of. Ranked by onward reach, then outcomes (largest first), then generation
  (trainees first), then ikm_id. One narasumber per five seats (rounded up), at most 10.
- **Visits** (:func:`visit_order`, the one order of the planner, ``/rencana``, the API and the
  report's visit appendix): the ``dormant_leaf`` findings (§5, window ``dormant_days``).
  Kelurahan are ranked by the onward reach their IKM have shown — the number of distinct
  reached IKM taught by an IKM of the cascade located there — ties by kelurahan name (then
  code); the leaves are taken round-robin, one per kelurahan per round in that rank; within
  a kelurahan the most recently dormant first (fewest days dormant), ties by ikm_id. The
  plan lists the first ``3 × seats``.
- No IKM appears twice: a dormant leaf taught nobody, so it is never a narasumber (a narasumber
  has taught), and each IKM is one finding of a kind.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

import numpy as np

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine
from tular.graph.metrics.results import VISITS_PER_SEAT, Finding, Plan, PlanKelurahan, PlanNarasumber, PlanVisit
from tular.graph.model.catalogue import LANGUAGES, N_, Messages
from tular.graph.model.errors import UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.store.base import GraphStore

MAX_NARASUMBER = 10
SEATS_PER_NARASUMBER = 5


def plan_as_of(year: int | None, as_of: date) -> date:
    """The day the plan counts up to: 31 December before the planned year, else ``as_of``.

    >>> plan_as_of(2024, date(2026, 5, 1)), plan_as_of(None, date(2026, 5, 1))
    (datetime.date(2023, 12, 31), datetime.date(2026, 5, 1))
    """
    return date(year - 1, 12, 31) if year is not None else as_of


def narasumber_count(seats: int) -> int:
    """One narasumber per five seats, rounded up, at most ten.

    >>> [narasumber_count(s) for s in (1, 5, 6, 20, 100)]
    [1, 1, 2, 4, 10]
    """
    return min(MAX_NARASUMBER, math.ceil(seats / SEATS_PER_NARASUMBER))


@metrics._answer
def plan(store: GraphStore, skill_name: str, seats: int, as_of: date, year: int | None = None,
         lang: str = "id", dormant_days: int = DEFAULT_DORMANT_DAYS) -> Plan:
    """The next-cohort plan of one skill (see the module's readings)."""
    if seats < 1:
        raise said(UsageError, N_("error.seats"))
    if lang not in LANGUAGES:
        raise said(UsageError, N_("cli.bad_lang"), {"given": lang})
    reasons = Messages(lang)  # one line per recommendation
    skill = metrics.resolve_skill(store, skill_name)
    day = plan_as_of(year, as_of)
    graph = metrics._walked(store, [skill], day)[skill]
    level = graph.level
    gazetteer = store.gazetteer()
    code_name = {k.code: k.name for k in gazetteer.kelurahan_list}
    on_record = store.ikm_per_kelurahan()
    populations = store.populations()
    broken = engine.broken_chains(graph, engine.Lookups(gazetteer=gazetteer), store.people, level, dormant_days)
    where = store.people({f.ikm_id for f in broken.findings})
    broken_per = Counter(where[f.ikm_id].kelurahan for f in broken.findings)
    positions = engine._gazetteer_positions(graph, gazetteer)
    in_cascade = level >= 0
    totals = np.bincount(positions[in_cascade], minlength=len(gazetteer.kelurahan_list))

    # kelurahan by unmet need
    rows = []
    for i, k in enumerate(gazetteer.kelurahan_list):
        if not on_record.get(k.code):
            continue
        population = populations.get(k.code, on_record[k.code])
        total = int(totals[i])
        unmet = max(population - total, 0)
        if unmet == 0:
            continue
        kecamatan = gazetteer.kecamatan_of(k.code).name
        rows.append(PlanKelurahan(
            kecamatan=kecamatan, kelurahan=k.name, population=population, total=total, unmet_need=unmet,
            broken=broken_per[k.code],
            reason=reasons.t("planner.kelurahan", unmet_need=reasons.integer(unmet),
                             population=reasons.integer(population), total=reasons.integer(total),
                             broken=reasons.integer(broken_per[k.code])),
        ))
    rows.sort(key=lambda r: (-r.unmet_need, -r.broken, r.kecamatan, r.kelurahan))
    kelurahan_rows = rows[:seats]

    # narasumber by onward reach and outcomes
    outcome_count = Counter(ikm for ikm, _, _ in store.skill_outcomes(skill, day))
    candidates = _narasumber(graph, np.flatnonzero(in_cascade & (graph.out_degree > 0)), outcome_count,
                             narasumber_count(seats))
    people = store.people([c[3] for c in candidates])
    narasumber = [
        PlanNarasumber(ikm_id=ikm_id, name=people[ikm_id].name, kelurahan=code_name[people[ikm_id].kelurahan],
                       per_seed_reach=reach, outcomes=outcomes,
                       reason=reasons.t("planner.narasumber", reach=reasons.integer(reach), generation=generation,
                                        outcomes=reasons.integer(outcomes)))
        for reach, outcomes, generation, ikm_id in candidates
    ]

    # dormant leaves, in the visit order
    visits = [
        PlanVisit(ikm_id=f.ikm_id, name=f.name, kelurahan=f.kelurahan, days_dormant=f.days_dormant or 0,
                  reason=reasons.t("planner.visit", days=reasons.integer(f.days_dormant or 0),
                                   kelurahan_reach=reasons.integer(shown)))
        for f, shown in visit_order(graph, gazetteer, broken.findings, VISITS_PER_SEAT * seats)
    ]
    return Plan(skill=skill, seats=seats, as_of=day, kelurahan=kelurahan_rows, narasumber=narasumber, visits=visits)


def _narasumber(graph: engine.SkillArrays, teachers: np.ndarray, outcome_count: Counter, k: int,
                ) -> list[tuple[int, int, int, str]]:
    """The ``k`` best (onward reach, outcomes, generation, ikm_id), best first. Exact reach is
    computed only while a teacher's upper bound can still reach the k-th best's (a tie may
    still win on outcomes), as for the top teachers: a province has many teachers."""
    bound = engine.onward_reach_bound(graph)
    best: list[tuple[int, int, int, str]] = []
    for n in sorted(teachers.tolist(), key=lambda n: -bound[n]):
        if len(best) == k and bound[n] < best[-1][0]:
            break
        ikm_id = graph.ids[n]
        best.append((engine.onward_reach(graph, n), outcome_count[ikm_id], int(graph.level[n]), ikm_id))
        best.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
        del best[k:]
    return best


def kelurahan_reach(graph: engine.SkillArrays, positions: np.ndarray, n_kelurahan: int) -> np.ndarray:
    """The onward reach each kelurahan's IKM have shown: per kelurahan (by gazetteer position),
    the number of distinct reached IKM taught by an IKM of the cascade located there."""
    level = graph.level
    taught = (level[graph.teacher] >= 0) & (level[graph.learner] > 0)
    pairs = np.unique(positions[graph.teacher[taught]].astype(np.int64) * max(graph.n, 1) + graph.learner[taught])
    return np.bincount(pairs // max(graph.n, 1), minlength=n_kelurahan)


def visit_order(graph: engine.SkillArrays, gazetteer: Gazetteer, findings: Iterable[Finding],
                limit: int | None = None) -> list[tuple[Finding, int]]:
    """SPEC §10's visit order of the ``dormant_leaf`` findings among ``findings`` (of the skill
    of ``graph``, as of its date), each with its kelurahan's shown onward reach: kelurahan by
    that reach (largest first, ties by name, then code), taken round-robin one leaf a round;
    within a kelurahan the fewest days dormant first, ties by ikm_id. The first ``limit``.

    Kelurahan A (reach 5) holds leaves a1 (30 days) and a2 (400); B (reach 0) holds b1 (10):
    A, B, A — a1, b1, a2. One function for the planner, the API, ``/rencana`` and the report.
    """
    positions = engine._gazetteer_positions(graph, gazetteer)
    places = gazetteer.kelurahan_list
    shown = kelurahan_reach(graph, positions, len(places))
    by_place: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.kind == "dormant_leaf":
            by_place[int(positions[graph.index(finding.ikm_id)])].append(finding)
    ranked = sorted(by_place, key=lambda p: (-int(shown[p]), places[p].name, places[p].code))
    queues = [[(f, int(shown[p])) for f in sorted(by_place[p], key=lambda f: (f.days_dormant or 0, f.ikm_id))]
              for p in ranked]
    rounds = itertools.chain.from_iterable(itertools.zip_longest(*queues))
    order = (visit for visit in rounds if visit is not None)
    return list(itertools.islice(order, limit))
