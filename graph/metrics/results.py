"""Every answer tular gives, as types: what the engine, the use cases, the service and the
views share. Nothing here computes or reads a store; a view imports this module and
:mod:`tular.graph.model`, never a module that reads a store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from tular.graph.model.records import Model

if TYPE_CHECKING:
    import networkx as nx

    from tular.graph.model.gazetteer import Gazetteer
    from tular.graph.model.geography import Boundaries


# ---------------------------------------------------------------------- reach, broken chains, lineage, outcome rates (SPEC §5, §10)
#: SPEC §5: without a populations input, the city has 13,000 IKM.
DEFAULT_CITY_POPULATION = 13_000


TOP_TEACHERS = 20


MAX_LINEAGE_PATHS = 100


@dataclass
class Person:
    name: str
    kelurahan: str  # code


class GenerationRow(Model):
    generation: int
    count: int
    ratio: float | None
    active_share: float | None


class AreaRow(Model):
    kecamatan: str
    kelurahan: str
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    imported: int


class KecamatanRow(Model):
    kecamatan: str
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    imported: int


class TopTeacher(Model):
    ikm_id: str
    name: str
    kelurahan: str
    generation: int
    onward_reach: int


class Virality(Model):
    seed: str | None  # None in the public answer (SPEC §7)
    size: int
    structural_virality: float | None


class Concentration(Model):
    """SPEC §12: how concentrated the teaching is. A teaching is an edge of G with both ends in
    S ∪ R; the top k = ⌈p × teachers⌉ teachers by their number of teachings; a share is the
    teachings of the top k over all teachings (null when there is no teaching)."""

    teachers: int
    teachings: int
    top_5_percent_share: float | None
    top_20_percent_share: float | None


class Reach(Model):
    skill: str
    as_of: date
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    max_depth: int | None
    coverage: float | None
    cost_per_ikm_idr: int | None
    generations: list[GenerationRow]
    areas: list[AreaRow]
    kecamatan: list[KecamatanRow]
    top_teachers: list[TopTeacher]
    virality: list[Virality]
    warnings: list[str]
    concentration: Concentration


class ReachAll(Model):
    as_of: date
    skills: list[Reach]
    distinct_total: int


@dataclass
class AreaFilter:
    """Which IKM are counted: all, those of one kelurahan, or those of one kecamatan (codes)."""

    kelurahan: str | None = None
    kecamatan: str | None = None

    def admits(self, kelurahan_code: str, gazetteer: Gazetteer) -> bool:
        if self.kelurahan:
            return kelurahan_code == self.kelurahan
        if self.kecamatan:
            return gazetteer.by_code(kelurahan_code).kecamatan_code == self.kecamatan
        return True


class Finding(Model):
    kind: str
    ikm_id: str
    name: str
    kelurahan: str
    generation: int | None
    last_activity: date | None
    days_dormant: int | None
    seeds: list[str]
    fragment_top: list[str] | None


class Broken(Model):
    skill: str
    as_of: date
    dormant_days: int
    findings: list[Finding]


FINDING_ORDER = ("dead_seed", "stalled_lineage", "dormant_leaf", "orphan")


# ---------------------------------------------------------------------- chains (SPEC §12)
#: A chain's status: the §5 finding of its seed, else whether its lineage has taught.
CHAIN_STATUSES = ("growing", "stalled", "dead_seed", "new")
ChainStatus = Literal["growing", "stalled", "dead_seed", "new"]


class ChainRow(Model):
    seed: str | None  # None in the public answer (SPEC §7)
    kelurahan: str
    size: int
    depth: int
    first_teaching: date | None
    last_teaching: date | None
    days_since_last: int | None
    status: ChainStatus


class ChainSizeCount(Model):
    size: int
    chains: int


class Chains(Model):
    """SPEC §12 ``tular chains --json``: every lineage as a row, largest first; the histogram
    of chain sizes over every chain, before any filter."""

    skill: str
    as_of: date
    dormant_days: int
    chains: list[ChainRow]
    histogram: list[ChainSizeCount]


class LineageOfSkill(Model):
    skill: str
    generation: int | None
    learned_on: date | None
    seeds: list[str]
    path_count: int
    paths: list[list[str]]
    downstream: list[dict]


class OutcomeGeneration(Model):
    generation: int
    count: int
    with_outcome: int
    rate: float | None


class OutcomeArea(Model):
    kecamatan: str
    kelurahan: str
    count: int
    with_outcome: int
    rate: float | None


class OutcomeRates(Model):
    """SPEC §10 outcome rate by generation (and per kelurahan) of one skill."""

    skill: str
    kind: str | None
    as_of: date
    generations: list[OutcomeGeneration]
    areas: list[OutcomeArea]


# ---------------------------------------------------------------------- places: choropleth and timeline (SPEC §12)
#: What a choropleth can colour the kelurahan by.
CHOROPLETH_MEASURES = ("total", "coverage", "multiplier", "broken")


class KelurahanValues(Model):
    """One kelurahan's numbers on a choropleth (SPEC §5 per area, by the IKM's own location).
    ``broken``: dead seeds and stalled lineages of the seeds located here (SPEC §12)."""

    code: str  # the gazetteer's
    kecamatan: str
    kelurahan: str
    seeds: int
    reached: int
    total: int
    population: int
    coverage: float | None
    multiplier: float | None
    broken: int

    def value(self, measure: str) -> float | int | None:
        return getattr(self, measure)


class ChoroplethFrame(Model):
    """The kelurahan's numbers as of one date, in the boundaries' order."""

    as_of: date
    areas: list[KelurahanValues]


@dataclass
class ChoroplethData:
    """A choropleth of one skill (or all: ``skill`` None) shown as of ``as_of``, with the
    frames of the dates it can switch to (ascending; one of them is ``as_of``)."""

    skill: str | None
    skill_name_id: str | None
    skill_name_en: str | None
    as_of: date
    dormant_days: int
    frames: list[ChoroplethFrame]
    boundaries: Boundaries


@dataclass
class TimelineRow:
    """An IKM on a timeline: when it learned, its generation and the teacher it is drawn
    from (None for a seed, or when its teacher is not on this timeline)."""

    ikm_id: str
    name: str
    kelurahan: str
    learned_on: date
    generation: int
    teacher: str | None


@dataclass
class TimelineData:
    """One seed's chain or one kelurahan's IKM of a skill, for a timeline (SPEC §12)."""

    skill_id: str
    skill_name_id: str
    skill_name_en: str
    as_of: date
    #: "chain" or "kelurahan"
    kind: str
    #: the seed's name (a chain) or the kelurahan's name
    subject: str
    rows: list[TimelineRow]
    #: the chain's seed (its ikm_id), None for a kelurahan or in the public edition
    seed: str | None = None
    #: the public edition: no names or ids
    public: bool = False


# ---------------------------------------------------------------------- the next-cohort plan (SPEC §10)
class PlanKelurahan(Model):
    kecamatan: str
    kelurahan: str
    population: int
    total: int
    unmet_need: int
    broken: int
    reason: str


class PlanNarasumber(Model):
    ikm_id: str
    name: str
    kelurahan: str
    per_seed_reach: int
    outcomes: int
    reason: str


class PlanVisit(Model):
    ikm_id: str
    name: str
    kelurahan: str
    days_dormant: int
    reason: str


class Plan(Model):
    """SPEC §10 ``tular plan --json``; each list best first."""

    skill: str
    seats: int
    as_of: date
    kelurahan: list[PlanKelurahan]
    narasumber: list[PlanNarasumber]
    visits: list[PlanVisit]


# ---------------------------------------------------------------------- public shapes: aggregates only (SPEC §7)
class KelurahanCount(Model):
    kelurahan: str
    count: int


class KindCount(Model):
    kind: str
    kelurahan: str
    count: int


class PublicBroken(Model):
    """Broken chains for the public: how many findings of each kind in each kelurahan."""

    skill: str
    as_of: date
    dormant_days: int
    counts: list[KindCount]


class PublicPlan(Model):
    """The next-cohort plan for the public: the kelurahan ranking as it is; narasumber and
    visits as counts per kelurahan."""

    skill: str
    seats: int
    as_of: date
    kelurahan: list[PlanKelurahan]
    narasumber: list[KelurahanCount]
    visits: list[KelurahanCount]


# ---------------------------------------------------------------------- data-quality findings (tular check)
FindingKind = Literal["cycle", "duplicate_teaching", "probable_duplicate", "out_of_order", "learner_is_trainee",
                      "orphan"]


FINDING_KINDS: tuple[str, ...] = ("cycle", "duplicate_teaching", "probable_duplicate", "out_of_order",
                                  "learner_is_trainee", "orphan")


class QualityFinding(Model):
    kind: FindingKind
    ikm_ids: list[str]
    skill: str | None = None
    detail: str
    #: For ``orphan``: the fragment's IKM without a recorded teacher; otherwise ``None``.
    fragment_top: list[str] | None = None
    #: For ``duplicate_teaching``: the date of every stored copy, earliest first (as many as
    #: there are copies); for ``cycle``: the date of each teaching around it, ``ikm_ids[i]``
    #: teaching ``ikm_ids[i + 1]`` (the last one the first); otherwise ``None``.
    dates: list[date] | None = None
    #: The catalogue message ``detail`` says, with its values (not in the JSON): what a view
    #: reads instead of the words of ``detail``.
    message: tuple[str, dict[str, Any]] | None = Field(default=None, exclude=True)


class QualityReport(Model):
    counts: dict[str, int]
    findings: list[QualityFinding]
    notes: list[str]


# ---------------------------------------------------------------------- the propagation map's data
@dataclass
class Teacher:
    ikm_id: str
    name: str
    date: date


@dataclass
class Mark:
    """A broken-chain finding on an IKM (SPEC §5)."""

    kind: str
    days_dormant: int | None


@dataclass
class MapNode:
    ikm_id: str
    name: str
    kelurahan_code: str
    kelurahan: str
    kecamatan: str
    #: None for an orphan (no seed reaches it)
    generation: int | None
    is_seed: bool
    #: the seed's training end, or the date of its earliest teaching edge
    learned_on: date | None
    #: the seed's (earliest) training of the skill
    training: str | None = None
    teachers: list[Teacher] = field(default_factory=list)
    learners: int = 0
    onward_reach: int = 0
    marks: list[Mark] = field(default_factory=list)
    #: a teacher shown as context, located outside the chosen area
    outside_area: bool = False


@dataclass
class MapData:
    skill_id: str
    skill_name_id: str
    skill_name_en: str
    as_of: date
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    max_depth: int | None
    dormant_days: int
    #: teacher → learner, the IKM and edges the map draws; edges carry ``date``
    graph: nx.DiGraph
    nodes: dict[str, MapNode]
    #: "Kelurahan Bunulrejo", "Kecamatan Blimbing" or None for the whole city
    area: str | None = None
    #: the seed whose lineage alone is shown, if one was chosen
    seed: str | None = None
    seed_name: str | None = None
    #: the public edition (SPEC §7): no names, ids or business names
    public: bool = False


# ---------------------------------------------------------------------- the annual report's data
#: Visits named per skill in the internal edition's appendix: the first of the visit order
#: (SPEC §10; the rest are counted).
VISITS_PER_SKILL = 20
#: Most data-quality findings listed per kind in the internal edition.
QUALITY_LISTED = 25
#: Top teachers listed per skill: this many trainees, and as many IKM who learned from peers.
TOP_TEACHERS_PER_SKILL = 3
FOLLOW_UP_KINDS = ("dead_seed", "stalled_lineage", "dormant_leaf")
#: Seats of the next cohort the report plans per skill.
PLAN_SEATS = 5
#: The plan lists this many visits per seat (SPEC §10).
VISITS_PER_SEAT = 3


class SkillName(Model):
    skill_id: str
    name_id: str
    name_en: str


class Overall(Model):
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


class SkillWarnings(Model):
    unbudgeted_trainings: list[str] = []
    seeds_taught_by_others: int = 0


class SkillSection(Model):
    skill: SkillName
    now: Reach
    previous: Reach
    warnings: SkillWarnings


class Programme(Model):
    """One training that ended in the report's year, for one skill it teaches: its cohort's reach."""

    training_id: str
    title: str
    skill: SkillName
    start_date: date | None
    end_date: date
    budget_idr: int | None
    target_group: str | None
    reach: Reach


class AreaTotals(Model):
    """One kelurahan (or a kecamatan, ``kelurahan`` None): per-skill totals and the distinct IKM."""

    kecamatan: str
    kelurahan: str | None
    population: int
    totals: dict[str, int]
    trained: int
    total: int
    coverage: float | None


class ReportTeacher(Model):
    skill: SkillName
    ikm_id: str | None  # None in the public edition
    name: str | None  # None in the public edition: described, not named (SPEC §8)
    kelurahan: str
    generation: int
    onward_reach: int


class FollowUpCount(Model):
    kecamatan: str
    kelurahan: str
    dead_seed: int = 0
    stalled_lineage: int = 0
    dormant_leaf: int = 0
    newly_dormant: int = 0

    @property
    def findings(self) -> int:
        return self.dead_seed + self.stalled_lineage + self.dormant_leaf


class Visit(Model):
    kecamatan: str
    kelurahan: str
    kind: str
    skill: SkillName
    ikm_id: str
    name: str
    generation: int | None
    last_activity: date | None
    days_dormant: int | None
    #: a dormant learner's: the onward reach its kelurahan's IKM have shown (the visit order's rank)
    kelurahan_reach: int | None = None


class SkillVisits(Model):
    """The first :data:`VISITS_PER_SKILL` of a skill's visit order; ``not_listed`` the rest."""

    skill: SkillName
    visits: list[Visit]
    not_listed: int


