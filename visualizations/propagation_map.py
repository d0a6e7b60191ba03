"""The propagation map (SPEC §8): :class:`~tular.graph.metrics.results.MapData` in, one self-contained
HTML document out.

The network is a pyvis ``Network``; the document is our own Jinja template
(``templates/map.html``) with vis-network's JavaScript and CSS, taken from the pyvis
package, written into the page: the file opens from disk with no network at all. (pyvis'
stock template links Bootstrap and ``../node_modules/vis`` even with
``cdn_resources="in_line"``.) Positions come from :mod:`.layout`, so the browser runs no
physics; a map larger than ``CLUSTER_THRESHOLD`` IKM opens grouped into one cluster per
kelurahan. Tooltips are plain text: names are data, never markup. No phone numbers.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from tular.graph.metrics.results import MapData, MapNode
from tular.visualizations import layout

#: Above this many IKM the map opens clustered by kelurahan.
CLUSTER_THRESHOLD = 1_500
VIS_VERSION = "vis-9.1.2"

#: Generation colours: viridis, ordinal and readable with every common colour-vision deficiency.
GENERATION_COLOURS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#b5de2b", "#fde725", "#f9a65a")
ORPHAN_COLOUR = "#bdbdbd"
OUTSIDE_COLOUR = "#ffffff"
BROKEN_BORDER = "#d62728"  # red border, also drawn thicker: shape of the line, not colour alone
EDGE_COLOUR = "rgba(80,80,80,0.45)"

FINDING_TEXT = {
    "dead_seed": ("Benih tidak menularkan", "Dead seed: taught nobody"),
    "stalled_lineage": ("Garis keturunan macet", "Stalled lineage: no new teaching"),
    "dormant_leaf": ("Daun dorman: belum menularkan", "Dormant leaf: taught nobody yet"),
    "orphan": ("Yatim: tidak terjangkau dari benih", "Orphan: no seed reaches it"),
}


def darker(colour: str, factor: float = 0.62) -> str:
    """The colour darkened: a node's own border, so that small nodes keep their colour."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * factor):02x}" for c in (red, green, blue))


def generation_colour(generation: int | None) -> str:
    if generation is None:
        return ORPHAN_COLOUR
    return GENERATION_COLOURS[min(generation, len(GENERATION_COLOURS) - 1)]


def id_number(value: float | int | None, decimals: int = 0) -> str:
    """A number written the Indonesian way: 1.451 and 9,1."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def node_size(node: MapNode) -> float:
    """Radius in px, growing with the square root of onward reach (area ~ reach)."""
    return round((18 if node.is_seed else 11) + 3.2 * math.sqrt(node.onward_reach), 1)


def tooltip(node: MapNode, dormant_days: int, named: bool = True) -> str:
    """``named``: with ids (the internal map); the public edition's dots carry no id."""
    lines = [f"{node.name} ({node.ikm_id})" if named else node.name,
             f"Kelurahan {node.kelurahan}, Kecamatan {node.kecamatan}"]
    if node.generation is None:
        lines.append("Generasi / Generation: – (yatim / orphan)")
    else:
        lines.append(f"Generasi / Generation: {node.generation}" + (" — benih / seed" if node.is_seed else ""))
    if node.is_seed and node.learned_on:
        lines.append(f"Pelatihan / Training: {node.training or '–'}, selesai / ended {node.learned_on.isoformat()}")
    for i, teacher in enumerate(node.teachers):
        prefix = "Belajar dari / Learned from:" if i == 0 else "   juga / also:"
        who = f"{teacher.name} ({teacher.ikm_id})" if named else teacher.name
        lines.append(f"{prefix} {who}, {teacher.date.isoformat()}")
    lines.append(f"Murid langsung / Direct learners: {node.learners} · jangkauan lanjutan / onward reach: "
                 f"{node.onward_reach}")
    for mark in node.marks:
        id_text, en_text = FINDING_TEXT.get(mark.kind, (mark.kind, mark.kind))
        days = f" ({mark.days_dormant} hari / days)" if mark.days_dormant is not None else ""
        lines.append(f"⚠ {id_text} / {en_text}{days}")
    if node.outside_area:
        lines.append("Di luar wilayah yang dipilih: guru / Outside the chosen area: a teacher")
    return "\n".join(lines)


