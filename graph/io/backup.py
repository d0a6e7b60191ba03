"""A whole database in one file, and back (SPEC §4 ``backup`` / ``restore``).

The file is JSON (gzip-compressed when its name ends in ``.gz``) holding a format marker
and version, the gazetteer (kecamatan, kelurahan with aliases), the skills (with aliases),
every record, the populations and the import-batch log with its changes — enough to move
a database between stores (embedded ⇄ Neo4j) exactly, and to undo its batches there.

A file is checked completely — shape, values, references — before anything in the store
is touched; and ``backup`` runs the same checks, and looks for cycles, before it writes one:
a backup that restore would refuse is never written (SPEC §3).

A restore runs under the store-wide write lock and never leaves a half-restored store in
silent use (SPEC §3 "Many writers, one truth"):

- embedded: the backup is restored into a new SQLite file beside the store, checked, then
  copied into the store in one write transaction (:meth:`EmbeddedStore.replace_content`);
- Neo4j, up to ``restore_one_transaction_max`` records (the backup's and the store's): the
  old content is deleted and the new one written in one transaction;
- Neo4j, larger: a safety backup of the store is written first (``tular-safety-….json.gz``,
  mode 0600), the store is marked "restore in progress" (committed before the wipe), wiped
  in batches and filled; the last transaction removes the mark. While the mark exists every
  command refuses (:func:`refuse_while_restoring`), naming the safety file and the command
  that puts it back, ``tular restore --force`` excepted.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from tular import __version__
from tular.graph.admin.erasure import audit_meta
from tular.graph.io.export import read_records, record_counts
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import InvalidData, Phrase, Phrases, Term, UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Batch, Kecamatan, Kelurahan, Records, Skill, Teaching, placeholder
from tular.graph.model.settings import this_process
from tular.graph.model.skills import BUILTIN_SKILLS
from tular.graph.store.base import GraphStore, RestoreMark
from tular.graph.store.embedded import EmbeddedStore
from tular.graph.store.neo4j import Neo4jStore
from tular.graph.store.restoring import in_progress, refuse_while_restoring  # noqa: F401 (named here too)

FORMAT = "tular-backup"
#: Version of the file layout; a reader refuses newer versions than it knows.
VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"
#: Problems named in an error message at most.
_LISTED = 5
#: Records (the backup's and the store's together) up to which a Neo4j restore is one
#: transaction (``TULAR_RESTORE_ONE_TRANSACTION_MAX``).
ONE_TRANSACTION_MAX = 250_000


class Erasure(BaseModel):
    """An entry of the erasure register: an IKM id and the day (ISO) its personal data was erased."""

    model_config = ConfigDict(extra="forbid")

    ikm_id: str
    erased_at: str


class Backup(BaseModel):
    """The content of a backup file."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["tular-backup"] = FORMAT
    version: int = VERSION
    created_at: datetime
    tular_version: str
    source: str
    kecamatan: list[Kecamatan]
    kelurahan: list[Kelurahan]
    skills: list[Skill]
    records: Records
    batches: list[Batch]
    #: The erasure register (UU 27/2022): applied again wherever the backup is restored.
    erasures: list[Erasure] = []

    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.kecamatan, self.kelurahan)

    def counts(self) -> dict[str, int]:
        return {**record_counts(self.records), "batches": len(self.batches)}


class RestoreResult(BaseModel):
    source: str
    created_at: datetime
    counts: dict[str, int]
    replaced: bool
    #: How the store was replaced: ``new-file`` (embedded: built beside it, then copied in one
    #: transaction), ``one-transaction`` (Neo4j) or ``safety-backup`` (Neo4j, too large for one
    #: transaction: safety backup, mark, wipe in batches, the rest in one transaction).
    method: Literal["new-file", "one-transaction", "safety-backup"]
    #: The safety backup of what the store held before (``safety-backup`` only).
    safety_file: str | None = None
    #: IKM of the erasure register (the backup's and the store's) whose personal data the backup
    #: still held, erased again (UU 27/2022).
    erasures_applied: list[str] = []


