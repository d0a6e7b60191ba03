"""Terminal views of the metrics: rich tables, readable by people who are not programmers, in
the reader's language (SPEC §11): every heading and sentence from the catalogue, numbers and
dates by Babel (:class:`~tular.visualizations.i18n.Locale`)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from tular.graph.metrics.results import Broken, OutcomeRates, Plan, Reach, ReachAll
from tular.graph.model.catalogue import N_
from tular.service.language import configured
from tular.visualizations.i18n import MISSING, Locale

SHOWN_AREAS = 15
SHOWN_TEACHERS = 10
SHOWN_FINDINGS = 40

#: How a column is laid out: text left and wrapping, a number right and whole.
TEXT, WRAPPED, NUMBER = "text", "wrapped", "number"


def default_locale() -> Locale:
    """The language of ``TULAR_LANG`` (else Indonesian), for a caller that names none."""
    return Locale(configured())


#: The names of what is counted (the fields of ``Counts``, the kinds of records).
RECORD_NAMES = {"ikm": N_("cli.count_ikm"), "kelurahan": N_("cli.count_kelurahan"),
                "kecamatan": N_("cli.count_kecamatan"), "skills": N_("cli.count_skills"),
                "trainings": N_("cli.count_trainings"), "attendance": N_("cli.count_attendance"),
                "teachings": N_("cli.count_teachings"), "outcomes": N_("cli.count_outcomes"),
                "populations": N_("cli.count_populations")}


def record_name(loc: Locale, name: str) -> str:
    """What ``name`` counts, in ``loc``'s language (a name the catalogue does not know as given)."""
    return loc.t(RECORD_NAMES[name]) if name in RECORD_NAMES else name


def _table(title: str, *columns: tuple[str, str]) -> Table:
    """A table titled ``title`` with ``columns`` as (heading, layout)."""
    table = Table(title=title, title_justify="left")
    for heading, layout in columns:
        table.add_column(heading, justify="right" if layout == NUMBER else "left", no_wrap=layout != WRAPPED)
    return table


def _list(ids: list[str], shown: int = 3) -> str:
    return ", ".join(ids[:shown]) + (f" +{len(ids) - shown}" if len(ids) > shown else "")


