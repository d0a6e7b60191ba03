"""What the annual impact report says (SPEC §8), gathered from a store. The view
(:mod:`tular.visualizations.report`) lays it out and never reads the store.

Every number is the §5 analytics output for the same question: a skill's headline is
``metrics.reach`` of the skill as of T, a programme's is ``metrics.reach`` with the
training as cohort, the follow-up list is ``metrics.broken``. Each skill's graph is handed
over once per date by the store, which walks its cascade, and every number is computed
by the same :mod:`~tular.graph.metrics.engine` functions that ``metrics`` calls.

Readings of the spec (the report states them in its methodology appendix):

- T, the as-of date of year Y, is 31 December of Y, or today while Y is the current year;
  the year before is counted as of 31 December of Y − 1. A future year has no report.
- The headline is cumulative: every training of the skill ended by T (all programmes
  since the first), not only Y's. Y's own programmes (trainings ended in Y, one cohort
  each) have their own table, and the year-on-year change shows what Y added.
- **All skills together** (the summary): *trained* = IKM who are a seed of at least one
  skill; *total* = IKM who are a seed or reached in at least one skill (``distinct_total``
  of ``--skill all``); *learned from others only* = total − trained; multiplier =
  total / trained; coverage = total / the city's IKM population; cost per IKM = the
  budgets of the distinct trainings that produced at least one seed / total.
  Per kelurahan the same distinct count, by where each IKM is.
- The follow-up counts per kelurahan hold dead seeds, stalled lineages and dormant leaves
  (orphans belong to data quality). The internal edition's visit appendix lists the dead
  seeds (trainees who taught nobody) apart, first, then per skill the first
  :data:`VISITS_PER_SKILL` dormant leaves in the visit order of SPEC §10
  (:func:`planner.visit_order`, the planner's own: the plan's visits are its first
  ``3 × seats``). A stalled lineage's seed has taught; its dormant learners are the ones to visit.
- **Top teachers**: per skill the best :data:`TOP_TEACHERS_PER_SKILL` trainees and as many
  IKM who learned from peers, each by onward reach (a trainee's onward reach holds all its
  learners', so one list would hold trainees only).
- Data quality is that of the store as it is now (``tular check``), plus the reach
  warnings of each skill as of T.
- The public edition carries no personal name, business name or IKM id (SPEC §7, §8): top
  teachers and narasumber are described ("a batik maker in Bunulrejo who passed the skill
  on to 18 IKM"), the follow-up list and the data-quality findings are counts only.
- **Outcomes** (SPEC §10): per skill with data, the rate of any outcome after learning by
  generation as of T (``tular outcomes --skill S --after-learning``).
- **Chains** (SPEC §12): per skill with data, ``tular chains --skill S`` as of T with the
  report's dormant window — the histogram of chain sizes, the ten largest chains (described
  by their trainee's kelurahan in the public edition) and the chains of each status — with
  the skill's concentration and the share of each generation that taught.
- **Next cohort**: per skill with data, ``tular plan --skill S --seats`` :data:`PLAN_SEATS`
  as of T (the plan for Y + 1). Narasumber are trainers — each has taught at least one IKM,
  like the top teachers — described, not named, in the public edition; the visits are
  dormant learners, so the public edition gives their number per kelurahan only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine, planner
from tular.graph.metrics.engine import Lookups, SkillArrays
from tular.graph.metrics.quality import check_store
from tular.graph.metrics.results import (
    CHAIN_STATUSES,
    FINDING_KINDS,
    FOLLOW_UP_KINDS,
    Finding,
    PLAN_SEATS,
    QUALITY_LISTED,
    REPORT_CHAINS,
    TOP_TEACHERS_PER_SKILL,
    VISITS_PER_SKILL,
    AreaFilter,
    AreaTotals,
    ChainSection,
    FollowUp,
    FollowUpCount,
    NextCohort,
    OutcomeSection,
    Overall,
    Programme,
    Quality,
    QualityItem,
    Reach,
    ReportChain,
    ReportData,
    ReportTeacher,
    SkillName,
    SkillSection,
    SkillVisits,
    SkillWarnings,
    Visit,
    VisitCount,
)
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import DEFAULT_DORMANT_DAYS, Skill
from tular.graph.store.base import GraphStore


# ------------------------------------------------------------------------ gathering
@dataclass
class _Run:
    """One skill as of one date: its graph with the cascade from every seed, walked by the
    store, and its reach."""

    skill: str
    graph: SkillArrays
    seeds: dict[int, date]
    reach: Reach

    def seed_ids(self) -> set[str]:
        return set(self.graph.ids[list(self.seeds)].tolist())

    def covered(self) -> np.ndarray:
        """The seeds and the IKM reached."""
        return np.flatnonzero(self.graph.level >= 0)

    def kelurahan_of(self, nodes: Sequence[int] | np.ndarray) -> dict[str, str]:
        """The kelurahan code of each of ``nodes``, by ikm_id."""
        nodes = np.asarray(nodes, dtype=np.int64)
        graph = self.graph
        codes = np.asarray(graph.kelurahan_codes, dtype=object)[graph.kelurahan[nodes]] if nodes.size else []
        return dict(zip(graph.ids[nodes].tolist(), list(codes)))


def _runs(store: GraphStore, skills: Sequence[str], as_of: date, lookups: Lookups) -> dict[str, _Run]:
    """The skills as of ``as_of``: their graphs handed over together (one walk, on Neo4j one
    transaction), each skill's reach as ``metrics.reach`` answers it."""
    graphs = metrics._walked(store, skills, as_of)
    return {skill: _Run(skill, graph, engine.select_seeds(graph),
                        engine.reach(graph, lookups, store.people, graph.level))
            for skill, graph in graphs.items()}


