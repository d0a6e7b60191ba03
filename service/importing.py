"""Terminal views of imports: progress bars, the summary table, problems, batches — in the
reader's language (every label from the catalogue, numbers and dates by Babel)."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tular.graph.io.central import PullReport
from tular.graph.io.ingest import ImportReport, import_files
from tular.graph.io.tables import describe
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import BadFileName, TooLarge
from tular.graph.model.records import Batch
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.language import said
from tular.visualizations.i18n import MISSING, Locale

#: Problems shown in the terminal; --json gives all of them.
SHOWN_PROBLEMS = 25
#: Files smaller than this are read without a progress bar, and fewer rows are checked without one.
PROGRESS_MIN_BYTES = 2 * 1024 * 1024
PROGRESS_MIN_ROWS = 50_000
#: Uploads are copied to disk in pieces of this size.
CHUNK = 1024 * 1024
#: The longest upload file name, in bytes of UTF-8 (a file name's limit on common file systems).
MAX_NAME_BYTES = 255


class _Bars:
    """An import's progress as rich progress bars: a bar per large file read, one for the rows
    checked, then a running timer for each step without a count."""

    def __init__(self, bars: Progress, loc: Locale):
        self.bars = bars
        self.loc = loc
        self.current: TaskID | None = None  # the step running

    def reading(self, name: str, total_bytes: int | None) -> Callable[[int], None]:
        label = self.loc.t("progress.reading", file=Path(name).name)
        if total_bytes is None:  # a workbook: rows read so far, no known end
            task = self.bars.add_task(label, total=None)
            return lambda rows: self.bars.update(
                task, description=self.loc.t("progress.reading_rows", file=Path(name).name, rows=self.loc.integer(rows)))
        return self._bar(label, total_bytes, PROGRESS_MIN_BYTES)

    def checking(self, rows: int) -> Callable[[int], None]:
        self._end_step()
        return self._bar(self.loc.t("progress.checking", rows=self.loc.integer(rows)), rows, PROGRESS_MIN_ROWS)

    def _bar(self, label: str, total: int, least: int) -> Callable[[int], None]:
        """A bar for a count up to ``total`` (none below ``least``: over before it shows)."""
        if total < least:
            return lambda done: None
        task = self.bars.add_task(label, total=total)
        return lambda done: self.bars.update(task, completed=done)

    def step(self, description: str, **values) -> None:
        """A step without a count: ``description`` is a catalogue key (its ``values`` fill it); a
        text that is no key is shown as it is."""
        self._end_step()
        try:
            shown = self.loc.t(description, **values)
        except KeyError:
            shown = description
        self.current = self.bars.add_task(shown, total=None)

    def _end_step(self) -> None:
        if self.current is not None:
            self.bars.update(self.current, total=1, completed=1)
            self.current = None


@contextmanager
def _progress(console: Console | None, loc: Locale) -> Iterator[_Bars | None]:
    if console is None:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bars:
        yield _Bars(bars, loc)


def run_import(store: GraphStore, paths: Sequence[Path], *, kind: str | None, dry_run: bool, who: str, today: date,
               console: Console | None, loc: Locale | None = None) -> ImportReport:
    loc = loc or _default()
    with _progress(console, loc) as bars:
        report = import_files(store, paths, today=today, who=who, kind=kind, dry_run=dry_run, progress=bars,
                              lang=loc.lang, surface="cli")
    return report


def _default() -> Locale:
    from tular.service.language import configured

    return Locale(configured())


def print_report(console: Console, report: ImportReport, as_json: bool, *, loc: Locale | None = None) -> None:
    if as_json:
        print(report.model_dump_json())
        return
    loc = loc or _default()
    n = loc.integer
    table = Table(title=loc.t(N_("cli.import_title_dry") if report.dry_run else N_("cli.import_title")), title_justify="left")
    for index, column in enumerate((N_("label.kind"), N_("cli.rows_read"), N_("cli.created"),
                                    N_("cli.updated"), N_("cli.unchanged"), N_("cli.warnings"), N_("cli.errors"))):
        table.add_column(loc.t(column), justify="left" if index == 0 else "right")
    for k in report.kinds:
        written = (n(k.created), n(k.updated), n(k.unchanged)) if report.ok else (MISSING,) * 3
        table.add_row(k.kind, n(k.read), *written, n(k.warnings), f"[red]{n(k.errors)}[/red]" if k.errors else n(0))
    if report.kinds:
        console.print(table)
    for label, style, problems, count in ((N_("cli.errors"), "red", report.errors, report.error_count),
                                          (N_("cli.warnings"), "yellow", report.warnings, report.warning_count)):
        if not count:
            continue
        console.print(f"[bold {style}]{escape(loc.t(label))}: {n(count)}[/bold {style}]")
        for problem in problems[:SHOWN_PROBLEMS]:
            console.print(f"  • {escape(describe(problem, loc.lang))}", highlight=False, soft_wrap=True)
        if count > SHOWN_PROBLEMS:
            console.print("  " + loc.t("cli.more_in_json", more=n(count - SHOWN_PROBLEMS)), highlight=False)
    if not report.ok:
        said, advice = loc.t("cli.import_nothing"), loc.t("cli.import_fix")
        console.print(f"[bold red]{escape(said)}[/bold red] {escape(advice)}")
    elif report.dry_run:
        said, advice = loc.t("cli.import_no_errors"), loc.t("cli.import_now")
        console.print(f"[green]{escape(said)}[/green] {escape(advice)}")
    else:
        console.print(loc.t("cli.imported", batch=report.batch_id), highlight=False)


def print_pull(console: Console, pulled: PullReport, as_json: bool, *, loc: Locale | None = None) -> None:

    """What a pull from ODK Central brought (SPEC §13), then its import's report."""
    if as_json:
        print(pulled.model_dump_json())
        return
    loc = loc or _default()
    if not pulled.pulled:
        key = N_("cli.pull_nothing_since") if pulled.since else N_("cli.pull_nothing")
        console.print(loc.t(key, form=pulled.form_url, since=pulled.since or ""), highlight=False)
        return
    key = N_("cli.pulled_since") if pulled.since else N_("cli.pulled")
    console.print(loc.t(key, count=loc.integer(pulled.pulled), form=pulled.form_url, since=pulled.since or "",
                        newest=pulled.newest_submission), highlight=False, soft_wrap=True)
    print_report(console, pulled.report, as_json=False, loc=loc)


