"""The propagation map's data and document (SPEC §8), on both stores; the browser tests are
in test_map_browser.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tular.graph.metrics.map_data import map_data
from tular.graph.model.errors import UnknownIKM, UsageError
from tular.graph.model.records import Records
from tular.graph.store import GraphStore
from tular.visualizations import layout
from tular.service.map_documents import dated_map
from tular.visualizations.propagation_map import map_assets, render_map

from .factories import DINOYO, ikm, small_batik_program, teaching

AS_OF = date(2022, 12, 31)
PHONE = "081298765432"


def program() -> Records:
    """small_batik_program (s1 → a → c, s1 → b → d, s2 → d) with a phone number on record and an
    orphan fragment o1 → o2 that no seed reaches."""
    records = small_batik_program()
    records.ikm[0] = records.ikm[0].model_copy(update={"phone": PHONE})
    records.ikm.extend([ikm("o1", DINOYO), ikm("o2", DINOYO)])
    records.teachings.append(teaching("o2", "o1", "2021-03-03"))
    return records


class Remote(HTMLParser):
    """src/href attributes of the page's elements (script and style bodies are not tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.references += [f"{tag} {name}={value}" for name, value in attrs if name in ("src", "href")]


def embedded_json(html: str, script_id: str):
    return json.loads(re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)[1])


def test_map_shows_every_ikm_with_its_generation_reach_and_findings(store: GraphStore):
    store.write(program())
    data = map_data(store, "membatik", AS_OF)
    assert (data.skill_id, data.seeds, data.reached, data.total, data.multiplier, data.max_depth) == (
        "batik", 2, 4, 6, 3.0, 2)
    assert sorted(data.nodes) == ["a", "b", "c", "d", "o1", "o2", "s1", "s2"]  # x did not complete
    assert data.graph.number_of_edges() == 6
    gen = {n: node.generation for n, node in data.nodes.items()}
    assert gen == {"s1": 0, "s2": 0, "a": 1, "b": 1, "d": 1, "c": 2, "o1": None, "o2": None}
    onward = {n: node.onward_reach for n, node in data.nodes.items()}
    assert onward == {"s1": 4, "s2": 1, "a": 1, "b": 1, "c": 0, "d": 0, "o1": 1, "o2": 0}
    d = data.nodes["d"]
    assert [(t.ikm_id, t.date) for t in d.teachers] == [("b", date(2022, 2, 2)), ("s2", date(2022, 3, 3))]
    assert (d.learned_on, d.kelurahan, d.kecamatan, d.learners) == (date(2022, 2, 2), "Dinoyo", "Lowokwaru", 0)
    s1 = data.nodes["s1"]
    assert (s1.is_seed, s1.learned_on, s1.training, s1.learners) == (True, date(2020, 8, 1),
                                                                      "Pelatihan T-BATIK-2020", 2)
    marks = {n: sorted(m.kind for m in node.marks) for n, node in data.nodes.items() if node.marks}
    assert marks == {"s1": ["stalled_lineage"], "s2": ["stalled_lineage"], "c": ["dormant_leaf"],
                     "d": ["dormant_leaf"], "o1": ["orphan"], "o2": ["orphan"]}


def test_kelurahan_map_counts_its_own_ikm_and_shows_their_teachers_as_context(store: GraphStore):
    store.write(program())
    data = map_data(store, "batik", AS_OF, kelurahan="Dinoyo")
    # the headline is `tular reach --kelurahan Dinoyo`: d reached, no seed there
    assert (data.seeds, data.reached, data.total, data.multiplier, data.area) == (0, 1, 1, None, "Kelurahan Dinoyo")
    assert sorted(data.nodes) == ["b", "d", "o1", "o2", "s2"]
    assert {n for n, node in data.nodes.items() if node.outside_area} == {"b", "s2"}
    assert sorted(data.graph.edges) == [("b", "d"), ("o1", "o2"), ("s2", "d")]
    assert data.nodes["b"].generation == 1  # generations of the whole cascade


def test_seed_map_is_one_lineage(store: GraphStore):
    store.write(program())
    s2 = map_data(store, "batik", AS_OF, seed="s2")
    assert sorted(s2.nodes) == ["d", "s2"] and (s2.seeds, s2.reached, s2.multiplier) == (1, 1, 2.0)
    assert s2.seed_name == "Ibu s2"
    s1 = map_data(store, "batik", AS_OF, seed="s1")
    assert sorted(s1.nodes) == ["a", "b", "c", "d", "s1"] and (s1.seeds, s1.reached, s1.max_depth) == (1, 4, 2)
    assert s1.nodes["d"].generation == 2  # within s1's lineage d is two steps away
    with pytest.raises(UsageError, match="a bukan peserta pelatihan batik"):
        map_data(store, "batik", AS_OF, seed="a")
    with pytest.raises(UnknownIKM):
        map_data(store, "batik", AS_OF, seed="nobody")


