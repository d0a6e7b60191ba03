"""Terminal summaries shared by commands."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from tular.graph.metrics import answers as metrics
from tular.graph.store import GraphStore
from tular.service import views
from tular.visualizations.i18n import Locale


def print_skill_summary(console: Console, store: GraphStore, as_of: date, *, loc: Locale | None = None) -> None:
    """One line per skill: trainees, reached, total, multiplier, depth, coverage, cost."""
    views.print_reach_all(console, metrics.reach_all(store, metrics.Query(skill="all", as_of=as_of)), loc=loc)


def print_area_story(console: Console, store: GraphStore, skill: str, kelurahan: str, as_of: date, *,
                     loc: Locale | None = None) -> None:
    """How the skill spread in one kelurahan, in one sentence."""
    loc = loc or views.default_locale()
    r = metrics.reach(store, metrics.Query(skill=skill, as_of=as_of, kelurahan=kelurahan))
    name = r.areas[0].kelurahan
    console.print(loc.t("cli.story", kelurahan=name, skill=skill, seeds=loc.integer(r.seeds),
                        reached=loc.integer(r.reached), generations=loc.integer(r.max_depth or 0),
                        multiplier=loc.decimal(r.multiplier)), highlight=False)
    outcomes = metrics.outcome_rates(store, metrics.Query(skill=skill, as_of=as_of, kelurahan=kelurahan), "pameran",
                                     after_learning=True)
    learners = [g for g in outcomes.generations if g.generation > 0]
    if learners:
        console.print("  " + loc.t("cli.story_outcomes", exhibited=loc.integer(sum(g.with_outcome for g in learners)),
                                   learners=loc.integer(sum(g.count for g in learners)), skill=skill, kelurahan=name),
                      highlight=False)
