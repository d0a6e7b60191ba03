"""Node positions of a propagation map, computed here rather than by the browser's physics:
the same map looks the same every time, and a 13,000-IKM map opens at once.

Three layouts, each a pure function of the drawn graph:

- **lineage** — every seed's cascade as a radial tree (the seed in the middle, one ring
  per generation), the trees packed biggest first;
- **generation** — the same trees top-down, one row per generation, packed in bands;
- **kelurahan** — one disc per kelurahan (seeds in the middle, later generations outward),
  one row of discs per kecamatan; clusters of a large map sit at the discs' centres.

The trees are a spanning forest of the teaching graph: every IKM hangs under a teacher
one generation above it (the earliest-dated, then the smallest id); orphans hang under
an orphan teacher; seeds and IKM whose teachers are not drawn are roots.

:func:`map_layout` gathers the three for one map. The web page's date slider lays a map out
once, for its latest date, and draws every earlier date with those positions (SPEC §8): an
IKM keeps its place while the lineage grows around it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from tular.graph.metrics.results import MapData, MapNode

Point = tuple[float, float]

RING = 110  # px between the rings of a radial tree
RING_GAP = 72  # px along a ring between two IKM
SLOT = 44  # px between two leaves of a top-down tree
ROW = 150  # px between two generations
DISC_GAP = 30  # px between two IKM of a kelurahan disc
MARGIN = 50  # px around every tree or disc
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass
class Band:
    """A horizontal band of top-down trees: row ``g`` is at ``y + g * ROW``."""

    x: float
    y: float
    rows: int
    orphans: bool


@dataclass
class Region:
    """The disc of one kelurahan."""

    kelurahan_code: str
    x: float
    y: float
    radius: float


@dataclass
class RowLabel:
    """The name of a kecamatan at the left of its row of discs."""

    text: str
    x: float
    y: float
    size: float  # font size in map units


def spanning_forest(graph: nx.DiGraph, generation: Mapping[str, int | None]) -> dict[str, str | None]:
    """The parent of every node in the layout trees (None for a root).

    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", date=1); g.add_edge("a", "b", date=2); g.add_edge("s", "b", date=3)
    >>> spanning_forest(g, {"s": 0, "a": 1, "b": 1})
    {'a': 's', 'b': 's', 's': None}
    """
    parents: dict[str, str | None] = {}
    for node in sorted(graph):
        gen = generation.get(node)
        teachers = list(graph.predecessors(node))
        if gen == 0:
            fitting = []
        elif gen is None:
            fitting = [u for u in teachers if generation.get(u) is None]
        else:
            fitting = [u for u in teachers if generation.get(u) == gen - 1]
        parents[node] = min(fitting, key=lambda u: (graph.edges[u, node]["date"], u)) if fitting else None
    # orphans whose teachings go round a cycle (a broken invariant: `tular check` reports it)
    # would hang under one another in a loop, and no root would lead to them: the smallest
    # id of each loop becomes a root
    pointers = nx.DiGraph((node, parent) for node, parent in parents.items() if parent is not None)
    for loop in nx.simple_cycles(pointers):  # one parent each: the loops are disjoint, and few
        parents[min(loop)] = None
    return parents


def _children(parents: Mapping[str, str | None], graph: nx.DiGraph) -> tuple[list[str], dict[str, list[str]]]:
    children: dict[str, list[str]] = defaultdict(list)
    roots = []
    for node, parent in parents.items():
        if parent is None:
            roots.append(node)
        else:
            children[parent].append(node)
    for parent, kids in children.items():
        kids.sort(key=lambda k: (graph.edges[parent, k]["date"], k))
    return roots, children


def _subtree(root: str, children: Mapping[str, list[str]]) -> list[tuple[str, int]]:
    """Nodes of the tree under ``root`` with their depth, parents before children."""
    order, stack = [], [(root, 0)]
    while stack:
        node, depth = stack.pop()
        order.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(node, ())))
    return order


def _leaves(order: Sequence[tuple[str, int]], children: Mapping[str, list[str]]) -> dict[str, int]:
    leaves: dict[str, int] = {}
    for node, _ in reversed(order):
        kids = children.get(node, ())
        leaves[node] = sum(leaves[k] for k in kids) if kids else 1
    return leaves


def shelf_pack(boxes: Sequence[tuple[Hashable, float, float]], width: float) -> dict[Hashable, Point]:
    """Top-left corners for boxes (key, w, h) placed left to right in rows no wider than
    ``width`` (a wider box gets a row of its own)."""
    corners: dict[Hashable, Point] = {}
    x = y = row_height = 0.0
    for key, w, h in boxes:
        if x > 0 and x + w > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        corners[key] = (x, y)
        x += w
        row_height = max(row_height, h)
    return corners


def _pack_width(boxes: Sequence[tuple[Hashable, float, float]], aspect: float = 2.4) -> float:
    area = sum(w * h for _, w, h in boxes)
    return max(max((w for _, w, _ in boxes), default=0.0), math.sqrt(area * aspect))


def radial_layout(graph: nx.DiGraph, generation: Mapping[str, int | None]) -> dict[str, Point]:
    """Each tree of the spanning forest as rings around its root; trees packed biggest first."""
    roots, children = _children(spanning_forest(graph, generation), graph)
    trees = []
    for root in roots:
        order = _subtree(root, children)
        leaves = _leaves(order, children)
        share = {root: 2 * math.pi}  # the angle each node's subtree gets, in proportion to its leaves
        for node, _ in order:
            kids = children.get(node, ())
            total = sum(leaves[k] for k in kids)
            for kid in kids:
                share[kid] = share[node] * leaves[kid] / total
        per_depth: dict[int, list[float]] = defaultdict(list)
        for node, depth in order:
            per_depth[depth].append(share[node])
        radius = [0.0]
        for depth in range(1, max(per_depth) + 1):
            # far enough out that the ring holds its IKM, and that the narrowest share holds one
            # (within reason: a lone leaf beside a big subtree may stay closer)
            previous = radius[-1]
            radius.append(max(previous + RING, len(per_depth[depth]) * RING_GAP / (2 * math.pi),
                              min(RING_GAP / min(per_depth[depth]), previous + 3 * RING)))
        local: dict[str, Point] = {}
        span: dict[str, tuple[float, float]] = {root: (0.0, 2 * math.pi)}
        for node, depth in order:
            start, end = span[node]
            angle = (start + end) / 2
            local[node] = (radius[depth] * math.cos(angle), radius[depth] * math.sin(angle))
            for kid in children.get(node, ()):
                span[kid] = (start, start + share[kid])
                start += share[kid]
        trees.append((root, local, radius[-1] + MARGIN))
    trees.sort(key=lambda t: (-len(t[1]), t[0]))
    boxes = [(root, 2 * r, 2 * r) for root, _, r in trees]
    corners = shelf_pack(boxes, _pack_width(boxes))
    positions: dict[str, Point] = {}
    for root, local, r in trees:
        cx, cy = corners[root][0] + r, corners[root][1] + r
        for node, (x, y) in local.items():
            positions[node] = (round(cx + x, 1), round(cy + y, 1))
    return positions


def generation_layout(graph: nx.DiGraph, generation: Mapping[str, int | None]) -> tuple[dict[str, Point], list[Band]]:
    """Top-down trees, one row per generation (orphan fragments by depth, in bands of their own)."""
    roots, children = _children(spanning_forest(graph, generation), graph)
    reached_rows = max((g for g in generation.values() if g is not None), default=0) + 1
    trees = {True: [], False: []}  # orphans or not
    for root in roots:
        order = _subtree(root, children)
        orphan = generation.get(root) is None
        first_row = 0 if orphan else generation[root]
        slot = 0
        local: dict[str, Point] = {}
        for node, depth in reversed(order):  # children before parents
            kids = children.get(node, ())
            if kids:
                x = (local[kids[0]][0] + local[kids[-1]][0]) / 2
            else:
                x = slot * SLOT
                slot += 1
            local[node] = (x, (first_row + depth) * ROW)
        rows = max(depth for _, depth in order) + first_row + 1
        trees[orphan].append((root, local, slot * SLOT + MARGIN, rows))
    positions: dict[str, Point] = {}
    bands: list[Band] = []
    top = 0.0
    width = None
    for orphan in (False, True):
        group = sorted(trees[orphan], key=lambda t: (-len(t[1]), t[0]))
        if not group:
            continue
        rows = max(reached_rows if not orphan else 1, max(t[3] for t in group))
        height = rows * ROW + MARGIN
        boxes = [(root, w, height) for root, _, w, _ in group]
        if width is None:
            width = max(_pack_width(boxes, aspect=1.8), 8 * SLOT)
        corners = shelf_pack(boxes, width)
        band_tops = sorted({y for _, y in corners.values()})
        for band_top in band_tops:
            bands.append(Band(x=0.0, y=top + band_top, rows=rows, orphans=orphan))
        for root, local, _, _ in group:
            cx, cy = corners[root]
            for node, (x, y) in local.items():
                positions[node] = (round(cx + x, 1), round(top + cy + y, 1))
        top += band_tops[-1] + height + ROW
    return positions, bands


def kelurahan_layout(nodes: Sequence[tuple[str, str, str, int | None, float]],
                     ) -> tuple[dict[str, Point], list[Region], list[RowLabel]]:
    """Discs of kelurahan, one row per kecamatan. ``nodes`` are (id, kecamatan name,
    kelurahan code, generation, radius of the node), in the order the discs and rows should
    come. Inside a disc the IKM lie on a sunflower spiral, seeds first, each taking room for
    its own size, so that big seeds in the middle do not cover their neighbours."""
    by_kelurahan: dict[str, list[tuple[str, int | None, float]]] = defaultdict(list)
    rows: dict[str, list[str]] = defaultdict(list)
    for node, kecamatan, code, gen, size in nodes:
        if code not in by_kelurahan:
            rows[kecamatan].append(code)
        by_kelurahan[code].append((node, gen, size))
    local: dict[str, dict[str, Point]] = {}
    radii: dict[str, float] = {}
    for code, members in by_kelurahan.items():
        members.sort(key=lambda m: (m[1] is None, m[1] or 0, -m[2], m[0]))
        area, placed = 0.0, {}
        for i, (node, _, size) in enumerate(members):
            room = (size + DISC_GAP / 2) ** 2
            distance = 0.0 if i == 0 else math.sqrt(area + room / 2) * 1.05
            area += room
            placed[node] = (distance * math.cos(i * GOLDEN_ANGLE), distance * math.sin(i * GOLDEN_ANGLE))
        local[code] = placed
        radii[code] = max(math.hypot(*p) for p in placed.values()) + DISC_GAP
    positions: dict[str, Point] = {}
    regions: list[Region] = []
    labels: list[RowLabel] = []
    y = 0.0
    for kecamatan, codes in rows.items():
        height = 2 * (max(radii[code] for code in codes) + MARGIN)
        labels.append(RowLabel(kecamatan, -MARGIN, y + height / 2, round(max(40.0, 0.3 * height / 2), 1)))
        x = 0.0
        for code in codes:
            r = radii[code]
            cx, cy = x + r + MARGIN, y + height / 2
            for node, (px, py) in local[code].items():
                positions[node] = (round(cx + px, 1), round(cy + py, 1))
            regions.append(Region(code, round(cx, 1), round(cy, 1), round(r, 1)))
            x += 2 * (r + MARGIN)
        y += height
    return positions, regions, labels


# ------------------------------------------------------------------------------ one map's layout
GENERATION_LABEL_SIZE = 0.4 * ROW  # largest font of the generation rows, in map units
NODE_ROOM = 70  # the largest node's radius and its label, in map units
LAYOUTS = ("lineage", "generation", "kelurahan")


def node_size(node: MapNode) -> float:
    """Radius in px, growing with the square root of onward reach (area ~ reach)."""
    return round((18 if node.is_seed else 11) + 3.2 * math.sqrt(node.onward_reach), 1)


def label_size(radius: float) -> float:
    """The font size of a kelurahan disc's name: grows with the disc, so names stay readable."""
    return round(max(30.0, 0.28 * radius), 1)


