"""Terminal views of exports, backups, restores, the template and ``tular check``, in the
reader's language (labels from the catalogue, numbers and dates by Babel)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tular.graph.io.backup import Backup, RestoreResult
from tular.graph.io.export import NETWORK_FORMATS, REGISTER_FORMAT, ExportResult
from tular.graph.metrics.results import FINDING_KINDS, QualityReport
from tular.graph.model.catalogue import N_
from tular.graph.model.records import Repair
from tular.service.views import default_locale, record_name
from tular.visualizations.i18n import MISSING, Locale

#: Findings of one kind shown in the terminal; --json gives all of them.
SHOWN_FINDINGS = 20

FINDING_TITLES = {
    "cycle": N_("cli.check_cycle"),
    "duplicate_teaching": N_("cli.check_duplicate_teaching"),
    "probable_duplicate": N_("cli.check_probable_duplicate"),
    "out_of_order": N_("cli.check_out_of_order"),
    "learner_is_trainee": N_("cli.check_learner_is_trainee"),
    "orphan": N_("cli.check_orphan"),
}
#: How a restore was written (``RestoreResult.method``).
RESTORE_METHODS = {"new-file": N_("cli.restore_new_file"), "one-transaction": N_("cli.restore_one_transaction"),
                   "safety-backup": N_("cli.restore_safety_backup")}


def _counts(loc: Locale, counts: dict[str, int]) -> str:
    return ", ".join(f"{loc.integer(n)} {record_name(loc, kind)}" for kind, n in counts.items())


def print_export(console: Console, result: ExportResult, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    where = result.paths[0] if len(result.paths) == 1 else str(Path(result.paths[0]).parent) + "/"
    console.print(loc.t("cli.exported", counts=_counts(loc, result.counts), format=result.format, where=where),
                  highlight=False)
    if result.format == REGISTER_FORMAT:
        console.print(loc.t("cli.exported_register"))
    elif result.format in NETWORK_FORMATS:
        console.print(loc.t("cli.exported_network"))
    else:
        console.print(loc.t("cli.exported_tables"))


def print_backup(console: Console, path: Path, backup: Backup, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    size = path.stat().st_size
    console.print(loc.t("cli.backed_up", source=backup.source, path=str(path), kib=loc.integer(round(size / 1024)),
                        counts=_counts(loc, backup.counts()), kelurahan=loc.integer(len(backup.kelurahan)),
                        skills=loc.integer(len(backup.skills))), highlight=False)


def print_restore(console: Console, target: str, result: RestoreResult, as_json: bool, *,
                  loc: Locale | None = None) -> None:
    if as_json:
        print(result.model_dump_json())
        return
    loc = loc or default_locale()
    key = N_("cli.restored_replacing") if result.replaced else N_("cli.restored")
    console.print(loc.t(key, target=target, counts=_counts(loc, result.counts), source=result.source,
                        taken=f"{loc.date(result.created_at.date())} {result.created_at:%H:%M}",
                        how=loc.t(RESTORE_METHODS[result.method])), highlight=False)
    if result.safety_file:
        console.print(loc.t("cli.restore_safety_file", file=result.safety_file), highlight=False)
    if result.erasures_applied:
        shown = ", ".join(result.erasures_applied[:10]) + (" …" if len(result.erasures_applied) > 10 else "")
        console.print(loc.t("cli.restore_erasures", count=loc.integer(len(result.erasures_applied)), ids=shown),
                      highlight=False)


def print_template(console: Console, path: Path, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    console.print(loc.t("cli.template_written", path=str(path), name=path.name), highlight=False)


def print_xlsform(console: Console, path: Path, version: str, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    console.print(loc.t("cli.xlsform_written", path=str(path), version=version), highlight=False)


def print_check(console: Console, report: QualityReport, as_json: bool, *, loc: Locale | None = None) -> None:
    if as_json:
        print(report.model_dump_json())
        return
    loc = loc or default_locale()
    summary = Table(title=loc.t("cli.check_title"), title_justify="left")
    summary.add_column(loc.t("cli.check_finding"))
    summary.add_column(loc.t("label.count"), justify="right")
    for kind in FINDING_KINDS:
        summary.add_row(loc.t(FINDING_TITLES[kind]), loc.integer(report.counts[kind]))
    console.print(summary)
    for kind in FINDING_KINDS:
        found = [f for f in report.findings if f.kind == kind]
        if not found:
            continue
        table = Table(title=loc.t(FINDING_TITLES[kind]), title_justify="left", show_lines=True)
        table.add_column(loc.t("label.skill"), no_wrap=True)
        table.add_column(loc.t("label.ikm"), max_width=30)
        table.add_column(loc.t("label.detail"))
        for finding in found[:SHOWN_FINDINGS]:
            ids = finding.ikm_ids if len(finding.ikm_ids) <= 12 else [
                *finding.ikm_ids[:12], loc.t("cli.in_all", count=loc.integer(len(finding.ikm_ids)))]
            table.add_row(finding.skill or MISSING, "\n".join(ids), finding.detail)
        console.print(table)
        if len(found) > SHOWN_FINDINGS:
            console.print("  " + loc.t("cli.more_in_json", more=loc.integer(len(found) - SHOWN_FINDINGS)),
                          highlight=False)
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/dim]")
    if report.counts.get("duplicate_teaching"):
        console.print(loc.t("cli.check_repair_hint"), highlight=False)
    if not report.findings:
        nothing = loc.t("cli.check_nothing")
        console.print(f"[green]{escape(nothing)}[/green]")


def print_repair(console: Console, repair: Repair, *, loc: Locale | None = None) -> None:
    loc = loc or default_locale()
    if repair.batch_id is None:
        console.print(loc.t("cli.repair_nothing"))
        return
    console.print(loc.t("cli.repaired", removed=loc.integer(len(repair.removed)), kept=loc.integer(len(repair.kept)),
                        batch=repair.batch_id), highlight=False)
    for t in repair.removed[:SHOWN_FINDINGS]:
        console.print("  • " + loc.t("cli.repair_copy", teacher=t.teacher_id, skill=t.skill, learner=t.learner_id,
                                     date=loc.short_date(t.date)), highlight=False)
    if len(repair.removed) > SHOWN_FINDINGS:
        console.print("  " + loc.t("cli.more_in_json", more=loc.integer(len(repair.removed) - SHOWN_FINDINGS)),
                      highlight=False)
