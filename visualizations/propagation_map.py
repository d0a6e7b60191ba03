"""The propagation map (SPEC §8): :class:`~tular.graph.metrics.results.MapData` in, one HTML
document out, in the language asked for.

The document is our own Jinja template (``templates/map.html``) and script
(``templates/map.js``) around vis-network, whose JavaScript comes from the pyvis package.
By default both scripts are written into the page: the file opens from disk with no network
at all. The web page's map frame instead names them by URL (:func:`map_assets`, served with a
long cache life), so that moving its date slider sends only the map's data again.

The data is slim: one array per property (generation, size, kelurahan as an index into the
kelurahan list, …), edges and teachers as indices; the script builds vis-network's nodes and
the tooltips from them and from the catalogue's texts. Positions come from :mod:`.layout`
(the browser runs no physics); a map larger than ``CLUSTER_THRESHOLD`` IKM opens grouped into
one cluster per kelurahan. Tooltips are plain text: names are data, never markup. No phone
numbers.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from tular.graph.metrics.results import MapData
from tular.visualizations import layout
from tular.visualizations.i18n import N_, Locale

#: Above this many IKM the map opens clustered by kelurahan.
CLUSTER_THRESHOLD = 1_500
VIS_VERSION = "vis-9.1.2"

#: Generation colours: viridis, ordinal and readable with every common colour-vision deficiency.
GENERATION_COLOURS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#b5de2b", "#fde725", "#f9a65a")
ORPHAN_COLOUR = "#bdbdbd"
BROKEN_BORDER = "#d62728"  # red border, also drawn thicker: shape of the line, not colour alone
EDGE_COLOUR = "rgba(80,80,80,0.45)"
#: Finding kinds as the data names them (an index into this list).
FINDINGS = ("dead_seed", "stalled_lineage", "dormant_leaf", "orphan")
#: Shown by default: where a programme lost its chain (SPEC §8). Dormant learners are one
#: choice away — on a real city most leaves are dormant, and an all-red map points nowhere.
HIGHLIGHTED = ("dead_seed", "stalled_lineage")

#: Texts the map's script fills in (tooltips, status, clusters, row labels), ``{placeholders}``
#: kept for the script to fill.
SCRIPT_TEXTS = (
    N_("map.tip_place"), N_("map.tip_generation"), N_("map.tip_seed"), N_("map.tip_orphan"),
    N_("map.tip_training"), N_("map.tip_learned_from"), N_("map.tip_also"), N_("map.tip_learners"),
    N_("map.tip_days"), N_("map.tip_outside"), N_("map.finding_dead_seed"), N_("map.finding_stalled_lineage"),
    N_("map.finding_dormant_leaf"), N_("map.finding_orphan"), N_("map.learners_list"), N_("map.status_shown"),
    N_("map.status_clusters"), N_("map.status_selected"), N_("map.not_found"), N_("map.matches"),
    N_("map.more_matches"), N_("map.cluster_label"), N_("map.cluster_title"), N_("map.row_generation"),
    N_("map.row_orphan"), N_("map.row_kecamatan"),
    N_("map.someone"),
)


def generation_colour(generation: int | None) -> str:
    if generation is None:
        return ORPHAN_COLOUR
    return GENERATION_COLOURS[min(generation, len(GENERATION_COLOURS) - 1)]


node_size = layout.node_size


def _read(package: str, *path: str) -> str:
    return resources.files(package).joinpath(*path).read_text("utf-8")


@cache
def _scripts() -> dict[str, str]:
    """vis-network and the map's own script, each under a name that changes with its content."""
    library = _read("pyvis", "templates", "lib", VIS_VERSION, "vis-network.min.js")
    # The library names URLs in its licence header and error messages, and the SVG namespace
    # in createElementNS; none of them is ever fetched. Written with an escaped slash (the same
    # string to JavaScript) so that a search for remote references in a map finds none.
    library = library.replace("://", ":\\/\\/")
    own = _read("tular.visualizations", "templates", "map.js")
    scripts = {}
    for stem, text in (("vis-network", library), ("peta", own)):
        if "</script" in text.lower():
            raise RuntimeError(f"{stem} cannot be written into a page as it is")
        scripts[f"{stem}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.js"] = text
    return scripts


def map_assets() -> dict[str, str]:
    """The scripts a map names when it is rendered with ``assets=`` (file name → JavaScript).
    Their names carry a hash of their content: a server may let browsers keep them for good."""
    return dict(_scripts())