def report_as_of(year: int, today: date) -> tuple[date, bool]:
    """T for a report of ``year``, and whether it is the year to date (T = today)."""
    if year > today.year:
        raise said(UsageError, N_("error.year_not_begun"), {"year": year, "today": today.isoformat()})
    if year == today.year:
        return today, True
    return date(year, 12, 31), False


def overall(runs: Sequence[_Run], as_of: date, lookups: Lookups) -> Overall:
    """All the skills of ``runs`` together (see the module's readings)."""
    trained = set().union(*(r.seed_ids() for r in runs))
    everyone = set().union(*(r.graph.ids[r.covered()].tolist() for r in runs))
    trainings = set().union(*(engine.seed_trainings(r.graph, r.seeds) for r in runs))
    budgets = lookups.budgets if runs else {}
    budgeted = [budgets[t] for t in sorted(trainings) if budgets.get(t) is not None]
    population = engine.coverage_population(lookups, AreaFilter()) if runs else None
    total = len(everyone)
    return Overall(
        as_of=as_of, trained=len(trained), learned_only=total - len(trained), total=total,
        multiplier=total / len(trained) if trained else None, population=population,
        coverage=total / population if population else None,
        cost_per_ikm_idr=round(sum(budgeted) / total) if budgeted and total else None,
        budget_idr=sum(budgeted), trainings=len(trainings),
    )


def _warnings(run: _Run, lookups: Lookups) -> SkillWarnings:
    trainings = engine.seed_trainings(run.graph, run.seeds)
    in_degree = run.graph.in_degree
    return SkillWarnings(
        unbudgeted_trainings=sorted(t for t in trainings if lookups.budgets.get(t) is None),
        seeds_taught_by_others=sum(1 for s in run.seeds if in_degree[s] > 0),
    )


