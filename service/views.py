"""Terminal views of the metrics: rich tables, readable by people who are not programmers."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from tular.graph.metrics.results import Broken, OutcomeRates, Plan, Reach, ReachAll

SHOWN_AREAS = 15
SHOWN_TEACHERS = 10
SHOWN_FINDINGS = 40


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"


def rupiah(value: int | None) -> str:
    return "—" if value is None else "Rp " + f"{value:,}".replace(",", ".")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


TEXT_COLUMNS = {"Name", "Kelurahan", "Kecamatan", "Kind", "Skill", "IKM", "Seeds / fragment top", "Last activity",
                "Reason"}


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        wraps = column in {"Name", "Kelurahan", "Kecamatan", "Skill", "Seeds / fragment top"}
        table.add_column(column, justify="left" if column in TEXT_COLUMNS else "right", no_wrap=not wraps)
    return table


def print_reach(console: Console, r: Reach, heading: str | None = None) -> None:
    headline = _table(heading or f"Reach of {r.skill}, as of {r.as_of.isoformat()}",
                      "Seeds", "Reached", "Total", "Multiplier", "Max depth", "Coverage", "Cost per IKM")
    headline.add_row(number(r.seeds), number(r.reached), number(r.total), number(r.multiplier),
                     number(r.max_depth), percent(r.coverage), rupiah(r.cost_per_ikm_idr))
    console.print(headline)
    if r.generations:
        gens = _table("By generation", "Generation", "IKM", "Ratio to next", "Active share")
        for g in r.generations:
            gens.add_row(str(g.generation), number(g.count), number(g.ratio, 2), percent(g.active_share))
        console.print(gens)
    kec = _table("By kecamatan", "Kecamatan", "Seeds", "Reached", "Total", "Multiplier", "Imported")
    for row in r.kecamatan:
        kec.add_row(row.kecamatan, number(row.seeds), number(row.reached), number(row.total),
                    number(row.multiplier), number(row.imported))
    console.print(kec)
    active = sorted((a for a in r.areas if a.total), key=lambda a: (-a.total, a.kelurahan))
    areas = _table(f"By kelurahan (largest {min(SHOWN_AREAS, len(active))} of {len(active)} with any; all in --json)",
                   "Kelurahan", "Seeds", "Reached", "Total", "Multiplier", "Imported")
    for row in active[:SHOWN_AREAS]:
        areas.add_row(row.kelurahan, number(row.seeds), number(row.reached), number(row.total),
                      number(row.multiplier), number(row.imported))
    console.print(areas)
    if r.top_teachers:
        top = _table("Top teachers by onward reach", "IKM", "Name", "Kelurahan", "Generation", "Onward reach")
        for t in r.top_teachers[:SHOWN_TEACHERS]:
            top.add_row(t.ikm_id, t.name, t.kelurahan, str(t.generation), number(t.onward_reach))
        console.print(top)
    for warning in r.warnings:
        console.print(f"[yellow]Note:[/yellow] {warning}", highlight=False)


def print_reach_all(console: Console, result: ReachAll) -> None:
    table = _table(f"Reach per skill, as of {result.as_of.isoformat()}",
                   "Skill", "Seeds", "Reached", "Total", "Multiplier", "Depth", "Coverage", "Cost per IKM")
    for r in result.skills:
        table.add_row(r.skill, number(r.seeds), number(r.reached), number(r.total), number(r.multiplier),
                      number(r.max_depth), percent(r.coverage), rupiah(r.cost_per_ikm_idr))
    console.print(table)
    console.print(f"IKM that are seeds or reached in at least one skill: [bold]{result.distinct_total:,}[/bold]")


KIND_LABELS = {
    "dead_seed": "Dead seed (trained, taught nobody)",
    "stalled_lineage": "Stalled lineage (no teaching lately)",
    "dormant_leaf": "Dormant leaf (learned, taught nobody: visit)",
    "orphan": "Orphan (upstream unknown)",
}


def print_broken(console: Console, b: Broken) -> None:
    counts = _table(f"Broken chains of {b.skill}, as of {b.as_of.isoformat()} (dormant window {b.dormant_days} days)",
                    "Kind", "Findings")
    for kind, label in KIND_LABELS.items():
        counts.add_row(label, number(sum(1 for f in b.findings if f.kind == kind)))
    console.print(counts)
    table = _table(f"Findings (first {min(SHOWN_FINDINGS, len(b.findings))} of {len(b.findings)}; all in --json)",
                   "Kind", "IKM", "Name", "Kelurahan", "Gen", "Last activity", "Days dormant", "Seeds / fragment top")
    for f in b.findings[:SHOWN_FINDINGS]:
        related = f.fragment_top if f.kind == "orphan" else f.seeds
        shown = ", ".join(related[:3]) + (f" +{len(related) - 3}" if len(related) > 3 else "")
        table.add_row(f.kind, f.ikm_id, f.name, f.kelurahan, number(f.generation),
                      f.last_activity.isoformat() if f.last_activity else "—", number(f.days_dormant), shown)
    console.print(table)


def print_lineage(console: Console, result: dict) -> None:
    console.print(f"[bold]{result['ikm_id']}[/bold] {result['name']} — {result['kelurahan']}, "
                  f"kecamatan {result['kecamatan']} (as of {result['as_of']})", highlight=False)
    if not result["skills"]:
        console.print("No training or teaching of any skill on record.")
    for s in result["skills"]:
        gen = "not reached from a seed" if s["generation"] is None else f"generation {s['generation']}"
        console.print(f"\n[bold]{s['skill']}[/bold]: {gen}, learned {s['learned_on'] or '—'}; "
                      f"{s['path_count']:,} path(s) from seeds {', '.join(s['seeds']) or '—'}", highlight=False)
        for path in s["paths"][:5]:
            console.print("  " + " → ".join(path), highlight=False)
        if len(s["paths"]) > 5:
            console.print(f"  … {s['path_count'] - 5:,} more (--json lists up to {len(s['paths'])})")
        if s["downstream"]:
            tree = Tree(f"Downstream: {len(s['downstream']):,} IKM learned from {result['ikm_id']} directly or not")
            branches = {result["ikm_id"]: tree}
            for d in s["downstream"]:
                parent = branches.get(min(d["taught_by"], key=lambda t: t not in branches), tree)
                branches[d["ikm_id"]] = parent.add(f"{d['ikm_id']} {d['name']} ({d['kelurahan']}, {d['date']})")
            console.print(tree)


def print_outcomes(console: Console, r: OutcomeRates, after_learning: bool = False) -> None:
    kind = r.kind or "any outcome"
    when = ", after learning" if after_learning else ""
    gens = _table(f"Outcome rate of {r.skill} ({kind}{when}) by generation, as of {r.as_of.isoformat()}",
                  "Generation", "IKM", "With outcome", "Rate")
    for g in r.generations:
        gens.add_row(str(g.generation), number(g.count), number(g.with_outcome), percent(g.rate))
    if not r.generations:
        console.print(f"No seeds of {r.skill} by {r.as_of.isoformat()}: no generations to show.")
    else:
        console.print(gens)
    shown = sorted(r.areas, key=lambda a: (-a.count, a.kelurahan))[:SHOWN_AREAS]
    areas = _table(f"By kelurahan (largest {len(shown)} of {len(r.areas)}; all in --json)",
                   "Kelurahan", "Kecamatan", "IKM", "With outcome", "Rate")
    for a in shown:
        areas.add_row(a.kelurahan, a.kecamatan, number(a.count), number(a.with_outcome), percent(a.rate))
    console.print(areas)


def _readable(table: Table) -> Table:
    """Every column at least as wide as its header; only the reason wraps."""
    for column in table.columns:
        column.min_width = len(str(column.header))
        column.no_wrap = column.header != "Reason"
    return table


def print_plan(console: Console, p: Plan) -> None:
    console.print(f"Next cohort of {p.skill}: {p.seats} seats, data as of {p.as_of.isoformat()}")
    kel = _table("Kelurahan by unmet need", "Kelurahan", "Kecamatan", "Population", "Total", "Unmet need", "Broken",
                 "Reason")
    for k in p.kelurahan:
        kel.add_row(k.kelurahan, k.kecamatan, number(k.population), number(k.total), number(k.unmet_need),
                    number(k.broken), k.reason)
    console.print(_readable(kel))
    nara = _table("Narasumber to co-teach", "IKM", "Name", "Kelurahan", "Onward reach", "Outcomes", "Reason")
    for n in p.narasumber:
        nara.add_row(n.ikm_id, n.name, n.kelurahan, number(n.per_seed_reach), number(n.outcomes), n.reason)
    console.print(_readable(nara))
    visits = _table("Dormant leaves worth a visit", "IKM", "Name", "Kelurahan", "Days dormant", "Reason")
    for v in p.visits:
        visits.add_row(v.ikm_id, v.name, v.kelurahan, number(v.days_dormant), v.reason)
    console.print(_readable(visits))
