"""Every page, measured in Chromium with the tools the web uses: axe-core (the npm package,
pinned in tools/axe/package-lock.json, installed by scripts/test) finds no WCAG 2.1 A or AA
violation, anonymous and signed in as an editor, the map's frame included; every page
reflows at 320 px without scrolling sideways; form fields' borders contrast 3:1 with what is
behind them. The new pages are clicked through (report, template, export, batches) and
photographed at 390 and 1366 px into test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_web_browser import AS_OF, ID, Site, site, sign_in  # noqa: F401  (site: the demo server fixture)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA (axe's tags).
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Every page for a guest (public read, as `tular demo` serves) and for an editor.
GUEST_PAGES = ["/", f"/?skill=batik&as_of={AS_OF}", f"/peta?skill=batik&as_of={AS_OF}", "/rencana", "/laporan",
               "/masuk", "/tidak-ada-halaman-ini"]
EDITOR_PAGES = GUEST_PAGES[:-2] + ["/ikm", "/ikm?kelurahan=Bunul+Rejo&skill=batik", "/ikm/IKM-00059",
                                   "/impor", "/impor/batch", "/ekspor", "/tidak-ada-halaman-ini"]
WIDTHS = (390, 1366)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tools/axe (scripts/test does it)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def _context(browser, width: int, height: int = 900):
    # axe is injected as a script: the pages' Content-Security-Policy would refuse it
    return browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)


def _axe(frame, source: str) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations in ``frame`` (its own document, frames aside)."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.evaluate(source + "\n;undefined")
    found = frame.evaluate("opts => axe.run(document, opts).then(r => r.violations.map(v => ({id: v.id, "
                           "impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))",
                           {"runOnly": {"type": "tag", "values": WCAG}, "iframes": False, "resultTypes": ["violations"]})
    return found


def _go(page, site: Site, url: str) -> None:
    page.goto(site.base + url)
    page.wait_for_load_state("load")


def _editor(browser, site: Site, width: int = 1366):
    context = _context(browser, width)
    page = context.new_page()
    sign_in(page, site, "editor")
    return context, page


@pytest.mark.parametrize("who", ["guest", "editor"])
def test_axe_finds_no_wcag_violation_on_any_page(browser, site: Site, axe_source: str, who: str):
    if who == "editor":
        context, page = _editor(browser, site)
        pages = EDITOR_PAGES
    else:
        context = _context(browser, 1366)
        page = context.new_page()
        pages = GUEST_PAGES
    found: dict[str, list[dict]] = {}
    try:
        for url in pages:
            _go(page, site, url)
            if violations := _axe(page.main_frame, axe_source):
                found[url] = violations
        if who == "editor":  # the confirmation page of an undo
            _go(page, site, "/impor/batch")
            links = page.locator("a.undo-link")
            if links.count():
                links.first.click()
                page.wait_for_selector("#undo-confirm")
                if violations := _axe(page.main_frame, axe_source):
                    found[page.url] = violations
    finally:
        context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_axe_finds_no_wcag_violation_in_the_map_frame(browser, site: Site, axe_source: str):
    context = _context(browser, 1366)
    page = context.new_page()
    try:
        _go(page, site, f"/peta?skill=batik&as_of={AS_OF}")
        frame = page.frame_locator("#map-frame")
        frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
        inner = next(f for f in page.frames if "/peta/bingkai" in f.url)
        found = {"guest's map": _axe(inner, axe_source)}
    finally:
        context.close()
    context, page = _editor(browser, site)
    try:  # the editor's map, with the search's results open
        _go(page, site, f"/peta?skill=batik&as_of={AS_OF}")
        page.frame_locator("#map-frame").locator("body[data-ready='1']").wait_for(timeout=60_000)
        inner = next(f for f in page.frames if "/peta/bingkai" in f.url)
        found["editor's map"] = _axe(inner, axe_source)
        inner.fill("#search", "IKM-000")
        inner.press("#search", "Enter")
        inner.wait_for_selector("#matches", state="visible")
        found["editor's map, search results open"] = _axe(inner, axe_source)
    finally:
        context.close()
    found = {state: violations for state, violations in found.items() if violations}
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def _overflow(page) -> dict:
    return page.evaluate("({scroll: document.documentElement.scrollWidth, view: window.innerWidth,"
                         " wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                         " > window.innerWidth + 1 && !e.closest('.scroll')).slice(0, 5).map(e => e.tagName + '.' +"
                         " e.className + '#' + e.id)})")


def test_every_page_reflows_at_320_px(browser, site: Site):
    """WCAG 1.4.10: no sideways scrolling at 320 CSS px; a wide table scrolls in its own box."""
    wide: dict[str, dict] = {}
    for who, pages in (("guest", GUEST_PAGES), ("editor", EDITOR_PAGES)):
        context = _context(browser, 320, 640)
        page = context.new_page()
        if who == "editor":
            sign_in(page, site, "editor")
        for url in pages:
            _go(page, site, url)
            measured = _overflow(page)
            if measured["scroll"] > measured["view"]:
                wide[f"{who} {url}"] = measured
        context.close()
    assert not wide, json.dumps(wide, indent=1)


def test_every_scrolling_table_box_is_focusable_and_labelled(browser, site: Site):
    context, page = _editor(browser, site)
    boxes = 0
    try:
        for url in EDITOR_PAGES:
            _go(page, site, url)
            for box in page.evaluate("[...document.querySelectorAll('.scroll')].map(b => [b.tabIndex,"
                                     " b.getAttribute('role'), b.getAttribute('aria-label')])"):
                boxes += 1
                assert box[0] == 0 and box[1] == "region" and box[2], (url, box)
    finally:
        context.close()
    assert boxes >= 5


CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const behind = el => { for (let e = el.parentElement; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  return [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=range]), select')]
    .filter(el => el.offsetParent !== null)
    .map(el => { const a = lum(rgb(getComputedStyle(el).borderTopColor)), b = lum(behind(el));
                 return [el.name || el.id, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
}"""


