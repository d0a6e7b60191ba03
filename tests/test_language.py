"""The language of the API's answers and problem details (SPEC §11): ``?lang=`` > ``Accept-Language``
(``id`` and ``en``, q-values honoured) > ``TULAR_LANG`` > ``id``; ``type``, status, keys and codes
the same in both. Web pages never follow the header."""

from __future__ import annotations

import doctest
from collections.abc import Iterator

import pytest

from tular.graph.model.catalogue import Messages
from tular.graph.store import EmbeddedStore
from tular.service import language

from .test_api import Api, is_problem, make_api

ID, EN = Messages("id"), Messages("en")


@pytest.fixture
def api(embedded_store: EmbeddedStore) -> Iterator[Api]:
    yield from make_api(embedded_store)


def anonymous(api: Api, path: str, **headers) -> dict:
    """A request without a key: the problem the API answers."""
    return is_problem(api.client.get(path, headers=headers), 401)


def test_problem_details_are_indonesian_unless_the_caller_asks(api: Api):
    said = anonymous(api, "/api/v1/trainings")
    assert (said["title"], said["detail"]) == (ID.t("problem.title.401"), ID.t("problem.key_needed"))
    english = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "en-US,en;q=0.9"})
    assert (english["title"], english["detail"]) == (EN.t("problem.title.401"), EN.t("problem.key_needed"))
    # the same problem in both languages but for its words
    assert {k: v for k, v in said.items() if k not in ("title", "detail")} == \
        {k: v for k, v in english.items() if k not in ("title", "detail")}
    assert said["type"].endswith("/unauthorized") and said["status"] == 401


def test_q_values_choose_and_unknown_languages_fall_through(api: Api):
    preferred = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "id;q=0.4, en;q=0.8"})
    assert preferred["detail"] == EN.t("problem.key_needed")
    preferred = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "en;q=0.4, id-ID;q=0.9"})
    assert preferred["detail"] == ID.t("problem.key_needed")
    neither = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "fr-CH, de;q=0.5"})
    assert neither["detail"] == ID.t("problem.key_needed")
    refused = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "en;q=0, id;q=0.1"})
    assert refused["detail"] == ID.t("problem.key_needed")


def test_the_lang_parameter_overrides_the_header(api: Api):
    said = is_problem(api.client.get("/api/v1/trainings", params={"lang": "id"}, headers={"Accept-Language": "en"}),
                      401)
    assert said["detail"] == ID.t("problem.key_needed") and said["title"] == ID.t("problem.title.401")
    said = is_problem(api.client.get("/api/v1/trainings", params={"lang": "en"}, headers={"Accept-Language": "id"}),
                      401)
    assert said["detail"] == EN.t("problem.key_needed")


def test_tular_lang_is_the_servers_default(embedded_store: EmbeddedStore):
    api = next(make_api(embedded_store, lang="en"))  # Settings(lang=…) is TULAR_LANG
    try:
        assert anonymous(api, "/api/v1/trainings")["detail"] == EN.t("problem.key_needed")
        asked = anonymous(api, "/api/v1/trainings", **{"Accept-Language": "id"})
        assert asked["detail"] == ID.t("problem.key_needed")
    finally:
        api.client.__exit__(None, None, None)


def test_parameter_errors_and_unknown_routes_are_said_in_the_callers_language(api: Api):
    seats = {"skill": "batik", "seats": 0}
    indonesian = is_problem(api.get("/api/v1/plan", params=seats), 422)
    english = is_problem(api.client.get("/api/v1/plan", params=seats,
                                        headers={"X-API-Key": api.keys["viewer"], "Accept-Language": "en"}), 422)
    assert indonesian["detail"] == ID.t("problem.param.greater_than_equal", where="query.seats", limit=1)
    assert english["detail"] == EN.t("problem.param.greater_than_equal", where="query.seats", limit=1)
    assert indonesian["errors"] == english["errors"]  # pydantic's own record, for machines, unchanged
    assert indonesian["title"] == ID.t("problem.title.422") and english["title"] == EN.t("problem.title.422")
    nowhere = is_problem(api.client.get("/api/v1/nowhere", headers={"Accept-Language": "en"}), 404)
    assert nowhere["detail"] == EN.t("problem.no_route", path="/api/v1/nowhere")
    assert is_problem(api.client.get("/api/v1/nowhere"), 404)["title"] == ID.t("problem.title.404")


def test_a_rejected_record_is_said_in_the_callers_language(api: Api):
    event = {"learner_id": "nobody", "teacher_id": "s1", "skill": "batik", "date": "2021-01-01"}
    indonesian = is_problem(api.post("/api/v1/teachings", json=event), 422)
    english = is_problem(api.client.post("/api/v1/teachings", json=event,
                                         headers={"X-API-Key": api.keys["editor"], "Accept-Language": "en"}), 422)
    assert indonesian["detail"].startswith(f"{ID.t('problem.what_teaching')} ditolak, tidak ada yang ditulis: ")
    assert english["detail"].startswith("the teaching event was rejected, nothing was written: ")
    # the report keeps its keys, codes and values; only each problem's reason is said in the language
    def without_reasons(report: dict) -> dict:
        return {**report, "errors": [{k: v for k, v in p.items() if k != "reason"} for p in report["errors"]],
                "warnings": [{k: v for k, v in p.items() if k != "reason"} for p in report["warnings"]]}

    assert without_reasons(indonesian["report"]) == without_reasons(english["report"])
    assert indonesian["report"]["errors"][0]["reason"] != english["report"]["errors"][0]["reason"]


def test_the_plans_reasons_follow_accept_language(api: Api):
    asked = {"skill": "batik", "seats": 2, "as_of": "2026-06-30"}
    english = api.client.get("/api/v1/plan", params=asked,
                             headers={"X-API-Key": api.keys["viewer"], "Accept-Language": "en"}).json()
    indonesian = api.get("/api/v1/plan", params=asked).json()
    assert english["kelurahan"][0]["reason"] != indonesian["kelurahan"][0]["reason"]
    assert "not reached yet" in english["kelurahan"][0]["reason"]
    assert "belum terjangkau" in indonesian["kelurahan"][0]["reason"]
    assert api.get("/api/v1/plan", params={**asked, "lang": "en"}).json() == english  # ?lang= says the same


def test_web_pages_never_follow_accept_language(api: Api):
    page = api.client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<html lang="id">' in page.text


def test_doctests_of_the_language_rules():
    assert doctest.testmod(language).failed == 0


def test_a_pages_language_is_its_choice_never_the_header(api: Api):
    """What an error page says it in: ``?lang=``, else the remembered choice, else TULAR_LANG."""
    from starlette.requests import Request

    from tular.service import web_plumbing

    assert language.PAGE_LANGUAGE_COOKIE == web_plumbing.LANG_COOKIE  # the choice the pages remember

    def page(query: str = "", cookie: str | None = None) -> str:
        headers = [(b"accept-language", b"en")] + ([(b"cookie", f"tular_lang={cookie}".encode())] if cookie else [])
        scope = {"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": headers,
                 "app": api.client.app}
        return language.page_language(Request(scope))

    assert (page(), page(cookie="en"), page("lang=id", cookie="en"), page("lang=en")) == ("id", "en", "id", "en")