def _environment(**page) -> Environment:
    env = Environment(loader=PackageLoader("tular.visualizations", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(page)
    return env


def _point(value: float) -> float | int:
    return int(value) if value == int(value) else value


def render_map(data: MapData, *, lang: str = "id", laid_out: layout.MapLayout | None = None,
               assets: str | None = None, cluster_threshold: int = CLUSTER_THRESHOLD) -> str:
    """The map of ``data`` as one HTML document in ``lang``.

    ``laid_out``: positions to draw with (the layout of a later date of the same map, so that
    every IKM keeps its place across dates); by default ``data``'s own. ``assets``: the URL
    prefix under which :func:`map_assets` are served; by default the scripts are written into
    the document, which then works offline."""
    loc = Locale(lang)
    graph, nodes = data.graph, data.nodes
    order = list(graph)  # graph nodes are sorted by id
    if laid_out is None or not laid_out.covers(order):
        laid_out = layout.map_layout(data)
    index = {n: i for i, n in enumerate(order)}
    clustered = len(order) > cluster_threshold

    # kelurahan: every one that holds a drawn IKM, with its disc (that of the layout's date)
    region_of = {r.kelurahan_code: r for r in laid_out.regions}
    names: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    seeds_in: dict[str, int] = {}
    for n in order:
        node = nodes[n]
        names[node.kelurahan_code] = (node.kecamatan, node.kelurahan)
        counts[node.kelurahan_code] = counts.get(node.kelurahan_code, 0) + 1
        seeds_in[node.kelurahan_code] = seeds_in.get(node.kelurahan_code, 0) + node.is_seed
    kelurahan = []
    for code, (kec, name) in sorted(names.items(), key=lambda kv: (kv[1], kv[0])):
        region = region_of.get(code) or layout.Region(code, 0.0, 0.0, 0.0)
        kelurahan.append({
            "code": code, "name": name, "kecamatan": kec, "count": counts[code], "seeds": seeds_in[code],
            "x": region.x, "y": region.y, "radius": region.radius,
            # sizes in map units that grow with the disc, so that names stay readable zoomed out
            "cluster_size": round(max(24.0, 0.45 * region.radius), 1), "label_size": layout.label_size(region.radius)})
    kelurahan_index = {k["code"]: i for i, k in enumerate(kelurahan)}

    trainings: list[str] = []
    training_index: dict[str, int] = {}
    others: list[list[str]] = []  # teachers who are not drawn: [id, name]
    other_index: dict[str, int] = {}
    teachers, marks, learned, training = [], [], [], []
    for i, n in enumerate(order):
        node = nodes[n]
        refs: list = []
        for teacher in node.teachers:
            if teacher.ikm_id in index:
                ref = index[teacher.ikm_id]
            else:
                if teacher.ikm_id not in other_index:
                    other_index[teacher.ikm_id] = len(others)
                    others.append([teacher.ikm_id, teacher.name])
                ref = -1 - other_index[teacher.ikm_id]
            refs += [ref, teacher.date.isoformat()]
        teachers.append(refs)
        for mark in node.marks:
            if mark.kind in FINDINGS:
                marks += [i, FINDINGS.index(mark.kind), mark.days_dormant]
        learned.append(node.learned_on.isoformat() if node.is_seed and node.learned_on else None)
        if node.is_seed and node.training:
            if node.training not in training_index:
                training_index[node.training] = len(trainings)
                trainings.append(node.training)
            training.append(training_index[node.training])
        else:
            training.append(None)
    generations = sorted({nodes[n].generation for n in order if nodes[n].generation is not None})
    edges = [index[x] for edge in graph.edges() for x in edge]
    positions = laid_out.positions
    findings = {kind: sum(1 for n in order for m in nodes[n].marks if m.kind == kind) for kind in FINDINGS}
    page = {
        "lang": lang, "named": not data.public,
        "ids": order,
        # the public edition's dots are described ("IKM, generasi 2, Bunulrejo"; map_data.public_edition)
        "names": [nodes[n].name for n in order],
        "kel": [kelurahan_index[nodes[n].kelurahan_code] for n in order],
        "gen": [nodes[n].generation for n in order],
        "flags": [nodes[n].is_seed + 2 * nodes[n].outside_area for n in order],
        "size": [_point(layout.node_size(nodes[n])) for n in order],
        "learners": [nodes[n].learners for n in order],
        "reach": [nodes[n].onward_reach for n in order],
        "learned": learned, "training": training, "trainings": trainings,
        "teachers": teachers, "others": others, "marks": marks, "findings": FINDINGS,
        "highlighted": HIGHLIGHTED, "edges": edges,
        "layouts": {name: [_point(c) for n in order for c in positions[name][n]] for name in layout.LAYOUTS},
        "extents": laid_out.extents,
        "bands": [{"x": b.x, "y": b.y, "rows": b.rows, "orphans": b.orphans} for b in laid_out.bands],
        "row_height": layout.ROW,
        "generation_label_size": layout.GENERATION_LABEL_SIZE,
        "row_labels": [{"text": r.text, "x": r.x, "y": r.y, "size": r.size} for r in laid_out.row_labels],
        "kelurahan": kelurahan,
        "clustered": clustered,
        "large": len(order) > cluster_threshold,
        "hide_edges": len(order) > cluster_threshold / 2,  # while dragging and zooming: smooth
        "start_layout": "kelurahan" if clustered else "lineage",
        "colours": {"generations": GENERATION_COLOURS, "orphan": ORPHAN_COLOUR, "broken": BROKEN_BORDER,
                    "edge": EDGE_COLOUR},
        "texts": {key: loc.translations.gettext(key) for key in SCRIPT_TEXTS},
    }
    last = len(GENERATION_COLOURS) - 1  # later generations share the last colour
    legend = [{"generation": g, "text": loc.integer(g), "colour": generation_colour(g)} for g in generations
              if g < last]
    if generations and generations[-1] >= last:
        text = loc.integer(last) if generations[-1] == last else f"{loc.integer(last)}–{loc.integer(generations[-1])}"
        legend.append({"generation": last, "text": text, "colour": generation_colour(last)})
    scripts = _scripts()
    library, own = scripts  # names, in order: vis-network, then the map's script
    skill = data.skill_name_id if lang == "id" else data.skill_name_en
    env = _environment(
        t=loc.t, loc=loc, data=data, page=page, skill=skill, legend=legend, generations=generations,
        has_orphans=any(nodes[n].generation is None for n in order),
        has_outside=any(nodes[n].outside_area for n in order),
        orphan_colour=ORPHAN_COLOUR, broken_border=BROKEN_BORDER, seed_colour=generation_colour(0),
        findings=findings, failed=findings["dead_seed"] + findings["stalled_lineage"],
        threshold=loc.integer(cluster_threshold),
        scripts=([{"src": assets + library}, {"src": assets + own}] if assets is not None
                 else [{"text": scripts[library]}, {"text": scripts[own]}]),
    )
    return env.get_template("map.html").render()
