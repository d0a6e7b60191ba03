"""Terminal summaries shared by commands."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from tular.graph.analytics import reach_summary
from tular.graph.store import GraphStore


def print_skill_summary(console: Console, store: GraphStore, as_of: date) -> None:
    """One line per skill: seeds, reached, total, multiplier, deepest generation."""
    table = Table(title=f"Reach per skill, as of {as_of.isoformat()}", title_justify="left")
    for column, justify in (("Skill", "left"), ("Seeds", "right"), ("Reached", "right"), ("Total", "right"),
                            ("Multiplier", "right"), ("Generations", "right")):
        table.add_column(column, justify=justify)
    for skill in store.skills():
        seeds = {row.ikm_id for row in store.seed_attendance(skill.skill_id, as_of)}
        summary = reach_summary(store.teaching_graph(skill.skill_id, as_of), seeds)
        table.add_row(
            f"{skill.skill_id}",
            f"{summary.seeds:,}",
            f"{summary.reached:,}",
            f"{summary.total:,}",
            f"{summary.multiplier:.1f}" if summary.multiplier is not None else "—",
            str(summary.max_depth) if summary.max_depth is not None else "—",
        )
    console.print(table)
