"""The choropleth and the timeline in a real headless Chromium (SPEC §12): the standalone file
opened from disk with the network cut off, and the map page's second view following the date
slider over the demo data (Bunulrejo lights up from 2020). Screenshots at 1366 and 390 px go
to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from tular.graph.demo.generator import DEMO_AS_OF, load_demo
from tular.graph.metrics.choropleth_data import choropleth_data, yearly_dates
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore
from tular.service.app import create_app
from tular.visualizations import choropleth
from tular.visualizations.i18n import Locale

from .in_process import serving
from .test_map_browser import open_offline

pytestmark = pytest.mark.browser

BUNULREJO = "blimbing.bunulrejo"
WIDTHS = (1366, 390)
BEFORE, FIRST_YEAR = date(2019, 12, 31), date(2020, 12, 31)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    store = EmbeddedStore(tmp_path_factory.mktemp("demo") / "tular.db")
    store.init_schema()
    load_demo(store)
    yield store
    store.close()


def expected_fill(data, day: date, code: str, measure: str = "total") -> str:
    """The colour Python gives a kelurahan on ``day``, with the classes of all the frames."""
    breaks = choropleth.class_breaks([a.value(measure) for f in data.frames for a in f.areas])
    frame = next(f for f in data.frames if f.as_of == day)
    value = next(a for a in frame.areas if a.code == code).value(measure)
    return choropleth.fill(value, breaks, choropleth.palette(measure, breaks))


def fill_of(page, code: str) -> str:
    return page.evaluate(f"document.querySelector(\"path[data-code='{code}']\").getAttribute('fill')")


def test_the_standalone_choropleth_works_from_disk_offline(browser, demo_store, tmp_path, artifacts):
    data = choropleth_data(demo_store, "batik", DEMO_AS_OF, dates=yearly_dates(demo_store, "batik", DEMO_AS_OF))
    path = tmp_path / "peta-wilayah.html"
    path.write_text(choropleth.render_document(data, Locale("id")), encoding="utf-8")
    opened = open_offline_choropleth(browser, path)
    page = opened.page
    drawn = page.evaluate("""Array.from(document.querySelectorAll('path[data-code]')).filter(p => {
        const box = p.getBBox(); return box.width > 1 && box.height > 1; }).length""")
    assert drawn == 57
    assert opened.remote == [] and opened.errors == []
    page.screenshot(path=str(artifacts / "choropleth-standalone-1366.png"), full_page=True)
    frames = [f.as_of for f in data.frames]
    assert frames[0] == BEFORE and FIRST_YEAR in frames
    # the date switch: before the 2020 workshop nobody; at the end of 2020 Bunulrejo stands out
    page.evaluate(f"(r => {{ r.value = '{frames.index(BEFORE)}'; r.dispatchEvent(new Event('input')); }})"
                  "(document.querySelector('.wilayah-dates input'))")
    assert fill_of(page, BUNULREJO) == choropleth.ZERO == expected_fill(data, BEFORE, BUNULREJO)
    page.evaluate(f"(r => {{ r.value = '{frames.index(FIRST_YEAR)}'; r.dispatchEvent(new Event('input')); }})"
                  "(document.querySelector('.wilayah-dates input'))")
    lit = fill_of(page, BUNULREJO)
    assert lit == expected_fill(data, FIRST_YEAR, BUNULREJO) != choropleth.ZERO
    others = page.evaluate("Array.from(document.querySelectorAll('path[data-code]')).map(p => p.getAttribute('fill'))")
    assert others.count(lit) < 5, "Bunulrejo is among the few brightest at the end of 2020"
    assert page.inner_text(".wilayah-dates output") == "31 Desember 2020"
    # another measure, and a kelurahan's numbers on a tap
    page.click("button[data-measure='broken']")
    assert page.evaluate("document.querySelector(\".wilayah-legend[data-measure='broken']\").hidden") is False
    page.click(f"path[data-code='{BUNULREJO}']")
    assert "Bunulrejo (Kec. Blimbing)" in page.inner_text(".wilayah-info")
    page.close()


def open_offline_choropleth(browser, path):
    """The standalone choropleth opened as the propagation map's test opens the map, waiting for
    the choropleth's own ready flag."""
    return open_offline(browser, path, ready="figure.wilayah[data-ready='1']", timeout=30_000,
                        viewport={"width": 1366, "height": 900})


@pytest.fixture(scope="module")
def served(demo_store):
    with serving(create_app(Settings(public_read=True), store=demo_store)) as port:
        yield f"http://127.0.0.1:{port}"