def _vis_node(node: MapNode, x: float, y: float, dormant_days: int, named: bool = True) -> dict:
    fill = OUTSIDE_COLOUR if node.outside_area else generation_colour(node.generation)
    # dead seeds and stalled lineages are where a program lost its chain: thicker than the
    # (many) dormant leaves, which are where a field officer might still help
    broken = {"dead_seed": 4, "stalled_lineage": 3, "dormant_leaf": 2}
    broken_width = max((broken.get(m.kind, 0) for m in node.marks), default=0)
    own_border, own_width = (darker(fill) if not node.outside_area else "#555555"), (2 if node.is_seed else 1)
    border = BROKEN_BORDER if broken_width else own_border
    vis = {
        "id": node.ikm_id, "label": node.name if named else "", "title": tooltip(node, dormant_days, named),
        "x": x, "y": y,
        "shape": "star" if node.is_seed else "dot", "size": node_size(node),
        "color": {"background": fill, "border": border},
        "borderWidth": broken_width or own_width,
        "borderWidthSelected": 6,
        "font": {"size": 24, "strokeWidth": 4, "strokeColor": "#ffffff"} if node.is_seed else {"size": 18},
        # what the page's search and filters read
        "kel": node.kelurahan_code, "gen": node.generation, "seed": node.is_seed,
        # what the "highlight broken chains" switch swaps
        "broken": [BROKEN_BORDER, broken_width, own_border, own_width, node.is_seed] if broken_width else None,
    }
    if node.generation is None:
        vis["shapeProperties"] = {"borderDashes": [5, 4]}
        vis["color"]["border"] = "#555555"
        vis["borderWidth"] = 2
        vis["broken"] = None
    if node.outside_area:
        vis["opacity"] = 0.55
        vis["shapeProperties"] = {"borderDashes": [2, 3]}
    return vis


def _options(large: bool) -> dict:
    return {
        "autoResize": True,
        "physics": {"enabled": False},  # positions come from the layout; nothing moves by itself
        "layout": {"improvedLayout": False},
        "nodes": {"font": {"face": "system-ui, sans-serif", "color": "#1a1a1a"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.55}}, "color": {"color": EDGE_COLOUR,
                  "highlight": "#111111", "hover": "#111111", "inherit": False},
                  "smooth": False, "width": 1, "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "multiselect": False, "navigationButtons": False, "keyboard": False},
    }


@cache
def _vis_assets() -> tuple[str, str]:
    folder = resources.files("pyvis").joinpath("templates", "lib", VIS_VERSION)
    javascript = folder.joinpath("vis-network.min.js").read_text("utf-8")
    css = folder.joinpath("vis-network.css").read_text("utf-8")
    # The library names URLs in its licence header and error messages, and the SVG namespace
    # in createElementNS; none of them is ever fetched. Written with an escaped slash (the same
    # string to JavaScript) so that a search for remote references in a map finds none.
    javascript = javascript.replace("://", ":\\/\\/")
    if "</script" in javascript.lower() or "</style" in css.lower():
        raise RuntimeError("vis-network cannot be written into a page as it is")
    return javascript, css


