"""Places (SPEC §12): the kelurahan boundaries joined to the gazetteer, the choropleth's numbers,
classes and drawing, the timeline of a chain, and where they are offered (CLI, API, pages)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.metrics import answers as metrics
from tular.graph.metrics.choropleth_data import choropleth_data, yearly_dates
from tular.graph.metrics.map_data import map_data
from tular.graph.metrics.results import TimelineRow
from tular.graph.metrics.timeline_data import chain_rows, largest_chain, public_timeline, timeline_data
from tular.graph.model.catalogue import every_text
from tular.graph.model.errors import UsageError
from tular.graph.model.gazetteer import Gazetteer, normalise
from tular.graph.model.geography import boundaries_for, join, kota_malang_boundaries, notice
from tular.graph.model.records import Attendance, Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app
from tular.visualizations import choropleth, timeline
from tular.visualizations.i18n import Locale

from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, small_batik_program, teaching, training

ID, EN = every_text()["id"], every_text()["en"]
T = date(2022, 12, 31)


def values_of(frame) -> dict[str, object]:
    return {a.code: a for a in frame.areas}


def paths_of(html: str) -> dict[str, str]:
    """kelurahan code → fill of its path."""
    return {code: fill for fill, code in re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})" data-code="([^"]+)"', html)}


# ------------------------------------------------------------------------------ the boundaries
def test_all_57_boundaries_join_the_gazetteer_on_normalised_names():
    gazetteer = Gazetteer.kota_malang()
    matched, unmatched = join(gazetteer, kota_malang_boundaries())
    assert unmatched == []
    assert len(matched) == len(gazetteer.kelurahan_list) == 57
    for code, area in matched.items():
        assert normalise(area.boundary.kelurahan) in {normalise(area.name), *map(normalise, gazetteer.by_code(code).aliases)}
        assert area.boundary.kecamatan == gazetteer.kecamatan_of(code).name
    # the GeoJSON's code is Kemendagri's, never the gazetteer's
    assert not {a.boundary.kemendagri_code for a in matched.values()} & set(matched)
    spelled_apart = {a.boundary.kelurahan: a.name for a in matched.values() if a.boundary.kelurahan != a.name}
    assert spelled_apart, "the file spells some names apart from the gazetteer (Tasik Madu, Gading Kasri)"


def test_the_boundaries_ship_with_their_notice():
    text = notice()
    assert "MIT License" in text and "Cahya DSN" in text and "wilayah_boundaries" in text
    data = resources.files("tular.graph").joinpath("data/kota-malang-kelurahan.geojson")
    assert len(json.loads(data.read_text("utf-8"))["features"]) == 57
    package_data = Path(__file__).parents[1].joinpath("pyproject.toml").read_text()
    assert '"tular.graph.data" = ["*.csv", "*.geojson", "*.md"]' in package_data


def test_another_gazetteer_gets_no_boundaries():
    batu = Gazetteer.from_csv_text("kecamatan,kelurahan\nBatu,Sisir\nBatu,Ngaglik\n")
    assert boundaries_for(batu) is None
    with_one_more = Gazetteer([*Gazetteer.kota_malang().kecamatan_list, *batu.kecamatan_list],
                              [*Gazetteer.kota_malang().kelurahan_list, *batu.kelurahan_list])
    assert boundaries_for(with_one_more) is None


# ------------------------------------------------------------------------------ classes
def test_class_breaks_by_hand():
    # positives 1 1 2 3 | 10 11 12 | 40: Jenks puts the gaps at 10 and 40; 40 reads as 30
    assert choropleth.class_breaks([0, None, 1, 1, 2, 3, 10, 11, 12, 40], classes=3) == [10, 30]
    assert [choropleth.nice_floor(v) for v in (1, 4, 9, 38, 240, 0.047, 0.0123)] == [1, 3, 5, 30, 200, 0.03, 0.01]
    assert choropleth.class_breaks([0, 0, None]) == []
    assert choropleth.class_breaks([5, 5, 5]) == []  # one value, one class
    # a coverage: shares 0.2 % … 8 % with the cut at the big gap
    assert choropleth.class_breaks([0.002, 0.003, 0.004, 0.07, 0.08], classes=2) == [0.05]
    classes = [choropleth.classify(v, [10, 30]) for v in (None, 0, 1, 9, 10, 29, 30, 500)]
    assert classes == [-2, -1, 0, 0, 1, 1, 2, 2]


def test_legend_labels_read_as_whole_numbers_and_ranges():
    loc = Locale("id")
    rows = choropleth.legend("total", [5, 10, 20], loc, zero=True, no_value=False)
    assert [r["label"] for r in rows] == ["0 (belum ada IKM)", "1–4", "5–9", "10–19", "≥ 20"]
    assert rows[0]["colour"] == choropleth.ZERO
    assert len({r["colour"] for r in rows}) == 5
    rows = choropleth.legend("multiplier", [2, 5], Locale("en"), zero=False, no_value=True)
    assert [r["label"] for r in rows] == ["No trainee", "< 2", "2–5", "≥ 5"]
    rows = choropleth.legend("coverage", [0.05], Locale("id"), zero=False, no_value=False)
    assert [r["label"] for r in rows] == ["< 5%", "≥ 5%"]


# ------------------------------------------------------------------------------ the numbers
def test_the_numbers_of_a_hand_made_store(store: GraphStore):
    """s1, s2 trained in Bunulrejo (2020-08-01); s1 → a, b (Bunulrejo); a → c (Kesatrian);
    b and s2 → d (Dinoyo, generation 1 through s2). As of 2022-12-31 with W = 180 both seeds'
    lineages last taught on 2022-02-02 and 2022-03-03, before 2022-07-04: two stalled lineages,
    counted in Bunulrejo, the seeds' kelurahan."""
    store.write(small_batik_program())
    found = values_of(choropleth_data(store, "batik", T).frames[-1])
    bunulrejo, kesatrian, dinoyo = found[BUNULREJO], found[KESATRIAN], found[DINOYO]
    assert (bunulrejo.seeds, bunulrejo.reached, bunulrejo.total, bunulrejo.multiplier) == (2, 2, 4, 2.0)
    assert bunulrejo.coverage == 4 / 5  # five IKM on record there (x never finished the training)
    assert bunulrejo.broken == 2
    assert (kesatrian.total, kesatrian.multiplier, kesatrian.coverage, kesatrian.broken) == (1, None, 1.0, 0)
    assert (dinoyo.seeds, dinoyo.total) == (0, 1)
    assert sum(a.total for a in found.values()) == 6 and len(found) == 57
    # the per-kelurahan counts are the reach's area rows
    reach = metrics.reach(store, metrics.Query(skill="batik", as_of=T))
    by_name = {(a.kecamatan, a.kelurahan): a for a in reach.areas}
    for area in found.values():
        row = by_name[(area.kecamatan, area.kelurahan)]
        assert (area.seeds, area.total, area.multiplier) == (row.seeds, row.total, row.multiplier)