def test_form_field_borders_contrast_three_to_one(browser, site: Site):
    """WCAG 1.4.11: what shows where a field is must contrast 3:1 with what is next to it."""
    context, page = _editor(browser, site)
    measured = []
    try:
        for url in ("/", "/ikm", "/laporan", "/impor", "/ekspor", "/rencana"):
            _go(page, site, url)
            measured += [(url, name, ratio) for name, ratio in page.evaluate(CONTRAST)]
    finally:
        context.close()
    assert len(measured) >= 10
    weak = [m for m in measured if m[2] < 3]
    assert not weak, weak


def test_the_skip_link_is_first_and_moves_to_the_content(browser, site: Site):
    context = _context(browser, 1366)
    page = context.new_page()
    try:
        _go(page, site, "/laporan")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.evaluate("document.activeElement.textContent") == ID["web.skip_to_content"]
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        assert page.evaluate("document.querySelector('meta[name=description]').content")
    finally:
        context.close()


# ------------------------------------------------------------------------------ the jobs, clicked through
def _shots(page, artifacts: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)


def test_a_guest_downloads_the_public_report_from_the_menu(browser, site: Site, artifacts: Path):
    context = _context(browser, 1366)
    page = context.new_page()
    try:
        _go(page, site, f"/?as_of={AS_OF}")
        page.click("header nav a[href='/laporan']")
        page.wait_for_selector("#report-form")
        assert page.locator("#report-edition").count() == 0 and page.locator("#report-public-only").is_visible()
        _shots(page, artifacts, "web-report-guest")
        page.select_option("#report-year", "2025")
        page.select_option("#report-lang", "en")
        page.check("#report-html")
        page.click("#report-download")
        page.wait_for_url("**/api/v1/reports/2025?lang=en&format=html&public=true")
        assert "2025" in page.title() or "2025" in page.inner_text("body")
        assert "IKM-0" not in page.content()  # the public edition names nobody
        # the template, from the report page
        _go(page, site, "/laporan")
        with page.expect_download() as download:
            page.click("#template-download")
        assert download.value.suggested_filename == "tular-templat.xlsx"
    finally:
        context.close()


