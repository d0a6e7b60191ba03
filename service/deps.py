"""Dependencies of the routes: the store made once per process, the caller's key and role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import Forbidden, Unauthorized
from tular.graph.model.records import ApiKey
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.graph.store.base import RestoreMark
from tular.graph.store.pinning import one_version_read
from tular.graph.store.restoring import in_progress
from tular.service.language import api_language, said
from tular.service.limits import verify_key

SESSION_COOKIE = "tular_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class OneVersionPerRequest:
    """A request that writes nothing (GET, HEAD) reads the store's version once: the restore
    check, the key check and the answer share it (:func:`one_version_read`) — one round trip
    to Neo4j where there were three, and one state of the store for the whole request. A write
    (any other method) reads it afresh each time, as it must after writing."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        with one_version_read():
            await self.app(scope, receive, send)


class RestoreGuard:
    """Refuses every request while the store is marked "restore in progress" (SPEC §3), with
    ``RestoreInProgress`` (503) naming the safety backup. A request costs one version read,
    shared with the requests arriving with it (:class:`~tular.graph.store.shared_read.SharedRead`);
    the mark itself is read only when the version has moved — writing the mark moves it, and so
    does the restore's last transaction, which removes it."""

    def __init__(self) -> None:
        self._seen: tuple[str, RestoreMark | None] | None = None  # (version, its mark)

    def check(self, store: GraphStore) -> None:
        version = store.version()
        seen = self._seen
        if seen is None or seen[0] != version:
            seen = self._seen = (version, store.restore_mark())
        if seen[1] is not None:
            raise in_progress(store, seen[1])


# A plain function (run in the thread pool): it reads the store's version. The trivial
# dependencies are coroutines: a plain function would cost each request a trip through the
# thread pool for nothing.
def get_store(request: Request) -> GraphStore:
    store = request.app.state.store
    request.app.state.restore_guard.check(store)
    return store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def answer_language(request: Request) -> str:
    """The language of an API answer's words (SPEC §11): ``?lang=`` > ``Accept-Language`` >
    ``TULAR_LANG`` > ``id``."""
    return api_language(request)


StoreDep = Annotated[GraphStore, Depends(get_store)]
AnswerLanguage = Annotated[str, Depends(answer_language)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
APIKeyHeader = Annotated[str | None, Header(alias="X-API-Key", description="Your tular API key.")]


def caller(request: Request, store: StoreDep, settings: SettingsDep, x_api_key: APIKeyHeader = None) -> ApiKey | None:
    """The key making this request (from the header, or a signed-in browser's session);
    ``None`` for an anonymous reader when the operator allows public reads."""
    if x_api_key:
        return verify_key(request, store, x_api_key)  # failed keys are limited per client
    sessions = request.app.state.sessions
    session = sessions.read(store, request.cookies.get(SESSION_COOKIE))
    key = sessions.key(store, session)  # the store's word, in every worker: signed out or revoked is None
    if key is not None:
        # a browser's cookie goes with every request to this site: a write needs the page's token too
        if request.method not in SAFE_METHODS and \
                not sessions.csrf_ok(store, session, request.headers.get("X-CSRF-Token")):
            raise said(Forbidden, N_("problem.csrf_needed"))
        return key
    if settings.public_read:
        return None
    raise said(Unauthorized, N_("problem.key_needed"))


Caller = Annotated[ApiKey | None, Depends(caller)]


async def viewer(key: Caller) -> ApiKey | None:
    return key


def editor(key: Caller) -> ApiKey:
    if key is None:
        raise said(Unauthorized, N_("problem.editor_needed"))
    keys.require(key, "editor")
    return key


def admin(key: Caller) -> ApiKey:
    if key is None:
        raise said(Unauthorized, N_("problem.admin_needed"))
    keys.require(key, "admin")
    return key


def named(key: Caller) -> ApiKey:
    """For a route that exists to return persons (an ``ikm_id`` is personal data like a name):
    a key is needed even where the operator allows public reads, which are aggregates only
    (SPEC §7; what anonymous callers see instead is :mod:`tular.graph.metrics.public`)."""
    if key is None:
        raise said(Unauthorized, N_("problem.names_need_key"))
    return key


Viewer = Annotated[ApiKey | None, Depends(viewer)]
Named = Annotated[ApiKey, Depends(named)]
Editor = Annotated[ApiKey, Depends(editor)]
Admin = Annotated[ApiKey, Depends(admin)]


def can_see_phones(key: ApiKey | None) -> bool:
    """Phone numbers are personal data (UU 27/2022): editors and admins only."""
    return key is not None and key.role in ("editor", "admin")
