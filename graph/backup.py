"""A whole database in one file, and back (SPEC §4 ``backup`` / ``restore``).

The file is JSON (gzip-compressed when its name ends in ``.gz``) holding a format marker
and version, the gazetteer (kecamatan, kelurahan with aliases), the skills (with aliases),
every record, the populations and the import-batch log with its changes — enough to move
a database between stores (embedded ⇄ Neo4j) exactly, and to undo its batches there.

A file is checked completely — shape, values, references — before anything in the store
is touched.
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

from pydantic import BaseModel, ConfigDict, ValidationError

from tular import __version__

from .errors import InvalidData, UsageError
from .export import read_records, record_counts
from .gazetteer import Gazetteer
from .model import Batch, Kecamatan, Kelurahan, Records, Skill
from .store.base import GraphStore

FORMAT = "tular-backup"
#: Version of the file layout; a reader refuses newer versions than it knows.
VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"
#: Problems named in an error message at most.
_LISTED = 5


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

    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.kecamatan, self.kelurahan)

    def counts(self) -> dict[str, int]:
        return {**record_counts(self.records), "batches": len(self.batches)}


class RestoreResult(BaseModel):
    source: str
    created_at: datetime
    counts: dict[str, int]
    replaced: bool


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
    )


def write_backup(store: GraphStore, path: str | os.PathLike[str]) -> Backup:
    """Write the store's backup to ``path`` (gzip when it ends in ``.gz``); returns what was written."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give a file name, e.g. tular-backup.json.gz")
    if not path.parent.exists():
        raise UsageError(f"folder {path.parent} does not exist")
    backup = take_backup(store)
    data = backup.model_dump_json(indent=None).encode("utf-8")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(partial, "wb") as handle:
                handle.write(data)
        else:
            partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return backup


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
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a backup file") from None
    except OSError as exc:
        raise InvalidData(f"cannot read {name}: {exc.strerror or exc}") from None
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidData(f"{name} is damaged: its compressed data cannot be read ({exc}); "
                              "was the copy cut short?") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidData(f"{name} is not a tular backup: it is not text (a backup is JSON, "
                          "made by `tular backup`)") from None
    except json.JSONDecodeError as exc:
        raise InvalidData(f"{name} is not a tular backup, or it is damaged: not valid JSON "
                          f"(line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse_backup(document, name)


def parse_backup(document: Any, name: str = "backup") -> Backup:
    """Check a decoded backup document: format, version, values and references."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidData(f"{name} is not a tular backup (a backup is made by `tular backup` and says "
                          f"\"format\": \"{FORMAT}\")")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidData(f"{name} is damaged: its format version is missing")
    if version > VERSION:
        raise InvalidData(f"{name} was made by a newer tular (backup format version {version}); this tular "
                          f"(version {__version__}) reads format version {VERSION}: upgrade tular to restore it")
    try:
        backup = Backup.model_validate(document)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InvalidData(f"{name} is damaged: {_listed(problems)}") from None
    problems = reference_problems(backup)
    if problems:
        raise InvalidData(f"{name} is damaged: {_listed(problems)}")
    return backup


def _listed(problems: list[str]) -> str:
    more = f"; and {len(problems) - _LISTED} more" if len(problems) > _LISTED else ""
    return "; ".join(problems[:_LISTED]) + more


def _repeated(kind: str, keys: Iterable[Any]) -> list[str]:
    return [f"{kind} {'/'.join(key) if isinstance(key, tuple) else key} appears {n} times"
            for key, n in Counter(keys).items() if n > 1]


def reference_problems(backup: Backup) -> list[str]:
    """What in ``backup`` refers to something it does not hold, or holds twice."""
    records = backup.records
    kecamatan = {k.code for k in backup.kecamatan}
    kelurahan = {k.code for k in backup.kelurahan}
    skills = {s.skill_id for s in backup.skills}
    ikm = {i.ikm_id for i in records.ikm}
    trainings = {t.training_id for t in records.trainings}
    problems = [
        *_repeated("kecamatan", (k.code for k in backup.kecamatan)),
        *_repeated("kelurahan", (k.code for k in backup.kelurahan)),
        *_repeated("skill", (s.skill_id for s in backup.skills)),
        *_repeated("ikm", (i.ikm_id for i in records.ikm)),
        *_repeated("training", (t.training_id for t in records.trainings)),
        *_repeated("attendance", ((a.training_id, a.ikm_id) for a in records.attendance)),
        *_repeated("teaching", ((t.learner_id, t.teacher_id, t.skill) for t in records.teachings)),
        *_repeated("outcome", ((o.ikm_id, o.kind, o.skill_key, o.date_key) for o in records.outcomes)),
        *_repeated("population of kelurahan", (p.kelurahan_code for p in records.populations)),
        *_repeated("batch", (b.batch_id for b in backup.batches)),
    ]
    problems += [f"kelurahan {k.code} is in kecamatan {k.kecamatan_code}, which the backup does not have"
                 for k in backup.kelurahan if k.kecamatan_code not in kecamatan]
    problems += [f"IKM {i.ikm_id} is in kelurahan {i.kelurahan_code}, which the backup does not have"
                 for i in records.ikm if i.kelurahan_code not in kelurahan]
    problems += [f"training {t.training_id} teaches skill {s}, which the backup does not have"
                 for t in records.trainings for s in t.skills if s not in skills]
    problems += [f"attendance {a.training_id}/{a.ikm_id} refers to a missing "
                 f"{'training' if a.training_id not in trainings else 'IKM'}"
                 for a in records.attendance if a.training_id not in trainings or a.ikm_id not in ikm]
    problems += [f"teaching {t.learner_id}/{t.teacher_id}/{t.skill} refers to a missing "
                 f"{'skill' if t.skill not in skills else 'IKM'}"
                 for t in records.teachings if t.skill not in skills or {t.learner_id, t.teacher_id} - ikm]
    problems += [f"outcome {o.ikm_id}/{o.kind}/{o.date_key} refers to a missing "
                 f"{'IKM' if o.ikm_id not in ikm else 'skill'}"
                 for o in records.outcomes if o.ikm_id not in ikm or (o.skill is not None and o.skill not in skills)]
    problems += [f"population of kelurahan {p.kelurahan_code}, which the backup does not have"
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


def restore(store: GraphStore, backup: Backup, force: bool = False) -> RestoreResult:
    """Put ``backup`` into ``store``: gazetteer and skills first (the records refer to
    them), then every record in one transaction, then the batch log.

    A store that holds records or batches is refused unless ``force``, which wipes it first.
    """
    held = {kind: n for kind, n in holdings(store).items() if n}
    if held and not force:
        what = ", ".join(f"{n:,} {kind}" for kind, n in held.items())
        raise UsageError(f"{store.display_url} is not empty ({what}): restore into an empty store, "
                         "or add --force to delete everything in it first")
    if held:
        store.wipe(keep_keys=True)
        store.init_schema()
    store.load_gazetteer(backup.gazetteer())
    for skill in backup.skills:
        store.add_skill(skill)
    store.write(backup.records)
    store.load_batches(backup.batches)
    return RestoreResult(source=backup.source, created_at=backup.created_at, counts=backup.counts(),
                         replaced=bool(held))


def restore_file(store: GraphStore, path: str | os.PathLike[str], force: bool = False) -> RestoreResult:
    """Read and check ``path`` completely, then restore it into ``store``."""
    return restore(store, read_backup(path), force=force)