def print_batches(console: Console, batches: list[Batch], as_json: bool, *, loc: Locale | None = None) -> None:
    if as_json:
        print(json.dumps([b.model_dump(mode="json", exclude={"changes"}) for b in batches]))
        return
    loc = loc or _default()
    table = Table(title=loc.t("cli.batches_title"), title_justify="left")
    columns = (N_("cli.batch"), N_("cli.batch_when"), N_("label.who"), N_("cli.batch_files"), N_("cli.batch_added"),
               N_("cli.batch_changed"),
               N_("cli.batch_same"), N_("cli.batch_removed"))
    for index, column in enumerate(columns):
        table.add_column(loc.t(column), justify="right" if index >= 4 else "left", no_wrap=column != "cli.batch_files",
                         min_width=14 if column == "cli.batch_files" else None)
    for b in batches:
        files = "\n".join(Path(f.name).name for f in b.files)
        table.add_row(b.batch_id, f"{loc.short_date(b.created_at.date())}\n{b.created_at:%H:%M:%S}", b.who, files,
                      *(loc.integer(sum(getattr(c, name) for c in b.counts.values()))
                        for name in ("created", "updated", "unchanged", "deleted")))
    console.print(table if batches else loc.t("cli.batches_none"))
    if batches:
        console.print(loc.t("cli.batches_checksums"), highlight=False)


def print_undone(console: Console, batch: Batch, as_json: bool, *, loc: Locale | None = None) -> None:
    created = sum(c.created for c in batch.counts.values())
    updated = sum(c.updated for c in batch.counts.values())
    deleted = sum(c.deleted for c in batch.counts.values())
    if as_json:
        print(json.dumps({"undone": batch.batch_id, "removed": created, "restored": updated, "put_back": deleted}))
        return
    loc = loc or _default()
    key = N_("cli.undone_put_back") if deleted else N_("cli.undone")
    console.print(loc.t(key, batch=batch.batch_id, removed=loc.integer(created), restored=loc.integer(updated),
                        put_back=loc.integer(deleted)), highlight=False)


def upload_name(given: str | None, index: int) -> str:
    """The name of upload ``index`` as sent (a default when none was), refused with
    :class:`BadFileName` (HTTP 400) when it is not a plain file name: a NUL or other control
    character, a folder (``/`` or ``\\``), ``.``/``..``, or more than :data:`MAX_NAME_BYTES`."""
    if not given:
        return f"upload-{index}.csv"
    shown = repr(given if len(given) <= 60 else given[:60] + "…")
    if bad := next((c for c in given if unicodedata.category(c) in ("Cc", "Cs")), None):
        raise said(BadFileName, N_("problem.file_name_character"), {"name": shown, "character": f"U+{ord(bad):04X}"})
    if "/" in given or "\\" in given or given in (".", ".."):
        raise said(BadFileName, N_("problem.file_name_folder"), {"name": shown})
    if (size := len(given.encode("utf-8"))) > MAX_NAME_BYTES:
        raise said(BadFileName, N_("problem.file_name_long"), {"name": shown, "size": size, "most": MAX_NAME_BYTES})
    return given


def import_uploads(store: GraphStore, settings: Settings, uploads: Sequence, *, who: str, kind: str | None,
                   dry_run: bool, lang: str = "id", surface: str = "api") -> ImportReport:
    """Uploaded files (anything with ``filename`` and a binary ``file``) imported as one batch:
    copied to a temporary folder within the upload limit, then :func:`import_files`, its problems
    told in ``lang`` with the advice of ``surface`` (``web``: the page's drop-down, ``api``)."""
    limit = settings.max_upload_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="tular-upload-") as folder:
        paths, names, total = [], [], 0
        for index, upload in enumerate(uploads):
            name = upload_name(upload.filename, index)
            path = Path(folder) / f"{index}.upload"  # the name tells the format (import_files' names)
            with path.open("wb") as out:
                while chunk := upload.file.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise said(TooLarge, N_("problem.upload_too_large"), {"megabytes": settings.max_upload_mb})
                    out.write(chunk)
            paths.append(path)
            names.append(name)
        return import_files(store, paths, names=names, today=settings.today(), who=who, kind=kind, dry_run=dry_run,
                            lang=lang, surface=surface)