def text_width(text: str, size: float) -> float:
    return 0.62 * size * len(text)  # bold sans-serif, roughly


def _extent(points, left: float = 0.0) -> list[float]:
    """[min x, min y, max x, max y] of the points with room for nodes and for labels at the left."""
    xs, ys = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
    return [min(xs) - NODE_ROOM - left, min(ys) - NODE_ROOM, max(xs) + NODE_ROOM, max(ys) + NODE_ROOM]


def _kelurahan_extent(regions: Sequence[Region], row_labels: Sequence[RowLabel]) -> list[float]:
    if not regions:
        return [-NODE_ROOM, -NODE_ROOM, NODE_ROOM, NODE_ROOM]
    boxes = [(r.x - r.radius - 20, r.y - r.radius - 30 - label_size(r.radius), r.x + r.radius + 20,
              r.y + r.radius + 20) for r in regions]
    boxes += [(r.x - text_width("Kec. " + r.text, r.size), r.y - r.size, r.x, r.y + r.size) for r in row_labels]
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


@dataclass
class MapLayout:
    """Where everything of one map is drawn: each IKM in each of the three layouts, the bands
    of the generation layout, the kelurahan discs and kecamatan rows, and each layout's extent."""

    positions: dict[str, dict[str, Point]]
    bands: list[Band] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    row_labels: list[RowLabel] = field(default_factory=list)
    extents: dict[str, list[float]] = field(default_factory=dict)

    def covers(self, ids) -> bool:
        """Whether every IKM of ``ids`` has a place (a map of an earlier date drawn on this one)."""
        placed = self.positions["lineage"]
        return all(i in placed for i in ids)

    def renamed(self, names: Mapping[str, str]) -> MapLayout:
        """The same layout under other ids (the public edition's random dot ids); IKM
        ``names`` does not hold are left out."""
        return replace(self, positions={layout: {names[i]: p for i, p in points.items() if i in names}
                                        for layout, points in self.positions.items()})