def test_values_at_two_dates_differ_as_the_teachings_say(store: GraphStore):
    store.write(small_batik_program())
    data = choropleth_data(store, "batik", T, dates=[date(2020, 7, 31), date(2021, 3, 1)])
    before, march, end = (values_of(f) for f in data.frames)
    assert [f.as_of for f in data.frames] == [date(2020, 7, 31), date(2021, 3, 1), T]
    assert before[BUNULREJO].total == 0 and before[BUNULREJO].multiplier is None  # nobody trained yet
    assert (march[BUNULREJO].total, march[KESATRIAN].total) == (4, 0)  # c learns on 2021-06-01
    assert (end[BUNULREJO].total, end[KESATRIAN].total) == (4, 1)


def test_dead_seeds_count_in_their_own_kelurahan(embedded_store: EmbeddedStore):
    store = embedded_store
    store.write(Records(ikm=[ikm("s1"), ikm("s9", DINOYO), ikm("l1", KESATRIAN)],
                        trainings=[training("T1", "2021-01-10")],
                        attendance=[Attendance(training_id="T1", ikm_id=i) for i in ("s1", "s9")],
                        teachings=[teaching("l1", "s1", "2022-12-01")]))
    found = values_of(choropleth_data(store, "batik", T).frames[-1])
    assert found[DINOYO].broken == 1  # s9 never taught: a trainee who taught nobody, in Dinoyo
    assert found[BUNULREJO].broken == 0 and found[KESATRIAN].broken == 0  # s1 taught a month ago


def test_all_skills_count_an_ikm_once_per_kelurahan(embedded_store: EmbeddedStore):
    store = embedded_store
    store.write(Records(ikm=[ikm("s1"), ikm("l1"), ikm("l2")],
                        trainings=[training("T1", "2021-01-10", "batik", "kemasan")],
                        attendance=[Attendance(training_id="T1", ikm_id="s1")],
                        teachings=[teaching("l1", "s1", "2021-02-01"), teaching("l1", "s1", "2021-02-01", "kemasan"),
                                   teaching("l2", "s1", "2021-03-01", "kemasan")]))
    found = values_of(choropleth_data(store, "all", T).frames[-1])
    assert (found[BUNULREJO].seeds, found[BUNULREJO].total) == (1, 3)  # s1, l1, l2; not 1 + 1 + 2 + 1
    assert choropleth_data(store, "all", T).skill is None


