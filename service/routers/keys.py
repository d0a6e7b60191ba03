from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from tular.graph.admin import api_keys as keys
from tular.graph.model.records import Role
from tular.service.deps import Admin, StoreDep
from tular.service.problems import responses

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])


class KeyOut(BaseModel):
    key_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class KeyIn(BaseModel):
    role: Role
    name: str = Field(min_length=1, max_length=200)


class NewKey(KeyOut):
    key: str = Field(description="The key itself: shown once, never stored.")


@router.get("", response_model=list[KeyOut], responses=responses(401, 403, 503), summary="API keys (admin)")
def list_keys(store: StoreDep, _: Admin) -> list[KeyOut]:
    return [KeyOut(**k.model_dump()) for k in store.api_keys()]


@router.post("", response_model=NewKey, status_code=201, responses=responses(401, 403, 422, 503),
             summary="Create an API key (admin)")
def create(body: KeyIn, store: StoreDep, _: Admin) -> NewKey:
    plaintext, stored = keys.create_key(store, body.role, body.name)
    return NewKey(**stored.model_dump(), key=plaintext)


@router.delete("/{key_id}", response_model=KeyOut, responses=responses(401, 403, 422, 503),
               summary="Revoke an API key (admin)")
def revoke(store: StoreDep, _: Admin, key_id: Annotated[str, Path(max_length=64)]) -> KeyOut:
    return KeyOut(**keys.revoke_key(store, key_id).model_dump())
