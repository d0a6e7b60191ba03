"""Terminal views of imports: progress bars, the summary table, problems, batches."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
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
from tular.graph.model.errors import BadFileName, TooLarge
from tular.graph.model.records import Batch
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore

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

    def __init__(self, bars: Progress):
        self.bars = bars
        self.current: TaskID | None = None  # the step running

    def reading(self, name: str, total_bytes: int | None) -> Callable[[int], None]:
        label = f"Reading {Path(name).name}"
        if total_bytes is None:  # a workbook: rows read so far, no known end
            task = self.bars.add_task(label, total=None)
            return lambda rows: self.bars.update(task, description=f"{label}: {rows:,} rows")
        return self._bar(label, total_bytes, PROGRESS_MIN_BYTES)

    def checking(self, rows: int) -> Callable[[int], None]:
        self._end_step()
        return self._bar(f"Checking {rows:,} rows", rows, PROGRESS_MIN_ROWS)

    def _bar(self, label: str, total: int, least: int) -> Callable[[int], None]:
        """A bar for a count up to ``total`` (none below ``least``: over before it shows)."""
        if total < least:
            return lambda done: None
        task = self.bars.add_task(label, total=total)
        return lambda done: self.bars.update(task, completed=done)

    def step(self, description: str) -> None:
        self._end_step()
        self.current = self.bars.add_task(description, total=None)

    def _end_step(self) -> None:
        if self.current is not None:
            self.bars.update(self.current, total=1, completed=1)
            self.current = None


@contextmanager
def _progress(console: Console | None) -> Iterator[_Bars | None]:
    if console is None:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bars:
        yield _Bars(bars)


def run_import(store: GraphStore, paths: Sequence[Path], *, kind: str | None, dry_run: bool, who: str, today: date,
               console: Console | None, lang: str = "id") -> ImportReport:
    with _progress(console) as bars:
        report = import_files(store, paths, today=today, who=who, kind=kind, dry_run=dry_run, progress=bars,
                              lang=lang, surface="cli")
    return report


def print_report(console: Console, report: ImportReport, as_json: bool, lang: str = "id") -> None:
    if as_json:
        print(report.model_dump_json())
        return
    table = Table(title="Import" + (" (dry run: nothing written)" if report.dry_run else ""), title_justify="left")
    for column in ("Kind", "Rows read", "Created", "Updated", "Unchanged", "Warnings", "Errors"):
        table.add_column(column, justify="left" if column == "Kind" else "right")
    for k in report.kinds:
        written = (f"{k.created:,}", f"{k.updated:,}", f"{k.unchanged:,}") if report.ok else ("—", "—", "—")
        table.add_row(k.kind, f"{k.read:,}", *written, f"{k.warnings:,}",
                      f"[red]{k.errors:,}[/red]" if k.errors else "0")
    if report.kinds:
        console.print(table)
    for label, style, problems, count in (("Errors", "red", report.errors, report.error_count),
                                          ("Warnings", "yellow", report.warnings, report.warning_count)):
        if not count:
            continue
        console.print(f"[bold {style}]{label}: {count:,}[/bold {style}]")
        for problem in problems[:SHOWN_PROBLEMS]:
            console.print(f"  • {describe(problem, lang)}", highlight=False, soft_wrap=True)
        if count > SHOWN_PROBLEMS:
            console.print(f"  … and {count - SHOWN_PROBLEMS:,} more (use --json to see all)")
    if not report.ok:
        console.print("[bold red]Nothing was imported.[/bold red] Fix the errors above and import the files again.")
    elif report.dry_run:
        console.print("[green]No errors.[/green] Run the same command without --dry-run to import.")
    else:
        console.print(f"[green]Imported[/green] as batch [bold]{report.batch_id}[/bold] "
                      f"(undo with: tular import --undo {report.batch_id}).")


def print_pull(console: Console, pulled: PullReport, as_json: bool, lang: str = "id") -> None:
    """What a pull from ODK Central brought (SPEC §13), then its import's report."""
    if as_json:
        print(pulled.model_dump_json())
        return
    since = f" since {pulled.since}" if pulled.since else ""
    if not pulled.pulled:
        console.print(f"No new submissions of {pulled.form_url}{since}: nothing to import.", highlight=False)
        return
    console.print(f"Pulled {pulled.pulled:,} submission{'s' if pulled.pulled != 1 else ''} of {pulled.form_url}"
                  f"{since} (the newest of {pulled.newest_submission}).", highlight=False, soft_wrap=True)
    print_report(console, pulled.report, as_json=False, lang=lang)


