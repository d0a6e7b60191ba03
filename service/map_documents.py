"""Propagation maps for the ways in: gather (``tular.graph.metrics.map_data``), draw
(``tular.visualizations.propagation_map``), write or serve."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from tular.graph.io.files import open_private
from tular.graph.metrics.map_data import map_data, public_edition
from tular.graph.metrics.results import MapData
from tular.graph.model.errors import Unauthorized, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.model.skills import skill_key
from tular.graph.store import GraphStore
from tular.visualizations.propagation_map import render_map


def map_html(store: GraphStore, skill: str, as_of: date, *, kelurahan: str | None = None,
             kecamatan: str | None = None, seed: str | None = None,
             dormant_days: int = DEFAULT_DORMANT_DAYS, public: bool = False, lang: str = "id") -> tuple[MapData, str]:
    """The map's data and HTML; ``public``: the edition for anonymous readers (SPEC §7)."""
    if dormant_days < 1:
        raise UsageError("--dormant-days must be at least 1")
    if public and seed is not None:
        raise Unauthorized("one seed's lineage names its seed: an API key is needed")
    data = map_data(store, skill, as_of, kelurahan=kelurahan, kecamatan=kecamatan, seed=seed,
                    dormant_days=dormant_days)
    if public:
        data = public_edition(data, lang)
    return data, render_map(data)


def write_map(console: Console, store: GraphStore, skill: str, as_of: date, output: Path | None, **filters) -> Path:
    """Write the map to ``output`` (default ``peta-SKILL.html``) and say where it is."""
    data, html = map_html(store, skill, as_of, **filters)
    path = output or Path(f"peta-{skill_key(data.skill_id)}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, "w", encoding="utf-8") as handle:  # the map names people (UU 27/2022)
        handle.write(html)
    console.print(
        f"[green]Wrote[/green] the map of {data.skill_name_id} as of {data.as_of.isoformat()} "
        f"({len(data.nodes):,} IKM, {data.graph.number_of_edges():,} teachings; {data.seeds:,} seeds, "
        f"{data.reached:,} reached) to [bold]{path}[/bold] — open it in a browser; it works offline.",
        highlight=False,
    )
    return path