def _areas(runs: Sequence[_Run], lookups: Lookups) -> tuple[list[AreaTotals], list[AreaTotals], AreaTotals]:
    """Per kelurahan, per kecamatan and for the city: per-skill totals (the reach rows) and the
    distinct IKM. Populations as §5 counts them for a kelurahan, a kecamatan, the city."""
    gazetteer = lookups.gazetteer
    skills = [r.skill for r in runs]
    per_kel: dict[str, dict[str, int]] = {k.code: {} for k in gazetteer.kelurahan_list}
    code_of = {(gazetteer.by_code(k.code).name, gazetteer.kecamatan_of(k.code).name): k.code
               for k in gazetteer.kelurahan_list}
    for run in runs:
        for row in run.reach.areas:
            per_kel[code_of[(row.kelurahan, row.kecamatan)]][run.skill] = row.total
    kelurahan_of = {ikm: code for r in runs for ikm, code in r.kelurahan_of(r.covered()).items()}
    trained = Counter(kelurahan_of[ikm] for ikm in set().union(*(r.seed_ids() for r in runs)))
    everyone = Counter(kelurahan_of[ikm] for ikm in kelurahan_of)

    def population(code: str) -> int:
        return engine.coverage_population(lookups, AreaFilter(kelurahan=code)) or 0

    kelurahan = []
    for k in gazetteer.kelurahan_list:
        pop = population(k.code)
        kelurahan.append(AreaTotals(
            kecamatan=gazetteer.kecamatan_of(k.code).name, kelurahan=k.name, population=pop,
            totals={s: per_kel[k.code].get(s, 0) for s in skills}, trained=trained[k.code], total=everyone[k.code],
            coverage=everyone[k.code] / pop if pop else None,
        ))
    kelurahan.sort(key=lambda a: (a.kecamatan, a.kelurahan))

    def summed(rows: list[AreaTotals], kecamatan: str, pop: int | None = None) -> AreaTotals:
        pop = sum(a.population for a in rows) if pop is None else pop
        total = sum(a.total for a in rows)
        return AreaTotals(kecamatan=kecamatan, kelurahan=None, population=pop,
                          totals={s: sum(a.totals[s] for a in rows) for s in skills},
                          trained=sum(a.trained for a in rows), total=total, coverage=total / pop if pop else None)

    by_kecamatan: dict[str, list[AreaTotals]] = defaultdict(list)
    for row in kelurahan:
        by_kecamatan[row.kecamatan].append(row)
    kecamatan = [summed(rows, name) for name, rows in sorted(by_kecamatan.items())]
    city = engine.coverage_population(lookups, AreaFilter()) or 0  # 13,000 unless populations say otherwise
    return kelurahan, kecamatan, summed(kelurahan, "", city)


def _top_teachers(store: GraphStore, runs: Sequence[_Run], names: dict[str, SkillName], public: bool,
                  lookups: Lookups) -> list[ReportTeacher]:
    """Per skill, the best :data:`TOP_TEACHERS_PER_SKILL` trainees and as many IKM who learned
    from peers, each ranked by onward reach as ``tular reach`` ranks its top teachers. Two lists:
    a trainee's onward reach holds everyone its learners reached, so one ranking of everybody
    would show trainees only."""
    code_names = {k.code: k.name for k in lookups.gazetteer.kelurahan_list}
    found = []
    for run in runs:
        graph, level = run.graph, run.graph.level
        for candidates in (np.flatnonzero(level == 0), np.flatnonzero(level > 0)):
            found += [(run.skill, node, reach) for node, reach in
                      engine.top_by_onward_reach(graph, candidates, level, TOP_TEACHERS_PER_SKILL)]
    by_skill = {r.skill: r.graph for r in runs}
    people = {} if public else store.people([by_skill[s].ids[n] for s, n, _ in found])
    teachers = []
    for skill, node, reach in found:
        graph = by_skill[skill]
        ikm_id = graph.ids[node]
        teachers.append(ReportTeacher(
            skill=names[skill], ikm_id=None if public else ikm_id, name=None if public else people[ikm_id].name,
            kelurahan=code_names[graph.kelurahan_codes[graph.kelurahan[node]]], generation=int(graph.level[node]),
            onward_reach=reach))
    return teachers


def _visit(f: Finding, code: str, skill: SkillName, gazetteer: Gazetteer, shown: int | None = None) -> Visit:
    return Visit(kecamatan=gazetteer.kecamatan_of(code).name, kelurahan=f.kelurahan, kind=f.kind, skill=skill,
                 ikm_id=f.ikm_id, name=f.name, generation=f.generation, last_activity=f.last_activity,
                 days_dormant=f.days_dormant, kelurahan_reach=shown)