def print_batches(console: Console, batches: list[Batch], as_json: bool) -> None:
    if as_json:
        print(json.dumps([b.model_dump(mode="json", exclude={"changes"}) for b in batches]))
        return
    table = Table(title="Import batches", title_justify="left")
    for column in ("Batch", "When (UTC)", "Who", "Files", "Added", "Changed", "Same", "Removed"):
        numeric = column in {"Added", "Changed", "Same", "Removed"}
        table.add_column(column, justify="right" if numeric else "left", no_wrap=column != "Files",
                         min_width=14 if column == "Files" else None)
    for b in batches:
        files = "\n".join(Path(f.name).name for f in b.files)
        table.add_row(b.batch_id, b.created_at.strftime("%Y-%m-%d\n%H:%M:%S"), b.who, files,
                      *(f"{sum(getattr(c, n) for c in b.counts.values()):,}"
                        for n in ("created", "updated", "unchanged", "deleted")))
    console.print(table if batches else "No import batches yet.")
    if batches:
        console.print("File checksums (sha256) are in [bold]tular import --list --json[/bold].")


def print_undone(console: Console, batch: Batch, as_json: bool) -> None:
    created = sum(c.created for c in batch.counts.values())
    updated = sum(c.updated for c in batch.counts.values())
    deleted = sum(c.deleted for c in batch.counts.values())
    if as_json:
        print(json.dumps({"undone": batch.batch_id, "removed": created, "restored": updated, "put_back": deleted}))
        return
    console.print(f"[green]Undone[/green] batch {batch.batch_id}: removed {created:,} records it added, "
                  f"restored {updated:,} it had changed"
                  + (f", put back {deleted:,} it had removed." if deleted else "."))


def upload_name(given: str | None, index: int) -> str:
    """The name of upload ``index`` as sent (a default when none was), refused with
    :class:`BadFileName` (HTTP 400) when it is not a plain file name: a NUL or other control
    character, a folder (``/`` or ``\\``), ``.``/``..``, or more than :data:`MAX_NAME_BYTES`."""
    if not given:
        return f"upload-{index}.csv"
    shown = repr(given if len(given) <= 60 else given[:60] + "…")
    if bad := next((c for c in given if unicodedata.category(c) in ("Cc", "Cs")), None):
        raise BadFileName(f"the file name {shown} contains the character U+{ord(bad):04X}, which a file name may "
                          "not hold: rename the file and upload it again")
    if "/" in given or "\\" in given or given in (".", ".."):
        raise BadFileName(f"the file name {shown} names a folder: send the file's own name only "
                          "(like teachings.csv), without a path")
    if (size := len(given.encode("utf-8"))) > MAX_NAME_BYTES:
        raise BadFileName(f"the file name {shown} is {size} bytes long, more than the {MAX_NAME_BYTES} a file "
                          "name may have: give the file a shorter name")
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
                        raise TooLarge(f"the upload is larger than {settings.max_upload_mb} MB; "
                                       "split it into several imports")
                    out.write(chunk)
            paths.append(path)
            names.append(name)
        return import_files(store, paths, names=names, today=settings.today(), who=who, kind=kind, dry_run=dry_run,
                            lang=lang, surface=surface)
