"""The web pages people use (SPEC §7): Jinja2 templates filled with data the routes hand
over, every word from the message catalogue, numbers in the locale's format. Like the
report, nothing here reads the store.

>>> bars = generation_bars([5, 20, 2], Locale("id"))
>>> [(b.label, b.value, b.height) for b in bars]
[('G0', '5', 35), ('G1', '20', 140), ('G2', '2', 14)]
>>> bars = outcome_bars([(0, 2, 2, 1.0), (1, 3, 1, 1 / 3)], Locale("en"))
>>> [(b.label, b.value, b.of, b.height) for b in bars]
[('G0', '100.0%', '2 of 2', 140), ('G1', '33.3%', '1 of 3', 47)]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2

from tular.visualizations.i18n import LANGUAGES, N_, Locale

STATIC = Path(__file__).resolve().parent / "templates" / "web" / "static"
#: The generation chart's drawing area (SVG user units).
CHART_HEIGHT = 140
BAR_WIDTH = 44
BAR_GAP = 14
#: The outcome chart's column per generation: room for "12 of 345" under each bar.
OUTCOME_SLOT = 84

#: How each role is called on the pages.
ROLE_LABELS = {"viewer": N_("web.role_viewer"), "editor": N_("web.role_editor"), "admin": N_("web.role_admin")}

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("tular.visualizations", "templates/web"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# The lineage comes as JSON (dates as ISO text); the locale formats dates.
_environment.filters["as_date"] = lambda value: date.fromisoformat(value) if isinstance(value, str) else value


@lru_cache(maxsize=64)
def _digest(path: Path, modified_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_version(name: str) -> str | None:
    """The version of the static file ``name``: the start of its content's SHA-256, so that a
    changed file gets a new address (``None`` for no such file)."""
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return None
    return _digest(path, path.stat().st_mtime_ns)


def static_url(name: str) -> str:
    """The address of a static file with its version: browsers keep it for a year (it never
    changes under that address) and ask again only when the file, and so its address, changed.

    >>> static_url("tular.css").startswith("/static/tular.css?v=")
    True
    """
    version = static_version(name)
    return f"/static/{name}" + (f"?v={version}" if version else "")


def language(value: str | None) -> str | None:
    """``value`` when it names a language the pages speak, else ``None``."""
    return value if value in LANGUAGES else None


@dataclass
class Bar:
    label: str
    value: str
    count: int
    x: int
    height: int


def generation_bars(counts: list[int], loc: Locale) -> list[Bar]:
    """Bars of the generation chart, drawn as SVG rectangles (attributes, not styles: the
    pages' Content-Security-Policy allows no inline style)."""
    top = max(counts, default=0) or 1
    return [Bar(label=loc.t("web.generation_short", generation=g), value=loc.integer(n), count=n,
                x=g * (BAR_WIDTH + BAR_GAP), height=round(CHART_HEIGHT * n / top))
            for g, n in enumerate(counts)]


@dataclass
class RateBar:
    label: str
    value: str
    of: str
    generation: int
    count: int
    with_outcome: int
    rate: float | None
    x: int
    height: int


def outcome_bars(generations: list[tuple[int, int, int, float | None]], loc: Locale) -> list[RateBar]:
    """Bars of the outcome chart, one per (generation, count, with_outcome, rate): the height
    is the rate on a fixed 0–100 % scale, so generations compare by eye."""
    return [RateBar(label=loc.t("web.generation_short", generation=g), value=loc.percent(rate),
                    of=loc.t("outcome.of", with_outcome=loc.integer(with_outcome), count=loc.integer(count)),
                    generation=g, count=count, with_outcome=with_outcome, rate=rate,
                    x=i * OUTCOME_SLOT + (OUTCOME_SLOT - BAR_WIDTH) // 2, height=round(CHART_HEIGHT * (rate or 0)))
            for i, (g, count, with_outcome, rate) in enumerate(generations)]


def downstream_tree(root: str, downstream: list[dict]) -> list[dict]:
    """The downstream list as a tree for display: each IKM under its first teacher already
    placed (the list comes nearest first), children in the list's order.

    >>> tree = downstream_tree("s", [{"ikm_id": "a", "taught_by": ["s"]}, {"ikm_id": "b", "taught_by": ["a", "s"]}])
    >>> [(n["ikm_id"], [c["ikm_id"] for c in n["children"]]) for n in tree]
    [('a', ['b'])]
    """
    nodes: dict[str, dict] = {root: {"children": []}}
    for entry in downstream:
        parent = next((t for t in entry["taught_by"] if t in nodes), root)
        node = {**entry, "children": []}
        nodes[parent]["children"].append(node)
        nodes[entry["ikm_id"]] = node
    return nodes[root]["children"]


def render(template: str, lang: str, **context) -> str:
    """The page ``template`` in ``lang``; ``context`` carries the page's data."""
    loc = Locale(lang)
    return _environment.get_template(template).render(
        loc=loc, t=loc.t, lang=lang, static_url=static_url, role_label=lambda role: loc.t(ROLE_LABELS[role]), other_lang="en" if lang == "id" else "id",
        chart_height=CHART_HEIGHT, bar_width=BAR_WIDTH, bar_gap=BAR_GAP, outcome_slot=OUTCOME_SLOT, **context)