def _follow_up(store: GraphStore, runs: Sequence[_Run], year: int, dormant_days: int, names: dict[str, SkillName],
               public: bool, lookups: Lookups) -> FollowUp:
    """Broken chains per kelurahan; for the internal edition the trainees who taught nobody, and
    per skill the first :data:`VISITS_PER_SKILL` of the visit order (:func:`planner.visit_order`,
    the planner's own)."""
    gazetteer = lookups.gazetteer
    since = date(year, 1, 1) - timedelta(days=dormant_days)
    counts: dict[str, FollowUpCount] = {}
    dead_seeds: list[Visit] = []
    skill_visits: list[SkillVisits] = []
    for run in runs:
        found = engine.broken_chains(run.graph, Lookups(gazetteer=gazetteer), store.people, run.graph.level,
                                     dormant_days)
        followed = [f for f in found.findings if f.kind in FOLLOW_UP_KINDS]  # orphans belong to data quality
        kelurahan_of = run.kelurahan_of([run.graph.index(f.ikm_id) for f in followed])
        skill = names[run.skill]
        for f in followed:
            code = kelurahan_of[f.ikm_id]
            row = counts.setdefault(code, FollowUpCount(kecamatan=gazetteer.kecamatan_of(code).name,
                                                        kelurahan=f.kelurahan))
            setattr(row, f.kind, getattr(row, f.kind) + 1)
            row.newly_dormant += f.kind == "dormant_leaf" and f.last_activity is not None and f.last_activity >= since
            if f.kind == "dead_seed" and not public:
                dead_seeds.append(_visit(f, code, skill, gazetteer))
        order = planner.visit_order(run.graph, gazetteer, followed)
        if order and not public:
            listed = [_visit(f, kelurahan_of[f.ikm_id], skill, gazetteer, shown) for f, shown in order[:VISITS_PER_SKILL]]
            skill_visits.append(SkillVisits(skill=skill, visits=listed, not_listed=len(order) - len(listed)))
    rows = sorted(counts.values(), key=lambda c: (c.kecamatan, c.kelurahan))
    totals = FollowUpCount(kecamatan="", kelurahan="", **{
        k: sum(getattr(r, k) for r in rows) for k in (*FOLLOW_UP_KINDS, "newly_dormant")})
    dead_seeds.sort(key=lambda v: (v.kecamatan, v.kelurahan, v.skill.skill_id, v.ikm_id))
    return FollowUp(dormant_days=dormant_days, newly_dormant_since=since, counts=rows, totals=totals,
                    dead_seeds=dead_seeds, visits=skill_visits)




def _quality(store: GraphStore, runs: Sequence[_Run], names: dict[str, SkillName], public: bool,
             lookups: Lookups) -> Quality:
    checked = check_store(store)
    chosen = {r.skill for r in runs}
    findings = [f for f in checked.findings if f.skill is None or f.skill in chosen]
    counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in FINDING_KINDS}
    warnings = {r.skill: _warnings(r, lookups) for r in runs}
    if public:
        return Quality(counts=counts, items=[], not_listed=0, warnings=warnings)
    gazetteer = store.gazetteer()
    items: list[QualityItem] = []
    shown: Counter[str] = Counter()
    for f in findings:
        if shown[f.kind] >= QUALITY_LISTED:
            continue
        shown[f.kind] += 1
        people = store.people(f.ikm_ids)
        listed_ids = f.ikm_ids if f.kind != "orphan" else f.fragment_top or f.ikm_ids
        item = QualityItem(
            kind=f.kind, skill=names.get(f.skill) if f.skill else None, ikm_ids=listed_ids,
            names=[people[i].name if i in people else "" for i in listed_ids],
            kelurahan=[gazetteer.by_code(people[i].kelurahan).name if i in people else "" for i in listed_ids],
            fragment_top=f.fragment_top or [], dates=f.dates or [],
        )
        if f.kind in ("cycle", "duplicate_teaching"):
            pass  # told by its ids (in teaching order, for a cycle) and dates
        elif f.kind == "probable_duplicate":  # one finding per rule: the same name, or the same phone
            item.reason = "phone" if f.message and f.message[0] == "finding.same_phone" else "name"
        elif f.kind == "orphan":
            item.reason = str(len(f.ikm_ids))
        elif f.message and "on" in f.message[1]:  # the teaching's date (out of order, learner is a trainee)
            item.on = date.fromisoformat(f.message[1]["on"])
        items.append(item)
    return Quality(counts=counts, items=items, not_listed=sum(counts.values()) - len(items), warnings=warnings)


def _programmes(store: GraphStore, runs: dict[str, _Run], year: int, names: dict[str, SkillName],
                lookups: Lookups) -> list[Programme]:
    found = []
    for training in sorted(store.trainings(), key=lambda t: (t.end_date, t.training_id)):
        if training.end_date.year != year:
            continue
        for skill in training.skills:
            run = runs.get(skill)
            if run is None or training.end_date > run.graph.as_of:
                continue
            cohort = [training.training_id]
            graph = metrics._walked(store, [skill], run.graph.as_of, cohort)[skill]
            reach = engine.reach(graph, lookups, store.people, graph.level, cohort=cohort)
            found.append(Programme(
                training_id=training.training_id, title=training.title, skill=names[skill],
                start_date=training.start_date, end_date=training.end_date, budget_idr=training.budget_idr,
                target_group=training.target_group, reach=reach))
    return found


def _has_data(now: _Run, previous: _Run) -> bool:
    return bool(now.covered().size or now.graph.teacher.size or previous.covered().size)


