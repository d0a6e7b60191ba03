"""The FastAPI application: the store opened once per process, routers per resource,
errors as problem+json."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from tular import __version__
from tular.graph.model.errors import StoreUnavailable
from tular.graph.model.settings import SERVE_SETTINGS_ENV, Settings
from tular.graph.store import GraphStore, open_store
from tular.service import api_docs, limits
from tular.service import problems as errors
from tular.service import web_plumbing as web
from tular.service.cache import COMPRESS_FROM, GZIP_LEVEL
from tular.service.deps import OneVersionPerRequest, RestoreGuard
from tular.service.routers import (
    chains,
    documents,
    exports,
    health,
    ikm,
    imports,
    keys,
    outcomes,
    places,
    spread,
    teachings,
    trainings,
)
from tular.service.routers import site as web_pages
from tular.service.sessions import Sessions

DESCRIPTION = """
tular tracks how skills spread through train-the-trainer programs: who taught whom, how far
each program reached (seeds, generations, multiplier, per-kelurahan reach, cost per IKM) and
where the chain broke.

Send your key in the `X-API-Key` header. Roles: **viewer** (read; phone numbers masked),
**editor** (+ record, correct and import), **admin** (+ keys). Errors are RFC 9457
`application/problem+json` with a `detail` a person can act on.
"""

ALREADY_COMPRESSED = ("application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment). A given ``store`` is used
    as it is (tests); otherwise the app opens the store at start and closes it at the end."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store or open_store(settings=settings)
        try:
            if app.state.store.restore_mark() is None:  # marked: every request says so (RestoreGuard)
                app.state.store.init_schema()
        except StoreUnavailable:
            pass  # the API starts anyway: /readyz says 503 until the store answers
        if owned:
            # what a server process holds from its start to its end (modules, routes, schemas):
            # out of the collector's full collections, which under load walk it every few seconds
            gc.collect()  # what is garbage already is not kept for good
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(title="tular", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served from local files instead: api_docs.install
                  openapi_tags=[{"name": n} for n in
                                ("analytics", "outcomes", "ikm", "teachings", "imports", "trainings", "documents",
                                 "exports", "keys", "health")])
    app.state.settings = settings
    app.state.sessions = Sessions(settings.secret_key)  # signed cookies: valid in every worker (SPEC §7)
    app.state.restore_guard = RestoreGuard()
    if store is not None:
        app.state.store = store
    errors.install(app)
    api_docs.install(app)  # /docs with Swagger UI from this server: it works offline
    for module in (health, spread, outcomes, ikm, teachings, imports, trainings, documents, exports, keys):
        app.include_router(module.router)
    limits.install(app, settings)  # bodies capped before they are read; failed sign-ins and keys limited
    app.add_middleware(OneVersionPerRequest)  # a GET reads the store's version once
    web.install(app)  # the pages for people: sign-in, dashboard, map, IKM, import
    app.include_router(web_pages.router)
    app.include_router(places.router)  # the choropleth's numbers for the pages (SPEC §12)
    app.include_router(chains.router)  # GET /api/v1/chains and the chains page (SPEC §12)
    app.include_router(chains.pages)
    # pages, JSON, scripts, styles and the map frame (mostly JSON and JavaScript) go compressed
    # to a browser that accepts gzip; PDFs and workbooks are compressed already
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_FROM, compresslevel=GZIP_LEVEL,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *ALREADY_COMPRESSED))
    return app


def serve_app() -> FastAPI:
    """The app of one ``tular serve`` worker process (uvicorn's factory, imported by name in
    each worker): the settings the command was run with."""
    return create_app(Settings.model_validate_json(os.environ[SERVE_SETTINGS_ENV]))
