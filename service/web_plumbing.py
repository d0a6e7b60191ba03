"""The web pages' plumbing: who is visiting (session cookie, role, language), the CSRF
check of every form, the security headers, and errors shown as pages instead of JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from tular.graph.model.errors import TularError
from tular.graph.model.records import ROLES, ApiKey
from tular.service.deps import SESSION_COOKIE
from tular.service.sessions import Session, Sessions
from tular.visualizations import web_pages as pages
from tular.visualizations.i18n import Locale

LANG_COOKIE = "tular_lang"
CSRF_FIELD = "csrf_token"
LOGIN_PATH = "/masuk"
#: The pages: their own scripts, styles and images only; forms post back here; framed only by
#: this site. The map frame (``/peta/bingkai``) brings its own, looser policy.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; "
               "base-uri 'none'; object-src 'none'")
#: The map is one self-contained document with inline scripts and styles (vis-network): it may run
#: them, but fetch nothing, post nothing, and be framed by this site only.
MAP_FRAME_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "img-src data: blob:; font-src data:; frame-ancestors 'self'; form-action 'none'; "
                    "base-uri 'none'; sandbox allow-scripts allow-forms")  # opened on its own too
#: The web page's map frame: the same, and its scripts (vis-network, the map's own) from this site.
MAP_FRAME_POLICY_WITH_ASSETS = MAP_FRAME_POLICY.replace("script-src 'unsafe-inline'", "script-src 'unsafe-inline' 'self'")
COMMON_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"SAMEORIGIN",
}
#: Paths that are not web pages: the API, its documentation (which loads Swagger UI) and probes.
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz")


class LoginNeeded(Exception):
    """The page needs a signed-in visitor."""


class RoleNeeded(Exception):
    def __init__(self, role: str):
        self.role = role


class CsrfFailed(Exception):
    """A form came without this session's token."""


@dataclass
class Visitor:
    key: ApiKey | None
    session: Session
    csrf: str
    lang: str
    public_read: bool
    #: cookies to send with the page: a new session's cookie, a chosen language
    new_cookie: str | None = None
    set_lang: bool = False

    @property
    def role(self) -> str | None:
        return self.key.role if self.key else None

    def has(self, role: str) -> bool:
        return self.key is not None and ROLES.index(self.key.role) >= ROLES.index(role)

    @property
    def can_read(self) -> bool:
        return self.key is not None or self.public_read


def _language(request: Request) -> tuple[str, bool]:
    """The page's language, and whether the visitor chose it just now (``?lang=``)."""
    chosen = pages.language(request.query_params.get("lang"))
    return chosen or pages.language(request.cookies.get(LANG_COOKIE)) or "id", chosen is not None


def visitor(request: Request) -> Visitor:
    """Who is asking for a page: the key of the session cookie, as the store has it now
    (:mod:`.sessions`). A browser without a valid session cookie gets a new one without a key
    — signed, kept nowhere — so that every form, the sign-in form too, carries a CSRF token."""
    sessions: Sessions = request.app.state.sessions
    store = request.app.state.store
    lang, chosen = _language(request)
    session = sessions.read(store, request.cookies.get(SESSION_COOKIE))
    key = sessions.key(store, session)
    cookie = None
    if session is None or (session.key_id is not None and key is None):  # none; signed out or revoked since
        session, cookie = sessions.open(store, None)
    found = Visitor(key=key, session=session, csrf=sessions.csrf(store, session), lang=lang,
                    public_read=request.app.state.settings.public_read, new_cookie=cookie, set_lang=chosen)
    request.state.visitor = found
    return found


VisitorDep = Annotated[Visitor, Depends(visitor)]


def reader(found: VisitorDep) -> Visitor:
    if not found.can_read:
        raise LoginNeeded()
    return found


def editor(found: VisitorDep) -> Visitor:
    if found.key is None:
        raise LoginNeeded()
    if not found.has("editor"):
        raise RoleNeeded("editor")
    return found


def signed_in(found: VisitorDep) -> Visitor:
    """Pages that exist to show persons (IKM search and pages): a key, whatever public read
    allows (SPEC §7: anonymous readers see aggregates only)."""
    if found.key is None:
        raise LoginNeeded()
    return found