@metrics._answer
def gather_report(store: GraphStore, year: int, today: date, skills: Sequence[str] = (), public: bool = False,
                  dormant_days: int = DEFAULT_DORMANT_DAYS) -> ReportData:
    """Everything the annual report of ``year`` shows, as of 31 December (or ``today`` in the
    current year). ``skills``: names or aliases (default: every skill)."""
    if dormant_days < 1:
        raise said(UsageError, N_("error.dormant_window"))
    as_of, year_to_date = report_as_of(year, today)
    previous_as_of = date(year - 1, 12, 31)
    vocabulary: list[Skill] = store.skills()
    names = {s.skill_id: SkillName(skill_id=s.skill_id, name_id=s.name_id, name_en=s.name_en) for s in vocabulary}
    chosen = list(dict.fromkeys(metrics.resolve_skill(store, s) for s in skills)) if skills else list(names)
    lookups = metrics._lookups(store)  # read once for the report (store.pinned keeps them per version too)
    now = _runs(store, chosen, as_of, lookups)
    before = _runs(store, chosen, previous_as_of, lookups)
    with_data = [s for s in chosen if _has_data(now[s], before[s])]
    runs = [now[s] for s in chosen]
    kelurahan, kecamatan, city = _areas(runs, lookups)
    return ReportData(
        year=year, as_of=as_of, year_to_date=year_to_date, previous_as_of=previous_as_of, generated_on=today,
        public=public, skills_chosen=[names[s] for s in chosen],
        skills_without_data=[names[s] for s in chosen if s not in with_data],
        headline=overall(runs, as_of, lookups), previous=overall([before[s] for s in chosen], previous_as_of, lookups),
        skills=[SkillSection(skill=names[s], now=now[s].reach, previous=before[s].reach,
                             warnings=_warnings(now[s], lookups)) for s in with_data],
        programmes=_programmes(store, now, year, names, lookups),
        kecamatan=kecamatan, kelurahan=kelurahan, city=city,
        top_teachers=_top_teachers(store, runs, names, public, lookups),
        follow_up=_follow_up(store, runs, year, dormant_days, names, public, lookups),
        quality=_quality(store, runs, names, public, lookups),
        outcomes=[OutcomeSection(skill=names[s], rates=metrics.outcome_rates(
            store, metrics.Query(skill=s, as_of=as_of), None, after_learning=True)) for s in with_data],
        next_cohort=[_next_cohort(store, names[s], as_of, dormant_days, public) for s in with_data],
        chains=[_chains(store, now[s], names[s], dormant_days, public, lookups) for s in with_data],
    )


def _chains(store: GraphStore, run: _Run, skill: SkillName, dormant_days: int, public: bool,
            lookups: Lookups) -> ChainSection:
    """SPEC §12 chains of one skill as of T (``tular chains``): the histogram, the
    :data:`REPORT_CHAINS` largest (named only in the internal edition) and the count of each
    status; and the reach's concentration and active shares."""
    found = engine.chains(run.graph, lookups.gazetteer, run.graph.level, dormant_days)
    largest = found.chains[:REPORT_CHAINS]
    people = {} if public else store.people([c.seed for c in largest])
    statuses = {status: sum(1 for c in found.chains if c.status == status) for status in CHAIN_STATUSES}
    return ChainSection(
        skill=skill, chains=len(found.chains), histogram=found.histogram, statuses=statuses,
        largest=[ReportChain(seed=None if public else c.seed, name=None if public else people[c.seed].name,
                             kelurahan=c.kelurahan, size=c.size, depth=c.depth, first_teaching=c.first_teaching,
                             last_teaching=c.last_teaching, status=c.status) for c in largest],
        concentration=run.reach.concentration, active_shares=[g.active_share for g in run.reach.generations],
    )


def _next_cohort(store: GraphStore, skill: SkillName, as_of: date, dormant_days: int, public: bool) -> NextCohort:
    plan = planner.plan(store, skill.skill_id, PLAN_SEATS, as_of, dormant_days=dormant_days)
    counts = Counter(v.kelurahan for v in plan.visits)
    return NextCohort(
        skill=skill, kelurahan=plan.kelurahan,
        narasumber=[n.model_copy(update={"ikm_id": "", "name": ""}) for n in plan.narasumber] if public
        else plan.narasumber,
        visits=[] if public else plan.visits,
        visit_counts=[VisitCount(kelurahan=k, visits=n) for k, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))],
    )
