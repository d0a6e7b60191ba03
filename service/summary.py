"""Terminal summaries shared by commands."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from tular.graph.metrics import answers as metrics
from tular.graph.store import GraphStore
from tular.service import views


def print_skill_summary(console: Console, store: GraphStore, as_of: date) -> None:
    """One line per skill: seeds, reached, total, multiplier, depth, coverage, cost."""
    views.print_reach_all(console, metrics.reach_all(store, metrics.Query(skill="all", as_of=as_of)))


def print_area_story(console: Console, store: GraphStore, skill: str, kelurahan: str, as_of: date) -> None:
    """How the skill spread in one kelurahan, in one sentence."""
    r = metrics.reach(store, metrics.Query(skill=skill, as_of=as_of, kelurahan=kelurahan))
    name = r.areas[0].kelurahan
    console.print(
        f"[bold]{name}[/bold] ({skill}): {r.seeds} trained → {r.reached} more IKM in {name} learned the skill "
        f"over {r.max_depth or 0} generations (multiplier {views.number(r.multiplier)})."
    )
    outcomes = metrics.outcome_rates(store, metrics.Query(skill=skill, as_of=as_of, kelurahan=kelurahan), "pameran",
                                     after_learning=True)
    learners = [g for g in outcomes.generations if g.generation > 0]
    if learners:
        console.print(
            f"  Since they learned, {sum(g.with_outcome for g in learners)} of these {sum(g.count for g in learners)} "
            f"learners have exhibited (pameran); see `tular outcomes --skill {skill} --kelurahan {name}`."
        )