# --------------------------------------------------------------------------- backup
def take_backup(store: GraphStore) -> Backup:
    """Everything the store holds, each list in a fixed order (the same on every store)."""
    gazetteer = store.gazetteer()
    return Backup(
        created_at=datetime.now(timezone.utc).replace(microsecond=0),
        tular_version=__version__,
        source=store.display_url,
        kecamatan=sorted(gazetteer.kecamatan_list, key=lambda k: k.code),
        kelurahan=sorted(gazetteer.kelurahan_list, key=lambda k: k.code),
        skills=sorted(store.skills(), key=lambda s: s.skill_id),
        records=read_records(store),
        batches=sorted(store.batches(with_changes=True), key=lambda b: b.seq),
        erasures=[Erasure(ikm_id=ikm_id, erased_at=day) for ikm_id, day in sorted(store.erasures().items())],
    )


def write_backup(store: GraphStore, path: str | os.PathLike[str]) -> Backup:
    """Write the store's backup to ``path`` (gzip when it ends in ``.gz``); returns what was written.

    A store that breaks an invariant (SPEC §3) — what ``restore`` would refuse, or a cycle —
    is refused with ``InvalidData`` naming the records, and no file is written."""
    path = Path(path)
    if path.is_dir():
        raise said(UsageError, N_("backup.is_folder"), {"path": str(path)})
    if not path.parent.exists():
        raise said(UsageError, N_("backup.no_folder"), {"folder": str(path.parent)})
    refuse_while_restoring(store)
    backup = take_backup(store)
    if problems := invariant_problems(backup):
        raise said(InvalidData, N_("backup.breaks_rules"), {"store": store.display_url, "problems": _listed(problems)})
    _write_file(path, backup)
    return backup


def _write_file(path: Path, backup: Backup) -> None:
    """``backup`` to ``path``, whole or not at all (a partial file renamed into place),
    readable by its owner only (0600: it holds every phone number) and on disk before this
    returns."""
    data = backup.model_dump_json(indent=None).encode("utf-8")
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        with handle:
            if path.name.lower().endswith(".gz"):
                with gzip.GzipFile(filename=path.name.removesuffix(".gz"), mode="wb", fileobj=handle) as packed:
                    packed.write(data)
            else:
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    finally:
        partial.unlink(missing_ok=True)


def invariant_problems(backup: Backup) -> list[Phrase]:
    """What in ``backup`` breaks tular's invariants (SPEC §3): what restore refuses
    (:func:`reference_problems`: records twice, missing references) and cycles within a skill."""
    return [*reference_problems(backup), *cycle_problems(backup.records.teachings)]


