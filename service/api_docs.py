"""The API's documentation page, ``/docs`` (Swagger UI), with its script and style served by this
server from the files the ``fastapi-offline`` package ships (Swagger UI 5, which reads OpenAPI
3.1): it works on an office network without the internet (SPEC §7). FastAPI's own page loads them
from a CDN and shows nothing offline. ``/redoc`` is not offered: ReDoc loads its logo from its
maker's site."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Where the Swagger UI files are served.
ASSETS = "/docs/assets"
#: The page loads from this server only (a CDN's script would be refused, not just unused); its
#: own inline start-up script and styles run.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; form-action 'self'; "
               "base-uri 'none'; object-src 'none'")


def install(app: FastAPI) -> None:
    """Serve ``/docs`` and its files; ``app`` is made with ``docs_url=None`` and ``redoc_url=None``
    (FastAPI's pages, which load from a CDN)."""
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — API",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png", swagger_ui_parameters=app.swagger_ui_parameters)
        page.headers["Content-Security-Policy"] = DOCS_POLICY
        return page
