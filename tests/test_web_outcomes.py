"""Outcomes and the next cohort in the web app (SPEC §10): the dashboard's outcome chart and
the "Rencana angkatan berikutnya" page show the numbers of GET /api/v1/outcomes and GET
/api/v1/plan for the same parameters; guests see the visits only as counts per kelurahan."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import every_text
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app

from .test_outcomes import AS_OF, planning
from .test_web import Browser, text_of

ID, EN = every_text()["id"], every_text()["en"]
DAY = AS_OF.isoformat()


def setup(store: GraphStore, **settings) -> Iterator[Browser]:
    """planning(): small_batik_program with outcomes (s1, s2 trained; a, b, d gen 1; c, e gen 2),
    a leaf e in Bunulrejo, and Polehan and Sumbersari with three IKM each, nobody reached."""
    store.write(planning())
    made = {role: keys.create_key(store, role, f"Bu {role}")[0] for role in ("viewer", "editor")}
    with TestClient(create_app(Settings(**settings), store=store)) as client:
        yield Browser(client, made)


@pytest.fixture
def any_store_web(store: GraphStore) -> Iterator[Browser]:
    yield from setup(store, public_read=True)


@pytest.fixture
def public_web(embedded_store: EmbeddedStore) -> Iterator[Browser]:
    yield from setup(embedded_store, public_read=True)


@pytest.fixture
def web(embedded_store: EmbeddedStore) -> Iterator[Browser]:
    yield from setup(embedded_store)


def rate_bars(html: str) -> list[tuple]:
    """(class, generation, count, with_outcome, rate) of each bar of the outcome chart."""
    found = re.findall(r'<g class="rate-bar (\w+)" data-generation="(\d+)"\s+data-count="(\d+)" '
                       r'data-with-outcome="(\d+)" data-rate="([^"]*)"', html)
    return [(kind, int(g), int(n), int(k), json.loads(rate)) for kind, g, n, k, rate in found]


def rows(html: str, section: str) -> list[dict[str, str]]:
    """The data attributes of each row of one list of the plan page."""
    body = re.search(rf'<section class="card plan-list" id="plan-{section}".*?</section>', html, re.S)
    assert body, f"no list {section} on the page"
    return [dict(re.findall(r'data-([\w-]+)="([^"]*)"', tr))
            for tr in re.findall(r"<tr (data-[^>]*)>", body.group(0))]


def section_text(html: str, section: str) -> str:
    return text_of(re.search(rf'id="plan-{section}".*?</section>', html, re.S).group(0))


# ------------------------------------------------------------------------------ dashboard
def test_dashboard_outcome_chart_is_the_apis_rate_by_generation(any_store_web: Browser):
    client = any_store_web.client
    for params, expected in [
        # pameran: both seeds exhibited (s2's blank-skill one counts); a of a, b, d; neither c nor e
        ({"kind": "pameran"}, [(0, 2, 2, 1.0), (1, 3, 1, 1 / 3), (2, 2, 0, 0.0)]),
        # any kind, the default: d's employees and c's marketplace count too
        ({}, [(0, 2, 2, 1.0), (1, 3, 2, 2 / 3), (2, 2, 1, 0.5)]),
        # after learning: s1's exhibition of 2019 predates its training of 2020
        ({"kind": "pameran", "after_learning": "true"}, [(0, 2, 1, 0.5), (1, 3, 1, 1 / 3), (2, 2, 0, 0.0)]),
    ]:
        page = client.get("/", params={"skill": "batik", "as_of": DAY, **params})
        assert page.status_code == 200, params
        api = client.get("/api/v1/outcomes", params={"skill": "batik", "as_of": DAY, **params}).json()
        assert [(g["generation"], g["count"], g["with_outcome"], g["rate"]) for g in api["generations"]] == expected
        assert [bar[1:] for bar in rate_bars(page.text)] == expected, params
        # the trainees are drawn apart from the learners
        assert [bar[0] for bar in rate_bars(page.text)] == ["seeds", "learners", "learners"]
    shown = text_of(client.get("/", params={"skill": "batik", "as_of": DAY, "kind": "pameran"}).text)
    assert "100,0% G0 2 dari 2" in shown and "33,3% G1 1 dari 3" in shown and "0,0% G2 0 dari 2" in shown
    assert ID["web.legend_seeds"] in shown and ID["web.legend_learners"] in shown


def test_dashboard_outcome_chart_follows_the_year_kind_and_language(public_web: Browser):
    client = public_web.client
    # no training ended in 2021: no generation, the chart says there are no trainees
    none = client.get("/", params={"skill": "batik", "as_of": DAY, "year": "2021"})
    assert rate_bars(none.text) == [] and ID["web.no_seeds"] in text_of(none.text)
    certified = client.get("/", params={"skill": "batik", "as_of": DAY, "kind": "Certification"})
    assert [bar[3] for bar in rate_bars(certified.text)] == [0, 0, 0] and ID["web.no_outcomes"] in certified.text
    assert '<option value="certification" selected>' in certified.text
    english = text_of(client.get("/", params={"skill": "batik", "as_of": DAY, "kind": "pameran", "lang": "en"}).text)
    assert EN["web.outcomes_chart"] in english and "33.3% G1 1 of 3" in english
    wrong = client.get("/", params={"skill": "batik", "kind": "pamran"})  # the page's remembered language
    assert wrong.status_code == 422 and "unknown outcome kind 'pamran'" in unescape(wrong.text)
    wrong = client.get("/", params={"skill": "batik", "kind": "pamran", "lang": "id"})
    assert wrong.status_code == 422 and "jenis hasil 'pamran' tidak dikenal" in unescape(wrong.text)


# ------------------------------------------------------------------------------ next cohort
def test_plan_page_lists_are_the_apis_plan_for_a_signed_in_viewer(any_store_web: Browser):
    any_store_web.sign_in("viewer")
    client = any_store_web.client
    page = client.get("/rencana", params={"skill": "Membatik", "seats": 20, "as_of": DAY})
    assert page.status_code == 200
    api = client.get("/api/v1/plan", params={"skill": "batik", "seats": 20, "as_of": DAY}).json()
    kelurahan = rows(page.text, "kelurahan")
    assert [(k["kelurahan"], int(k["population"]), int(k["total"]), int(k["unmet-need"]), int(k["broken"]))
            for k in kelurahan] == [(k["kelurahan"], k["population"], k["total"], k["unmet_need"], k["broken"])
                                    for k in api["kelurahan"]] == [
        ("Polehan", 3, 0, 3, 0), ("Sumbersari", 3, 0, 3, 0), ("Bunulrejo", 6, 5, 1, 3)]
    assert [(n["ikm"], int(n["per-seed-reach"]), int(n["outcomes"])) for n in rows(page.text, "narasumber")] == [
        (n["ikm_id"], n["per_seed_reach"], n["outcomes"]) for n in api["narasumber"]] == [
        ("s1", 5, 1), ("a", 2, 2), ("s2", 1, 1), ("b", 1, 0)]
    assert [(v["ikm"], int(v["days-dormant"])) for v in rows(page.text, "visits")] == [
        (v["ikm_id"], v["days_dormant"]) for v in api["visits"]] == [("e", 356), ("d", 333), ("c", 579)]
    # every row says why, in the page's language, exactly as the API does
    shown = text_of(page.text)
    for entry in api["kelurahan"] + api["narasumber"] + api["visits"]:
        assert entry["reason"] in shown
    assert "belum menularkan selama 356 hari; kelurahannya sudah menularkan ke 5 IKM" in shown
    assert "Ibu e" in section_text(page.text, "visits")  # a signed-in viewer sees whom to visit
    english = client.get("/rencana", params={"skill": "batik", "seats": 20, "as_of": DAY, "lang": "en"})
    api_en = client.get("/api/v1/plan", params={"skill": "batik", "seats": 20, "as_of": DAY, "lang": "en"}).json()
    assert api_en["visits"][0]["reason"] == "has taught nobody for 356 days; IKM of its kelurahan taught 5 IKM"
    assert all(entry["reason"] in text_of(english.text) for entry in api_en["kelurahan"] + api_en["visits"])
    assert EN["web.plan_kelurahan"] in english.text


def test_seats_bound_the_lists_and_a_year_plans_from_the_end_of_the_year_before(public_web: Browser):
    public_web.sign_in("viewer")
    client = public_web.client
    small = client.get("/rencana", params={"skill": "batik", "seats": 2, "as_of": DAY})
    # two seats: two kelurahan, one narasumber (one per five seats), up to six visits (three a seat):
    # all three dormant learners e, d, c, in three kelurahan
    assert [k["kelurahan"] for k in rows(small.text, "kelurahan")] == ["Polehan", "Sumbersari"]
    assert len(rows(small.text, "narasumber")) == 1
    assert re.search(r'id="plan-visits" data-rows="3"\s+data-visits="3"', small.text)
    planned = client.get("/rencana", params={"skill": "batik", "seats": 3, "year": "2022"})
    assert 'data-as-of="2021-12-31"' in planned.text
    assert ID["web.plan_year_note"].format(year=2022, before=2021) in planned.text
    api = client.get("/api/v1/plan", params={"skill": "batik", "seats": 3, "year": 2022}).json()
    assert [int(n["per-seed-reach"]) for n in rows(planned.text, "narasumber")] == [
        n["per_seed_reach"] for n in api["narasumber"]] == [3]
    for bad, said in [("0", ID["web.refuse_seats_range"].format(value=0, most=500)),
                      ("many", ID["web.refuse_seats_form"].format(value=repr("many")))]:
        refused = client.get("/rencana", params={"skill": "batik", "seats": bad})
        assert refused.status_code == 422 and said in unescape(refused.text), bad


def test_guests_see_the_visits_as_counts_per_kelurahan_and_no_ids(public_web: Browser):
    page = public_web.client.get("/rencana", params={"skill": "batik", "seats": 20, "as_of": DAY})
    assert page.status_code == 200
    visits = section_text(page.text, "visits")
    for name in ("Ibu e", "Ibu c", "Ibu d"):
        assert name not in visits
    assert [(v["kelurahan"], v["visits"]) for v in rows(page.text, "visits")] == [
        ("Bunulrejo", "1"), ("Dinoyo", "1"), ("Kesatrian", "1")]
    assert ID["web.plan_visits_public"] in page.text
    # narasumber too: counts per kelurahan, as in the report's public edition (SPEC §7)
    narasumber = rows(page.text, "narasumber")
    assert narasumber and all(set(n) == {"kelurahan", "narasumber"} for n in narasumber)
    assert sum(int(n["narasumber"]) for n in narasumber) == 4
    assert "Ibu s1" not in section_text(page.text, "narasumber") and 'href="/ikm/' not in page.text
    assert "081" not in page.text  # never a phone number


def test_the_plan_page_needs_a_reader_and_is_in_the_menu(web: Browser):
    assert web.client.get("/rencana", follow_redirects=False).headers["location"] == "/masuk?next=%2Frencana"
    web.sign_in("viewer")
    page = web.client.get("/rencana", params={"as_of": DAY})
    assert page.status_code == 200
    assert 'href="/rencana" aria-current="page"' in page.text and ID["web.nav_plan"] in page.text
    assert 'data-skill="batik"' in page.text  # the skill that reached the most is shown first
    script = re.search(r'<script src="(/static/rencana\.js\?v=[0-9a-f]+)"></script>', page.text)
    assert script, "the plan page loads its script by its versioned address"
    assert web.client.get(script.group(1)).status_code == 200


def test_doctests_pass():
    import doctest

    from tular.visualizations import web_pages as pages

    assert doctest.testmod(pages).failed == 0
