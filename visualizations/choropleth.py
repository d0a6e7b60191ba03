"""A choropleth of the kelurahan (SPEC §12), drawn on the server as SVG.

Why SVG drawn here: 57 polygons of 3,413 points make a ~35 kB path, which needs no tile
server, no mapping library and no font; it shows the same in a web page, a file opened from
disk, and WeasyPrint's PDF of the report (which runs no script). A tiny script
(``templates/web/static/wilayah.js``, inlined into the standalone file) only recolours the
paths when the measure or the date changes and shows a tapped kelurahan's numbers.

The boundaries are drawn as shipped (already simplified) and only rounded to 0.1 unit:
simplifying each ring on its own would open gaps between neighbouring kelurahan.

Classes: Jenks natural breaks (Fisher's exact optimisation) of the positive values of
every date the document can show — the Bunulrejo outlier gets a class of its own where quantiles would share it —
each lower bound rounded down to 1, 2, 3 or 5 times a power of ten, so that a person reads
"10–29", not "9.7–38.2". Zero ("no IKM yet") and no value ("no trainee": no multiplier) have their own
colours. The classes stay fixed when the date moves, so colours compare across dates.

>>> class_breaks([0, None, 1, 1, 2, 3, 10, 11, 12, 40], classes=3)
[10, 30]
>>> [classify(v, [10, 30]) for v in (None, 0, 3, 10, 29, 30, 400)]
[-2, -1, 0, 1, 1, 2, 2]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from tular.graph.metrics.results import CHOROPLETH_MEASURES, ChoroplethData, ChoroplethFrame, KelurahanValues
from tular.graph.model.geography import project
from tular.visualizations.i18n import N_, Locale

STATIC = Path(__file__).resolve().parent / "templates" / "web" / "static"
WIDTH = 600
CLASSES = 5
#: ColorBrewer YlGnBu (colour-blind safe) for how far a skill went; OrRd for broken chains
SEQUENTIAL = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
ALARM = ("#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")
ZERO = "#f5f2ea"
NO_VALUE = "#d4d4d4"
NO_VALUE_CLASS, ZERO_CLASS = -2, -1
#: measures counted in whole IKM (breaks are integers)
COUNTS = ("total", "broken")
MEASURE_LABELS = {"total": N_("geo.measure.total"), "coverage": N_("geo.measure.coverage"),
                  "multiplier": N_("geo.measure.multiplier"), "broken": N_("geo.measure.broken")}
LEGEND_TITLES = {"total": N_("geo.legend.total"), "coverage": N_("geo.legend.coverage"),
                 "multiplier": N_("geo.legend.multiplier"), "broken": N_("geo.legend.broken")}

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("tular.visualizations", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# ------------------------------------------------------------------------------ classes
def _jenks_lower_bounds(values: Sequence[float], classes: int) -> list[float]:
    """The smallest value of each class but the first, of the partition of the sorted
    ``values`` into ``classes`` runs with the least sum of squared deviations (Fisher 1958)."""
    n = len(values)
    prefix, squares = [0.0], [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
        squares.append(squares[-1] + v * v)

    def cost(i: int, j: int) -> float:  # values[i:j]
        total = prefix[j] - prefix[i]
        return squares[j] - squares[i] - total * total / (j - i)

    best = [[math.inf] * (n + 1) for _ in range(classes + 1)]
    start = [[0] * (n + 1) for _ in range(classes + 1)]
    best[0][0] = 0.0
    for c in range(1, classes + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                candidate = best[c - 1][i] + cost(i, j)
                if candidate < best[c][j] - 1e-12:
                    best[c][j], start[c][j] = candidate, i
    bounds, j = [], n
    for c in range(classes, 1, -1):
        j = start[c][j]
        bounds.append(values[j])
    return sorted(bounds)


#: the first digits a class bound may have (1, 2, 3, 5, 10, 20, 30, 50, …)
NICE_DIGITS = (1, 2, 3, 5)


def nice_floor(value: float) -> float:
    """``value`` rounded down to 1, 2, 3 or 5 times a power of ten: 38 → 30, 0.047 → 0.03, 9 → 5.

    >>> nice_floor(38), nice_floor(0.047), nice_floor(9), nice_floor(2)
    (30, 0.03, 5, 2)
    """
    magnitude = 10 ** math.floor(math.log10(value) + 1e-9)
    digit = max(d for d in NICE_DIGITS if d <= value / magnitude + 1e-9)
    return int(digit * magnitude) if magnitude >= 1 else round(digit * magnitude, 12)


def class_breaks(values: Sequence[float | None], classes: int = CLASSES) -> list[float]:
    """The lower bounds of the classes of the positive ``values`` after the first: Jenks
    natural breaks rounded down to 1, 2, 3 or 5 times a power of ten (SPEC §12's "class breaks a person
    can read"); at most ``classes`` − 1 of them, fewer when the values are few."""
    positives = sorted(v for v in values if v is not None and v > 0)
    distinct = sorted(set(positives))
    if len(distinct) < 2:
        return []
    raw = _jenks_lower_bounds(positives, min(classes, len(distinct)))
    breaks: list[float] = []
    for bound in raw:
        rounded = nice_floor(bound)
        if rounded > positives[0] and (not breaks or rounded > breaks[-1]):
            breaks.append(rounded)
    return breaks


def classify(value: float | None, breaks: Sequence[float]) -> int:
    """The class of ``value``: −2 no value, −1 zero, else the number of breaks it reaches."""
    if value is None:
        return NO_VALUE_CLASS
    if value <= 0:
        return ZERO_CLASS
    return sum(1 for b in breaks if value >= b)


def palette(measure: str, breaks: Sequence[float]) -> list[str]:
    """One colour per class, spread over the ramp when there are fewer than five."""
    ramp = ALARM if measure == "broken" else SEQUENTIAL
    n = len(breaks) + 1
    if n == 1:
        return [ramp[2]]
    return [ramp[round(i * (len(ramp) - 1) / (n - 1))] for i in range(n)]


def fill(value: float | None, breaks: Sequence[float], colours: Sequence[str]) -> str:
    found = classify(value, breaks)
    return NO_VALUE if found == NO_VALUE_CLASS else ZERO if found == ZERO_CLASS else colours[found]


# ------------------------------------------------------------------------------ words and numbers
def _number(measure: str, value: float | None, loc: Locale) -> str:
    if measure in COUNTS:
        return loc.integer(value)
    if measure == "coverage":  # 5%, 7.7%, 0.25%
        percent = 0 if value is None else value * 100
        digits = 0 if abs(percent - round(percent)) < 1e-9 else 1 if percent >= 0.1 else 2
        return loc.percent(value, digits)
    return loc.decimal(value, 0 if value is not None and float(value).is_integer() else 1)


def legend(measure: str, breaks: Sequence[float], loc: Locale, *, zero: bool, no_value: bool) -> list[dict]:
    """The legend's rows: colour and the range of values it stands for."""
    colours = palette(measure, breaks)
    rows = []
    if no_value:
        rows.append({"colour": NO_VALUE, "label": loc.t("geo.no_value_multiplier") if measure == "multiplier"
                     else loc.t("geo.no_value_population")})
    if zero:
        rows.append({"colour": ZERO, "label": loc.t("geo.zero_broken") if measure == "broken" else loc.t("geo.zero_ikm")})
    lows = [None, *breaks]
    for i, low in enumerate(lows):
        high = breaks[i] if i < len(breaks) else None
        if measure in COUNTS:
            first = 1 if low is None else int(low)
            if high is None:
                label = loc.t("geo.at_least", value=loc.integer(first)) if breaks else loc.t(
                    "geo.at_least", value=loc.integer(1))
            elif int(high) - 1 == first:
                label = loc.integer(first)
            else:
                label = loc.t("geo.range", low=loc.integer(first), high=loc.integer(int(high) - 1))
        elif low is None:
            label = loc.t("geo.below", value=_number(measure, high, loc)) if high is not None else loc.t(
                "geo.any_positive")
        elif high is None:
            label = loc.t("geo.at_least", value=_number(measure, low, loc))
        else:
            label = loc.t("geo.range", low=_number(measure, low, loc), high=_number(measure, high, loc))
        rows.append({"colour": colours[i], "label": label})
    return rows


def tooltip(area: KelurahanValues, loc: Locale) -> str:
    """A kelurahan's numbers, as the hover title and the tapped box show them."""
    return loc.t("geo.tooltip", kelurahan=area.kelurahan, kecamatan=area.kecamatan,
                 seeds=loc.integer(area.seeds), reached=loc.integer(area.reached), total=loc.integer(area.total),
                 coverage=_number("coverage", area.coverage, loc), multiplier=loc.decimal(area.multiplier),
                 broken=loc.integer(area.broken))


def frame_json(frame: ChoroplethFrame, loc: Locale) -> dict:
    """One date's values and words, in the boundaries' order: what the script switches to."""
    return {
        "as_of": frame.as_of.isoformat(), "label": loc.date(frame.as_of),
        "values": {m: [a.value(m) for a in frame.areas] for m in CHOROPLETH_MEASURES},
        "tips": [tooltip(a, loc) for a in frame.areas],
    }


# ------------------------------------------------------------------------------ drawing
@dataclass
class _Shape:
    code: str
    kelurahan: str
    path: str


_drawn: dict[tuple, tuple[list[_Shape], float, list[dict]]] = {}


def _paths(boundaries) -> tuple[list[_Shape], float, list[dict]]:
    """The kelurahan as SVG paths, the height, and where each kecamatan's name goes (the
    mean of its kelurahan's middles); drawn once per set of boundaries."""
    key = tuple((code, area.boundary.kemendagri_code) for code, area in boundaries.areas.items())
    if key not in _drawn:
        _drawn[key] = _draw(boundaries)
    return _drawn[key]


def _draw(boundaries) -> tuple[list[_Shape], float, list[dict]]:
    projected, height = project(boundaries, WIDTH)
    shapes, labels = [], {}
    for code, area in boundaries.areas.items():
        rings = projected[code]
        d = " ".join("M" + " ".join(f"{x:g},{y:g}" for x, y in ring) + "Z" for ring in rings)
        shapes.append(_Shape(code, area.name, d))
        points = [p for ring in rings for p in ring]
        label = labels.setdefault(area.kecamatan, [0.0, 0.0, 0])
        label[0] += sum(p[0] for p in points) / len(points)
        label[1] += sum(p[1] for p in points) / len(points)
        label[2] += 1
    kecamatan = [{"name": name, "x": round(x / n, 1), "y": round(y / n, 1)} for name, (x, y, n) in labels.items()]
    return shapes, height, kecamatan


def _title(data: ChoroplethData, loc: Locale) -> str:
    if data.skill is None:
        return loc.t("geo.title_all")
    return loc.t("geo.title", skill=data.skill_name_id if loc.lang == "id" else data.skill_name_en)


def _context(data: ChoroplethData, loc: Locale, measure: str, *, interactive: bool, link: str | None,
             frame_url: str | None, dom_id: str, date_switch: bool = True) -> dict:
    if measure not in CHOROPLETH_MEASURES:
        raise ValueError(f"measure {measure!r}: one of {', '.join(CHOROPLETH_MEASURES)}")
    boundaries = data.boundaries
    shapes, height, kecamatan = _paths(boundaries)
    shown = next(f for f in data.frames if f.as_of == data.as_of)
    measures = {}
    for m in CHOROPLETH_MEASURES:
        every = [a.value(m) for f in data.frames for a in f.areas]
        breaks = class_breaks(every)
        measures[m] = {"breaks": breaks, "colours": palette(m, breaks), "zero": ZERO, "none": NO_VALUE,
                       "label": loc.t(MEASURE_LABELS[m]), "title": loc.t(LEGEND_TITLES[m]),
                       "legend": legend(m, breaks, loc, zero=any(v == 0 for v in every),
                                        no_value=any(v is None for v in every))}
    chosen = measures[measure]
    areas = [{"code": s.code, "kelurahan": s.kelurahan, "path": s.path,
              "fill": fill(a.value(measure), chosen["breaks"], chosen["colours"]), "tip": tooltip(a, loc)}
             for s, a in zip(shapes, shown.areas)]
    script_data = None
    if interactive:
        script_data = {
            "measures": {m: {k: v for k, v in spec.items() if k in ("breaks", "colours", "zero", "none")}
                         for m, spec in measures.items()},
            "codes": [s.code for s in shapes], "names": [s.kelurahan for s in shapes],
            "frames": [frame_json(f, loc) for f in data.frames], "link": link, "frame_url": frame_url,
            "link_text": loc.t("geo.open_map"),
        }
    return {
        "t": loc.t, "dom_id": dom_id, "title": _title(data, loc), "as_of_label": loc.date(data.as_of),
        "measure": measure, "measures": measures, "areas": areas, "width": WIDTH, "height": height,
        "kecamatan": kecamatan, "interactive": interactive,
        "frames": data.frames if interactive and date_switch else [],
        "frame_labels": [loc.date(f.as_of) for f in data.frames],
        "shown": data.frames.index(shown), "as_of": data.as_of.isoformat(),
        "script_data": Markup(json.dumps(script_data, ensure_ascii=False).replace("</", "<\\/")) if interactive else "",
        "attribution": loc.t("geo.attribution"),
    }


def render_svg(data: ChoroplethData, loc: Locale, measure: str = "total", *, interactive: bool = True,
               link: str | None = None, frame_url: str | None = None, dom_id: str = "wilayah",
               date_switch: bool = True) -> Markup:
    """The choropleth as an HTML fragment (a ``<figure>``: the SVG, its legend, the
    attribution) to place in a page or the report. ``interactive``: with the measure and date
    switches and the data ``wilayah.js`` needs; ``link``: the propagation map of a kelurahan,
    ``{kelurahan}`` standing for its name; ``frame_url``: where the script fetches another
    date's numbers (``as_of`` is added); ``date_switch``: a control of its own to move between
    the frames (a page with a date slider of its own leaves it out)."""
    context = _context(data, loc, measure, interactive=interactive, link=link, frame_url=frame_url, dom_id=dom_id,
                       date_switch=date_switch)
    return Markup(_environment.get_template("choropleth.html").render(**context))


def render_document(data: ChoroplethData, loc: Locale, measure: str = "total") -> str:
    """The choropleth as one HTML file that works from disk, offline: styles and script inline."""
    fragment = render_svg(data, loc, measure)
    return _environment.get_template("choropleth_page.html").render(
        t=loc.t, lang=loc.lang, title=_title(data, loc), as_of_label=loc.date(data.as_of), fragment=fragment,
        css=Markup((STATIC / "wilayah.css").read_text("utf-8")),
        script=Markup((STATIC / "wilayah.js").read_text("utf-8").replace("</", "<\\/")))