def map_layout(data: MapData) -> MapLayout:
    """The three layouts of ``data``'s map. A pure function of the data: the same map is laid
    out the same way every time.

    >>> from datetime import date
    >>> from tular.graph.metrics.results import MapNode
    >>> g = nx.DiGraph(); g.add_edge("s", "a", date=date(2021, 1, 1))
    >>> nodes = {n: MapNode(n, n, "k", "K", "Kec", gen, gen == 0, None) for n, gen in (("s", 0), ("a", 1))}
    >>> laid = map_layout(MapData("batik", "Batik", "Batik", date(2022, 1, 1), 1, 1, 2, 2.0, 1, 180, g, nodes))
    >>> sorted(laid.positions["lineage"]), laid.positions["generation"]["a"][1] - laid.positions["generation"]["s"][1]
    (['a', 's'], 150.0)
    """
    graph, nodes = data.graph, data.nodes
    generation = {n: nodes[n].generation for n in graph}
    lineage = radial_layout(graph, generation)
    by_generation, bands = generation_layout(graph, generation)
    in_order = sorted(graph, key=lambda n: (nodes[n].kecamatan, nodes[n].kelurahan, n))
    by_kelurahan, regions, row_labels = kelurahan_layout(
        [(n, nodes[n].kecamatan, nodes[n].kelurahan_code, nodes[n].generation, node_size(nodes[n]))
         for n in in_order])
    return MapLayout(
        positions={"lineage": lineage, "generation": by_generation, "kelurahan": by_kelurahan},
        bands=bands, regions=regions, row_labels=row_labels,
        extents={"lineage": _extent(lineage.values()),
                 "generation": _extent(by_generation.values(),
                                       left=text_width("Generasi 10", GENERATION_LABEL_SIZE) + 40),
                 "kelurahan": _kelurahan_extent(regions, row_labels)})
