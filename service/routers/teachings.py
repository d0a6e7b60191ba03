from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from tular.graph.admin import api_keys as keys
from tular.graph.metrics import answers as metrics
from tular.graph.model.catalogue import N_
from tular.graph.model.records import BatchMeta
from tular.service.deps import Editor, SettingsDep, StoreDep
from tular.service.language import Term, api_language
from tular.service.problems import responses
from tular.service.routers.common import record_one
from tular.service.schemas import TeachingIn, WriteOut

router = APIRouter(prefix="/api/v1/teachings", tags=["teachings"])


@router.post("", response_model=WriteOut, status_code=201, responses=responses(401, 403, 422, 503),
             summary="Record one teaching event (editor), validated like an imported row")
def record(event: TeachingIn, request: Request, store: StoreDep, settings: SettingsDep, key: Editor) -> WriteOut:
    return record_one(store, settings, key, "teachings", event.model_dump(), Term(N_("problem.what_teaching")),
                      api_language(request, settings))


Id = Annotated[str, Path(min_length=1, max_length=200)]


@router.delete("/{learner_id}/{teacher_id}/{skill}", response_model=WriteOut,
               responses=responses(401, 403, 404, 422, 503), summary="Delete one teaching edge (editor; audited)")
def delete(learner_id: Id, teacher_id: Id, skill: Id, store: StoreDep, key: Editor) -> WriteOut:
    skill_id = metrics.resolve_skill(store, skill)
    batch_id = store.delete_teaching((learner_id, teacher_id, skill_id), BatchMeta(who=keys.who(key)))
    return WriteOut(batch_id=batch_id)