def print_reach(console: Console, r: Reach, heading: str | None = None, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    headline = _table(heading or loc.t("cli.reach_title", skill=r.skill, as_of=loc.date(r.as_of)),
                      (loc.t("label.seeds"), NUMBER), (loc.t("label.reached"), NUMBER), (loc.t("label.total"), NUMBER),
                      (loc.t("label.multiplier"), NUMBER), (loc.t("label.max_depth"), NUMBER),
                      (loc.t("label.coverage"), NUMBER), (loc.t("label.cost_per_ikm"), NUMBER))
    headline.add_row(n(r.seeds), n(r.reached), n(r.total), loc.decimal(r.multiplier), n(r.max_depth),
                     loc.percent(r.coverage), loc.money(r.cost_per_ikm_idr))
    console.print(headline)
    if r.generations:
        gens = _table(loc.t("cli.by_generation"), (loc.t("label.generation"), NUMBER), (loc.t("label.ikm"), NUMBER),
                      (loc.t("label.ratio"), NUMBER), (loc.t("label.active_share"), NUMBER))
        for g in r.generations:
            gens.add_row(n(g.generation), n(g.count), loc.decimal(g.ratio, 2), loc.percent(g.active_share))
        console.print(gens)
    area_columns = ((loc.t("label.seeds"), NUMBER), (loc.t("label.reached"), NUMBER), (loc.t("label.total"), NUMBER),
                    (loc.t("label.multiplier"), NUMBER), (loc.t("label.imported"), NUMBER))
    kec = _table(loc.t("cli.by_kecamatan"), (loc.t("label.kecamatan"), WRAPPED), *area_columns)
    for row in r.kecamatan:
        kec.add_row(row.kecamatan, n(row.seeds), n(row.reached), n(row.total), loc.decimal(row.multiplier),
                    n(row.imported))
    console.print(kec)
    active = sorted((a for a in r.areas if a.total), key=lambda a: (-a.total, a.kelurahan))
    areas = _table(loc.t("cli.by_kelurahan_largest", shown=n(min(SHOWN_AREAS, len(active))), total=n(len(active))),
                   (loc.t("label.kelurahan"), WRAPPED), *area_columns)
    for row in active[:SHOWN_AREAS]:
        areas.add_row(row.kelurahan, n(row.seeds), n(row.reached), n(row.total), loc.decimal(row.multiplier),
                      n(row.imported))
    console.print(areas)
    if r.top_teachers:
        top = _table(loc.t("cli.top_teachers"), (loc.t("label.ikm"), TEXT), (loc.t("label.name"), WRAPPED),
                     (loc.t("label.kelurahan"), WRAPPED), (loc.t("label.generation"), NUMBER),
                     (loc.t("label.onward_reach"), NUMBER))
        for t in r.top_teachers[:SHOWN_TEACHERS]:
            top.add_row(t.ikm_id, t.name, t.kelurahan, n(t.generation), n(t.onward_reach))
        console.print(top)
    for warning in r.warnings:
        note = loc.t("cli.note")
        console.print(f"[yellow]{escape(note)}[/yellow] {escape(warning)}", highlight=False)


def print_reach_all(console: Console, result: ReachAll, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    table = _table(loc.t("cli.reach_all_title", as_of=loc.date(result.as_of)),
                   (loc.t("label.skill"), WRAPPED), (loc.t("label.seeds"), NUMBER), (loc.t("label.reached"), NUMBER),
                   (loc.t("label.total"), NUMBER), (loc.t("label.multiplier"), NUMBER),
                   (loc.t("label.max_depth"), NUMBER), (loc.t("label.coverage"), NUMBER),
                   (loc.t("label.cost_per_ikm"), NUMBER))
    for r in result.skills:
        table.add_row(r.skill, n(r.seeds), n(r.reached), n(r.total), loc.decimal(r.multiplier), n(r.max_depth),
                      loc.percent(r.coverage), loc.money(r.cost_per_ikm_idr))
    console.print(table)
    console.print(loc.t("cli.distinct_total", total=n(result.distinct_total)), highlight=False)


#: The follow-up kinds of ``tular broken`` (SPEC §5), named as on every other surface (SPEC §11).
KIND_LABELS = {"dead_seed": N_("kind.dead_seed"), "stalled_lineage": N_("kind.stalled_lineage"),
               "dormant_leaf": N_("kind.dormant_leaf"), "orphan": N_("kind.orphan")}


def print_broken(console: Console, b: Broken, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    counts = _table(loc.t("cli.broken_title", skill=b.skill, as_of=loc.date(b.as_of), days=n(b.dormant_days)),
                    (loc.t("label.kind"), TEXT), (loc.t("cli.findings"), NUMBER))
    for kind, label in KIND_LABELS.items():
        counts.add_row(loc.t(label), n(sum(1 for f in b.findings if f.kind == kind)))
    console.print(counts)
    table = _table(loc.t("cli.findings_first", shown=n(min(SHOWN_FINDINGS, len(b.findings))), total=n(len(b.findings))),
                   (loc.t("label.kind"), WRAPPED), (loc.t("label.ikm"), TEXT), (loc.t("label.name"), WRAPPED),
                   (loc.t("label.kelurahan"), WRAPPED), (loc.t("cli.generation_short"), NUMBER),
                   (loc.t("cli.last_activity"), TEXT), (loc.t("label.days_dormant"), NUMBER),
                   (loc.t("cli.seeds_or_top"), WRAPPED))
    for f in b.findings[:SHOWN_FINDINGS]:
        related = f.fragment_top if f.kind == "orphan" else f.seeds
        table.add_row(loc.t(KIND_LABELS[f.kind]) if f.kind in KIND_LABELS else f.kind, f.ikm_id, f.name, f.kelurahan,
                      n(f.generation), loc.short_date(f.last_activity), n(f.days_dormant), _list(related or []))
    console.print(table)


def print_lineage(console: Console, result: dict, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    console.print(loc.t("cli.lineage_head", ikm_id=result["ikm_id"], name=result["name"], kelurahan=result["kelurahan"],
                        kecamatan=result["kecamatan"], as_of=loc.date(_day(result["as_of"]))), highlight=False)
    if not result["skills"]:
        console.print(loc.t("cli.lineage_nothing"))
    for s in result["skills"]:
        gen = (loc.t("cli.lineage_unreached") if s["generation"] is None
               else loc.t("cli.lineage_generation", generation=n(s["generation"])))
        console.print()
        console.print(loc.t("cli.lineage_skill", skill=s["skill"], generation=gen,
                            learned=loc.date(_day(s["learned_on"])), paths=n(s["path_count"]),
                            seeds=", ".join(s["seeds"]) or MISSING), highlight=False)
        for path in s["paths"][:5]:
            console.print("  " + " → ".join(path), highlight=False)
        if len(s["paths"]) > 5:
            console.print(loc.t("cli.lineage_more_paths", more=n(s["path_count"] - 5), listed=n(len(s["paths"]))))
        if s["downstream"]:
            tree = Tree(loc.t("cli.lineage_downstream", count=n(len(s["downstream"])), ikm_id=result["ikm_id"]))
            branches = {result["ikm_id"]: tree}
            for d in s["downstream"]:
                parent = branches.get(min(d["taught_by"], key=lambda t: t not in branches), tree)
                branches[d["ikm_id"]] = parent.add(f"{d['ikm_id']} {d['name']} ({d['kelurahan']}, "
                                                   f"{loc.short_date(_day(d['date']))})")
            console.print(tree)


def _day(value):
    """A date given as ISO text (the lineage's JSON form) as a date; ``None`` stays ``None``."""
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def print_outcomes(console: Console, r: OutcomeRates, after_learning: bool = False, *,
                   loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    kind = loc.t(f"web.outcome.{r.kind}") if r.kind else loc.t("cli.any_outcome")
    key = N_("cli.outcomes_title_after") if after_learning else N_("cli.outcomes_title")
    gens = _table(loc.t(key, skill=r.skill, kind=kind, as_of=loc.date(r.as_of)),
                  (loc.t("label.generation"), NUMBER), (loc.t("label.ikm"), NUMBER),
                  (loc.t("cli.with_outcome"), NUMBER), (loc.t("cli.rate"), NUMBER))
    for g in r.generations:
        gens.add_row(n(g.generation), n(g.count), n(g.with_outcome), loc.percent(g.rate))
    if not r.generations:
        console.print(loc.t("cli.outcomes_no_seeds", skill=r.skill, as_of=loc.date(r.as_of)), highlight=False)
    else:
        console.print(gens)
    shown = sorted(r.areas, key=lambda a: (-a.count, a.kelurahan))[:SHOWN_AREAS]
    areas = _table(loc.t("cli.by_kelurahan_largest", shown=n(len(shown)), total=n(len(r.areas))),
                   (loc.t("label.kelurahan"), WRAPPED), (loc.t("label.kecamatan"), WRAPPED),
                   (loc.t("label.ikm"), NUMBER), (loc.t("cli.with_outcome"), NUMBER), (loc.t("cli.rate"), NUMBER))
    for a in shown:
        areas.add_row(a.kelurahan, a.kecamatan, n(a.count), n(a.with_outcome), loc.percent(a.rate))
    console.print(areas)


def _readable(table: Table) -> Table:
    """Every column at least as wide as its header; only the last (the reason) wraps."""
    for column in table.columns:
        column.min_width = len(str(column.header))
        column.no_wrap = column is not table.columns[-1]
    return table


def print_plan(console: Console, p: Plan, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    n = loc.integer
    reason = (loc.t("cli.reason"), WRAPPED)
    console.print(loc.t("cli.plan_head", skill=p.skill, seats=n(p.seats), as_of=loc.date(p.as_of)), highlight=False)
    kel = _table(loc.t("cli.plan_kelurahan"), (loc.t("label.kelurahan"), TEXT), (loc.t("label.kecamatan"), TEXT),
                 (loc.t("label.population"), NUMBER), (loc.t("label.total"), NUMBER), (loc.t("cli.unmet_need"), NUMBER),
                 (loc.t("cli.broken_count"), NUMBER), reason)
    for k in p.kelurahan:
        kel.add_row(k.kelurahan, k.kecamatan, n(k.population), n(k.total), n(k.unmet_need), n(k.broken), k.reason)
    console.print(_readable(kel))
    nara = _table(loc.t("cli.plan_narasumber"), (loc.t("label.ikm"), TEXT), (loc.t("label.name"), TEXT),
                  (loc.t("label.kelurahan"), TEXT), (loc.t("label.onward_reach"), NUMBER),
                  (loc.t("cli.outcomes_count"), NUMBER), reason)
    for v in p.narasumber:
        nara.add_row(v.ikm_id, v.name, v.kelurahan, loc.decimal(v.per_seed_reach), n(v.outcomes), v.reason)
    console.print(_readable(nara))
    visits = _table(loc.t("cli.plan_visits"), (loc.t("label.ikm"), TEXT), (loc.t("label.name"), TEXT),
                    (loc.t("label.kelurahan"), TEXT), (loc.t("label.days_dormant"), NUMBER), reason)
    for v in p.visits:
        visits.add_row(v.ikm_id, v.name, v.kelurahan, n(v.days_dormant), v.reason)
    console.print(_readable(visits))