def map_page(html: str) -> dict:
    """The map's data as its script reads it."""
    return embedded_json(html, "map-data")


def test_map_document_is_self_contained_without_phone_numbers(store: GraphStore):
    store.write(program())
    html = render_map(map_data(store, "batik", AS_OF))
    assert not re.search(r"https?://|//cdn", html), re.findall(r".{40}(?:https?://|//cdn).{40}", html)
    parser = Remote()
    parser.feed(html)
    assert parser.references == []
    assert PHONE not in html
    assert "vis.Network" in html and "new vis.DataSet" in html  # both scripts written in
    page = map_page(html)
    ids = page["ids"]
    assert ids == ["a", "b", "c", "d", "o1", "o2", "s1", "s2"]
    assert len(page["edges"]) == 2 * 6
    at = {node: i for i, node in enumerate(ids)}
    # d learned from b, then from s2: teachers as indices into the drawn IKM, with the date
    assert page["teachers"][at["d"]] == [at["b"], "2022-02-02", at["s2"], "2022-03-03"]
    assert [page["gen"][at[n]] for n in ("s1", "a", "c", "o1")] == [0, 1, 2, None]
    assert [page["flags"][at[n]] & 1 for n in ("s1", "a")] == [1, 0]  # seeds are stars
    assert page["size"][at["s1"]] > page["size"][at["a"]] > page["size"][at["c"]]  # onward reach 4, 1, 0
    marks = {(ids[page["marks"][i]], page["findings"][page["marks"][i + 1]]) for i in range(0, len(page["marks"]), 3)}
    assert marks == {("s1", "stalled_lineage"), ("s2", "stalled_lineage"), ("c", "dormant_leaf"),
                     ("d", "dormant_leaf"), ("o1", "orphan"), ("o2", "orphan")}
    assert "Peta penyebaran: Batik" in html and "31 Desember 2022" in html


def test_by_default_only_dead_seeds_and_stalled_lineages_are_highlighted(store: GraphStore):
    """SPEC §8: the places where a programme failed; dormant learners one choice away."""
    store.write(program())
    html = render_map(map_data(store, "batik", AS_OF))
    assert map_page(html)["highlighted"] == ["dead_seed", "stalled_lineage"]
    assert re.search(r'id="highlight-failed" checked', html) and not re.search(r'id="highlight-dormant"[^>]*checked', html)
    # the choices say how many IKM each one marks: s1 and s2 stalled, c and d dormant
    assert "Sorot peserta belum menularkan dan garis macet (2)" in html
    assert "Sorot juga murid belum menularkan (2)" in html


def test_names_are_text_not_markup(store: GraphStore):
    records = program()
    records.ikm[2] = records.ikm[2].model_copy(update={"name": "Ibu <script>alert(1)</script> & Co"})
    store.write(records)
    html = render_map(map_data(store, "batik", AS_OF))
    assert "<script>alert(1)" not in html
    assert "Ibu <script>alert(1)</script> & Co" in map_page(html)["names"]


#: Words of the map's frame in one language that must not show in the other (SPEC §11: no
#: bilingual labels).
INDONESIAN = ("Peta penyebaran", "Terjangkau", "Pengganda", "Generasi", "Keterangan", "Sorot", "Cari", "Semua",
              "Tata letak", "Desember")
ENGLISH = ("Spread map", "Reached", "Multiplier", "Generation", "Legend", "Highlight", "Search", "Layout",
           "December", "seed")


def visible_text(html: str) -> str:
    """The document without its scripts, tags and attributes, plus its attributes people read."""
    text = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    shown = re.findall(r'(?:placeholder|aria-label|title)="([^"]*)"', text)
    return re.sub(r"<[^>]+>", " ", text) + " ".join(shown)


def test_the_map_speaks_one_language(store: GraphStore):
    store.write(program())
    data = map_data(store, "batik", AS_OF)
    indonesian, english = render_map(data, lang="id"), render_map(data, lang="en")
    assert '<html lang="id">' in indonesian and '<html lang="en">' in english
    assert [w for w in ENGLISH if w in visible_text(indonesian)] == []
    assert [w for w in INDONESIAN if w in visible_text(english)] == []
    assert "Spread map: Batik" in english and "as of 31 December 2022" in english
    # the script's texts (tooltips, status, search) come from the same catalogue
    texts = map_page(english)["texts"]
    assert texts["map.finding_stalled_lineage"] == "Stalled lineage" and texts["map.tip_learned_from"].startswith(
        "Learned from")
    assert map_page(indonesian)["texts"]["map.finding_dormant_leaf"] == "Murid belum menularkan"