def cycle_problems(teachings: list[Teaching]) -> list[Phrase]:
    """Each cycle of teachings within a skill, naming the skill and the IKM round it in teaching
    order (one per knot of IKM that teach one another round in circles, as ``tular check``).
    A sparse-matrix check over every skill at once first: the cycles are named only when
    there are some.

    >>> from datetime import date
    >>> from tular.graph.model.catalogue import Messages
    >>> from tular.graph.model.errors import filled
    >>> t = [Teaching(learner_id=l, teacher_id=u, skill="kemasan", date=date(2021, 3, 1))
    ...      for l, u in (("B", "A"), ("C", "B"), ("A", "C"), ("D", "A"))]
    >>> [filled(Messages("en"), *problem) for problem in cycle_problems(t)]
    ['a cycle of kemasan teachings: A taught B, B taught C, C taught A']
    >>> cycle_problems(t[:2] + t[3:])
    []
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    numbers: dict[tuple[str, str], int] = {}  # (skill, IKM): a node of its own per skill
    number = numbers.setdefault
    teachers = np.fromiter((number((t.skill, t.teacher_id), len(numbers)) for t in teachings), np.int64, len(teachings))
    learners = np.fromiter((number((t.skill, t.learner_id), len(numbers)) for t in teachings), np.int64, len(teachings))
    looped = {t.skill for t in teachings if t.teacher_id == t.learner_id}
    knotted: set[str] = set()
    if len(teachings):
        matrix = csr_matrix((np.ones(len(teachings), dtype=np.int32), (teachers, learners)),
                            shape=(len(numbers), len(numbers)))
        count, labels = connected_components(matrix, directed=True, connection="strong")
        if count < len(numbers):
            sizes = np.bincount(labels)
            knotted = {skill for (skill, _), label in zip(numbers, labels.tolist()) if sizes[label] > 1}
    if not knotted | looped:
        return []
    from tular.graph.metrics.quality import (
        cycles,  # names each cycle as `tular check` does
    )

    return [Phrase(N_("backup.problem.cycle"),
                   {"skill": f.skill,
                    "steps": Phrases([Phrase(N_("backup.problem.taught"), {"teacher": a, "learner": b})
                                      for a, b in zip(f.ikm_ids, f.ikm_ids[1:] + f.ikm_ids[:1])], sep=", ")})
            for f in cycles(t for t in teachings if t.skill in knotted | looped)]


# --------------------------------------------------------------------------- reading
def read_backup(path: str | os.PathLike[str]) -> Backup:
    """Read and check a backup file; ``InvalidData`` saying what is wrong with it otherwise.

    The file is recognised by its content (gzip or not), whatever its name.
    """
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise said(UsageError, N_("backup.no_file"), {"path": str(path)}) from None
    except IsADirectoryError:
        raise said(UsageError, N_("backup.folder_not_file"), {"path": str(path)}) from None
    except OSError as exc:
        raise said(InvalidData, N_("backup.cannot_read"), {"name": name, "reason": str(exc.strerror or exc)}) from None
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise said(InvalidData, N_("backup.bad_compression"), {"name": name, "reason": str(exc)}) from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise said(InvalidData, N_("backup.not_text"), {"name": name}) from None
    except json.JSONDecodeError as exc:
        raise said(InvalidData, N_("backup.not_json"),
                   {"name": name, "line": exc.lineno, "column": exc.colno, "reason": exc.msg}) from None
    return parse_backup(document, name)


def parse_backup(document: Any, name: str = "backup") -> Backup:
    """Check a decoded backup document: format, version, values and references."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise said(InvalidData, N_("backup.not_backup"), {"name": name, "format": FORMAT})
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise said(InvalidData, N_("backup.no_version"), {"name": name})
    if version > VERSION:
        raise said(InvalidData, N_("backup.newer"),
                   {"name": name, "version": version, "tular": __version__, "reads": VERSION})
    try:
        backup = Backup.model_validate(document)
    except ValidationError as exc:
        problems = [Phrase(N_("backup.problem.value"), {"where": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]})
                    for e in exc.errors()]
        raise said(InvalidData, N_("backup.damaged"), {"name": name, "problems": _listed(problems)}) from None
    problems = reference_problems(backup)
    if problems:
        raise said(InvalidData, N_("backup.damaged"), {"name": name, "problems": _listed(problems)})
    return backup


def _listed(problems: list[Phrase]) -> Phrases:
    return Phrases.first(problems, _LISTED)


def _repeated(what: str, keys: Iterable[Any]) -> list[Phrase]:
    return [Phrase(N_("backup.problem.repeated"),
                   {"what": Term(what), "record": "/".join(key) if isinstance(key, tuple) else key, "count": n})
            for key, n in Counter(keys).items() if n > 1]


