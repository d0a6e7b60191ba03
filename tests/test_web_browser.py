"""The web app in a real headless Chromium against a real server: `tular demo` serving the
demo data on loopback. A person signs in through the form, reads the dashboard, slides the
map's date, imports a bad file and follows a lineage. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from tular.graph.admin import api_keys as keys
from tular.graph.demo.generator import DEMO_AS_OF
from tular.graph.model.catalogue import every_text
from tular.graph.store import EmbeddedStore
from tular.visualizations.i18n import Locale

from .neo4j_server import free_port

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}
MESSY = Path(__file__).parent / "data" / "messy"
AS_OF = DEMO_AS_OF.isoformat()
ID, EN = every_text()["id"], every_text()["en"]
METRICS = ("seeds", "reached", "total", "multiplier", "max_depth", "coverage", "cost_per_ikm_idr")


@dataclass
class Site:
    base: str
    keys: dict[str, str]
    output: Path

    def api(self, path: str, **params) -> httpx.Response:
        return httpx.get(self.base + path, params=params, headers={"X-API-Key": self.keys["viewer"]}, timeout=60)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`tular demo` on a free port: it loads the demo, writes a map and a report, then serves."""
    folder = tmp_path_factory.mktemp("demo-site")
    db = folder / "tular.db"
    store = EmbeddedStore(db)
    store.init_schema()
    made = {role: keys.create_key(store, role, f"Petugas {role}")[0] for role in ("viewer", "editor")}
    store.close()
    port = free_port()
    log = (folder / "demo.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "tular", "--db", f"sqlite:///{db}", "demo", "--port", str(port)],
                               cwd=folder, stdout=log, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, folder / "demo.log")
        yield Site(base, made, folder / "demo.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"tular demo stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"tular demo did not serve within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def page(browser, site: Site):
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    opened.errors = []  # console errors (a Content-Security-Policy violation is one) and uncaught exceptions
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    yield opened
    context.close()


def sign_in(page, site: Site, role: str) -> None:
    page.goto(f"{site.base}/masuk")
    page.fill("#api_key", site.keys[role])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{site.base}/")


def test_demo_prints_the_dashboard_url_and_wrote_the_map(site: Site):
    text = site.output.read_text()
    assert f"{site.base}/?as_of={AS_OF}" in text
    assert (site.output.parent / "tular-demo" / "peta-batik.html").exists()


def test_signing_in_through_the_form_and_the_dashboard_equals_the_api(page, site: Site, artifacts: Path):
    sign_in(page, site, "editor")
    assert ID["web.signed_in"].format(name="Petugas editor", role=ID["web.role_editor"]) in page.inner_text("header")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tular_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("tular_session") == -1  # scripts cannot read it

    page.goto(f"{site.base}/?skill=batik&as_of={AS_OF}")
    shown = page.evaluate("Object.fromEntries([...document.querySelectorAll('.metric')].map("
                          "m => [m.dataset.metric, [JSON.parse(m.dataset.value), m.querySelector('.value').textContent]]))")
    api = site.api("/api/v1/reach", skill="batik", as_of=AS_OF).json()
    loc = Locale("id")
    formatted = {"seeds": loc.integer, "reached": loc.integer, "total": loc.integer, "max_depth": loc.integer,
                 "multiplier": loc.decimal, "coverage": loc.percent, "cost_per_ikm_idr": loc.money}
    for name in METRICS:
        value, text = shown[name]
        assert value == api[name], name
        assert text == formatted[name](api[name]), name
    assert (api["seeds"], api["reached"]) == (87, 708)  # the demo's batik, as on the map
    bars = page.evaluate("[...document.querySelectorAll('svg.chart g.bar')].map(g => Number(g.dataset.count))")
    assert bars == [g["count"] for g in api["generations"]]
    assert page.errors == []
    page.screenshot(path=artifacts / "web-dashboard.png", full_page=True)


def test_moving_the_date_slider_changes_the_counts_and_the_map(page, site: Site, artifacts: Path):
    page.goto(f"{site.base}/peta?skill=batik&wilayah=kelurahan:Bunulrejo&as_of={AS_OF}")
    counts = "Object.fromEntries([...document.querySelectorAll('#map-counts dd')].map(d => [d.dataset.count, d.textContent]))"
    frame = page.frame_locator("#map-frame")
    frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
    before = page.evaluate(counts)
    assert before["seeds"] == "2" and before["reached"] == "22"  # the Bunulrejo story

    earlier = date(2021, 6, 30)
    start = date.fromisoformat(page.get_attribute("#date-slider", "data-start"))
    page.evaluate(f"(() => {{ const s = document.getElementById('date-slider'); s.value = {(earlier - start).days};"
                  " s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); })()")
    assert page.inner_text("#slider-date") == "30 Juni 2021"
    page.wait_for_selector(f"#map-counts[data-as-of='{earlier.isoformat()}']:not([aria-busy])")
    after = page.evaluate(counts)
    expected = httpx.get(f"{site.base}/peta/angka", params={"skill": "batik", "wilayah": "kelurahan:Bunulrejo",
                                                             "as_of": earlier.isoformat()}).json()
    assert after == {k: Locale("id").integer(expected[k]) for k in after}
    assert int(after["reached"]) < 22 and after != before
    # the map in the frame is redrawn for that date, with as many IKM as the counts say
    assert f"as_of={earlier.isoformat()}" in page.get_attribute("#map-frame", "src")
    redrawn = None
    for _ in range(600):  # the frame navigates to the new date
        redrawn = page.frame(url=lambda url: "/peta/bingkai?" in url and f"as_of={earlier.isoformat()}" in url)
        if redrawn:
            break
        page.wait_for_timeout(100)
    assert redrawn is not None, "the map frame did not load the new date"
    redrawn.wait_for_selector("body[data-ready='1']", timeout=60_000)
    drawn = redrawn.evaluate("network.body.data.nodes.length")
    assert drawn == expected["nodes"]
    assert f"as_of={earlier.isoformat()}" in page.url  # the address can be shared
    assert page.errors == []  # the map's inline scripts ran under the frame's policy
    page.screenshot(path=artifacts / "web-map-slider.png", full_page=True)


def test_the_import_page_shows_the_row_error_of_a_bad_file(page, site: Site, artifacts: Path):
    sign_in(page, site, "editor")
    page.goto(f"{site.base}/impor")
    page.set_input_files("#files", sorted(MESSY.glob("*.csv")))
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("section.report")
    assert page.get_attribute("section.report", "data-ok") == "false"
    assert ID["web.rejected"] in page.inner_text("section.report")
    cells = page.evaluate("[...document.querySelectorAll('table.problems.errors tbody tr')].map("
                          "r => [...r.cells].map(c => c.textContent.trim()))")
    assert ["teachings.csv", "9", "teacher_id", "M-005"] in [row[:4] for row in cells]
    assert any(row[4].startswith(ID["problem.cycle"].split("{")[0]) for row in cells)  # in the page's Indonesian
    assert site.api("/api/v1/ikm/M-001").status_code == 404  # nothing written
    page.screenshot(path=artifacts / "web-import-errors.png", full_page=True)


def test_a_viewer_is_not_offered_the_import_page(page, site: Site):
    sign_in(page, site, "viewer")
    assert ID["web.nav_import"] not in page.inner_text("header nav")
    response = page.goto(f"{site.base}/impor")
    assert response.status == 403


def test_the_ikm_page_shows_the_lineage_up_to_the_seeds(page, site: Site, artifacts: Path):
    found = site.api("/api/v1/ikm", kelurahan="Bunulrejo", skill="batik", page_size=100).json()["items"]
    deep = None
    for item in found:
        lineage = site.api(f"/api/v1/ikm/{item['ikm_id']}/lineage", skill="batik", as_of=AS_OF).json()
        if (lineage["skills"][0]["generation"] or 0) >= 2:
            deep = lineage
            break
    assert deep, "the demo's Bunulrejo has batik learners two steps from the training"
    first = deep["skills"][0]["paths"][0]
    names = [site.api(f"/api/v1/ikm/{node}").json()["name"] for node in first]
    sign_in(page, site, "viewer")  # a person's page: signed-in readers only (SPEC §7)
    page.goto(f"{site.base}/ikm/{deep['ikm_id']}?as_of={AS_OF}")
    batik = page.locator("article.skill[data-skill='batik']")
    assert batik.locator("li.path").first.inner_text().split(" → ") == names
    assert ID["web.generation_of"].split(",")[0].format(generation=deep["skills"][0]["generation"]) \
        in batik.locator(".status").inner_text()
    page.screenshot(path=artifacts / "web-ikm-lineage.png", full_page=True)
    page.click("header a.lang")
    assert page.inner_text("section.lineage h2").startswith(EN["web.lineage"])
    assert page.get_attribute("html", "lang") == "en"
    page.screenshot(path=artifacts / "web-ikm-lineage-en.png", full_page=True)
    assert page.errors == []


def test_the_dashboard_outcome_chart_shows_the_apis_rates(page, site: Site, artifacts: Path):
    sign_in(page, site, "viewer")
    page.goto(f"{site.base}/?skill=batik&as_of={AS_OF}")
    bars = ("[...document.querySelectorAll('svg.chart g.rate-bar')].map(g => [g.classList.contains('seeds'),"
            " Number(g.dataset.generation), Number(g.dataset.count), Number(g.dataset.withOutcome),"
            " JSON.parse(g.dataset.rate)])")
    api = site.api("/api/v1/outcomes", skill="batik", as_of=AS_OF).json()
    expected = [[g["generation"] == 0, g["generation"], g["count"], g["with_outcome"], g["rate"]]
                for g in api["generations"]]
    assert page.evaluate(bars) == expected and len(expected) >= 3
    assert expected[0][3] > 0  # the demo's batik trainees have outcomes to show
    page.select_option("#outcome-kind", "pameran")
    page.click("section.outcomes button[type=submit]")
    page.wait_for_selector("section.outcomes[data-kind='pameran']")
    api = site.api("/api/v1/outcomes", skill="batik", as_of=AS_OF, kind="pameran").json()
    assert page.evaluate(bars) == [[g["generation"] == 0, g["generation"], g["count"], g["with_outcome"], g["rate"]]
                                   for g in api["generations"]]
    first = page.locator("svg.chart g.rate-bar").first.locator("text").first.text_content()
    assert first == Locale("id").percent(api["generations"][0]["rate"])
    assert page.errors == []
    page.locator("section.outcomes").screenshot(path=artifacts / "web-dashboard-outcomes.png")


def test_the_plan_page_follows_the_seats(page, site: Site, artifacts: Path):
    sign_in(page, site, "viewer")
    page.click(f"header nav a[href='/rencana']")
    page.wait_for_selector("section.plan")
    page.goto(f"{site.base}/rencana?skill=batik&as_of={AS_OF}")
    counted = ("Object.fromEntries(['kelurahan', 'narasumber', 'visits'].map(s => [s,"
               " document.querySelectorAll('#plan-' + s + ' tbody tr:not(.empty)').length]))")

    def expected(seats: int) -> dict[str, int]:
        plan = site.api("/api/v1/plan", skill="batik", seats=seats, as_of=AS_OF).json()
        return {"kelurahan": len(plan["kelurahan"]), "narasumber": len(plan["narasumber"]),
                "visits": len(plan["visits"])}

    assert page.evaluate(counted) == expected(10) == {"kelurahan": 10, "narasumber": 2, "visits": 30}  # 3 × seats (SPEC §10)
    page.screenshot(path=artifacts / "web-plan.png", full_page=True)
    page.fill("#plan-seats", "3")
    page.dispatch_event("#plan-seats", "change")  # the page shows the new plan without a click
    page.wait_for_selector("section.plan[data-seats='3']")
    assert page.evaluate(counted) == expected(3) == {"kelurahan": 3, "narasumber": 1, "visits": 9}
    plan = site.api("/api/v1/plan", skill="batik", seats=3, as_of=AS_OF).json()
    reasons = page.evaluate("[...document.querySelectorAll('#plan-kelurahan td.reason')].map(td => td.textContent)")
    assert reasons == [k["reason"] for k in plan["kelurahan"]]
    assert "seats=3" in page.url
    assert page.errors == []
    page.screenshot(path=artifacts / "web-plan-3-seats.png", full_page=True)
    page.click("header a.lang")
    assert page.inner_text("#plan-kelurahan h2").startswith(EN["web.plan_kelurahan"])
    page.screenshot(path=artifacts / "web-plan-en.png", full_page=True)


def test_the_chains_page_sorts_and_opens_a_seeds_map_on_a_wide_and_a_phone_screen(browser, site: Site,
                                                                                  artifacts: Path):
    """SPEC §12 chains page: the rows of GET /api/v1/chains, a histogram with a bar per size,
    sorted by a column heading, each row opening its trainee's map; nothing wider than a
    390-px phone screen but the scrolled table and histogram."""
    chains = site.api("/api/v1/chains", skill="batik", as_of=AS_OF).json()
    for width, height in ((1366, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        sign_in(page, site, "viewer")
        page.click("header nav a[href='/rantai']")
        page.wait_for_selector("#chains")
        page.goto(f"{site.base}/rantai?skill=batik&as_of={AS_OF}")
        seeds = page.evaluate("[...document.querySelectorAll('#chains tbody tr')].map(tr => tr.dataset.seed)")
        assert seeds == [c["seed"] for c in chains["chains"]]
        bars = page.evaluate("[...document.querySelectorAll('g.size-bar')].map(g => [+g.dataset.size, +g.dataset.chains])")
        assert bars == [[h["size"], h["chains"]] for h in chains["histogram"]]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=artifacts / f"web-chains-{width}.png", full_page=width > 400)
        page.click("#chains th a[data-sort='-days']")
        page.wait_for_selector("#chains[data-order='-days']")
        days = page.evaluate("[...document.querySelectorAll('#chains tbody tr')].map(tr => tr.dataset.days)")
        shown = [int(d) for d in days if d]
        assert shown == sorted(shown, reverse=True) and days[len(shown):] == [""] * (len(days) - len(shown))
        with context.expect_page() as opened:
            page.click("#chains tbody tr:first-child a.map-link")
        seed_map = opened.value
        seed_map.wait_for_load_state()
        first = page.evaluate("document.querySelector('#chains tbody tr').dataset.seed")
        assert f"seed={first}" in seed_map.url and first in seed_map.content()
        assert errors == []
        context.close()