def _environment(**page) -> Environment:
    env = Environment(loader=PackageLoader("tular.visualizations", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.globals.update(page)
    return env


GENERATION_LABEL_SIZE = 0.4 * layout.ROW  # largest font of the generation rows, in map units
NODE_ROOM = 70  # the largest node's radius and its label, in map units


def _label_size(radius: float) -> float:
    return round(max(30.0, 0.28 * radius), 1)


def _text_width(text: str, size: float) -> float:
    return 0.62 * size * len(text)  # bold sans-serif, roughly


def _extent(points, left: float = 0.0) -> list[float]:
    """[min x, min y, max x, max y] of the points with room for nodes and for labels at the left."""
    xs, ys = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
    return [min(xs) - NODE_ROOM - left, min(ys) - NODE_ROOM, max(xs) + NODE_ROOM, max(ys) + NODE_ROOM]


def _kelurahan_extent(regions, row_labels, label_size) -> list[float]:
    if not regions:
        return [-NODE_ROOM, -NODE_ROOM, NODE_ROOM, NODE_ROOM]
    boxes = [(r.x - r.radius - 20, r.y - r.radius - 30 - label_size[r.kelurahan_code], r.x + r.radius + 20,
              r.y + r.radius + 20) for r in regions]
    boxes += [(r.x - _text_width("Kec. " + r.text, r.size), r.y - r.size, r.x, r.y + r.size) for r in row_labels]
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def render_map(data: MapData, *, cluster_threshold: int = CLUSTER_THRESHOLD) -> str:
    """The map of ``data`` as one HTML document that works offline."""
    graph, nodes = data.graph, data.nodes
    order = [n for n in graph]  # graph nodes are sorted by id
    generation = {n: nodes[n].generation for n in order}
    lineage = layout.radial_layout(graph, generation)
    by_generation, bands = layout.generation_layout(graph, generation)
    kelurahan_order = sorted(order, key=lambda n: (nodes[n].kecamatan, nodes[n].kelurahan, n))
    by_kelurahan, regions, row_labels = layout.kelurahan_layout(
        [(n, nodes[n].kecamatan, nodes[n].kelurahan_code, nodes[n].generation, node_size(nodes[n]))
         for n in kelurahan_order])
    clustered = len(order) > cluster_threshold
    start = "kelurahan" if clustered else "lineage"
    positions = {"lineage": lineage, "generation": by_generation, "kelurahan": by_kelurahan}

    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    # pyvis' add_node/add_edge check membership in lists (quadratic): fill the lists directly.
    net.nodes = [_vis_node(nodes[n], *positions[start][n], data.dormant_days, not data.public) for n in order]
    net.node_ids = list(order)
    net.node_map = {n["id"]: n for n in net.nodes}
    # no edge tooltips: the learner's says from whom and when, and 13,000 of them weigh megabytes
    net.edges = [{"id": f"e{i}", "from": u, "to": v} for i, (u, v) in enumerate(graph.edges())]
    net.options = _options(large=len(order) > cluster_threshold / 2)

    kelurahan_names = {}
    counts: dict[str, int] = {}
    seeds_in: dict[str, int] = {}
    for n in order:
        node = nodes[n]
        kelurahan_names[node.kelurahan_code] = (node.kecamatan, node.kelurahan)
        counts[node.kelurahan_code] = counts.get(node.kelurahan_code, 0) + 1
        seeds_in[node.kelurahan_code] = seeds_in.get(node.kelurahan_code, 0) + node.is_seed
    region_of = {r.kelurahan_code: r for r in regions}
    kelurahan_label_size = {r.kelurahan_code: _label_size(r.radius) for r in regions}
    kelurahan_list = [
        {"code": code, "name": name, "kecamatan": kec, "count": counts[code], "seeds": seeds_in[code],
         "x": region_of[code].x, "y": region_of[code].y, "radius": region_of[code].radius,
         # sizes in map units that grow with the disc, so that names stay readable zoomed out
         "cluster_size": round(max(24.0, 0.45 * region_of[code].radius), 1),
         "label_size": kelurahan_label_size[code]}
        for code, (kec, name) in sorted(kelurahan_names.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    generations = sorted({g for g in generation.values() if g is not None})
    page = {
        "order": order,
        "extents": {
            "lineage": _extent(lineage.values()),
            "generation": _extent(by_generation.values(), left=_text_width("Generasi 10", GENERATION_LABEL_SIZE) + 40),
            "kelurahan": _kelurahan_extent(regions, row_labels, kelurahan_label_size),
        },
        "layouts": {name: [list(pos[n]) for n in order] for name, pos in positions.items()},
        "bands": [{"x": b.x, "y": b.y, "rows": b.rows, "orphans": b.orphans} for b in bands],
        "row_height": layout.ROW,
        "generation_label_size": GENERATION_LABEL_SIZE,
        "row_labels": [{"text": r.text, "x": r.x, "y": r.y, "size": r.size} for r in row_labels],
        "kelurahan": kelurahan_list,
        "generations": generations,
        "has_orphans": any(g is None for g in generation.values()),
        "clustered": clustered,
        "large": len(order) > cluster_threshold,
        "start_layout": start,
        "counts": {"nodes": len(order), "edges": graph.number_of_edges()},
    }
    javascript, css = _vis_assets()
    last = len(GENERATION_COLOURS) - 1  # later generations share the last colour
    legend = [{"generation": g, "text": str(g), "colour": generation_colour(g)} for g in generations if g < last]
    if generations and generations[-1] >= last:
        text = str(last) if generations[-1] == last else f"{last}–{generations[-1]}"
        legend.append({"generation": last, "text": text, "colour": generation_colour(last)})
    net.set_template_dir(str(resources.files("tular.visualizations").joinpath("templates")), "map.html")
    net.templateEnv = _environment(
        data=data, page=page, vis_js=javascript, vis_css=css, legend=legend, orphan_colour=ORPHAN_COLOUR,
        broken_border=BROKEN_BORDER, seed_colour=generation_colour(0), edge_colour=EDGE_COLOUR,
        headline={
            "seeds": id_number(data.seeds), "reached": id_number(data.reached), "total": id_number(data.total),
            "multiplier": (id_number(data.multiplier, 1) + "×") if data.multiplier is not None else "–",
            "max_depth": id_number(data.max_depth),
        },
        shown=id_number(len(order)), threshold=id_number(cluster_threshold),
        has_outside=any(nodes[n].outside_area for n in order),
    )
    return net.generate_html()