def reference_problems(backup: Backup) -> list[Phrase]:
    """What in ``backup`` refers to something it does not hold, or holds twice."""
    records = backup.records
    kecamatan = {k.code for k in backup.kecamatan}
    kelurahan = {k.code for k in backup.kelurahan}
    skills = {s.skill_id for s in backup.skills}
    ikm = {i.ikm_id for i in records.ikm}
    trainings = {t.training_id for t in records.trainings}
    problems = [
        *_repeated(N_("backup.thing.kecamatan"), (k.code for k in backup.kecamatan)),
        *_repeated(N_("backup.thing.kelurahan"), (k.code for k in backup.kelurahan)),
        *_repeated(N_("backup.thing.skill"), (s.skill_id for s in backup.skills)),
        *_repeated(N_("backup.thing.ikm"), (i.ikm_id for i in records.ikm)),
        *_repeated(N_("backup.thing.training"), (t.training_id for t in records.trainings)),
        *_repeated(N_("backup.thing.attendance"), ((a.training_id, a.ikm_id) for a in records.attendance)),
        *_repeated(N_("backup.thing.teaching"), ((t.learner_id, t.teacher_id, t.skill) for t in records.teachings)),
        *_repeated(N_("backup.thing.outcome"), ((o.ikm_id, o.kind, o.skill_key, o.date_key) for o in records.outcomes)),
        *_repeated(N_("backup.thing.population"), (p.kelurahan_code for p in records.populations)),
        *_repeated(N_("backup.thing.batch"), (b.batch_id for b in backup.batches)),
    ]
    problems += [Phrase(N_("backup.problem.kelurahan_without_kecamatan"), {"code": k.code, "kecamatan": k.kecamatan_code})
                 for k in backup.kelurahan if k.kecamatan_code not in kecamatan]
    problems += [Phrase(N_("backup.problem.ikm_without_kelurahan"), {"ikm": i.ikm_id, "kelurahan": i.kelurahan_code})
                 for i in records.ikm if i.kelurahan_code not in kelurahan]
    problems += [Phrase(N_("backup.problem.training_without_skill"), {"training": t.training_id, "skill": s})
                 for t in records.trainings for s in t.skills if s not in skills]
    problems += [Phrase(N_("backup.problem.missing"),
                        {"what": Term(N_("backup.thing.attendance")), "record": f"{a.training_id}/{a.ikm_id}",
                         "missing": Term(N_("backup.thing.training") if a.training_id not in trainings
                                         else N_("backup.thing.ikm"))})
                 for a in records.attendance if a.training_id not in trainings or a.ikm_id not in ikm]
    problems += [Phrase(N_("backup.problem.missing"),
                        {"what": Term(N_("backup.thing.teaching")), "record": f"{t.learner_id}/{t.teacher_id}/{t.skill}",
                         "missing": Term(N_("backup.thing.skill") if t.skill not in skills else N_("backup.thing.ikm"))})
                 for t in records.teachings if t.skill not in skills or {t.learner_id, t.teacher_id} - ikm]
    problems += [Phrase(N_("backup.problem.missing"),
                        {"what": Term(N_("backup.thing.outcome")), "record": f"{o.ikm_id}/{o.kind}/{o.date_key}",
                         "missing": Term(N_("backup.thing.ikm") if o.ikm_id not in ikm else N_("backup.thing.skill"))})
                 for o in records.outcomes if o.ikm_id not in ikm or (o.skill is not None and o.skill not in skills)]
    problems += [Phrase(N_("backup.problem.population_without_kelurahan"), {"kelurahan": p.kelurahan_code})
                 for p in records.populations if p.kelurahan_code not in kelurahan]
    return problems


# --------------------------------------------------------------------------- restore
def holdings(store: GraphStore) -> dict[str, int]:
    """What in the store a restore would replace: records, populations and batches
    (the gazetteer and the built-in skills every store has do not count)."""
    counts = store.counts()
    return {"ikm": counts.ikm, "trainings": counts.trainings, "attendance": counts.attendance,
            "teachings": counts.teachings, "outcomes": counts.outcomes, "populations": len(store.populations()),
            "batches": len(store.batches())}


