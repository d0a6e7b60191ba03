"""Domain errors and request errors as RFC 9457 problem+json, translated in one place."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


class ProblemResponse(JSONResponse):
    media_type = PROBLEM


def problem(status: int, detail: str, type_: str, instance: str | None = None, headers: dict | None = None,
            **extra) -> ProblemResponse:
    body = {"type": f"https://tular.example/problems/{type_}", "title": HTTPStatus(status).phrase,
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


def install(app: FastAPI) -> None:
    @app.exception_handler(TularError)
    async def domain_error(request: Request, exc: TularError):
        status, name = status_of(exc)
        retry_after = getattr(exc, "retry_after", None)  # TooManyAttempts: when to try again
        if (as_page := _page_for(request)) is not None:
            page = as_page(request, status, str(exc))
            if retry_after:
                page.headers["Retry-After"] = str(retry_after)
            return page
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
        if status == 401:
            headers = {"WWW-Authenticate": 'APIKey header="X-API-Key"'}
        if retry_after:
            headers = {"Retry-After": str(retry_after)}
        extra = getattr(exc, "problem_extra", {}) or {}
        return problem(status, str(exc), name, str(request.url.path), headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = [{"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                  for e in exc.errors()]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid request"
        if (as_page := _page_for(request)) is not None:
            return as_page(request, 422, detail)
        return problem(422, detail, "invalid-parameter", str(request.url.path), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if (as_page := _page_for(request)) is not None:
            return as_page(request, exc.status_code, str(exc.detail))
        return problem(exc.status_code, str(exc.detail), HTTPStatus(exc.status_code).name.lower().replace("_", "-"),
                       str(request.url.path), getattr(exc, "headers", None))


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
