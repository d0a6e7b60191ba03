"""The records tular stores (SPEC §2). Plain, validated values; no store logic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The dormant window W of broken chains (SPEC §5), in days, where none is given.
DEFAULT_DORMANT_DAYS = 180


class Model(BaseModel):
    """The base of tular's models (records and answers): pydantic builds a model's validator
    and serializer at its first use rather than at import, so that a command builds only the
    models it uses (SPEC §9: ``tular reach`` starts in the time of a plain script)."""

    model_config = ConfigDict(defer_build=True)


class Record(Model):
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

    @field_validator("skills")
    @classmethod
    def _sorted_unique(cls, skills: tuple[str, ...]) -> tuple[str, ...]:
        if not skills:
            raise ValueError("a training teaches at least one skill")
        return tuple(sorted(set(skills)))


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
    #: The phone submission it came from (SPEC §13): ODK's instance id, ``uuid:…`` (a repeat's
    #: row adds its path, ``uuid:…/group[2]``); None for a teaching typed into a spreadsheet.
    submission_id: str | None = None


#: SPEC §10: what an IKM achieved. ``employees`` carries a head count in ``value``;
#: ``revenue_band`` a band as written (``< 300 juta``); the others need no value.
OUTCOME_KINDS = ("pameran", "marketplace", "first_sale", "certification", "employees", "revenue_band")


class Outcome(Record):
    """``ikm_id`` achieved an outcome of ``kind`` on ``date`` (an ACHIEVED edge, SPEC §10).

    Keyed by (ikm_id, kind, skill, date): an IKM may exhibit many times, and importing the
    same row twice changes nothing. ``skill`` None: the outcome counts for every skill.
    """

    ikm_id: str = Field(min_length=1)
    kind: Literal["pameran", "marketplace", "first_sale", "certification", "employees", "revenue_band"]
    date: date
    skill: str | None = None
    value: str | None = None
    note: str | None = None

    @property
    def skill_key(self) -> str:
        return self.skill or ""

    @property
    def date_key(self) -> str:
        return self.date.isoformat()


class Population(Record):
    """The number of IKM in a kelurahan, for coverage (SPEC §5)."""

    kelurahan_code: str
    population: int = Field(ge=0)


class RecordColumns(Sequence):
    """Records of one kind (``ikm`` or ``teachings``) held as columns — each field's values
    in a list, dates as ISO text — as a big import hands them to the store (no object per
    record). Indexing or iterating makes the records, for a reader that wants them."""

    FIELDS = {"ikm": ("ikm_id", "name", "kelurahan_code", "business_name", "sector", "gender", "phone", "joined_on"),
              "teachings": ("learner_id", "teacher_id", "skill", "date", "source", "note", "submission_id")}
    DATES = {"ikm": "joined_on", "teachings": "date"}

    def __init__(self, kind: str, columns: dict[str, list]):
        self.kind = kind
        self.columns = {name: columns[name] for name in self.FIELDS[kind]}
        self._length = len(columns[self.FIELDS[kind][0]])

    def __len__(self) -> int:
        return self._length

    def _record(self, values: tuple) -> BaseModel:
        data = dict(zip(self.FIELDS[self.kind], values))
        day = self.DATES[self.kind]
        data[day] = date.fromisoformat(data[day]) if data[day] is not None else None
        return (IKM if self.kind == "ikm" else Teaching)(**data)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._record(tuple(column[index] for column in self.columns.values()))

    def __iter__(self):
        return map(self._record, zip(*self.columns.values()))


class Records(Model):
    """A set of records written together, in dependency order, in one transaction."""

    model_config = ConfigDict(extra="forbid")

    ikm: list[IKM] = []
    trainings: list[Training] = []
    attendance: list[Attendance] = []
    teachings: list[Teaching] = []
    outcomes: list[Outcome] = []
    populations: list[Population] = []

    def __len__(self) -> int:
        return sum(len(getattr(self, kind)) for kind in KINDS)


#: The kinds of record, in the order a batch writes them (references before referrers).
KINDS = ("ikm", "trainings", "attendance", "teachings", "outcomes", "populations")


class Counts(Model):
    ikm: int = 0
    kelurahan: int = 0
    kecamatan: int = 0
    skills: int = 0
    trainings: int = 0
    attendance: int = 0
    teachings: int = 0
    outcomes: int = 0


class SourceInfo(Model):
    """One file of an import batch, or one pull from ODK Central (``name``: the form's URL)."""

    name: str
    checksum: str
    kinds: list[str] = []
    rows: int = 0
    #: A pull from ODK Central: the newest submission or edit it brought (the server's time,
    #: ISO); the next pull of the form asks only for later ones (SPEC §13).
    newest_submission: str | None = None


class KindCounts(Model):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


class Change(Model):
    """What one write did to one record: created it (``before`` is None) or updated it.

    ``extra_copy``: it removed ``before``, a second copy of a record stored beside the one
    kept (``tular check --repair`` of a store that broke an invariant, SPEC §3): undo puts
    the copy back beside it rather than over it."""

    kind: str
    key: tuple[str, ...]
    before: dict | None = None
    extra_copy: bool = False


class Repair(Model):
    """What ``tular check --repair`` did: the copies of teachings stored more than once that
    it removed, as one batch (``batch_id``; None when there was nothing to remove), and the
    copy kept of each such teaching (its earliest)."""

    batch_id: str | None = None
    removed: list[Teaching] = []
    kept: list[Teaching] = []


class BatchMeta(Model):
    who: str
    files: list[SourceInfo] = []


class WriteResult(Model):
    batch_id: str | None = None
    counts: dict[str, KindCounts] = {}

    @property
    def written(self) -> int:
        return sum(c.written for c in self.counts.values())


class ForgetResult(Model):
    ikm_id: str
    batch_id: str
    teachings: int  # teaching edges whose free text was erased
    outcomes: int = 0  # outcomes whose note was erased
    logged_changes: int  # earlier versions erased in the batch log


#: The fields of an IKM that identify a person (``name`` is replaced, the others cleared).
PERSONAL_IKM_FIELDS = ("name", "business_name", "phone")
#: Free text on a teaching edge, which may describe either person.
PERSONAL_TEACHING_FIELDS = ("note",)


def placeholder(ikm_id: str) -> str:
    """The name an erased IKM carries.

    >>> placeholder("IKM-0042")
    'Dihapus (IKM-0042)'
    """
    return f"Dihapus ({ikm_id})"


class Batch(Model):
    """A recorded import batch: who, when, which files, what it changed."""

    batch_id: str
    seq: int
    created_at: datetime
    who: str
    files: list[SourceInfo] = []
    counts: dict[str, KindCounts] = {}
    changes: list[Change] = []


Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[str, ...] = ("viewer", "editor", "admin")


class ApiKey(Model):
    """An API key as stored: never the key itself, only a slow salted hash of its secret."""

    key_id: str
    name: str
    role: Role
    salt: str
    hash: str
    created_at: datetime
    revoked_at: datetime | None = None