def restore(store: GraphStore, backup: Backup, force: bool = False, *, source: str = "a backup",
            safety_folders: Iterable[str | os.PathLike[str]] = (), one_transaction_max: int = ONE_TRANSACTION_MAX,
            who: str | None = None) -> RestoreResult:
    """Put ``backup`` into ``store``, under the store-wide write lock, so that the store holds
    either what it held or the whole backup (see the module's description): gazetteer and
    skills first (the records refer to them), then every record, then the batch log.

    A store that holds records or batches is refused unless ``force``, which replaces them;
    a store marked "restore in progress" likewise (``RestoreInProgress``). The target keeps
    its API keys. ``source`` names the backup in the mark; a safety backup goes to the first
    of ``safety_folders`` that takes it, else to the current folder."""
    with store.writing():
        mark = store.restore_mark()
        if mark is not None and not force:
            raise in_progress(store, mark)
        held = {kind: n for kind, n in holdings(store).items() if n}
        if held and not force:
            what = ", ".join(f"{n:,} {kind}" for kind, n in held.items())
            raise said(UsageError, N_("backup.not_empty"), {"store": store.display_url, "held": what})
        safety = None
        if isinstance(store, EmbeddedStore):
            _restore_embedded(store, backup)
            method = "new-file"
        elif isinstance(store, Neo4jStore) and sum(held.values()) + sum(backup.counts().values()) > one_transaction_max:
            safety = _restore_neo4j_in_steps(store, backup, mark, source, [*safety_folders, Path.cwd()],
                                             who or this_process())
            method = "safety-backup"
        elif isinstance(store, Neo4jStore):
            _restore_in_one_transaction(store, backup, mark)
            method = "one-transaction"
        else:
            raise said(UsageError, N_("backup.unsupported_store"), {"store": type(store).__name__})
        applied = _erase_again(store, backup)
    return RestoreResult(source=backup.source, created_at=backup.created_at, counts=backup.counts(),
                         replaced=bool(held) or mark is not None, method=method,
                         safety_file=str(safety) if safety else None, erasures_applied=applied)


def _erase_again(store: GraphStore, backup: Backup) -> list[str]:
    """Restore is exact but for the erasure register (SPEC §3, §9): the backup's and the
    store's registers are joined, and every IKM on it whose name, business name or phone the
    backup still held (it was taken before the erasure) is erased again, in the restore's
    transaction, logged as an erasure."""

    held = store.erasures()
    register = {**{e.ikm_id: e.erased_at for e in backup.erasures}, **held}
    if new := {ikm_id: day for ikm_id, day in register.items() if ikm_id not in held}:
        store.register_erasures(new)
    personal = sorted(i.ikm_id for i in backup.records.ikm if i.ikm_id in register and (
        i.name != placeholder(i.ikm_id) or i.business_name or i.phone))
    for ikm_id in personal:
        store.forget(ikm_id, audit_meta("tular restore (erasure register)", ikm_id))
    return personal


def _fill(store: GraphStore, backup: Backup, defaults: bool) -> None:
    """Write ``backup`` into an emptied store (in the write transaction its caller holds);
    ``defaults``: first what ``init_schema`` gives an empty store (the Kota Malang gazetteer,
    the built-in skills), which the backup's own overwrite — as before (a restore has always
    given the store the Kota Malang gazetteer and the built-in skills too)."""
    if defaults:
        store.load_gazetteer(Gazetteer.kota_malang())
        for skill in BUILTIN_SKILLS:
            store.add_skill(skill)
    store.load_gazetteer(backup.gazetteer())
    for skill in backup.skills:
        store.add_skill(skill)
    store.write(backup.records)
    store.load_batches(backup.batches)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))]