Reader = Annotated[Visitor, Depends(reader)]
SignedIn = Annotated[Visitor, Depends(signed_in)]
Editor = Annotated[Visitor, Depends(editor)]


def check_csrf(request: Request, found: Visitor, token: str | None) -> None:
    if not request.app.state.sessions.csrf_ok(request.app.state.store, found.session, token):
        raise CsrfFailed()


def secure_cookies(request: Request) -> bool:
    """Cookies go with ``Secure`` when the page came over HTTPS (behind a TLS proxy: with
    ``serve --proxy-headers``) or the operator says so (``TULAR_SECURE_COOKIES=1``)."""
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


def set_session_cookie(response: Response, request: Request, cookie: str) -> None:
    # HttpOnly: no script reads it; SameSite=Lax: other sites' forms do not carry it.
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", path="/",
                        secure=secure_cookies(request))


def delete_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", path="/", secure=secure_cookies(request))


def page(request: Request, found: Visitor, template: str, status: int = 200, **context) -> HTMLResponse:
    """The page ``template`` for this visitor, with the cookies the visit calls for."""
    html = pages.render(template, found.lang, visitor=found, csrf_field=CSRF_FIELD, path=request.url.path,
                        switch_url=switch_url(request, "en" if found.lang == "id" else "id"), **context)
    response = HTMLResponse(html, status_code=status)
    if found.new_cookie:
        set_session_cookie(response, request, found.new_cookie)
    if found.set_lang:
        response.set_cookie(LANG_COOKIE, found.lang, max_age=365 * 24 * 3600, samesite="lax", path="/",
                            secure=secure_cookies(request))
    return response


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language (its other parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    found = getattr(request.state, "visitor", None)
    if found is None:
        try:
            found = visitor(request)
        except TularError:  # the store does not answer (perhaps the error shown): a page without a session
            found = Visitor(key=None, session=Session("", None, 0), csrf="", lang=_language(request)[0],
                            public_read=request.app.state.settings.public_read)
    loc = Locale(found.lang)
    if status == 404 and detail == "Not Found":  # no such route: say it in the page's language
        detail = loc.t("web.not_found")
    title = loc.t("web.not_found_title") if status == 404 else loc.t("web.error_title")
    return page(request, found, "error.html", status=status, detail=detail, title=title, missing=status == 404)


class SecurityHeaders:
    """Headers for every response; the Content-Security-Policy for the pages. A pure ASGI
    middleware, so that the API pays next to nothing for it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        is_page = not scope["path"].startswith(NOT_PAGES)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in COMMON_HEADERS.items() if n not in present]
                if is_page and b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


#: A static file asked for by its versioned address (``?v=`` its content's hash): kept a year,
#: never asked again — a changed file has another address. Without the version (or an old
#: one): kept, but checked each time (ETag / If-None-Match answers 304 when unchanged).
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class StaticPages(StaticFiles):
    """The pages' scripts, styles and images with cache headers (see :data:`IMMUTABLE`)."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [None])[0]
            current = pages.static_version(path)
            response.headers["Cache-Control"] = IMMUTABLE if asked and asked == current else REVALIDATE
        return response


def install(app: FastAPI) -> None:
    """Mount the pages' static files and translate the pages' own exceptions."""
    app.mount("/static", StaticPages(directory=pages.STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    app.state.html_errors = error_page

    @app.exception_handler(LoginNeeded)
    async def login_needed(request: Request, exc: LoginNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RoleNeeded)
    async def role_needed(request: Request, exc: RoleNeeded) -> Response:
        found: Visitor = request.state.visitor
        loc = Locale(found.lang)
        detail = loc.t("web.forbidden_role", role=loc.t(pages.ROLE_LABELS[exc.role]),
                       current=loc.t(pages.ROLE_LABELS[found.role]) if found.role else loc.t("web.guest"))
        return page(request, found, "error.html", status=403, detail=detail, title=loc.t("web.forbidden_title"))

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        found: Visitor = request.state.visitor
        loc = Locale(found.lang)
        return page(request, found, "error.html", status=403, detail=loc.t("web.csrf_failed"),
                    title=loc.t("web.forbidden_title"))
