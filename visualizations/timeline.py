"""A timeline of one chain or one kelurahan (SPEC §12), drawn on the server as SVG: each IKM
a dot at the date it learned (x) in the band of its generation (y), a line from its teacher.

Readable for a chain of 300: dots that would overlap within a generation are stacked
(slot 0 on the band's middle, then alternately below and above, the first free slot taken),
and a band is as tall as its highest stack. Dates on the axis are years, or months in the
page's language when the timeline spans less than two years. The view takes rows of
(ikm, date learned, generation, teacher), whoever computed them.

>>> from datetime import date
>>> slots = stack([0.0, 3.0, 20.0, 4.0], spacing=8)
>>> slots
[0, 1, 0, -1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import jinja2
from babel.dates import format_date
from markupsafe import Markup

from tular.graph.metrics.results import TimelineData, TimelineRow
from tular.visualizations.i18n import Locale
from tular.visualizations.propagation_map import generation_colour

WIDTH = 900
LEFT, RIGHT, TOP, AXIS = 44, 18, 14, 44
#: below this many IKM the dots are larger
SMALL = 120

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("tular.visualizations", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _slot_order():
    yield 0
    k = 1
    while True:
        yield k
        yield -k
        k += 1


def stack(xs: Sequence[float], spacing: float) -> list[int]:
    """For dots at ``xs`` (in drawing order, by date), the slot of each: the first of 0, 1,
    −1, 2, −2, … whose last dot lies at least ``spacing`` to the left."""
    last: dict[int, float] = {}
    slots = []
    for x in xs:
        for slot in _slot_order():
            if slot not in last or x - last[slot] >= spacing:
                last[slot] = x
                slots.append(slot)
                break
    return slots


@dataclass
class Dot:
    row: TimelineRow
    x: float
    y: float
    colour: str
    title: str
    day: str
    href: str | None


@dataclass
class Layout:
    dots: list[Dot]
    edges: list[tuple[Dot, Dot]]
    bands: list[dict]  # generation, y, label
    ticks: list[dict]  # x, label
    height: float
    radius: float
    edge_opacity: float = 0.6


def _ticks(first: date, last: date, x_of, loc: Locale) -> list[dict]:
    if (last - first).days > 730:
        days = [date(year, 1, 1) for year in range(first.year + 1, last.year + 1)]
        step = max(1, len(days) // 8)
        return [{"x": x_of(d), "label": str(d.year)} for d in days[::step]]
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, len(months) // 8)
    return [{"x": x_of(d), "label": format_date(d, "LLL y", locale=loc.lang)} for d in months[::step]]


def layout(rows: Sequence[TimelineRow], loc: Locale, *, link: str | None = None, public: bool = False) -> Layout:
    """Where every dot, line, band and tick goes (SVG units, ``WIDTH`` wide)."""
    radius = 5.0 if len(rows) <= SMALL else 3.6
    spacing = 2 * radius + 1.5
    first = min((r.learned_on for r in rows), default=date.today())
    last = max((r.learned_on for r in rows), default=first)
    pad = max(timedelta(days=20), (last - first) * 0.03)
    start, end = first - pad, last + pad
    span = (end - start).days
    inner = WIDTH - LEFT - RIGHT

    def x_of(day: date) -> float:
        return round(LEFT + inner * (day - start).days / span, 1)

    dots: dict[str, Dot] = {}
    bands = []
    top = TOP
    for generation in sorted({r.generation for r in rows}):
        members = sorted((r for r in rows if r.generation == generation), key=lambda r: (r.learned_on, r.ikm_id))
        xs = [x_of(r.learned_on) for r in members]
        slots = stack(xs, spacing)
        reach = max(abs(s) for s in slots)
        middle = top + (reach + 0.5) * spacing + 4
        for row, x, slot in zip(members, xs, slots):
            words = dict(kelurahan=row.kelurahan, generation=row.generation, date=loc.date(row.learned_on))
            title = loc.t("tl.public_dot", **words) if public else loc.t("tl.dot", name=row.name, **words)
            dots[row.ikm_id] = Dot(row, x, round(middle + slot * spacing, 1), generation_colour(row.generation), title,
                                   row.learned_on.isoformat(),
                                   None if public or link is None else link.format(ikm_id=row.ikm_id))
        bands.append({"generation": generation, "y": round(middle, 1), "top": top,
                      "label": loc.t("tl.generation", generation=generation)})
        top = middle + (reach + 0.5) * spacing + 4
    edges = [(dots[d.row.teacher], d) for d in dots.values() if d.row.teacher in dots]
    return Layout(dots=list(dots.values()), edges=edges, bands=bands, ticks=_ticks(first, last, x_of, loc),
                  height=round(top + AXIS, 1), radius=radius, edge_opacity=0.6 if len(rows) <= SMALL else 0.3)


def render_timeline(data: TimelineData, loc: Locale, *, link: str | None = "/ikm/{ikm_id}",
                    dom_id: str = "linimasa") -> Markup:
    """The timeline as an HTML fragment (a ``<figure>``: the SVG, a note, a line for the
    tapped IKM). ``link``: an IKM's page, ``{ikm_id}`` standing for its id (never in the
    public edition)."""
    skill = data.skill_name_id if loc.lang == "id" else data.skill_name_en
    if data.kind == "kelurahan":
        title = loc.t("tl.title_kelurahan", kelurahan=data.subject)
    elif data.subject:
        title = loc.t("tl.title_chain", seed=data.subject)
    else:  # the public edition names no seed
        title = loc.t("tl.title_largest")
    drawn = layout(data.rows, loc, link=link, public=data.public)
    return Markup(_environment.get_template("timeline.html").render(
        t=loc.t, dom_id=dom_id, title=title, skill=skill, as_of=loc.date(data.as_of), d=drawn, width=WIDTH,
        left=LEFT, right=RIGHT, count=loc.integer(len(data.rows)), empty=not data.rows))
