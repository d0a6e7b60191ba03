"""Terminal views of exports, backups, restores, the template and ``tular check``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from tular.graph.io.backup import Backup, RestoreResult
from tular.graph.io.export import NETWORK_FORMATS, REGISTER_FORMAT, ExportResult
from tular.graph.metrics.results import FINDING_KINDS, QualityReport
from tular.graph.model.records import Repair

#: Findings of one kind shown in the terminal; --json gives all of them.
SHOWN_FINDINGS = 20

FINDING_TITLES = {
    "cycle": "Teachings that go round a cycle (broken invariant)",
    "duplicate_teaching": "Teachings stored more than once (broken invariant)",
    "probable_duplicate": "Probable duplicate persons",
    "out_of_order": "Teaching dated before the teacher learned the skill",
    "learner_is_trainee": "Learner who is also a trainee of the skill",
    "orphan": "Orphan fragments (no trainee reaches them)",
}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in counts.items())


def print_export(console: Console, result: ExportResult) -> None:
    where = result.paths[0] if len(result.paths) == 1 else str(Path(result.paths[0]).parent) + "/"
    console.print(f"[green]Exported[/green] {_counts(result.counts)} as {result.format} to {where}", highlight=False)
    if result.format == REGISTER_FORMAT:
        console.print("Upload it with the phone form (`tular template --xlsform`) to ODK Central or KoboToolbox. "
                      "It holds names (personal data, UU 27/2022) but no phone numbers: send each officer only "
                      "their area (--kelurahan) and prefer the office's own server.")
    elif result.format in NETWORK_FORMATS:
        console.print("Phone numbers are left out of network files (personal data, UU 27/2022); "
                      "the xlsx and csv exports carry them.")
    else:
        console.print("The files are in the import format: `tular import` of them into an empty store gives "
                      "the same records. They include phone numbers (personal data): keep them safe.")


def print_backup(console: Console, path: Path, backup: Backup) -> None:
    size = path.stat().st_size
    console.print(f"[green]Backed up[/green] {backup.source} to {path} ({size / 1024:,.0f} KiB): "
                  f"{_counts(backup.counts())}; {len(backup.kelurahan)} kelurahan, {len(backup.skills)} skills.",
                  highlight=False)


def print_restore(console: Console, target: str, result: RestoreResult, as_json: bool) -> None:
    if as_json:
        print(result.model_dump_json())
        return
    replaced = " (everything it held before was deleted)" if result.replaced else ""
    how = {"new-file": "built in a new file, then put in place in one transaction",
           "one-transaction": "in one transaction",
           "safety-backup": "too large for one transaction: safety backup, then wiped and written"}[result.method]
    console.print(f"[green]Restored[/green] into {target}{replaced}: {_counts(result.counts)} from the backup of "
                  f"{result.source} taken {result.created_at:%Y-%m-%d %H:%M} UTC ({how}).", highlight=False)
    if result.safety_file:
        console.print(f"What the store held before is in the safety backup {result.safety_file} (`tular restore "
                      "--force` of it puts it back). It holds personal data: delete it when you no longer need it.",
                      highlight=False)
    if result.erasures_applied:
        console.print(f"The backup was taken before {len(result.erasures_applied):,} erasure(s) of personal data "
                      f"(UU 27/2022): erased again — {', '.join(result.erasures_applied[:10])}"
                      f"{' …' if len(result.erasures_applied) > 10 else ''}.", highlight=False)


def print_template(console: Console, path: Path) -> None:
    console.print(f"[green]Wrote[/green] the template {path}: fill in the sheets (see Petunjuk), then "
                  f"`tular import {path.name} --dry-run`.", highlight=False)


def print_xlsform(console: Console, path: Path, version: str) -> None:
    console.print(f"[green]Wrote[/green] the phone form {path} (version {version}). Upload it to ODK Central or "
                  "KoboToolbox with ikm.csv, the IKM list from `tular export --format odk-register -o ikm.csv`; "
                  "make the form again after adding skills.", highlight=False)


def print_check(console: Console, report: QualityReport, as_json: bool) -> None:
    if as_json:
        print(report.model_dump_json())
        return
    summary = Table(title="Data quality (tular check)", title_justify="left")
    summary.add_column("Finding")
    summary.add_column("Count", justify="right")
    for kind in FINDING_KINDS:
        summary.add_row(FINDING_TITLES[kind], f"{report.counts[kind]:,}")
    console.print(summary)
    for kind in FINDING_KINDS:
        found = [f for f in report.findings if f.kind == kind]
        if not found:
            continue
        table = Table(title=FINDING_TITLES[kind], title_justify="left", show_lines=True)
        table.add_column("Skill", no_wrap=True)
        table.add_column("IKM", max_width=30)
        table.add_column("Detail")
        for finding in found[:SHOWN_FINDINGS]:
            ids = finding.ikm_ids if len(finding.ikm_ids) <= 12 else [*finding.ikm_ids[:12], f"… {len(finding.ikm_ids)} in all"]
            table.add_row(finding.skill or "—", "\n".join(ids), finding.detail)
        console.print(table)
        if len(found) > SHOWN_FINDINGS:
            console.print(f"  … and {len(found) - SHOWN_FINDINGS:,} more (use --json to see all)")
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
    if report.counts.get("duplicate_teaching"):
        console.print("Remove the extra copies with [bold]tular check --repair[/bold] (the earliest of each is kept; "
                      "one batch, which tular import --undo reverses).")
    if not report.findings:
        console.print("[green]No findings.[/green]")


def print_repair(console: Console, repair: Repair) -> None:
    if repair.batch_id is None:
        console.print("Nothing to repair: no teaching is stored more than once.")
        return
    console.print(f"[green]Repaired[/green]: removed {len(repair.removed):,} extra copies of {len(repair.kept):,} "
                  f"teachings stored more than once, keeping the earliest of each — batch "
                  f"[bold]{repair.batch_id}[/bold] (undo with: tular import --undo {repair.batch_id}).",
                  highlight=False)
    for t in repair.removed[:SHOWN_FINDINGS]:
        console.print(f"  • {t.teacher_id} taught {t.skill} to {t.learner_id} on {t.date.isoformat()}: copy removed",
                      highlight=False)
    if len(repair.removed) > SHOWN_FINDINGS:
        console.print(f"  … and {len(repair.removed) - SHOWN_FINDINGS:,} more (use --json to see all)")
