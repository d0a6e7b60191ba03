from __future__ import annotations

from fastapi import APIRouter, Request

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import StoreUnavailable, TularError
from tular.service.deps import APIKeyHeader
from tular.service.language import said
from tular.service.problems import responses
from tular.service.schemas import Health

router = APIRouter(tags=["health"])

#: What an anonymous caller learns when the store does not answer: up or down, nothing about where
#: the store is or what its driver said (SPEC §7).
NOT_READY = N_("problem.not_ready")


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, summary="The store answers", responses=responses(503),
            description="200 when the store answers, else 503 with Retry-After. Why not (the store's address and "
                        "its error) is told only to a caller sending a valid API key in `X-API-Key` (one checked in "
                        "the last minute, when the store is down); anyone else learns only that it is not ready.")
def readyz(request: Request, x_api_key: APIKeyHeader = None) -> Health:
    store = request.app.state.store
    try:
        store.ping()  # first: a store that is down says so at once
        request.app.state.restore_guard.check(store)  # a restore in progress: not ready either
    except StoreUnavailable:
        if _known_key(store, x_api_key):
            raise  # StoreUnavailable becomes 503 with Retry-After and the store's own message
        raise said(StoreUnavailable, NOT_READY) from None
    return Health(status="ready")


def _known_key(store, presented: str | None) -> bool:
    """Whether ``presented`` is a valid key: recently verified ones are known without the store."""
    if not presented:
        return False
    try:
        keys.verify(store, presented)
    except TularError:  # unknown, revoked, or the store cannot say
        return False
    return True
