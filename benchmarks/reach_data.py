"""A synthetic province for the reach benchmark: integer arrays first, records on demand.

``province(n_ikm)`` draws a deterministic train-the-trainer world with numpy: trainings
of about 50 people each (the seeds, ~3 % of the IKM), then per skill a cascade that
thins out generation by generation (fewer teachers teach, and they teach fewer), some
learners with a second teacher from an earlier generation, a few seeds taught by
earlier seeds, and orphan fragments whose upstream is unknown. Every skill's graph is a
DAG: a teacher always comes from an earlier generation (or, among seeds, learned earlier).
At 1,000,000 IKM it gives about 30,000 seeds and 2,000,000 edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import IKM, Attendance, Records, Teaching, Training
from tular.graph.model.skills import BUILTIN_SKILLS

SKILLS = [s.skill_id for s in BUILTIN_SKILLS]
AS_OF = date(2026, 10, 31)
EPOCH = date(1970, 1, 1)
FIRST_TRAINING, LAST_TRAINING = date(2018, 1, 1), date(2026, 6, 30)
ATTENDEES = 50
P_COMPLETED = 0.95
#: per generation g: the share of its IKM who teach, and the mean learners of one who does
P_TEACHES = (0.92, 0.62, 0.46, 0.32, 0.22, 0.14, 0.08, 0.04)
LEARNERS = (7.6, 3.5, 3.0, 2.4, 2.0, 1.7, 1.4, 1.2)
P_SECOND_TEACHER = 0.08
P_SEED_TAUGHT_BY_SEED = 0.005
ORPHAN_EDGE_SHARE = 0.02
SKILL_VIGOUR = dict(zip(SKILLS, (1.15, 1.1, 1.0, 1.0, 0.95, 0.9, 0.9, 0.85)))


@dataclass
class Province:
    """Everything as arrays: IKM ``i`` is ``ikm_id(i)``; dates are days since 1970-01-01."""

    n_ikm: int
    kelurahan: np.ndarray  # per IKM: index into ``kelurahan_codes``
    kelurahan_codes: list[str]
    trainings: list[tuple[str, str, int, int]]  # (training_id, skill, end day, budget)
    attendance: tuple[np.ndarray, np.ndarray, np.ndarray]  # training index, IKM, completed
    edges: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # skill -> (teacher, learner, day)

    @staticmethod
    def ikm_id(i: int) -> str:
        return f"P{i:07d}"

    @property
    def n_edges(self) -> int:
        return sum(len(t) for t, _, _ in self.edges.values())

    @property
    def n_seeds(self) -> int:
        """Distinct (IKM, skill) seeds with a completed training."""
        seen = set()
        t_index, ikm, completed = self.attendance
        for t, i, c in zip(t_index.tolist(), ikm.tolist(), completed.tolist()):
            if c:
                seen.add((self.trainings[t][1], i))
        return len(seen)

    def records(self) -> Records:
        """The same world as tular records (``model_construct``: the arrays are valid by construction)."""
        ids = [self.ikm_id(i) for i in range(self.n_ikm)]
        codes = self.kelurahan_codes
        ikm = [IKM.model_construct(ikm_id=ids[i], name=f"Ibu {ids[i]}", kelurahan_code=codes[k], business_name=None,
                                   sector=None, gender=None, phone=None, joined_on=None)
               for i, k in enumerate(self.kelurahan.tolist())]
        trainings = [Training.model_construct(training_id=t, title=f"Pelatihan {skill} {t}", skills=(skill,),
                                              end_date=day(end), start_date=None, organizer=None, location=None,
                                              budget_idr=budget, target_group=None)
                     for t, skill, end, budget in self.trainings]
        t_index, who, completed = self.attendance
        attendance = [Attendance.model_construct(training_id=self.trainings[t][0], ikm_id=ids[i], completed=bool(c))
                      for t, i, c in zip(t_index.tolist(), who.tolist(), completed.tolist())]
        teachings = []
        for skill, (teacher, learner, days) in self.edges.items():
            dates = {d: day(d) for d in np.unique(days).tolist()}
            teachings += [Teaching.model_construct(learner_id=ids[v], teacher_id=ids[u], skill=skill, date=dates[d],
                                                   source=None, note=None)
                          for u, v, d in zip(teacher.tolist(), learner.tolist(), days.tolist())]
        return Records(ikm=ikm, trainings=trainings, attendance=attendance, teachings=teachings)


def day(days: int) -> date:
    return EPOCH + timedelta(days=days)


def ordinal(d: date) -> int:
    return (d - EPOCH).days


def province(n_ikm: int = 1_000_000, seed: int = 2026, skills: list[str] = SKILLS) -> Province:
    rng = np.random.default_rng(seed)
    gazetteer = Gazetteer.kota_malang()
    codes = [k.code for k in gazetteer.kelurahan_list]
    weights = rng.uniform(0.4, 1.6, len(codes))
    kelurahan = rng.choice(len(codes), size=n_ikm, p=weights / weights.sum()).astype(np.int32)

    # trainings: one skill each, ~50 attendees, ~3 % of the IKM seeded in all
    n_trainings = max(len(skills), round(n_ikm * 0.0316 / ATTENDEES))
    trainings, t_index, who, completed = [], [], [], []
    first, last = ordinal(FIRST_TRAINING), ordinal(LAST_TRAINING)
    for t in range(n_trainings):
        skill = skills[t % len(skills)]
        end = int(rng.integers(first, last + 1))
        budget = int(rng.integers(10, 90)) * 1_000_000 if rng.random() < 0.9 else None
        trainings.append((f"TR{t:05d}", skill, end, budget))
        people = rng.choice(n_ikm, size=min(ATTENDEES, n_ikm), replace=False)
        t_index.append(np.full(len(people), t, dtype=np.int32))
        who.append(people.astype(np.int64))
        completed.append(rng.random(len(people)) < P_COMPLETED)
    attendance = (np.concatenate(t_index), np.concatenate(who), np.concatenate(completed))

    edges = {}
    for skill in skills:
        seeds: dict[int, int] = {}  # IKM -> earliest end of a completed training
        for t, i, c in zip(*attendance):
            if c and trainings[t][1] == skill:
                seeds[int(i)] = min(seeds.get(int(i), 1 << 30), trainings[t][2])
        edges[skill] = _cascade(rng, n_ikm, seeds, SKILL_VIGOUR.get(skill, 1.0))
    return Province(n_ikm, kelurahan, codes, trainings, attendance, edges)


def _cascade(rng: np.random.Generator, n_ikm: int, seeds: dict[int, int], vigour: float,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One skill's teaching edges (teacher, learner, day) from its seeds."""
    seed_ids = np.fromiter(seeds, dtype=np.int64, count=len(seeds))
    seed_days = np.fromiter(seeds.values(), dtype=np.int64, count=len(seeds))
    learned = np.full(n_ikm, -1, dtype=np.int64)
    learned[seed_ids] = seed_days
    untrained = np.ones(n_ikm, dtype=bool)
    untrained[seed_ids] = False
    fresh = rng.permutation(np.flatnonzero(untrained))
    taken = 0
    teachers, learners, days = [], [], []
    generations = [seed_ids]
    frontier = seed_ids
    for g in range(len(P_TEACHES)):
        teaches = rng.random(len(frontier)) < P_TEACHES[g]
        counts = np.where(teaches, 1 + rng.poisson(max(LEARNERS[g] * vigour - 1, 0.1), len(frontier)), 0)
        total = int(counts.sum())
        total = min(total, len(fresh) - taken)
        if total <= 0:
            break
        teacher = np.repeat(frontier, counts)[:total]
        learner = fresh[taken:taken + total]
        taken += total
        when = learned[teacher] + rng.integers(14, 420, total)
        learned[learner] = when
        teachers.append(teacher), learners.append(learner), days.append(when)
        generations.append(learner)
        frontier = learner
    # second teachers: from any earlier generation, on or after both learned the skill
    for g in range(2, len(generations)):
        learner = generations[g][rng.random(len(generations[g])) < P_SECOND_TEACHER]
        earlier = np.concatenate(generations[:g - 1])  # generations before the first teacher's: no duplicate pair
        teacher = earlier[rng.integers(0, len(earlier), len(learner))]
        when = np.maximum(learned[learner], learned[teacher]) + rng.integers(1, 300, len(learner))
        teachers.append(teacher), learners.append(learner), days.append(when)
    # seeds taught by a seed who learned earlier (the import warns; they stay generation 0)
    order = seed_ids[np.argsort(seed_days, kind="stable")]
    picked = np.flatnonzero(rng.random(len(order)) < P_SEED_TAUGHT_BY_SEED)
    picked = picked[picked > 0]
    teacher = order[(rng.random(len(picked)) * picked).astype(np.int64)]
    teachers.append(teacher), learners.append(order[picked])
    days.append(learned[order[picked]] + rng.integers(1, 200, len(picked)))
    # orphan fragments: small trees among IKM this skill never reached from a seed
    n_orphan_edges = int(ORPHAN_EDGE_SHARE * sum(len(t) for t in teachers))
    pool = fresh[taken:taken + n_orphan_edges + n_orphan_edges // 3]
    if n_orphan_edges and len(pool) > n_orphan_edges:
        sizes = rng.integers(2, 9, n_orphan_edges // 4)
        start = 0
        top_days = rng.integers(ordinal(FIRST_TRAINING), ordinal(AS_OF), len(sizes))
        for size, top_day in zip(sizes.tolist(), top_days.tolist()):
            nodes = pool[start:start + size]
            if len(nodes) < size:
                break
            start += size
            parents = (rng.random(size - 1) * np.arange(1, size)).astype(np.int64)  # a random recursive tree
            teachers.append(nodes[parents]), learners.append(nodes[1:])
            days.append(top_day + np.arange(1, size) * 30)
    return (np.concatenate(teachers).astype(np.int64), np.concatenate(learners).astype(np.int64),
            np.concatenate(days).astype(np.int64))