class FollowUp(Model):
    dormant_days: int
    #: learned on or after this date and dormant by T: fell dormant during the year
    newly_dormant_since: date
    counts: list[FollowUpCount]
    totals: FollowUpCount
    #: trainees who taught nobody, listed apart before the visit order; empty in the public edition
    dead_seeds: list[Visit]
    visits: list[SkillVisits]  # empty in the public edition


class QualityItem(Model):
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


class Quality(Model):
    counts: dict[str, int]
    items: list[QualityItem]  # empty in the public edition
    not_listed: int
    warnings: dict[str, SkillWarnings]


class OutcomeSection(Model):
    skill: SkillName
    rates: OutcomeRates


class VisitCount(Model):
    kelurahan: str
    visits: int


class NextCohort(Model):
    """The planner's answer for one skill; ``visits`` named only in the internal edition."""

    skill: SkillName
    kelurahan: list[PlanKelurahan]
    narasumber: list[PlanNarasumber]
    visits: list[PlanVisit]
    visit_counts: list[VisitCount]


#: Chains listed per skill in the report (the largest).
REPORT_CHAINS = 10


class ReportChain(Model):
    seed: str | None  # None in the public edition
    name: str | None  # None in the public edition: described by kelurahan, not named
    kelurahan: str
    size: int
    depth: int
    first_teaching: date | None
    last_teaching: date | None
    status: ChainStatus


class ChainSection(Model):
    """One skill's chains as of T (SPEC §12): the histogram of sizes, the largest chains, the
    chains of each status; and how concentrated its teaching is, with the share of each
    generation that taught (the reach's ``active_share``)."""

    skill: SkillName
    chains: int
    histogram: list[ChainSizeCount]
    largest: list[ReportChain]
    statuses: dict[str, int]
    concentration: Concentration
    active_shares: list[float | None]


class ReportData(Model):
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
    top_teachers: list[ReportTeacher]
    follow_up: FollowUp
    quality: Quality
    outcomes: list[OutcomeSection] = []
    next_cohort: list[NextCohort] = []
    chains: list[ChainSection] = []
