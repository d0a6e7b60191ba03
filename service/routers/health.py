from __future__ import annotations

from fastapi import APIRouter

from ..deps import StoreDep
from ..errors import responses
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, summary="The store answers", responses=responses(503))
def readyz(store: StoreDep) -> Health:
    store.ping()  # StoreUnavailable becomes 503 with Retry-After
    return Health(status="ready")