def test_no_choropleth_with_a_gazetteer_that_has_no_boundaries(embedded_store: EmbeddedStore):
    store = embedded_store
    store.load_gazetteer(Gazetteer.from_csv_text("kecamatan,kelurahan\nBatu,Sisir\n"))
    with pytest.raises(UsageError, match="batas kelurahan yang disertakan tular"):
        choropleth_data(store, "batik", T)
    store.write(small_batik_program())
    made = keys.create_key(store, "viewer", "Bu viewer")[0]
    with TestClient(create_app(Settings(), store=store)) as client:
        answer = client.get("/api/v1/maps/batik", params={"geo": "true", "as_of": T.isoformat()},
                            headers={"X-API-Key": made})
        assert answer.status_code == 422 and "batas kelurahan yang disertakan tular" in answer.text
        client.get("/masuk")
        page = client.post("/masuk", data={"api_key": made, "csrf_token": re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text).group(1), "next": "/"})
        dashboard = client.get("/", params={"as_of": T.isoformat()})
        assert page.status_code == 200 and dashboard.status_code == 200
        assert "wilayah-card" not in dashboard.text and "<path" not in dashboard.text


# ------------------------------------------------------------------------------ the drawing
def test_the_svg_has_57_paths_with_the_fills_of_their_classes(embedded_store: EmbeddedStore):
    """Totals as of 2022-12-31: Bunulrejo 4, Kesatrian 1, Dinoyo 1, 54 kelurahan 0. Positives
    1, 1, 4: two classes cut at 4, read as 3; two classes take the ends of the ramp."""
    embedded_store.write(small_batik_program())
    data = choropleth_data(embedded_store, "batik", T)
    html = choropleth.render_svg(data, Locale("id"))
    fills = paths_of(html)
    assert len(fills) == 57 and html.count("<path d=") == 57
    assert fills[BUNULREJO] == "#253494" and fills[KESATRIAN] == fills[DINOYO] == "#c7e9b4"
    assert {fills[c] for c in fills if c not in (BUNULREJO, KESATRIAN, DINOYO)} == {choropleth.ZERO}
    assert ID["geo.attribution"] in html
    assert "Bunulrejo (Kec. Blimbing)" in html and "Peserta pelatihan 2 · terjangkau 2 · total 4" in html
    script = json.loads(re.search(r'<script type="application/json" class="wilayah-data">(.*?)</script>', html,
                                  re.S).group(1))
    assert script["measures"]["total"]["breaks"] == [3]
    broken = paths_of(str(choropleth.render_svg(data, Locale("en"), "broken", interactive=False)))
    assert broken[BUNULREJO] == choropleth.palette("broken", [])[0] and broken[DINOYO] == choropleth.ZERO


