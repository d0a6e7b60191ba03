"""Domain errors and request errors as RFC 9457 problem+json, translated in one place."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tular.graph.model.catalogue import N_, Messages
from tular.graph.model.errors import (
    BadFileName,
    Forbidden,
    InvalidData,
    NotFound,
    RestoreInProgress,
    StoreBusy,
    StoreUnavailable,
    TooLarge,
    TooManyAttempts,
    TularError,
    Unauthorized,
    UnknownIKM,
    UsageError,
)
from tular.service.language import api_language, page_language, text_of

PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 5

STATUS: list[tuple[type[TularError], int, str]] = [
    (RestoreInProgress, 503, "restore-in-progress"),
    (StoreBusy, 503, "store-busy"),
    (StoreUnavailable, 503, "store-unavailable"),
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (TooManyAttempts, 429, "too-many-requests"),
    (UnknownIKM, 404, "unknown-ikm"),
    (NotFound, 404, "not-found"),
    (TooLarge, 413, "too-large"),
    (BadFileName, 400, "bad-file-name"),
    (UsageError, 422, "invalid-parameter"),
    (InvalidData, 422, "invalid-data"),
    (TularError, 400, "bad-request"),
]


#: The ``title`` of a problem per status, in the caller's language (SPEC §11); any other status
#: is titled ``problem.title.other``.
TITLES = {
    400: N_("problem.title.400"), 401: N_("problem.title.401"), 403: N_("problem.title.403"),
    404: N_("problem.title.404"), 405: N_("problem.title.405"), 406: N_("problem.title.406"),
    409: N_("problem.title.409"), 413: N_("problem.title.413"), 415: N_("problem.title.415"),
    422: N_("problem.title.422"), 429: N_("problem.title.429"), 500: N_("problem.title.500"),
    503: N_("problem.title.503"),
}
#: The ``detail`` of a status the framework answers by itself (no route, wrong method, …).
FRAMEWORK_DETAILS = {404: N_("problem.no_route"), 405: N_("problem.wrong_method")}
#: pydantic's kinds of refused parameter, said in the caller's language (others: ``problem.param.other``).
PARAMETER_ERRORS = {
    "missing": N_("problem.param.missing"), "int_parsing": N_("problem.param.int_parsing"),
    "int_from_float": N_("problem.param.int_parsing"), "float_parsing": N_("problem.param.float_parsing"),
    "bool_parsing": N_("problem.param.bool_parsing"), "date_parsing": N_("problem.param.date_parsing"),
    "date_from_datetime_parsing": N_("problem.param.date_parsing"),
    "greater_than_equal": N_("problem.param.greater_than_equal"),
    "greater_than": N_("problem.param.greater_than"), "less_than_equal": N_("problem.param.less_than_equal"),
    "less_than": N_("problem.param.less_than"), "literal_error": N_("problem.param.literal_error"),
    "enum": N_("problem.param.literal_error"), "string_pattern_mismatch": N_("problem.param.pattern"),
    "string_too_long": N_("problem.param.too_long"), "json_invalid": N_("problem.param.json_invalid"),
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM


def title(status: int, lang: str) -> str:
    """The problem's ``title`` for ``status`` in ``lang``."""
    messages = Messages(lang)
    return messages.t(TITLES[status]) if status in TITLES else messages.t("problem.title.other", status=status)


def problem(status: int, detail: str, type_: str, instance: str | None = None, headers: dict | None = None,
            lang: str = "id", **extra) -> ProblemResponse:
    """A problem+json answer; ``detail`` is already in ``lang``, the language of the ``title``."""
    body = {"type": f"https://tular.example/problems/{type_}", "title": title(status, lang),
            "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def status_of(exc: TularError) -> tuple[int, str]:
    for kind, status, name in STATUS:
        if isinstance(exc, kind):
            return status, name
    return 400, "bad-request"


def _page_for(request: Request):
    """The web pages' error page maker, when ``request`` is for a page (a person reads it)."""
    make = getattr(request.app.state, "html_errors", None)
    if make is None:
        return None
    if getattr(request.state, "visitor", None) is not None:
        return make
    wants_html = "text/html" in request.headers.get("accept", "")
    is_api = request.url.path.startswith(("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz"))
    return make if wants_html and not is_api else None


def parameter_detail(errors: list[dict], lang: str) -> str:
    """What was wrong with a request's parameters, one clause per parameter, in ``lang``."""
    messages = Messages(lang)
    said = []
    for error in errors:
        context = error.get("ctx") or {}
        values = {"where": ".".join(str(p) for p in error.get("loc", ())),
                  "limit": context.get("ge", context.get("gt", context.get("le", context.get("lt", "")))),
                  "expected": context.get("expected", context.get("pattern", "")),
                  "max_length": context.get("max_length", "")}
        other = N_("problem.param.other")
        said.append(messages.t(PARAMETER_ERRORS.get(error.get("type", ""), other), **values))
    return "; ".join(said) or messages.t("problem.param.none")


def install(app: FastAPI) -> None:
    @app.exception_handler(TularError)
    async def domain_error(request: Request, exc: TularError):
        status, name = status_of(exc)
        retry_after = getattr(exc, "retry_after", None)  # TooManyAttempts: when to try again
        if (as_page := _page_for(request)) is not None:
            page = as_page(request, status, text_of(exc, page_language(request)))
            if retry_after:
                page.headers["Retry-After"] = str(retry_after)
            return page
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
        if status == 401:
            headers = {"WWW-Authenticate": 'APIKey header="X-API-Key"'}
        if retry_after:
            headers = {"Retry-After": str(retry_after)}
        extra = getattr(exc, "problem_extra", {}) or {}
        lang = api_language(request)
        return problem(status, text_of(exc, lang), name, str(request.url.path), headers, lang=lang, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        # the ``errors`` member keeps pydantic's own words (a machine's view); the detail is the reader's
        errors = [{"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                  for e in exc.errors()]
        if (as_page := _page_for(request)) is not None:
            return as_page(request, 422, parameter_detail(list(exc.errors()), page_language(request)))
        lang = api_language(request)
        return problem(422, parameter_detail(list(exc.errors()), lang), "invalid-parameter", str(request.url.path),
                       lang=lang, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        def detail(lang: str) -> str:
            if exc.detail and exc.detail != HTTPStatus(exc.status_code).phrase:
                return str(exc.detail)  # a detail someone wrote (no route of tular raises one)
            key = FRAMEWORK_DETAILS.get(exc.status_code, N_("problem.status"))
            return Messages(lang).t(key, status=exc.status_code, method=request.method, path=request.url.path)

        if (as_page := _page_for(request)) is not None:  # the error page says the framework's words itself
            return as_page(request, exc.status_code, str(exc.detail))
        lang = api_language(request)
        return problem(exc.status_code, detail(lang), HTTPStatus(exc.status_code).name.lower().replace("_", "-"),
                       str(request.url.path), getattr(exc, "headers", None), lang=lang)


#: OpenAPI description of the error responses every route may give.
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}},
    "required": ["type", "title", "status", "detail"],
}


def responses(*codes: int) -> dict:
    return {code: {"description": HTTPStatus(code).phrase, "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}
            for code in codes}