def test_an_editor_downloads_the_internal_pdf_the_export_and_undoes_a_batch(browser, site: Site, artifacts: Path,
                                                                            tmp_path: Path):
    context, page = _editor(browser, site)
    try:
        page.click("#dashboard-report") if page.locator("#dashboard-report").count() else page.goto(site.base + "/laporan")
        page.wait_for_selector("#report-form")
        assert page.locator("#report-edition").is_visible()
        _shots(page, artifacts, "web-report")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.select_option("#report-year", "2025")
        # the browser shows the PDF in its own viewer (Content-Disposition: inline)
        with page.expect_response(lambda r: "/api/v1/reports/2025" in r.url, timeout=300_000) as answer:
            page.click("#report-download", no_wait_after=True)
        pdf = answer.value
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert "laporan-2025-id-internal.pdf" in pdf.headers["content-disposition"]
        assert "public" not in pdf.url
        assert page.request.get(pdf.url).body().startswith(b"%PDF")  # the bytes (the viewer shows its own page)
        page.goto(site.base + "/")

        page.click("header nav a[href='/ekspor']")
        page.wait_for_selector("#store-export-form")
        _shots(page, artifacts, "web-export")
        page.set_viewport_size({"width": 1366, "height": 900})
        with page.expect_download(timeout=120_000) as download:
            page.click("#store-export-download", no_wait_after=True)
        assert download.value.suggested_filename == "tular-ekspor.xlsx"

        # an import, then its undo from the batch list
        page.click("header nav a[href='/impor']")
        upload = tmp_path / "ikm.csv"
        upload.write_text("ikm_id,name,kelurahan\nW-001,Ibu Uji Halaman,Bunul Rejo\n", encoding="utf-8")
        page.set_input_files("#files", [upload])
        page.click("form.stack button[type=submit]")
        page.wait_for_selector("section.report[data-ok='true']")
        assert site.api("/api/v1/ikm/W-001").status_code == 200
        page.click("header nav a[href='/impor/batch']")
        page.wait_for_selector("table.batches")
        _shots(page, artifacts, "web-batches")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.locator("table.batches tbody tr").first.locator("a.undo-link").click()
        page.wait_for_selector("#undo-confirm")
        page.click("#undo-button")
        page.wait_for_selector("#undo-done")
        assert site.api("/api/v1/ikm/W-001").status_code == 404
        _shots(page, artifacts, "web-batches-undone")
    finally:
        context.close()


def test_the_search_page_lists_a_kelurahan_typed_as_people_write_it(browser, site: Site, artifacts: Path):
    context, page = _editor(browser, site)
    try:
        page.click("header nav a[href='/ikm']")
        page.wait_for_selector("#search-form")
        page.fill("#search-q", "Bunul Rejo")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-place")
        page.click("#search-place a")
        page.wait_for_selector("#search-results")
        expected = site.api("/api/v1/ikm", kelurahan="Bunulrejo").json()["total"]
        assert int(page.get_attribute("#search-results", "data-total")) == expected > 100
        page.select_option("#search-skill", "batik")
        page.select_option("#search-generation", "1")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-results")
        # the page's date is today's: ask the API for the same date as the page shows
        shown_date = page.input_value("#search-as-of")
        expected = site.api("/api/v1/ikm", kelurahan="Bunulrejo", skill="batik", generation=1,
                            as_of=shown_date).json()["total"]
        assert int(page.get_attribute("#search-results", "data-total")) == expected > 0
        _shots(page, artifacts, "web-search")
    finally:
        context.close()


def test_a_mistyped_address_shows_a_page(browser, site: Site, artifacts: Path):
    context = _context(browser, 390)
    page = context.new_page()
    try:
        response = page.goto(site.base + "/tidak-ada-halaman-ini")
        assert response.status == 404 and response.headers["content-type"].startswith("text/html")
        assert page.inner_text("h1") == ID["web.not_found_title"]
        page.screenshot(path=artifacts / "web-404-390.png", full_page=True)
    finally:
        context.close()


def test_the_dashboard_at_a_phones_width(browser, site: Site, artifacts: Path):
    context = _context(browser, 390)
    page = context.new_page()
    try:
        _go(page, site, f"/?skill=batik&as_of={AS_OF}")
        _shots(page, artifacts, "web-dashboard")
        _go(page, site, "/?as_of=2031-01-01")
        assert page.locator("#future-notice").is_visible()
    finally:
        context.close()
