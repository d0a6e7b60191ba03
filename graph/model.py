"""The records tular stores (SPEC §2). Plain, validated values; no store logic."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Kecamatan(Record):
    code: str
    name: str


class Kelurahan(Record):
    code: str
    name: str
    kecamatan_code: str
    aliases: tuple[str, ...] = ()


class Skill(Record):
    skill_id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name_id: str
    name_en: str
    aliases: tuple[str, ...] = ()


class IKM(Record):
    """One small-industry business and its owner."""

    ikm_id: str = Field(min_length=1)
    name: str
    kelurahan_code: str
    business_name: str | None = None
    sector: str | None = None
    gender: str | None = None
    phone: str | None = None
    joined_on: date | None = None


class Training(Record):
    training_id: str = Field(min_length=1)
    title: str
    skills: tuple[str, ...]
    end_date: date
    start_date: date | None = None
    organizer: str | None = None
    location: str | None = None
    budget_idr: int | None = Field(default=None, ge=0)
    target_group: str | None = None


class Attendance(Record):
    training_id: str
    ikm_id: str
    completed: bool = True


class Teaching(Record):
    """``learner`` was taught ``skill`` by ``teacher`` on ``date`` (a TAUGHT_BY edge)."""

    learner_id: str
    teacher_id: str
    skill: str
    date: date
    source: str | None = None
    note: str | None = None


class Records(BaseModel):
    """A set of records written together, in dependency order, in one transaction."""

    model_config = ConfigDict(extra="forbid")

    ikm: list[IKM] = []
    trainings: list[Training] = []
    attendance: list[Attendance] = []
    teachings: list[Teaching] = []

    def __len__(self) -> int:
        return len(self.ikm) + len(self.trainings) + len(self.attendance) + len(self.teachings)


class Counts(BaseModel):
    ikm: int = 0
    kelurahan: int = 0
    kecamatan: int = 0
    skills: int = 0
    trainings: int = 0
    attendance: int = 0
    teachings: int = 0
