"""The one interface every caller uses to reach a store (SPEC §3)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from tular.graph.metrics.results import Person
from tular.graph.model.gazetteer import Gazetteer
if TYPE_CHECKING:  # numpy and scipy: imported by the commands that compute
    from tular.graph.metrics.engine import SkillArrays
from tular.graph.model.records import (
    IKM,
    ApiKey,
    Attendance,
    Batch,
    BatchMeta,
    Counts,
    ForgetResult,
    Model,
    Outcome,
    Records,
    Repair,
    Skill,
    Teaching,
    Training,
    WriteResult,
)

#: Rows per UNWIND / executemany chunk: large enough to amortise round trips, small
#: enough to keep each statement's parameter map modest.
WRITE_CHUNK = 5_000
#: Seconds a writer waits for the store-wide write lock before ``StoreBusy`` (``TULAR_LOCK_WAIT``).
LOCK_WAIT = 8.0


class IKMPage(Model):
    items: list[IKM]
    total: int
    limit: int
    offset: int


class RestoreMark(Model):
    """A store marked "restore in progress" (SPEC §3): written and committed before a restore
    too large for one transaction (Neo4j) wipes the store, removed by its last transaction."""

    #: The backup of what the store held before, written before the wipe (absolute path).
    safety_file: str
    #: The backup being restored.
    backup: str
    who: str
    since: datetime


@runtime_checkable
class GraphStore(Protocol):
    """A tular store. Every method either completes or raises a ``TularError``;
    a store that cannot be reached raises :class:`~tular.graph.model.errors.StoreUnavailable`."""

    #: The store's URL with any password removed, for messages.
    display_url: str

    def init_schema(self) -> None:
        """Create schema, constraints and indexes, the gazetteer and the built-in skills.
        Idempotent: running it again changes nothing."""

    def ping(self) -> None:
        """Return when the store answers; raise ``StoreUnavailable`` otherwise."""

    def close(self) -> None: ...

    def version(self) -> str:
        """Changes whenever anything is written to the store (by any process): a key for
        caching answers."""

    def pinned(self) -> AbstractContextManager[str]:
        """Around one answer, giving the store's version read on entry: the store-wide reads
        inside (gazetteer, skills, trainings, populations, the metrics' graph) may come from
        memory kept for that version — never an older state than the one at entry. Nested,
        the outer one holds."""

    # ------------------------------------------------------------------ writes
    def writing(self) -> AbstractContextManager[None]:
        """The store-wide write lock (SPEC §3 "Many writers, one truth"), for a whole
        read-validate-write: taken on entry (by one writer of every process and thread at a
        time), and every write inside — this thread's ``write``, ``undo``, ``forget``, … —
        joins one transaction that commits when the block ends (rolls back on an error; moves
        the version on only when something was written). Reads inside see every write
        committed before the lock was taken. Nested, the outer one holds. A writer that
        waits longer than ``lock_wait`` seconds gets ``StoreBusy``."""

    def write(self, records: Records, meta: BatchMeta | None = None, dry_run: bool = False) -> WriteResult:
        """Upsert IKM, trainings, attendance, teachings, outcomes and populations, in that order, in
        one transaction: all of it is stored or none of it. A (learner, teacher, skill)
        that already exists keeps the earlier date. A reference to an unknown IKM,
        training, skill or kelurahan raises ``InvalidData`` and writes nothing.

        With ``meta`` the write is logged as an import batch (its id is in the result),
        with the previous version of every record it changed, so that it can be undone.
        With ``dry_run`` it only counts what it would create, update or leave unchanged."""

    def delete_teaching(self, key: tuple[str, str, str], meta: BatchMeta) -> str:
        """Delete the (learner, teacher, skill) edge, logged as a batch (its id is returned) that
        undo can reverse; ``NotFound`` when there is no such edge."""

    def batches(self, with_changes: bool = False) -> list[Batch]:
        """Recorded import batches, oldest first."""

    def erasures(self) -> dict[str, str]:
        """The erasure register (UU 27/2022): every IKM id erased by :meth:`forget`, with the
        day (ISO) of its erasure. Ids only; kept through ``wipe`` and ``restore``."""

    def register_erasures(self, erased: dict[str, str]) -> None:
        """Add ids to the erasure register (a restore brings the backup's)."""

    def forget(self, ikm_id: str, meta: BatchMeta) -> ForgetResult:
        """Erase the IKM's personal data (see :mod:`tular.graph.admin.erasure`) in the records and in
        every earlier version the batch log keeps, in one transaction, logged as a batch
        described by ``meta``; ``UnknownIKM`` when there is no such IKM."""

    def save_api_key(self, key: ApiKey) -> None:
        """Add or replace a key (hashed; see :mod:`tular.graph.admin.api_keys`)."""

    def api_keys(self, key_id: str | None = None) -> list[ApiKey]:
        """Stored keys (one, when ``key_id`` is given), oldest first."""

    def load_batches(self, logged: list[Batch]) -> None:
        """Put batch log entries (with their changes) taken from another store (restore)."""

    def undo(self, batch_id: str) -> Batch:
        """Remove what the batch created and put back what it changed, in one transaction.
        ``InvalidData`` naming the later batches that depend on it, if any do."""

    def remove_duplicate_teachings(self, meta: BatchMeta) -> Repair:
        """Remove every extra copy of a (learner, teacher, skill) stored more than once — a
        broken invariant (SPEC §3) that only a store unable to make a relationship unique can
        hold (Neo4j Community: a hand edit, an older version) — keeping the earliest copy of
        each (ties: by source, then note, then any one, the same each time), in one
        transaction logged as a batch described by ``meta`` whose undo puts the copies back.
        Nothing to remove: nothing is written and no batch logged (``batch_id`` None)."""

    def add_skill(self, skill: Skill) -> None: ...

    def load_gazetteer(self, gazetteer: Gazetteer) -> None:
        """Add (or rename) the kecamatan and kelurahan of ``gazetteer``."""

    def wipe(self, keep_keys: bool = False) -> None:
        """Delete everything, schema objects excepted (and API keys, with ``keep_keys``:
        ``restore`` keeps the target's keys, so that its users can still sign in)."""

    def restore_mark(self) -> RestoreMark | None:
        """The mark of a restore that began and has not completed (see
        :mod:`tular.graph.io.backup`); always None on the embedded store, whose restore is one
        transaction."""

    # ------------------------------------------------------------------- reads
    def gazetteer(self) -> Gazetteer: ...

    def skills(self) -> list[Skill]: ...

    def populations(self) -> dict[str, int]:
        """IKM population per kelurahan code, where a ``populations`` import gave one."""

    def counts(self) -> Counts: ...

    def get_ikm(self, ikm_id: str) -> IKM:
        """The IKM with this id; ``UnknownIKM`` if there is none."""

    def search_ikm(
        self,
        q: str | None = None,
        kelurahan_code: str | None = None,
        skill: str | None = None,
        limit: int = 50,
        offset: int = 0,
        kelurahan_codes: Collection[str] | None = None,
        ikm_ids: Collection[str] | None = None,
    ) -> IKMPage:
        """IKM whose id, name or business name contains ``q`` (case-insensitive), located
        in ``kelurahan_code`` (and in one of ``kelurahan_codes``: a kecamatan's), with any
        record of ``skill`` (attended a training of it or on either end of a teaching of it),
        among ``ikm_ids`` when given (a generation's, computed by the metrics), ordered by
        ``ikm_id``; ``total`` counts every match, ``items`` are the page asked for."""

    def trainings(self) -> list[Training]: ...

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        """Name and kelurahan code of each of ``ids`` that exists."""

    def ikm_per_kelurahan(self) -> dict[str, int]:
        """Number of IKM on record per kelurahan code."""

    def skill_arrays(self, skills: Sequence[str], as_of: date,
                     seeds: Callable[[SkillArrays], Iterable[int]] | None = None) -> dict[str, SkillArrays]:
        """The ``TAUGHT_BY`` edges of each of ``skills`` dated on or before ``as_of``, with the
        completed attendances at its trainings ended by then, as integer arrays (what the
        metrics work on; ``keys`` are comparable across the skills of one call). With
        ``seeds``, which picks each skill's seed nodes, also its cascade in ``level``:
        walked in Cypher by Neo4j, in memory by the embedded store."""

    def all_ikm(self) -> list[IKM]:
        """Every IKM, ordered by ``ikm_id``."""

    def all_attendance(self) -> list[Attendance]: ...

    def all_teachings(self) -> list[Teaching]:
        """Every TAUGHT_BY edge of every skill, ordered by (learner, teacher, skill)."""

    def all_outcomes(self) -> list[Outcome]:
        """Every ACHIEVED record, ordered by (ikm_id, kind, skill, date)."""

    def skill_outcomes(self, skill: str, as_of: date, kind: str | None = None) -> list[tuple[str, str, date]]:
        """(ikm_id, kind, date) of every outcome that counts for ``skill`` (its skill is
        ``skill`` or blank) dated on or before ``as_of``, of ``kind`` only when given;
        ordered by (ikm_id, date, kind)."""

    # ------------------------------------------------------------------ browser sessions
    # SPEC §3 and §7: sessions take no data lock and move no version — these methods never
    # enter ``writing()``, and a sign-in or sign-out during a long import neither waits for it
    # nor makes every cached answer stale.
    def session_secret(self) -> bytes:
        """The secret that signs the browsers' session cookies: made on the first call
        (``tular init`` makes it), then the same for every process that opens this store.
        Kept apart from the data (a restore or a wipe leaves it)."""

    def end_session(self, session_id: str, until: datetime) -> None:
        """Record that the browser session ``session_id`` was signed out; its cookie would
        have stopped working at ``until`` anyway, after which the record may be dropped. In a
        short transaction of its own."""

    def session_key(self, session_id: str, key_id: str) -> ApiKey | None:
        """The key a browser session signed in with, read afresh in one look-up: None when
        the key was revoked or is gone, or the session was signed out (``end_session``)."""
