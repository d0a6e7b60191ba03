"""What the annual impact report says (SPEC §8), gathered from a store. The view
(:mod:`tular.visualizations.report`) lays it out and never reads the store.

Every number is the §5 analytics output for the same question: a skill's headline is
``metrics.reach`` of the skill as of T, a programme's is ``metrics.reach`` with the
training as cohort, the follow-up list is ``metrics.broken``. Each skill's inputs are
gathered once and handed to the same :mod:`~tular.graph.metrics.nx_reference` functions that
``metrics`` calls, with the store walking the cascade.

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
  (orphans belong to data quality). The internal edition's visit list names, per
  kelurahan, the dead seeds (trainees who taught nobody) and the dormant leaves that fell
  dormant during Y (learned from 1 January Y − W up to T − W: the likeliest to take up
  teaching again), at most :data:`VISITS_PER_KELURAHAN` a kelurahan, most recent first.
  A stalled lineage's seed has taught; its dormant learners are the ones to visit.
- Data quality is that of the store as it is now (``tular check``), plus the reach
  warnings of each skill as of T.
- The public edition carries no personal name, business name or IKM id (SPEC §7, §8): top
  teachers and narasumber are described ("a batik maker in Bunulrejo who passed the skill
  on to 18 IKM"), the follow-up list and the data-quality findings are counts only.
- **Outcomes** (SPEC §10): per skill with data, the rate of any outcome after learning by
  generation as of T (``tular outcomes --skill S --after-learning``).
- **Next cohort**: per skill with data, ``tular plan --skill S --seats`` :data:`PLAN_SEATS`
  as of T (the plan for Y + 1). Narasumber are trainers — each has taught at least one IKM,
  like the top teachers — described, not named, in the public edition; the visits are
  dormant learners, so the public edition gives their number per kelurahan only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
from pydantic import BaseModel

from tular.graph.metrics import nx_reference as analytics

from tular.graph.metrics import answers as metrics

from tular.graph.metrics import planner
from tular.graph.metrics.nx_reference import DEFAULT_DORMANT_DAYS, AreaFilter, Inputs, Levels, OutcomeRates, Reach
from tular.graph.metrics.planner import PlanKelurahan, PlanNarasumber, PlanVisit
from tular.graph.model.errors import UsageError
from tular.graph.model.records import Skill
from tular.graph.metrics.quality import FINDING_KINDS, check_store
from tular.graph.store.base import GraphStore

#: Most follow-up visits named per kelurahan in the internal edition (the rest are counted).
VISITS_PER_KELURAHAN = 5
#: Most data-quality findings listed per kind in the internal edition.
QUALITY_LISTED = 25
#: Top teachers listed per skill.
TOP_TEACHERS_PER_SKILL = 3
FOLLOW_UP_KINDS = ("dead_seed", "stalled_lineage", "dormant_leaf")
#: Seats of the next cohort the report plans per skill.
PLAN_SEATS = 5


# ------------------------------------------------------------------------ the shape
class SkillName(BaseModel):
    skill_id: str
    name_id: str
    name_en: str


class Overall(BaseModel):
    """All chosen skills together, as of one date (see the module's readings)."""

    as_of: date
    trained: int
    learned_only: int
    total: int
    multiplier: float | None
    population: int | None
    coverage: float | None
    cost_per_ikm_idr: int | None
    budget_idr: int
    trainings: int


class SkillWarnings(BaseModel):
    unbudgeted_trainings: list[str] = []
    seeds_taught_by_others: int = 0


class SkillSection(BaseModel):
    skill: SkillName
    now: Reach
    previous: Reach
    warnings: SkillWarnings


class Programme(BaseModel):
    """One training that ended in the report's year, for one skill it teaches: its cohort's reach."""

    training_id: str
    title: str
    skill: SkillName
    start_date: date | None
    end_date: date
    budget_idr: int | None
    target_group: str | None
    reach: Reach


class AreaTotals(BaseModel):
    """One kelurahan (or a kecamatan, ``kelurahan`` None): per-skill totals and the distinct IKM."""

    kecamatan: str
    kelurahan: str | None
    population: int
    totals: dict[str, int]
    trained: int
    total: int
    coverage: float | None


class TopTeacher(BaseModel):
    skill: SkillName
    ikm_id: str | None  # None in the public edition
    name: str | None  # None in the public edition: described, not named (SPEC §8)
    kelurahan: str
    generation: int
    onward_reach: int


class FollowUpCount(BaseModel):
    kecamatan: str
    kelurahan: str
    dead_seed: int = 0
    stalled_lineage: int = 0
    dormant_leaf: int = 0
    newly_dormant: int = 0

    @property
    def findings(self) -> int:
        return self.dead_seed + self.stalled_lineage + self.dormant_leaf


class Visit(BaseModel):
    kecamatan: str
    kelurahan: str
    kind: str
    skill: SkillName
    ikm_id: str
    name: str
    generation: int | None
    last_activity: date | None
    days_dormant: int | None


class VisitGroup(BaseModel):
    kecamatan: str
    kelurahan: str
    visits: list[Visit]
    not_listed: int


class FollowUp(BaseModel):
    dormant_days: int
    #: learned on or after this date and dormant by T: fell dormant during the year
    newly_dormant_since: date
    counts: list[FollowUpCount]
    totals: FollowUpCount
    groups: list[VisitGroup]  # empty in the public edition
    listed: int
    not_listed: int


class QualityItem(BaseModel):
    kind: str
    skill: SkillName | None
    ikm_ids: list[str]
    names: list[str]
    kelurahan: list[str]
    #: probable_duplicate: "name" or "phone"; orphan: its size; out_of_order / learner_is_trainee: the edge's date
    reason: str | None = None
    on: date | None = None
    fragment_top: list[str] = []
    #: duplicate_teaching: the dates of its copies; cycle: of the teachings around it
    dates: list[date] = []


class Quality(BaseModel):
    counts: dict[str, int]
    items: list[QualityItem]  # empty in the public edition
    not_listed: int
    warnings: dict[str, SkillWarnings]


class OutcomeSection(BaseModel):
    skill: SkillName
    rates: OutcomeRates


class VisitCount(BaseModel):
    kelurahan: str
    visits: int


class NextCohort(BaseModel):
    """The planner's answer for one skill; ``visits`` named only in the internal edition."""

    skill: SkillName
    kelurahan: list[PlanKelurahan]
    narasumber: list[PlanNarasumber]
    visits: list[PlanVisit]
    visit_counts: list[VisitCount]


class ReportData(BaseModel):
    year: int
    as_of: date
    #: True while the year is the current one: T is today, not 31 December
    year_to_date: bool
    previous_as_of: date
    generated_on: date
    public: bool
    skills_chosen: list[SkillName]
    skills_without_data: list[SkillName]
    headline: Overall
    previous: Overall
    skills: list[SkillSection]
    programmes: list[Programme]
    kecamatan: list[AreaTotals]
    kelurahan: list[AreaTotals]
    city: AreaTotals
    top_teachers: list[TopTeacher]
    follow_up: FollowUp
    quality: Quality
    outcomes: list[OutcomeSection] = []
    next_cohort: list[NextCohort] = []


# ------------------------------------------------------------------------ gathering
class _ReadOnce:
    """The store, with the lookups that every skill and date share read once per report
    (the report gathers each skill twice; on Neo4j every lookup is a round trip)."""

    SHARED = ("gazetteer", "skills", "trainings", "populations", "ikm_per_kelurahan")

    def __init__(self, store: GraphStore):
        self._store = store
        self._answers: dict[str, object] = {}

    def __getattr__(self, name: str):
        method = getattr(self._store, name)
        if name not in self.SHARED:
            return method

        def once():
            if name not in self._answers:
                self._answers[name] = method()
            return self._answers[name]
        return once


@dataclass
class _Run:
    """One skill as of one date: its inputs gathered once, its cascade walked by the store."""

    skill: str
    inputs: Inputs
    cascade: Callable[[nx.DiGraph, Iterable[str]], Levels]
    seeds: dict[str, date]
    level: Levels
    reach: Reach


def _run(store: GraphStore, skill: str, as_of: date) -> _Run:
    inputs = metrics.gather(store, skill, as_of)
    walked: dict[frozenset, Levels] = {}

    def cascade(graph, seeds) -> Levels:  # the store's walk, once per seed set
        key = frozenset(seeds)
        if key not in walked:
            walked[key] = store.generations(skill, as_of, key)
        return walked[key]

    seeds = analytics.select_seeds(inputs)
    reach = analytics.reach(inputs, cascade=cascade)
    return _Run(skill, inputs, cascade, seeds, cascade(inputs.graph, seeds), reach)


def report_as_of(year: int, today: date) -> tuple[date, bool]:
    """T for a report of ``year``, and whether it is the year to date (T = today)."""
    if year > today.year:
        raise UsageError(f"{year} has not begun yet (today is {today.isoformat()}): there is no report for it")
    if year == today.year:
        return today, True
    return date(year, 12, 31), False


def overall(runs: Sequence[_Run], as_of: date) -> Overall:
    """All the skills of ``runs`` together (see the module's readings)."""
    trained = set().union(*(r.seeds for r in runs))
    everyone = set().union(*(r.level for r in runs))
    trainings = set().union(*(analytics.seed_trainings(r.inputs, r.seeds) for r in runs))
    budgets = runs[0].inputs.budgets if runs else {}
    budgeted = [budgets[t] for t in sorted(trainings) if budgets.get(t) is not None]
    population = analytics.coverage_population(runs[0].inputs, AreaFilter()) if runs else None
    total = len(everyone)
    return Overall(
        as_of=as_of, trained=len(trained), learned_only=total - len(trained), total=total,
        multiplier=total / len(trained) if trained else None, population=population,
        coverage=total / population if population else None,
        cost_per_ikm_idr=round(sum(budgeted) / total) if budgeted and total else None,
        budget_idr=sum(budgeted), trainings=len(trainings),
    )


def _warnings(run: _Run) -> SkillWarnings:
    trainings = analytics.seed_trainings(run.inputs, run.seeds)
    graph = run.inputs.graph
    return SkillWarnings(
        unbudgeted_trainings=sorted(t for t in trainings if run.inputs.budgets.get(t) is None),
        seeds_taught_by_others=sum(1 for s in run.seeds if s in graph and graph.in_degree(s) > 0),
    )


def _areas(runs: Sequence[_Run]) -> tuple[list[AreaTotals], list[AreaTotals], AreaTotals]:
    """Per kelurahan, per kecamatan and for the city: per-skill totals (the reach rows) and the
    distinct IKM. Populations as §5 counts them for a kelurahan, a kecamatan, the city."""
    inputs = runs[0].inputs
    gazetteer = inputs.gazetteer
    skills = [r.skill for r in runs]
    per_kel: dict[str, dict[str, int]] = {k.code: {} for k in gazetteer.kelurahan_list}
    code_of = {(gazetteer.by_code(k.code).name, gazetteer.kecamatan_of(k.code).name): k.code
               for k in gazetteer.kelurahan_list}
    for run in runs:
        for row in run.reach.areas:
            per_kel[code_of[(row.kelurahan, row.kecamatan)]][run.skill] = row.total
    kelurahan_of = {node: person.kelurahan for r in runs for node, person in r.inputs.people.items()}
    trained = Counter(kelurahan_of[node] for node in set().union(*(r.seeds for r in runs)))
    everyone = Counter(kelurahan_of[node] for node in set().union(*(r.level for r in runs)))

    def population(code: str) -> int:
        return analytics.coverage_population(inputs, AreaFilter(kelurahan=code)) or 0

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
    city = analytics.coverage_population(inputs, AreaFilter()) or 0  # 13,000 unless populations say otherwise
    return kelurahan, kecamatan, summed(kelurahan, "", city)


def _top_teachers(runs: Sequence[_Run], names: dict[str, SkillName], public: bool) -> list[TopTeacher]:
    """The best :data:`TOP_TEACHERS_PER_SKILL` of every skill (``tular reach``'s ranking), skill by skill."""
    return [
        TopTeacher(skill=names[r.skill], ikm_id=None if public else t.ikm_id, name=None if public else t.name,
                   kelurahan=t.kelurahan,
                   generation=t.generation, onward_reach=t.onward_reach)
        for r in runs for t in r.reach.top_teachers[:TOP_TEACHERS_PER_SKILL]
    ]


def _follow_up(runs: Sequence[_Run], year: int, dormant_days: int, names: dict[str, SkillName], public: bool) -> FollowUp:
    gazetteer = runs[0].inputs.gazetteer
    since = date(year, 1, 1) - timedelta(days=dormant_days)
    counts: dict[str, FollowUpCount] = {}
    visits: dict[str, list[Visit]] = defaultdict(list)
    for run in runs:
        found = analytics.broken_chains(run.inputs, dormant_days, cascade=run.cascade)
        for f in found.findings:
            if f.kind not in FOLLOW_UP_KINDS:
                continue  # orphans belong to data quality
            code = run.inputs.people[f.ikm_id].kelurahan
            kecamatan = gazetteer.kecamatan_of(code).name
            row = counts.setdefault(code, FollowUpCount(kecamatan=kecamatan, kelurahan=f.kelurahan))
            setattr(row, f.kind, getattr(row, f.kind) + 1)
            fresh = f.kind == "dormant_leaf" and f.last_activity is not None and f.last_activity >= since
            row.newly_dormant += fresh
            if f.kind == "dead_seed" or fresh:
                visits[code].append(Visit(
                    kecamatan=kecamatan, kelurahan=f.kelurahan, kind=f.kind, skill=names[run.skill],
                    ikm_id=f.ikm_id, name=f.name, generation=f.generation, last_activity=f.last_activity,
                    days_dormant=f.days_dormant))
    order = sorted(counts, key=lambda c: (counts[c].kecamatan, counts[c].kelurahan))
    rows = [counts[c] for c in order]
    totals = FollowUpCount(kecamatan="", kelurahan="", **{
        k: sum(getattr(r, k) for r in rows) for k in (*FOLLOW_UP_KINDS, "newly_dormant")})
    groups: list[VisitGroup] = []
    listed = not_listed = 0
    for code in order:
        found = sorted(visits.get(code, []), key=lambda v: (FOLLOW_UP_KINDS.index(v.kind), v.days_dormant or 0,
                                                             v.skill.skill_id, v.ikm_id))
        if not found:
            continue
        shown = found[:VISITS_PER_KELURAHAN]
        listed += len(shown)
        not_listed += len(found) - len(shown)
        if not public:
            groups.append(VisitGroup(kecamatan=counts[code].kecamatan, kelurahan=counts[code].kelurahan,
                                     visits=shown, not_listed=len(found) - len(shown)))
    if public:
        listed = not_listed = 0
    return FollowUp(dormant_days=dormant_days, newly_dormant_since=since, counts=rows, totals=totals,
                    groups=groups, listed=listed, not_listed=not_listed)


_DATE = re.compile(r"\bon (\d{4}-\d{2}-\d{2})\b")


def _quality(store: GraphStore, runs: Sequence[_Run], names: dict[str, SkillName], public: bool) -> Quality:
    checked = check_store(store)
    chosen = {r.skill for r in runs}
    findings = [f for f in checked.findings if f.skill is None or f.skill in chosen]
    counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in FINDING_KINDS}
    warnings = {r.skill: _warnings(r) for r in runs}
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
            item.reason = "phone" if f.detail.startswith("same phone") else "name"
        elif f.kind == "orphan":
            item.reason = str(len(f.ikm_ids))
        elif (match := _DATE.search(f.detail)) is not None:
            item.on = date.fromisoformat(match.group(1))
        items.append(item)
    return Quality(counts=counts, items=items, not_listed=sum(counts.values()) - len(items), warnings=warnings)


