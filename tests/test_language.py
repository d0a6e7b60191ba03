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


# ------------------------------------------------------------------------------ errors of the domain
def test_errors_of_the_domain_are_indonesian_unless_asked(embedded_store: EmbeddedStore,
                                                          monkeypatch: pytest.MonkeyPatch):
    """Errors raised in graph/ are said from the catalogue: ``str()`` in Indonesian (no TULAR_LANG),
    and :func:`text_of` the same error in English, with the same values."""
    from datetime import date

    from tular.graph.admin import api_keys
    from tular.graph.metrics import answers
    from tular.graph.metrics.report_data import report_as_of
    from tular.graph.model.dates import as_of
    from tular.graph.model.errors import TularError, text_of
    from tular.graph.model.gazetteer import Gazetteer
    from tular.graph.store import open_store

    monkeypatch.delenv("TULAR_LANG", raising=False)
    today = date(2026, 3, 1)

    def refusal(call) -> TularError:
        with pytest.raises(TularError) as raised:
            call()
        return raised.value

    cases = [
        (lambda: report_as_of(2027, today), "error.year_not_begun", {"year": 2027, "today": "2026-03-01"}),
        (lambda: answers.chains(embedded_store, "batik", today, 90, statuses=["macet"]), "error.unknown_chain_status",
         {"status": "macet", "valid": "growing, stalled, dead_seed, new"}),
        (lambda: api_keys.verify(embedded_store, "tular_nope_nope"), "error.unknown_api_key", {}),
        (lambda: api_keys.create_key(embedded_store, "boss", "x"), "error.unknown_role",
         {"role": "boss", "roles": "viewer, editor, admin"}),
        (lambda: Gazetteer.from_csv_text("kecamatan,kelurahan\nKlojen,Oro-oro Dowo\nKlojen,Oro-oro Dowo\n",
                                         "wilayah.csv"), "error.gazetteer_code_twice",
         {"source": "wilayah.csv", "line": 3, "code": "klojen.oro-oro-dowo"}),
        (lambda: open_store("postgres://x"), "error.store_url_unsupported", {"url": "postgres://x"}),
    ]
    for call, key, values in cases:
        error = refusal(call)
        assert str(error) == ID.t(key, **values) != EN.t(key, **values) == text_of(error, "en")
        assert text_of(error, "id") == str(error)
    assert str(refusal(cases[0][0])) == "tahun 2027 belum dimulai (hari ini 2026-03-01): belum ada laporan untuk tahun itu"
    assert text_of(refusal(cases[0][0]), "en") == "2027 has not begun yet (today is 2026-03-01): there is no report for it"
    # a reason inside a reason, its month named in the sentence's language
    no_day = refusal(lambda: as_of("31/02/2021", today, "--as-of"))
    assert str(no_day) == "--as-of '31/02/2021': bukan tanggal: Februari 2021 tidak punya tanggal 31"
    assert text_of(no_day, "en") == "--as-of '31/02/2021': not a date: February 2021 has no day 31"
    # and TULAR_LANG=en says them in English
    monkeypatch.setenv("TULAR_LANG", "en")
    assert str(refusal(lambda: api_keys.verify(embedded_store, "tular_nope_nope"))) == "unknown API key"


def test_an_api_key_refusal_is_said_in_the_callers_language(api: Api):
    for caller, key in (("garbage", "error.unknown_api_key"), ("revoked", "error.revoked_api_key")):
        headers = {"X-API-Key": api.keys[caller]}
        indonesian = is_problem(api.client.get("/api/v1/trainings", headers=headers), 401)
        english = is_problem(api.client.get("/api/v1/trainings", headers={**headers, "Accept-Language": "en"}), 401)
        assert (indonesian["detail"], english["detail"]) == (ID.t(key), EN.t(key))
    asked = {"skill": "batik", "status": "macet"}
    indonesian = api.get("/api/v1/chains", params=asked).json()["detail"]
    english = api.get("/api/v1/chains", params={**asked, "lang": "en"}).json()["detail"]
    assert indonesian.startswith("status rantai 'macet' tidak dikenal") and english.startswith("unknown chain status")
