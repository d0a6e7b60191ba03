"""Kelurahan boundaries (SPEC §12): the 57 kelurahan of Kota Malang shipped with tular
(``graph/data/kota-malang-kelurahan.geojson``, MIT, notice in
``kota-malang-kelurahan.NOTICE.md`` beside it), joined to a gazetteer on normalised names.

The GeoJSON's ``code`` is the Kemendagri code, not the gazetteer's, so the join is by
kecamatan and kelurahan name, through the gazetteer's own matching (case-, space- and
punctuation-insensitive, known variant spellings). The boundaries are offered only for a
gazetteer whose every kelurahan has exactly one boundary: with another gazetteer loaded,
no choropleth.

>>> shapes = boundaries_for(Gazetteer.kota_malang())
>>> len(shapes.areas), shapes.areas["blimbing.bunulrejo"].name
(57, 'Bunulrejo')
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tular.graph.model.errors import UnknownArea, UsageError
from tular.graph.model.gazetteer import Gazetteer

BOUNDARIES_FILE = "data/kota-malang-kelurahan.geojson"
NOTICE_FILE = "data/kota-malang-kelurahan.NOTICE.md"

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude), closed


@dataclass(frozen=True)
class Boundary:
    """One feature of the GeoJSON: its names as written there and its rings."""

    kelurahan: str
    kecamatan: str
    kemendagri_code: str
    rings: tuple[Ring, ...]  # every ring of every polygon (holes drawn even-odd)


@dataclass(frozen=True)
class Area:
    """A gazetteer kelurahan with its boundary."""

    code: str  # the gazetteer's code
    name: str
    kecamatan: str
    boundary: Boundary


@dataclass(frozen=True)
class Boundaries:
    """The boundaries of every kelurahan of a gazetteer, by the gazetteer's code, in the
    gazetteer's order (kecamatan, then name)."""

    areas: dict[str, Area]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north."""
        points = [p for a in self.areas.values() for ring in a.boundary.rings for p in ring]
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        return min(lons), min(lats), max(lons), max(lats)


def _rings(geometry: dict) -> tuple[Ring, ...]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return tuple(tuple((float(x), float(y)) for x, y in ring) for polygon in polygons for ring in polygon)


@cache
def kota_malang_boundaries() -> tuple[Boundary, ...]:
    """The features of the shipped GeoJSON, read once."""
    text = resources.files("tular.graph").joinpath(BOUNDARIES_FILE).read_text("utf-8")
    features = json.loads(text)["features"]
    return tuple(Boundary(kelurahan=f["properties"]["kelurahan"], kecamatan=f["properties"]["kecamatan"],
                          kemendagri_code=f["properties"]["code"], rings=_rings(f["geometry"]))
                 for f in features)


def notice() -> str:
    """The data's source and licence, shipped beside it."""
    return resources.files("tular.graph").joinpath(NOTICE_FILE).read_text("utf-8")


def join(gazetteer: Gazetteer, boundaries: tuple[Boundary, ...]) -> tuple[dict[str, Area], list[Boundary]]:
    """The boundaries matched to the gazetteer's kelurahan (by code), and those that match none
    or a kelurahan matched already."""
    matched: dict[str, Area] = {}
    unmatched: list[Boundary] = []
    for boundary in boundaries:
        try:
            kelurahan = gazetteer.kelurahan(boundary.kelurahan, kecamatan=boundary.kecamatan)
        except (UnknownArea, UsageError):
            unmatched.append(boundary)
            continue
        if kelurahan.code in matched:
            unmatched.append(boundary)
            continue
        matched[kelurahan.code] = Area(code=kelurahan.code, name=kelurahan.name,
                                       kecamatan=gazetteer.kecamatan_of(kelurahan.code).name, boundary=boundary)
    return matched, unmatched


def boundaries_for(gazetteer: Gazetteer) -> Boundaries | None:
    """The shipped boundaries joined to ``gazetteer``, or None when some kelurahan of it has
    none (another region's gazetteer): then no choropleth is offered."""
    matched, _ = join(gazetteer, kota_malang_boundaries())
    if len(matched) != len(gazetteer.kelurahan_list):
        return None
    return Boundaries({k.code: matched[k.code] for k in gazetteer.kelurahan_list})


def project(boundaries: Boundaries, width: float) -> tuple[dict[str, list[list[tuple[float, float]]]], float]:
    """Every ring in screen units, ``width`` wide (y down), and the height: an equirectangular
    projection about the region's middle latitude (a city a few kilometres across shows no
    distortion a reader could see), coordinates rounded to 0.1 unit with repeated points dropped.

    >>> shapes, height = project(boundaries_for(Gazetteer.kota_malang()), 600)
    >>> len(shapes), 600 < height < 1200
    (57, True)
    """
    west, south, east, north = boundaries.bounds
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * squeeze)
    height = (north - south) * scale
    projected = {}
    for code, area in boundaries.areas.items():
        rings = []
        for ring in area.boundary.rings:
            points: list[tuple[float, float]] = []
            for lon, lat in ring:
                point = (round((lon - west) * squeeze * scale, 1), round((north - lat) * scale, 1))
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 3:
                rings.append(points)
        projected[code] = rings
    return projected, round(height, 1)
