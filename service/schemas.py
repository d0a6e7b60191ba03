"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import IKM


class IKMOut(BaseModel):
    ikm_id: str
    name: str
    kelurahan: str
    kecamatan: str
    kelurahan_code: str
    business_name: str | None = None
    sector: str | None = None
    gender: str | None = None
    phone: str | None = Field(None, description="Masked (0812****7890) unless the key is editor or admin.")
    joined_on: date | None = None

    @classmethod
    def of(cls, ikm: IKM, gazetteer: Gazetteer, show_phone: bool) -> IKMOut:
        return cls(
            ikm_id=ikm.ikm_id, name=ikm.name, kelurahan=gazetteer.by_code(ikm.kelurahan_code).name,
            kecamatan=gazetteer.kecamatan_of(ikm.kelurahan_code).name, kelurahan_code=ikm.kelurahan_code,
            business_name=ikm.business_name, sector=ikm.sector, gender=ikm.gender,
            phone=ikm.phone if show_phone else mask_phone(ikm.phone), joined_on=ikm.joined_on,
        )


def mask_phone(phone: str | None) -> str | None:
    """Only the first four and last two digits stay: ``0812******90``."""
    if not phone:
        return phone
    keep = phone[:4]
    return keep + "*" * max(len(phone) - 6, 0) + phone[-2:] if len(phone) > 6 else "*" * len(phone)


class IKMPageOut(BaseModel):
    items: list[IKMOut]
    total: int
    page: int
    page_size: int


class TeachingIn(BaseModel):
    """One teaching event, validated exactly like a row of a teachings file."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "learner_id": "IKM-00231", "teacher_id": "IKM-00059", "skill": "batik", "date": "2021-02-14",
        "source": "laporan pendamping", "note": "pameran 2022"}]})

    learner_id: str = Field(min_length=1, max_length=200)
    teacher_id: str = Field(min_length=1, max_length=200)
    skill: str = Field(min_length=1, max_length=200, description="Skill id or alias, e.g. batik or Membatik.")
    date: str = Field(min_length=1, max_length=40, description="2021-03-05, 05/03/2021 or an Excel date.")
    source: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=2000)


class OutcomeIn(BaseModel):
    """One outcome (SPEC §10), validated exactly like a row of an outcomes file."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "ikm_id": "IKM-00231", "kind": "pameran", "date": "2022-08-17", "skill": "batik",
        "note": "Pameran batik Malang Kucecwara"}]})

    ikm_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=100, description="pameran, marketplace, first_sale, certification, "
                                                                 "employees (value = head count) or revenue_band.")
    date: str = Field(min_length=1, max_length=40, description="2022-08-17, 17/08/2022 or an Excel date.")
    skill: str | None = Field(None, max_length=200, description="Skill id or alias; blank: counts for every skill.")
    value: str | None = Field(None, max_length=200, description="Head count for employees; the band for "
                                                                 "revenue_band; e.g. PIRT for certification.")
    note: str | None = Field(None, max_length=2000)


class IKMPatch(BaseModel):
    """Fields to correct; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Sri Rahayu",
                                                                               "kelurahan": "Bunulrejo"}]})

    name: str | None = Field(None, min_length=1, max_length=500)
    kelurahan: str | None = Field(None, min_length=1, max_length=200)
    business_name: str | None = Field(None, max_length=500)
    sector: str | None = Field(None, max_length=200)
    gender: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=40)
    joined_on: str | None = Field(None, max_length=40)


class WriteOut(BaseModel):
    batch_id: str | None = Field(description="The batch in the audit log (undo with `tular import --undo`).")
    warnings: list[dict] = []


class IKMWriteOut(WriteOut):
    ikm: IKMOut


class Health(BaseModel):
    status: str


class TrainingOut(BaseModel):
    training_id: str
    title: str
    skills: list[str]
    start_date: date | None
    end_date: date
    organizer: str | None
    location: str | None
    budget_idr: int | None
    target_group: str | None