def _programmes(store: GraphStore, runs: dict[str, _Run], year: int, names: dict[str, SkillName]) -> list[Programme]:
    found = []
    for training in sorted(store.trainings(), key=lambda t: (t.end_date, t.training_id)):
        if training.end_date.year != year:
            continue
        for skill in training.skills:
            run = runs.get(skill)
            if run is None or training.end_date > run.inputs.as_of:
                continue
            reach = analytics.reach(run.inputs, cohort=[training.training_id], cascade=run.cascade)
            found.append(Programme(
                training_id=training.training_id, title=training.title, skill=names[skill],
                start_date=training.start_date, end_date=training.end_date, budget_idr=training.budget_idr,
                target_group=training.target_group, reach=reach))
    return found


def _has_data(now: _Run, previous: _Run) -> bool:
    return bool(now.level or now.inputs.graph.number_of_edges() or previous.level)


def gather_report(store: GraphStore, year: int, today: date, skills: Sequence[str] = (), public: bool = False,
                  dormant_days: int = DEFAULT_DORMANT_DAYS) -> ReportData:
    """Everything the annual report of ``year`` shows, as of 31 December (or ``today`` in the
    current year). ``skills``: names or aliases (default: every skill)."""
    if dormant_days < 1:
        raise UsageError("the dormant window must be at least 1 day")
    as_of, year_to_date = report_as_of(year, today)
    store = _ReadOnce(store)  # type: ignore[assignment]
    previous_as_of = date(year - 1, 12, 31)
    vocabulary: list[Skill] = store.skills()
    names = {s.skill_id: SkillName(skill_id=s.skill_id, name_id=s.name_id, name_en=s.name_en) for s in vocabulary}
    chosen = list(dict.fromkeys(metrics.resolve_skill(store, s) for s in skills)) if skills else list(names)
    now = {s: _run(store, s, as_of) for s in chosen}
    before = {s: _run(store, s, previous_as_of) for s in chosen}
    with_data = [s for s in chosen if _has_data(now[s], before[s])]
    runs = [now[s] for s in chosen]
    kelurahan, kecamatan, city = _areas(runs)
    return ReportData(
        year=year, as_of=as_of, year_to_date=year_to_date, previous_as_of=previous_as_of, generated_on=today,
        public=public, skills_chosen=[names[s] for s in chosen],
        skills_without_data=[names[s] for s in chosen if s not in with_data],
        headline=overall(runs, as_of), previous=overall([before[s] for s in chosen], previous_as_of),
        skills=[SkillSection(skill=names[s], now=now[s].reach, previous=before[s].reach, warnings=_warnings(now[s]))
                for s in with_data],
        programmes=_programmes(store, now, year, names),
        kecamatan=kecamatan, kelurahan=kelurahan, city=city,
        top_teachers=_top_teachers(runs, names, public),
        follow_up=_follow_up(runs, year, dormant_days, names, public),
        quality=_quality(store, runs, names, public),
        outcomes=[OutcomeSection(skill=names[s], rates=metrics.outcome_rates(
            store, metrics.Query(skill=s, as_of=as_of), None, after_learning=True)) for s in with_data],
        next_cohort=[_next_cohort(store, names[s], as_of, dormant_days, public) for s in with_data],
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