def test_the_standalone_file_names_no_remote_resource(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    data = choropleth_data(embedded_store, "batik", T, dates=yearly_dates(embedded_store, "batik", T))
    html = choropleth.render_document(data, Locale("en"))
    assert [f.as_of.year for f in data.frames] == [2019, 2020, 2021, 2022]
    far = yearly_dates(embedded_store, "batik", date(2200, 1, 1))  # a date far ahead: fifteen year ends
    assert len(far) == 16 and far[0] == date(2185, 12, 31) and far[-1] == date(2200, 1, 1)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert set(re.findall(r"https?://[^\s\"'<]+", html)) == {"http://www.w3.org/2000/svg"}  # a namespace, never fetched
    assert "<script>" in html and "tularWilayah" in html and EN["geo.attribution"] in html


# ------------------------------------------------------------------------------ where it is offered
def test_tular_map_geo_writes_the_standalone_file(tmp_path: Path):
    db = tmp_path / "tular.db"
    store = EmbeddedStore(db)
    store.init_schema()
    store.write(small_batik_program())
    store.close()
    out = tmp_path / "peta-wilayah.html"
    done = subprocess.run([sys.executable, "-m", "tular", "--db", f"sqlite:///{db}", "map", "--geo", "--skill", "batik",
                           "--as-of", T.isoformat(), "--measure", "coverage", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = out.read_text("utf-8")
    assert html.count("<path d=") == 57 and 'data-measure="coverage"' in html
    assert str(out) in " ".join(done.stdout.split())
    bad = subprocess.run([sys.executable, "-m", "tular", "--db", f"sqlite:///{db}", "map", "--geo", "--skill",
                          "batik", "--measure", "height", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "total, coverage, multiplier, broken" in bad.stderr + bad.stdout


def test_the_api_serves_the_choropleth_of_a_skill_and_of_all(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    made = keys.create_key(embedded_store, "viewer", "Bu viewer")[0]
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        for skill in ("batik", "all"):
            answer = client.get(f"/api/v1/maps/{skill}", params={"geo": "true", "as_of": T.isoformat()},
                                headers={"X-API-Key": made})
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
            assert answer.text.count("<path d=") == 57 and ID["geo.attribution"] in answer.text
            assert "'unsafe-inline'" in answer.headers["content-security-policy"]
        assert paths_of(answer.text)[BUNULREJO] != choropleth.ZERO
        english = client.get("/api/v1/maps/batik", params={"geo": "true", "as_of": T.isoformat(), "lang": "en",
                                                            "measure": "multiplier"}, headers={"X-API-Key": made})
        assert EN["geo.title"].format(skill="Batik") in english.text and 'data-measure="multiplier"' in english.text
        assert client.get("/api/v1/maps/batik", params={"geo": "true"}).status_code == 401
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text).group(1)
        client.post("/masuk", data={"api_key": made, "csrf_token": token, "next": "/"})  # a page's own route
        frame = client.get("/peta/wilayah/angka", params={"skill": "batik", "as_of": "2021-03-01"})
        assert frame.status_code == 200
        body = frame.json()
        codes = list(Gazetteer.kota_malang().kelurahan_list)
        position = {k.code: i for i, k in enumerate(codes)}
        assert body["as_of"] == "2021-03-01" and body["values"]["total"][position[BUNULREJO]] == 4
        assert body["values"]["total"][position[KESATRIAN]] == 0


# ------------------------------------------------------------------------------ the timeline
def test_a_chain_is_its_seed_and_the_ikm_assigned_to_it(store: GraphStore):
    """d learned from b (generation 1) and from s2 (generation 0): generation 1, in s2's chain."""
    store.write(small_batik_program())
    data = map_data(store, "batik", T)
    s1 = chain_rows(data, "s1")
    assert [(r.ikm_id, r.generation, r.teacher) for r in s1] == [
        ("s1", 0, None), ("a", 1, "s1"), ("b", 1, "s1"), ("c", 2, "a")]
    assert [(r.ikm_id, r.teacher, r.learned_on) for r in chain_rows(data, "s2")] == [
        ("s2", None, date(2020, 8, 1)), ("d", "s2", date(2022, 2, 2))]  # learned from b first (SPEC §5)
    assert largest_chain(data) == "s1"
    of_c = timeline_data(store, "batik", T, ikm="c")
    assert (of_c.kind, of_c.seed, [r.ikm_id for r in of_c.rows]) == ("chain", "s1", ["s1", "a", "b", "c"])
    bunulrejo = timeline_data(store, "batik", T, kelurahan="Bunulrejo")
    assert {r.ikm_id: r.teacher for r in bunulrejo.rows} == {"s1": None, "s2": None, "a": "s1", "b": "s1"}
    public = public_timeline(of_c)
    assert {r.name for r in public.rows} == {""} and not {r.ikm_id for r in public.rows} & {"s1", "a", "b", "c"}
    assert public.seed is None and sorted(r.teacher is None for r in public.rows) == [False, False, False, True]


def test_the_timeline_places_a_small_chain_by_date_and_generation():
    """Dates 2020-08-01 … 2021-06-01 (304 days) padded by 20 days each side: 344 days over the
    838 units between the margins (44 left, 18 right of 900)."""
    rows = [TimelineRow("s1", "Sri", "Bunulrejo", date(2020, 8, 1), 0, None),
            TimelineRow("a", "Ani", "Bunulrejo", date(2020, 10, 1), 1, "s1"),
            TimelineRow("b", "Budi", "Bunulrejo", date(2020, 10, 1), 1, "s1"),
            TimelineRow("c", "Citra", "Kesatrian", date(2021, 6, 1), 2, "a")]
    drawn = timeline.layout(rows, Locale("id"), link="/ikm/{ikm_id}")
    at = {d.row.ikm_id: d for d in drawn.dots}
    assert at["s1"].x == round(44 + 838 * 20 / 344, 1) == 92.7
    assert at["a"].x == at["b"].x == round(44 + 838 * 81 / 344, 1) == 241.3
    assert at["c"].x == round(44 + 838 * 324 / 344, 1) == 833.3
    spacing = 2 * 5.0 + 1.5  # radius 5 for a small timeline
    assert at["b"].y - at["a"].y == pytest.approx(spacing, abs=0.11)  # the same day: stacked below (0.1 rounding)
    assert at["s1"].y < at["a"].y < at["c"].y
    assert [(t.row.ikm_id, d.row.ikm_id) for t, d in drawn.edges] == [("s1", "a"), ("s1", "b"), ("a", "c")]
    assert [b["label"] for b in drawn.bands] == ["G0", "G1", "G2"]
    assert [t["label"] for t in drawn.ticks][:2] == ["Agu 2020", "Sep 2020"]  # months, in the page's language
    assert at["c"].href == "/ikm/c" and "Citra, Kesatrian · generasi 2 · belajar 1 Juni 2021" == at["c"].title


def chain_of_300() -> list[TimelineRow]:
    """A seed and 299 learners in five generations (1, 20, 60, 100, 119 IKM): each taught by
    an IKM of the generation above, 20 to 400 days after that one learned."""
    import random

    rng = random.Random(7)
    rows = [TimelineRow("s", "S", "Bunulrejo", date(2020, 1, 1), 0, None)]
    above = rows
    for generation, size in enumerate((20, 60, 100, 119), start=1):
        made = []
        for i in range(size):
            teacher = rng.choice(above)
            made.append(TimelineRow(f"g{generation}-{i:03}", f"N{generation}.{i}", "Bunulrejo",
                                    date.fromordinal(teacher.learned_on.toordinal() + rng.randint(20, 400)),
                                    generation, teacher.ikm_id))
        rows += made
        above = made
    return rows


def test_a_chain_of_300_stays_readable():
    rows = chain_of_300()
    drawn = timeline.layout(rows, Locale("en"))
    points = {(d.x, d.y) for d in drawn.dots}
    assert len(points) == 300  # no two dots on one spot
    for dot in drawn.dots:  # and none overlaps another of its generation
        near = [o for o in drawn.dots if o is not dot and o.row.generation == dot.row.generation
                and abs(o.x - dot.x) < 2 * drawn.radius and abs(o.y - dot.y) < 2 * drawn.radius]
        assert near == []
    assert [t["label"] for t in drawn.ticks][:3] == ["2021", "2022", "2023"]  # years: it spans more than two
    html = str(timeline.render_timeline(
        timeline_data_of(rows), Locale("en")))
    assert html.count("<circle") == 300 and html.count('data-day="') == 300 + 299


def timeline_data_of(rows):
    from tular.graph.metrics.results import TimelineData
    return TimelineData(skill_id="batik", skill_name_id="Batik", skill_name_en="Batik", as_of=date(2026, 1, 1),
                        kind="chain", subject="S", rows=rows, seed="s")


def test_the_ikm_page_and_the_map_page_show_the_timeline(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    made = keys.create_key(embedded_store, "viewer", "Bu viewer")[0]
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text).group(1)
        client.post("/masuk", data={"api_key": made, "csrf_token": token, "next": "/"})
        page = client.get("/ikm/c", params={"as_of": T.isoformat()}).text
        assert 'class="linimasa"' in page and page.count("<circle") == 4 and 'data-href="/ikm/s1"' in page
        assert '/static/wilayah.js' in page
        mapped = client.get("/peta", params={"skill": "batik", "as_of": T.isoformat(),
                                             "wilayah": "kelurahan:Bunulrejo"}).text
        assert mapped.count("<circle") == 4 and ID["tl.title_kelurahan"].format(kelurahan="Bunulrejo") in mapped
        assert mapped.count("<path d=") == 57 and 'class="wilayah-dates"' not in mapped  # the page's slider moves it


def test_anonymous_readers_see_the_choropleth_and_a_timeline_that_name_nobody(embedded_store: EmbeddedStore):
    embedded_store.write(small_batik_program())
    names = {f"Ibu {i}" for i in ("s1", "s2", "a", "b", "c", "d", "x")}
    with TestClient(create_app(Settings(public_read=True), store=embedded_store)) as client:
        page = client.get("/peta", params={"skill": "batik", "as_of": T.isoformat(), "wilayah": "kelurahan:Bunulrejo"})
        geo = client.get("/api/v1/maps/all", params={"geo": "true", "as_of": T.isoformat()})
        frame = client.get("/peta/wilayah/angka", params={"skill": "batik", "as_of": T.isoformat()})
        assert page.status_code == geo.status_code == frame.status_code == 200
        assert page.text.count("<circle") == 4 and geo.text.count("<path d=") == 57
        for text in (page.text, geo.text, frame.text):
            assert not [n for n in names if n in text]
        dots = set(re.findall(r'data-ikm="([^"]+)"', page.text))
        assert len(dots) == 4 and not dots & {"s1", "s2", "a", "b"} and "data-href" not in page.text