def _restore_embedded(store: EmbeddedStore, backup: Backup) -> None:
    """Restore into a new file beside the store (a fixed name: one left by a restore that was
    killed is removed here), check it, then copy it into the store in the write transaction
    the caller holds."""
    building = store.path.with_name(f".{store.path.name}.restoring")
    for leftover in _sqlite_files(building):
        leftover.unlink(missing_ok=True)
    try:
        os.close(os.open(building, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # it holds personal data
        built = EmbeddedStore(building)
        try:
            built.init_schema()
            with built.writing():
                _fill(built, backup, defaults=False)
            if (found := holdings(built)) != (wanted := backup.counts()):
                raise said(InvalidData, N_("backup.restored_differs"),
                           {"found": found, "wanted": wanted, "store": store.display_url})
        finally:
            built.close()
        store.replace_content(building)
    except OSError as exc:
        raise said(UsageError, N_("backup.cannot_build"),
                   {"path": str(store.path), "reason": str(exc), "store": store.display_url}) from exc
    finally:
        for leftover in _sqlite_files(building):
            leftover.unlink(missing_ok=True)


def _restore_in_one_transaction(store: Neo4jStore, backup: Backup, mark: RestoreMark | None) -> None:
    """The new content in place of the old in the write transaction the caller holds."""
    kota = Gazetteer.kota_malang()
    kecamatan = {k.code: k for k in [*kota.kecamatan_list, *backup.kecamatan]}  # the backup's win
    kelurahan = {k.code: k for k in [*kota.kelurahan_list, *backup.kelurahan]}
    skills = {s.skill_id: s for s in [*BUILTIN_SKILLS, *backup.skills]}
    store.replace_content(Gazetteer(kecamatan.values(), kelurahan.values()), list(skills.values()), backup.records,
                          backup.batches)
    if mark is not None:
        store.clear_restore_mark()


def _restore_neo4j_in_steps(store: Neo4jStore, backup: Backup, mark: RestoreMark | None, source: str,
                            folders: list[str | os.PathLike[str]], who: str) -> str:
    """Too large for one transaction: a safety backup, the mark (committed), the wipe in
    batches, then the new content and the mark's removal in the write transaction. A store
    already marked (a restore that did not complete) keeps its mark's safety backup — what it
    holds now is not worth one. Returns the safety backup's path."""
    if mark is None:
        current = take_backup(store)  # the write lock is held: nobody changes it meanwhile
        if problems := reference_problems(current):
            raise said(InvalidData, N_("backup.safety_breaks_rules"),
                       {"store": store.display_url, "problems": _listed(problems)})
        safety = str(_write_safety(current, folders))
    else:
        safety = mark.safety_file
    store.mark_restore(RestoreMark(safety_file=safety, backup=source, who=who,
                                   since=datetime.now(timezone.utc).replace(microsecond=0)))
    store.wipe(keep_keys=True)
    _fill(store, backup, defaults=True)
    store.clear_restore_mark()
    return safety


def _write_safety(backup: Backup, folders: list[str | os.PathLike[str]]) -> Path:
    """``tular-safety-YYYYMMDD-HHMMSS.json.gz`` (mode 0600: it holds personal data) in the first
    of ``folders`` where it can be written; its absolute path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    failures = []
    for folder in map(Path, folders):
        for n in range(1, 100):
            path = (folder / f"tular-safety-{stamp}{'' if n == 1 else f'-{n}'}.json.gz").absolute()
            if not path.exists():
                break
        try:
            _write_file(path, backup)
            return path
        except OSError as exc:
            failures.append(f"{folder}: {exc.strerror or exc}")
    raise said(UsageError, N_("backup.safety_not_written"), {"reasons": "; ".join(failures)})


def restore_file(store: GraphStore, path: str | os.PathLike[str], force: bool = False, *,
                 one_transaction_max: int = ONE_TRANSACTION_MAX, who: str | None = None) -> RestoreResult:
    """Read and check ``path`` completely, then restore it into ``store`` (a safety backup, if
    one is needed, goes beside ``path``)."""
    path = Path(path)
    return restore(store, read_backup(path), force=force, source=str(path.absolute()), safety_folders=[path.parent],
                   one_transaction_max=one_transaction_max, who=who)
