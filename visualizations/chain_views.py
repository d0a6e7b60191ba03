"""Chains (SPEC §12) as people see them on the chains page and in the report: the order a
table is sorted in, and the histogram of chain sizes as SVG bars (attributes, not styles, so
that the pages' policy and WeasyPrint take them alike), each with its number as text.

>>> from tular.graph.metrics.results import ChainSizeCount
>>> bars = histogram_bars([ChainSizeCount(size=1, chains=40), ChainSizeCount(size=6, chains=2)], Locale("id"))
>>> [(b.label, b.value, b.height) for b in bars]
[('1', '40', 120), ('6', '2', 6)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tular.graph.metrics.results import ChainRow, ChainSizeCount
from tular.visualizations.i18n import N_, Locale

#: How each chain status is called (SPEC §11's glossary for the two §5 findings).
STATUS_LABELS = {"growing": N_("chains.status.growing"), "stalled": N_("chains.status.stalled"),
                 "dead_seed": N_("chains.status.dead_seed"), "new": N_("chains.status.new")}
#: What each status means, in plain words (the page's and the report's legend).
STATUS_NOTES = {"growing": N_("chains.status_note.growing"), "stalled": N_("chains.status_note.stalled"),
                "dead_seed": N_("chains.status_note.dead_seed"), "new": N_("chains.status_note.new")}
#: The orders a chains table can be shown in: a column, descending with a leading ``-``.
SORTS = ("-size", "size", "-depth", "depth", "-days", "days")
#: The histogram's drawing area (SVG user units): bar heights up to CHART_HEIGHT, a slot per size.
CHART_HEIGHT = 120
SLOT_MAX, SLOT_MIN, CHART_WIDTH = 44, 16, 720


@dataclass
class SizeBar:
    label: str  # the chain size
    value: str  # how many chains have it
    size: int
    chains: int
    x: float
    width: float
    height: int
    labelled: bool  # whether its size is written under it (every one, unless the bars are narrow)


def sorted_chains(chains: Sequence[ChainRow], order: str) -> list[ChainRow]:
    """``chains`` (in the answer's order: size descending, then seed) sorted by ``order`` of
    :data:`SORTS`; ties keep the answer's order, rows without a last teaching go last."""
    if order == "-size":
        return list(chains)
    column = order.lstrip("-")
    descending = order.startswith("-")

    def key(chain: ChainRow) -> int | None:
        return {"size": chain.size, "depth": chain.depth, "days": chain.days_since_last}[column]

    present = [c for c in chains if key(c) is not None]
    missing = [c for c in chains if key(c) is None]
    # sorted() is stable: ties keep the answer's order, in both directions
    return sorted(present, key=lambda c: -key(c) if descending else key(c)) + missing


def histogram_bars(histogram: Sequence[ChainSizeCount], loc: Locale) -> list[SizeBar]:
    """One bar per chain size present, heights in proportion to the number of chains (at
    least 2 units, so that one chain still shows)."""
    if not histogram:
        return []
    slot = max(SLOT_MIN, min(SLOT_MAX, CHART_WIDTH / len(histogram)))
    tallest = max(h.chains for h in histogram)
    every = max(1, round(28 / slot))  # sizes written under every n-th bar when the bars are narrow
    return [SizeBar(label=loc.integer(h.size), value=loc.integer(h.chains), size=h.size, chains=h.chains,
                    x=round(i * slot, 1), width=round(slot * 0.78, 1),
                    height=max(2, round(CHART_HEIGHT * h.chains / tallest)),
                    labelled=i % every == 0 or i == len(histogram) - 1)
            for i, h in enumerate(histogram)]
