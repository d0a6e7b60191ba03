"""Files in, one batch out: read → validate against the store → write, all or nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from tular.graph.io.readers import CSV_SUFFIXES, FileProblem, SourceFile, Table, read_file
from tular.graph.io.validation import CheckProgress, Snapshot, validate
from tular.graph.model.catalogue import N_
from tular.graph.model.collector import collector_paused
from tular.graph.model.records import KINDS, BatchMeta, KindCounts, SourceInfo, WriteResult
from tular.graph.store.base import GraphStore

#: Errors listed in a report at most; the count says how many there were.
MAX_LISTED_PROBLEMS = 1000


class KindReport(BaseModel):
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: int = 0
    errors: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


class ImportReport(BaseModel):
    """What an import did, or would do (``dry_run``), or why it did nothing."""

    ok: bool
    dry_run: bool
    batch_id: str | None = None
    files: list[SourceInfo] = []
    kinds: list[KindReport] = []
    error_count: int = 0
    warning_count: int = 0
    errors: list[dict] = []
    warnings: list[dict] = []


class ImportProgress(CheckProgress, Protocol):
    """What an import reports while it runs: each file read, the rows checked, then the
    steps without a count (the whole-batch rules, the write)."""

    def reading(self, name: str, total_bytes: int | None) -> Callable[[int], None]:
        """A file is being read: the callback receives the bytes read so far, of
        ``total_bytes`` (a CSV file), or the rows read so far (a workbook: None)."""


def _problems(found: Sequence[FileProblem], lang: str, surface: str) -> list[dict]:
    """The problems listed in a report, each with its ``reason`` in ``lang`` (only these get a text)."""
    return [p.to_dict(lang, surface) for p in found[:MAX_LISTED_PROBLEMS]]


def import_files(
    store: GraphStore,
    paths: Sequence[str | os.PathLike[str]],
    *,
    today: date,
    who: str,
    kind: str | None = None,
    dry_run: bool = False,
    names: Sequence[str] | None = None,
    progress: ImportProgress | None = None,
    timings: dict[str, float] | None = None,
    lang: str = "id",
    surface: str = "cli",
) -> ImportReport:
    """Import ``paths`` as one batch. Any error anywhere writes nothing.

    ``names`` are the names to report (e.g. an upload's original name) instead of the paths;
    ``progress`` hears how far the import is (see :class:`ImportProgress`). The problems'
    reasons are in ``lang``, their advice for ``surface`` (``cli``, ``web``, ``api``: SPEC §11).
    ``timings``, when given, receives the seconds spent per phase (``read``, ``snapshot``,
    ``validate``, ``write``), for benchmarks.
    """
    with collector_paused():
        return _import(store, paths, today, who, kind, dry_run, names, progress, _Phases(timings),
                       _Words(lang, surface))


class _Words:
    """The language and surface a report's problems are told in."""

    def __init__(self, lang: str, surface: str):
        self.lang, self.surface = lang, surface

    def __call__(self, found: Sequence[FileProblem]) -> list[dict]:
        return _problems(found, self.lang, self.surface)


def _import(store: GraphStore, paths: Sequence[str | os.PathLike[str]], today: date, who: str, kind: str | None,
            dry_run: bool, names: Sequence[str] | None, progress: ImportProgress | None,
            timed: _Phases, words: _Words) -> ImportReport:
    sources: list[SourceFile] = []
    errors: list[FileProblem] = []
    warnings: list[FileProblem] = []
    for index, path in enumerate(paths):
        name = names[index] if names else os.fspath(path)
        # a CSV file reports bytes read, a workbook rows read (its size says nothing of its rows)
        csv_like = Path(name).suffix.lower() in CSV_SUFFIXES
        size = Path(path).stat().st_size if csv_like and Path(path).exists() else None
        try:
            with timed("read"):
                sources.append(read_file(path, kind=kind, name=name,
                                         progress=progress.reading(name, size) if progress else None))
        except FileProblem as problem:  # with the warnings found beside it (a workbook's notes sheet)
            for found in problem.all():
                (warnings if found.severity == "warning" else errors).append(found)
        except FileNotFoundError:
            errors.append(FileProblem(name, N_("problem.no_such_file")))
    files = [
        SourceInfo(name=s.name, checksum=s.checksum, kinds=sorted({t.kind for t in s.tables}, key=_kind_rank),
                   rows=sum(len(t.rows) for t in s.tables))
        for s in sources
    ]
    warnings.extend(warning for s in sources for warning in s.warnings)
    if errors:
        return ImportReport(ok=False, dry_run=dry_run, files=files, error_count=len(errors), errors=words(errors),
                            warning_count=len(warnings), warnings=words(warnings))

    tables = [t for s in sources for t in s.tables]
    sources.clear()  # _apply lets go of the tables before writing
    return _apply(tables, files, store, today, who, dry_run, timed, words, progress, warnings)


def import_tables(store: GraphStore, tables: Sequence[Table], *, today: date, who: str,
                  dry_run: bool = False, files: Sequence[SourceInfo] = (), lang: str = "id",
                  surface: str = "api") -> ImportReport:
    """Validate and write tables that did not come from files (a record sent to the API, a
    pull from ODK Central), exactly as an imported file's rows would be; ``files`` describe
    where they came from in the batch log. Problems are told in ``lang`` for ``surface``."""
    return _apply(list(tables), list(files), store, today, who, dry_run, _Phases(None), _Words(lang, surface))


def _apply(tables: list[Table], files: list[SourceInfo], store: GraphStore, today: date, who: str, dry_run: bool,
           timed: _Phases, words: _Words, progress: ImportProgress | None = None,
           read_warnings: Sequence[FileProblem] = ()) -> ImportReport:
    """Validate against the store as it is and write, under the store-wide write lock (SPEC
    §3): another writer cannot change what was checked before it is written. A dry run
    takes no lock."""
    with nullcontext() if dry_run else store.writing():
        return _checked_and_written(tables, files, store, today, who, dry_run, timed, words, progress,
                                    read_warnings)


def _checked_and_written(tables: list[Table], files: list[SourceInfo], store: GraphStore, today: date, who: str,
                         dry_run: bool, timed: _Phases, words: _Words, progress: ImportProgress | None,
                         read_warnings: Sequence[FileProblem]) -> ImportReport:
    if progress is not None:
        progress.step(N_("progress.reading_store"), store=store.display_url)
    with timed("snapshot"):
        snapshot = Snapshot.of(store, today, tables)
    meta = BatchMeta(who=who, files=files)
    with _parts(store, tables, dry_run, meta, timed) as parts:
        return _checked_and_sent(tables, files, store, snapshot, dry_run, meta, timed, words, progress,
                                 read_warnings, parts)


def _checked_and_sent(tables: list[Table], files: list[SourceInfo], store: GraphStore, snapshot: Snapshot,
                      dry_run: bool, meta: BatchMeta, timed: _Phases, words: _Words,
                      progress: ImportProgress | None, read_warnings: Sequence[FileProblem],
                      parts: Any) -> ImportReport:
    with timed("validate"):
        checked = validate(tables, snapshot, progress, parts.send if parts is not None else None)
    kinds = {k: KindReport(kind=k) for k in sorted({t.kind for t in tables}, key=_kind_rank)}
    for kind, read in checked.rows_read.items():
        kinds[kind].read = read
    kind_of = {(t.source, t.sheet): t.kind for t in tables}
    for problems, field in ((checked.errors, "errors"), (checked.warnings, "warnings")):
        for problem in problems:
            if (kind := kind_of.get((problem.file, problem.sheet))) is not None:
                setattr(kinds[kind], field, getattr(kinds[kind], field) + 1)
    warnings = [*read_warnings, *checked.warnings]
    report = ImportReport(
        ok=not checked.errors, dry_run=dry_run, files=files, kinds=list(kinds.values()),
        error_count=len(checked.errors), warning_count=len(warnings),
        errors=words(checked.errors), warnings=words(warnings),
    )
    if checked.errors:
        return report
    tables.clear()  # the rows as read, most of a big import's memory, are not needed any more
    if progress is not None:
        progress.step(N_("progress.comparing") if dry_run else N_("progress.writing"), store=store.display_url)
    with timed("write"):
        result: WriteResult = (parts.finish(checked.records) if parts is not None else
                               store.write(checked.records, meta, dry_run=dry_run))
    for name, counts in result.counts.items():
        _add_counts(kinds.setdefault(name, KindReport(kind=name)), counts)
    report.kinds = [k for k in kinds.values() if k.read or k.written or k.unchanged]
    report.batch_id = result.batch_id
    return report


@contextmanager
def _parts(store: GraphStore, tables: Sequence[Table], dry_run: bool, meta: BatchMeta,
           timed: _Phases) -> Iterator[Any]:
    """A store that can (Neo4j: ``write_in_parts``) is sent each kind as soon as it is checked,
    in the write transaction, while the later kinds are checked: the server writes while
    Python checks. Not for a dry run, nor when a later table may add records of an earlier
    kind (a submissions export brings new learners: IKM); else None (one write at the end).
    The seconds each kind took to write go to the timings as ``sent:<kind>``."""
    start = getattr(store, "write_in_parts", None)
    if dry_run or start is None or any(t.submissions for t in tables):
        yield None
        return
    with start(meta) as parts:
        try:
            yield parts
        finally:
            parts.abandon()  # waits for the kind being written
            if timed.timings is not None:
                timed.timings.update({f"sent:{kind}": seconds for kind, seconds in parts.seconds.items()})


class _Phases:
    """Adds the wall time of each phase to ``timings`` (when there is one)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        if self.timings is None:
            yield
            return
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - start


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def _add_counts(target: KindReport, counts: KindCounts) -> None:
    target.created, target.updated, target.unchanged = counts.created, counts.updated, counts.unchanged
