"""Dependencies of the routes: the store made once per process, the caller's key and role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from tular.graph import keys
from tular.graph.config import Settings
from tular.graph.errors import Forbidden, Unauthorized
from tular.graph.model import ApiKey
from tular.graph.store import GraphStore

SESSION_COOKIE = "tular_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# The trivial dependencies are coroutines: a plain function would cost each request a trip
# through the thread pool for nothing.
async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
APIKeyHeader = Annotated[str | None, Header(alias="X-API-Key", description="Your tular API key.")]


def caller(request: Request, store: StoreDep, settings: SettingsDep, x_api_key: APIKeyHeader = None) -> ApiKey | None:
    """The key making this request (from the header, or a signed-in browser's session);
    ``None`` for an anonymous reader when the operator allows public reads."""
    sessions = request.app.state.sessions
    presented = x_api_key or sessions.key_for(request.cookies.get(SESSION_COOKIE))
    if presented and not x_api_key and request.method not in SAFE_METHODS:
        # a browser's cookie goes with every request to this site: a write needs the page's token too
        if not sessions.csrf_ok(request.cookies.get(SESSION_COOKIE), request.headers.get("X-CSRF-Token")):
            raise Forbidden("a write with a session cookie needs the X-CSRF-Token header of the signed-in page")
    if presented:
        return keys.verify(store, presented)
    if settings.public_read:
        return None
    raise Unauthorized("an API key is needed: send it in the X-API-Key header")


Caller = Annotated[ApiKey | None, Depends(caller)]


async def viewer(key: Caller) -> ApiKey | None:
    return key


def editor(key: Caller) -> ApiKey:
    if key is None:
        raise Unauthorized("writing needs an API key with the editor role")
    keys.require(key, "editor")
    return key


def admin(key: Caller) -> ApiKey:
    if key is None:
        raise Unauthorized("this needs an API key with the admin role")
    keys.require(key, "admin")
    return key


Viewer = Annotated[ApiKey | None, Depends(viewer)]
Editor = Annotated[ApiKey, Depends(editor)]
Admin = Annotated[ApiKey, Depends(admin)]


def can_see_phones(key: ApiKey | None) -> bool:
    """Phone numbers are personal data (UU 27/2022): editors and admins only."""
    return key is not None and key.role in ("editor", "admin")
