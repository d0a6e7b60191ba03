"""Terminal summaries shared by commands."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from tular.graph.analytics import generations, reach_summary
from tular.graph.store import GraphStore


def _seeds_and_graph(store: GraphStore, skill: str, as_of: date):
    seeds = {row.ikm_id for row in store.seed_attendance(skill, as_of)}
    return seeds, store.teaching_graph(skill, as_of)


def print_skill_summary(console: Console, store: GraphStore, as_of: date) -> None:
    """One line per skill: seeds, reached, total, multiplier, deepest generation."""
    table = Table(title=f"Reach per skill, as of {as_of.isoformat()}", title_justify="left")
    for column, justify in (("Skill", "left"), ("Seeds", "right"), ("Reached", "right"), ("Total", "right"),
                            ("Multiplier", "right"), ("Max depth", "right")):
        table.add_column(column, justify=justify)
    for skill in store.skills():
        summary = reach_summary(*reversed(_seeds_and_graph(store, skill.skill_id, as_of)))
        table.add_row(
            f"{skill.skill_id}",
            f"{summary.seeds:,}",
            f"{summary.reached:,}",
            f"{summary.total:,}",
            f"{summary.multiplier:.1f}" if summary.multiplier is not None else "—",
            str(summary.max_depth) if summary.max_depth is not None else "—",
        )
    console.print(table)


def print_area_story(console: Console, store: GraphStore, skill: str, kelurahan_code: str, as_of: date) -> None:
    """How the skill spread from the seeds living in one kelurahan, in one sentence."""
    seeds, graph = _seeds_and_graph(store, skill, as_of)
    local_seeds = {s for s in seeds if store.get_ikm(s).kelurahan_code == kelurahan_code}
    level = generations(graph, local_seeds)
    reached_here = [n for n, g in level.items() if g > 0 and graph.nodes[n]["kelurahan"] == kelurahan_code]
    name = store.gazetteer().by_code(kelurahan_code).name
    depth = max(level.values(), default=0)
    console.print(
        f"[bold]{name}[/bold] ({skill}): {len(local_seeds)} trained → {len(reached_here)} more IKM in {name} "
        f"learned from them over {depth} generations."
    )