def test_the_web_frame_names_its_scripts_and_the_file_writes_them_in(store: GraphStore):
    store.write(program())
    data = map_data(store, "batik", AS_OF)
    standalone, framed = render_map(data), render_map(data, assets="/peta/aset/")
    scripts = map_assets()
    assert sorted(re.findall(r'<script src="/peta/aset/([^"]+)"></script>', framed)) == sorted(scripts)
    assert all(text[:2000] not in framed and text[:2000] in standalone for text in scripts.values())
    assert len(framed) < len(standalone) - 400_000  # vis-network is not sent with every date
    assert map_page(framed) == map_page(standalone)


def test_earlier_dates_keep_every_ikm_where_the_latest_date_has_it(store: GraphStore):
    """SPEC §8: the layout is made once, for the latest date; an earlier date hides what did
    not exist yet, and every IKM it draws stays where it was."""
    store.write(program())

    def placed(day: date, public: bool = False) -> tuple[dict, dict]:
        _, html = dated_map(store, "batik", day, AS_OF, {}, public=public, lang="id", assets="/a/")
        page = map_page(html)
        return page, {name: {n: tuple(xy[2 * i:2 * i + 2]) for i, n in enumerate(page["ids"])}
                      for name, xy in page["layouts"].items()}

    late_page, late = placed(AS_OF)
    early_page, early = placed(date(2021, 2, 1))
    assert sorted(early_page["ids"]) == ["a", "b", "s1", "s2"] and len(late_page["ids"]) == 8
    assert len(early_page["edges"]) == 2 * 2  # s1 → a, s1 → b: what came later is not drawn
    for name in ("lineage", "generation", "kelurahan"):
        assert {n: late[name][n] for n in early[name]} == early[name], name
    assert early_page["extents"] == late_page["extents"]  # the same frame: the chain grows in place
    # drawn on its own, the early map would be laid out otherwise
    own = map_page(render_map(map_data(store, "batik", date(2021, 2, 1))))
    assert own["layouts"]["lineage"] != early_page["layouts"]["lineage"]
    # the public edition: random dot ids, the same places
    public_page, public_places = placed(date(2021, 2, 1), public=True)
    assert not set(public_page["ids"]) & {"a", "b", "s1", "s2"}
    assert sorted(public_places["lineage"].values()) == sorted(early["lineage"].values())


def test_layouts_place_every_ikm_and_the_generation_layout_one_row_per_generation(store: GraphStore):
    store.write(program())
    data = map_data(store, "batik", AS_OF)
    generation = {n: node.generation for n, node in data.nodes.items()}
    radial = layout.radial_layout(data.graph, generation)
    rows, bands = layout.generation_layout(data.graph, generation)
    assert set(radial) == set(rows) == set(data.nodes)
    assert len(set(radial.values())) == len(radial)  # nobody on top of anybody
    reached_band = next(b for b in bands if not b.orphans)
    for node, gen in generation.items():
        if gen is not None:
            assert rows[node][1] == reached_band.y + gen * layout.ROW, node
    assert any(b.orphans for b in bands)


def test_tular_map_writes_the_file(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    from tular.graph.store import open_store

    store = open_store(db)
    store.init_schema()
    store.write(program())
    store.close()

    def tular(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)

    done = tular("map", "--skill", "batik", "--as-of", "2022-12-31", "-o", str(tmp_path / "maps" / "batik.html"))
    assert done.returncode == 0, done.stderr
    assert "8 IKM" in done.stdout and (tmp_path / "maps" / "batik.html").read_text().startswith("<!DOCTYPE html>")
    assert tular("map", "--skill", "batik", "--as-of", "2022-12-31").returncode == 0
    assert tular("map", "--skill", "batik", "--as-of", "2022-12-31", "--lang", "en", "-o", "en.html").returncode == 0
    english = (tmp_path / "en.html").read_text()
    assert '<html lang="en">' in english and "Spread map: Batik" in english and "Peta penyebaran" not in english
    assert (tmp_path / "peta-batik.html").exists()
    assert tular("map", "--skill", "batik", "--seed", "nobody").returncode == 1
    assert tular("map", "--skill", "batik", "--seed", "a").returncode == 2
    assert tular("map", "--skill", "kopi").returncode == 2
