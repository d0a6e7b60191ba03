from __future__ import annotations

from fastapi import APIRouter

from tular.service.deps import StoreDep, Viewer
from tular.service.problems import responses
from tular.service.schemas import TrainingOut

router = APIRouter(prefix="/api/v1/trainings", tags=["trainings"])


@router.get("", response_model=list[TrainingOut], responses=responses(401, 403, 503), summary="Trainings")
def trainings(store: StoreDep, _: Viewer) -> list[TrainingOut]:
    return [TrainingOut(**{**t.model_dump(), "skills": list(t.skills)}) for t in store.trainings()]