def slide_to(page, day: date) -> None:
    page.evaluate(f"""(() => {{
        const slider = document.getElementById('date-slider');
        const start = new Date(slider.dataset.start + 'T00:00:00Z');
        slider.value = String(Math.round((new Date('{day.isoformat()}T00:00:00Z') - start) / 86400000));
        slider.dispatchEvent(new Event('input'));
        slider.dispatchEvent(new Event('change'));
    }})()""")
    page.wait_for_selector(f"figure.wilayah[data-as-of='{day.isoformat()}']", timeout=30_000)


def test_the_map_page_choropleth_follows_the_slider(browser, demo_store, served, artifacts):
    workshop = date(2020, 10, 16)  # the 2020 batik workshop ends: where the page's slider starts
    data = choropleth_data(demo_store, "batik", DEMO_AS_OF, dates=[
        *yearly_dates(demo_store, "batik", DEMO_AS_OF), workshop, date(2021, 6, 30)])
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served}/peta?skill=batik&as_of={DEMO_AS_OF.isoformat()}")
    page.wait_for_selector("figure.wilayah[data-ready='1']")
    page.wait_for_selector("figure.linimasa[data-ready='1']")
    assert page.locator(".wilayah-dates").count() == 0  # the page's own slider moves it
    # the classes the page holds for its slider's whole range
    breaks = page.evaluate("JSON.parse(document.querySelector('script.wilayah-data').textContent)"
                           ".measures.total.breaks")
    assert breaks == sorted(breaks) and len(breaks) >= 2
    fills = {}
    for day in (workshop, FIRST_YEAR, date(2021, 6, 30), DEMO_AS_OF):  # year ends held, other dates fetched
        slide_to(page, day)
        fills[day] = fill_of(page, BUNULREJO)
        frame = next(f for f in data.frames if f.as_of == day)
        total = next(a for a in frame.areas if a.code == BUNULREJO).total
        assert fills[day] == choropleth.fill(total, breaks, choropleth.palette("total", breaks)), day
    assert fills[workshop] != fills[DEMO_AS_OF]  # two trainees, then two dozen IKM
    slide_to(page, date(2023, 12, 31))  # the largest batik chain is growing then
    hidden = page.evaluate("document.querySelectorAll('figure.linimasa circle.later').length")
    shown = page.evaluate("document.querySelectorAll('figure.linimasa circle:not(.later)').length")
    assert hidden > 0 and shown > 0  # the timeline shows only who had learned by then
    slide_to(page, DEMO_AS_OF)
    assert page.evaluate("document.querySelectorAll('figure.linimasa circle.later').length") == 0
    page.click(f"path[data-code='{BUNULREJO}']")
    link = page.get_attribute(".wilayah-info a", "href")
    assert link.startswith("/peta?skill=batik&wilayah=kelurahan%3ABunulrejo&as_of=")
    assert errors == []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".wilayah-card").screenshot(path=str(artifacts / f"choropleth-map-page-{width}.png"))
        page.locator(".linimasa-card").screenshot(path=str(artifacts / f"timeline-map-page-{width}.png"))
    page.goto(f"{served}/peta?skill=batik&as_of={DEMO_AS_OF.isoformat()}&wilayah=kelurahan:Bunulrejo")
    page.wait_for_selector("figure.linimasa[data-ready='1']")
    assert page.evaluate("document.querySelectorAll('figure.linimasa circle').length") >= 22
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".linimasa-card").screenshot(path=str(artifacts / f"timeline-bunulrejo-{width}.png"))
    page.goto(f"{served}/?skill=batik&as_of={DEMO_AS_OF.isoformat()}")
    page.wait_for_selector("figure.wilayah[data-ready='1']")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".wilayah-card").screenshot(path=str(artifacts / f"choropleth-dashboard-{width}.png"))
    page.close()


def test_a_timeline_of_300_in_the_browser(browser, tmp_path, artifacts):
    """A chain of 300 (hand-made rows over six years and five generations) draws every dot."""
    from .test_places import chain_of_300, timeline_data_of
    from tular.visualizations.timeline import render_timeline

    static = choropleth.STATIC
    html = (f"<!doctype html><html><head><meta charset='utf-8'><style>{(static / 'wilayah.css').read_text()}"
            f"</style></head><body>{render_timeline(timeline_data_of(chain_of_300()), Locale('en'))}"
            f"<script>{(static / 'wilayah.js').read_text()}</script></body></html>")
    path = tmp_path / "linimasa.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_selector("figure.linimasa[data-ready='1']")
    visible = page.evaluate("""Array.from(document.querySelectorAll('circle')).filter(c => {
        const box = c.getBoundingClientRect(); return box.width > 4 && box.height > 4; }).length""")
    assert visible == 300
    page.locator("figure.linimasa").screenshot(path=str(artifacts / "timeline-300-1366.png"))
    page.close()
