"""The ``tular`` command line: thin commands over ``tular.graph``.

Exit codes (SPEC §6): 0 ok (warnings included), 1 invalid data, 2 usage error,
3 store unavailable, 4 remote source unavailable (ODK Central).
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tular import __version__
from tular.graph.model.dates import as_of
from tular.graph.model.errors import InvalidData, RemoteUnavailable, StoreUnavailable, TularError, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS, Skill
from tular.graph.model.settings import Settings
from tular.graph.model.skills import SkillVocabulary, skill_key
from tular.graph.store import GraphStore, open_store

EXIT_INVALID_DATA, EXIT_USAGE, EXIT_STORE_UNAVAILABLE, EXIT_REMOTE_UNAVAILABLE = 1, 2, 3, 4

# Piped output has no terminal width; give tables room rather than truncating numbers.
out = Console() if sys.stdout.isatty() else Console(width=120)
err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=120)

app = typer.Typer(
    name="tular",
    help="tular — how far did the skill travel? Reach, generations and broken chains of "
    "train-the-trainer programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
skills_app = typer.Typer(help="The skill vocabulary (built-in skills and aliases).", no_args_is_help=True)
app.add_typer(skills_app, name="skills")
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@dataclass
class CliState:
    db: str | None
    settings: Settings = field(default_factory=Settings)
    _store: GraphStore | None = None

    def store(self, restoring: bool = False) -> GraphStore:
        """The store, opened on first use with its schema in place. A store marked "restore in
        progress" is refused (``RestoreInProgress``, SPEC §3) unless ``restoring`` (the command
        is ``restore --force``)."""
        if self._store is None:
            from tular.graph.store.restoring import refuse_while_restoring

            store = open_store(self.db, self.settings)
            try:
                if not restoring:
                    refuse_while_restoring(store)
                store.init_schema()
            except BaseException:
                store.close()
                raise
            self._store = store
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def version_callback(value: bool) -> None:
    if value:
        out.print(f"tular {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store URL: sqlite:///PATH (default sqlite:///tular.db) or neo4j://HOST:7687. "
                     "Default from TULAR_DB.", show_default=False),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = CliState(db)
    ctx.call_on_close(ctx.obj.close)


# ---------------------------------------------------------------------- commands
@app.command()
def init(ctx: typer.Context) -> None:
    """Create the schema, constraints, the Kota Malang gazetteer and the built-in skills."""
    store = state(ctx).store()
    store.session_secret()  # made now, kept in the store: it signs the web sign-ins of every server process
    counts = store.counts()
    out.print(
        f"[green]Ready[/green]: {store.display_url} — {counts.kecamatan} kecamatan, "
        f"{counts.kelurahan} kelurahan, {counts.skills} skills, {counts.ikm:,} IKM."
    )


@app.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """What the store holds: IKM, trainings, attendance, teaching events."""
    store = state(ctx).store()
    counts = store.counts()
    if as_json:
        print(json.dumps({"store": store.display_url, **counts.model_dump()}))
        return
    table = Table(title="What the store holds", caption=store.display_url, title_justify="left")
    table.add_column("Records")
    table.add_column("Count", justify="right")
    for name, value in counts.model_dump().items():
        table.add_row(name, f"{value:,}")
    out.print(table)


@app.command()
def demo(
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web app after loading.")] = True,
    reset: Annotated[bool, typer.Option("--reset", help="Replace whatever the store holds with the demo data.")] = False,
    port: Annotated[int, typer.Option("--port", help="Port of the web app (on 127.0.0.1).")] = 8000,
) -> None:
    """Fill the store with a synthetic Kota Malang data set and print what it shows."""
    from tular.graph.demo import generator as demo_data
    from tular.service.summary import print_area_story, print_skill_summary

    store = state(ctx).store()
    with out.status("Generating the Kota Malang demo data…"):
        records = demo_data.build_demo()
    counts = store.counts()
    expected = (len(records.ikm), len(records.trainings), len(records.teachings))
    if counts.ikm and not reset and (counts.ikm, counts.trainings, counts.teachings) != expected:
        raise UsageError(
            f"the store {store.display_url} already holds {counts.ikm:,} IKM that are not the demo's; "
            "run `tular demo --reset` to replace them, or choose another store with --db sqlite:///demo.db"
        )
    if reset:
        store.wipe()
        store.init_schema()
    with out.status(f"Writing {len(records):,} records to {store.display_url} in one transaction…"):
        demo_data.load_demo(store)
    out.print(f"[green]Loaded[/green] the demo data set into {store.display_url}.")
    status(ctx, as_json=False)
    print_skill_summary(out, store, as_of=demo_data.DEMO_AS_OF)
    print_area_story(out, store, "batik", demo_data.BUNULREJO, as_of=demo_data.DEMO_AS_OF)
    from tular.service.map_documents import write_map

    write_map(out, store, "batik", demo_data.DEMO_AS_OF, Path("tular-demo") / "peta-batik.html")
    from tular.service.reports import write_report

    today = state(ctx).settings.today()
    write_report(out, store, today.year, today, Path("tular-demo") / f"laporan-{today.year}.html")
    if serve:  # keep this last: it runs until stopped
        cli = state(ctx)
        # the demo holds no real people: anonymous reading on loopback is fine
        out.print(f"Web app (dashboard): [bold]http://127.0.0.1:{port}/?as_of={demo_data.DEMO_AS_OF.isoformat()}"
                  f"[/bold] — the map at /peta, import at /impor (sign in with an editor key from "
                  f"`tular keys create --role editor`).", highlight=False, soft_wrap=True)
        _run_server(cli.settings.model_copy(update={"db": cli.db or cli.settings.db, "public_read": True}),
                    "127.0.0.1", port)


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="CSV files or one XLSX workbook (sheets by kind); "
                                                       "or the submissions export of the phone form from ODK "
                                                       "Central (CSV or zip) or KoboToolbox (XLSX or CSV).",
                                                       show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Kind of every file, when the names do not say: "
                                             "ikm, trainings, attendance, teachings, outcomes, populations.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate against the store without writing.")] = False,
    list_batches: Annotated[bool, typer.Option("--list", help="List the recorded import batches.")] = False,
    undo: Annotated[str | None, typer.Option("--undo", metavar="BATCH", help="Undo an import batch.")] = None,
    who: Annotated[str | None, typer.Option("--who", help="Who imports (recorded with the batch); default: "
                                            "the user name.")] = None,
    from_odk: Annotated[str | None, typer.Option("--from-odk", metavar="URL", help="Pull the phone form's new "
                                                 "submissions from this ODK Central server (credentials from "
                                                 "pyodk's config, ~/.pyodk_config.toml), with --project and "
                                                 "--form.", show_default=False)] = None,
    project: Annotated[int | None, typer.Option("--project", help="--from-odk: the project's number.",
                                                show_default=False)] = None,
    form: Annotated[str | None, typer.Option("--form", help="--from-odk: the form's ID (xmlFormId).",
                                             show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import files as one batch: all of it, or nothing when any row has an error. With --from-odk, pull the
    submissions made since the last pull from ODK Central and import them as one batch (exit 4 when the server
    cannot be reached or refuses the credentials)."""
    from tular.service import importing

    cli = state(ctx)
    chosen = sum(bool(x) for x in (paths, list_batches, undo, from_odk))
    if chosen != 1:
        raise UsageError("give files to import, or --from-odk URL, or --list, or --undo BATCH")
    if (project is not None or form) and not from_odk:
        raise UsageError("--project and --form go with --from-odk URL")
    if from_odk and (project is None or not form):
        raise UsageError("--from-odk needs the project's number and the form's ID: --project P --form F")
    store = cli.store()
    if from_odk:
        from tular.graph.io.central import pull

        pulled = pull(store, from_odk, project, form, today=cli.settings.today(), who=who or getpass.getuser(),
                      dry_run=dry_run)
        importing.print_pull(out, pulled, as_json)
        if not pulled.ok:
            raise typer.Exit(EXIT_INVALID_DATA)
        return
    if list_batches:
        importing.print_batches(out, store.batches(), as_json)
        return
    if undo:
        batch = store.undo(undo)
        importing.print_undone(out, batch, as_json)
        return
    report = importing.run_import(store, paths, kind=kind, dry_run=dry_run, who=who or getpass.getuser(),
                                  today=cli.settings.today(), console=None if as_json else err)
    importing.print_report(out, report, as_json)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID_DATA)


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; for csv, a folder (made if "
                                         "missing) that receives ikm.csv, trainings.csv, attendance.csv, "
                                         "teachings.csv, outcomes.csv and populations.csv.", show_default=False)],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="graphml, gexf, json, xlsx, csv or "
                                            "odk-register (default: from the file name).",
                                            show_default=False)] = None,
    kelurahan: Annotated[str | None, typer.Option("--kelurahan", help="odk-register: only the IKM of this "
                                                  "kelurahan (one officer's area).", show_default=False)] = None,
) -> None:
    """Export the whole store. graphml, gexf and json (networkx node-link) are network files for Gephi and
    other graph tools: IKM nodes and teacher → learner edges with skill and date, WITHOUT phone numbers
    (personal data, UU 27/2022). xlsx and csv are in the import format, phone numbers included:
    `tular import` of them into an empty store gives the same records. odk-register writes ikm.csv, the IKM
    list of the phone form (`tular template --xlsform`): id, "Name (Kelurahan)" and kelurahan, no phone
    numbers, no erased IKM."""
    from tular.graph.io.export import export_store
    from tular.service.datafiles import print_export

    print_export(out, export_store(state(ctx).store(), output, fmt, kelurahan=kelurahan))


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Backup file to write (.json, or .json.gz to compress).",
                                         show_default=False)],
) -> None:
    """Write the whole database to one file: gazetteer, skills, every record, populations and the import
    batch log. Restore it into any store (embedded or Neo4j) with `tular restore`. A store that breaks
    tular's rules (a teaching stored twice, a cycle, a missing reference) is refused, naming the records:
    see `tular check`."""
    from tular.graph.io.backup import write_backup
    from tular.service.datafiles import print_backup

    print_backup(out, file, write_backup(state(ctx).store(), file))


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file made by `tular backup`.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Delete everything the store holds first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Restore a backup into an empty store (or, with --force, replace what the store holds). The file is
    checked completely before anything is written, and the store holds either what it held or the whole
    backup: a restore into Neo4j too large for one transaction first writes a safety backup
    (tular-safety-….json.gz, beside FILE) and marks the store "restore in progress" until it completes."""
    from tular.graph.io.backup import restore_file
    from tular.service.datafiles import print_restore

    cli = state(ctx)
    store = cli.store(restoring=force)
    result = restore_file(store, file, force=force, one_transaction_max=cli.settings.restore_one_transaction_max)
    print_restore(out, store.display_url, result, as_json)


@app.command()
def forget(
    ctx: typer.Context,
    ikm_id: Annotated[str, typer.Argument(help="The IKM whose personal data is to be erased.", show_default=False)],
    who: Annotated[str | None, typer.Option("--who", help="Who carries out the request (logged); default: "
                                            "the user name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Erase a person's personal data on request (UU 27/2022): the name becomes "Dihapus (ID)", the business
    name, phone number and the notes of their teaching events are removed — also from the import log's
    earlier versions. The IKM keeps its place in the graph, so reach and reports do not change."""
    from tular.graph.admin.erasure import forget as forget_ikm

    result = forget_ikm(state(ctx).store(), ikm_id, who or getpass.getuser())
    if as_json:
        print(result.model_dump_json())
        return
    out.print(f"[green]Erased[/green] the personal data of {result.ikm_id} (logged as batch {result.batch_id}; "
              f"{result.teachings} teaching notes and {result.logged_changes} earlier versions in the import log "
              "erased). Backups taken before today still hold it: replace or destroy them.")


@app.command()
def template(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Workbook to write (.xlsx; default "
                                                "tular-template.xlsx, with --xlsform catat-pengajaran.xlsx).",
                                                show_default=False)] = None,
    xlsform: Annotated[bool, typer.Option("--xlsform", help="Write instead the phone form for recording "
                                          "teachings (XLSForm for ODK Collect / KoboCollect, Indonesian and "
                                          "English); upload it with ikm.csv from `tular export --format "
                                          "odk-register`.")] = False,
) -> None:
    """Write an empty workbook for field officers: one sheet per kind with header rows, instructions
    (Petunjuk) and drop-down lists of kelurahan, skills and completed. With --xlsform, the phone form."""
    from tular.service.datafiles import print_template, print_xlsform

    cli = state(ctx)
    store = cli.store()
    if xlsform:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from tular.graph.io.xlsform import form_version, write_xlsform

        version = form_version(datetime.now(ZoneInfo(cli.settings.tz)))
        path = write_xlsform(output or Path("catat-pengajaran.xlsx"), store.skills(), store.gazetteer(), version)
        print_xlsform(out, path, version)
        return
    from tular.graph.io.template import write_template

    print_template(out, write_template(output or Path("tular-template.xlsx"), store.gazetteer(), store.skills()))


@app.command()
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="First remove the extra copies of teachings stored more "
                                         "than once (the earliest is kept), as one import batch that "
                                         "`tular import --undo` reverses. Cycles are never repaired: delete the "
                                         "wrong teaching yourself.")] = False,
    who: Annotated[str | None, typer.Option("--who", help="Who repairs (recorded with the batch); default: the "
                                            "user name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Data-quality findings: broken invariants (teachings that go round a cycle, teachings stored more than
    once), probable duplicate persons, teachings dated before the teacher learned, learners who are also
    trainees, orphan fragments. (Undated teachings cannot exist: the importer requires a date.)"""
    from tular.graph.metrics.quality import check_store, repair_store
    from tular.service.datafiles import print_check, print_repair

    store = state(ctx).store()
    repaired = repair_store(store, who or getpass.getuser()) if repair else None
    report = check_store(store)
    if as_json:
        print(json.dumps({**({"repair": repaired.model_dump(mode="json")} if repaired else {}),
                          **report.model_dump(mode="json")}))
        return
    if repaired is not None:
        print_repair(out, repaired)
    print_check(out, report, as_json=False)


def as_of_option(value: str | None, cli: CliState) -> date:
    return as_of(value, cli.settings.today(), "--as-of")


AsOf = Annotated[str | None, typer.Option("--as-of", help="Count events up to this date (default: today, WIB).",
                                          show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


# The filters of SPEC §5, shared by the metrics commands.
KelurahanFilter = Annotated[str | None, typer.Option("--kelurahan", help="Count the IKM of one kelurahan.")]
KecamatanFilter = Annotated[str | None, typer.Option("--kecamatan", help="Count the IKM of one kecamatan.")]
CohortFilter = Annotated[list[str] | None, typer.Option("--cohort", help="Seeds from these training ids only "
                                                        "(repeatable).")]
YearFilter = Annotated[int | None, typer.Option("--year", help="Seeds from trainings ending in this year.")]


def filtered_query(cli: CliState, skill: str, as_of: str | None, kelurahan: str | None, kecamatan: str | None,
                   cohort: list[str] | None, year: int | None):
    """The question of ``reach`` and ``outcomes``: a skill as of a date, under their filters."""
    from tular.graph.metrics import answers as metrics

    return metrics.Query(skill=skill, as_of=as_of_option(as_of, cli), kelurahan=kelurahan, kecamatan=kecamatan,
                         cohort=cohort or (), year=year)


@app.command()
def reach(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help="Skill id or alias, or 'all'.")],
    as_of: AsOf = None,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
    as_json: Json = False,
) -> None:
    """How far a skill travelled: seeds, reached, generations, multiplier, areas."""
    from tular.graph.metrics import answers as metrics
    from tular.service import views

    cli = state(ctx)
    query = filtered_query(cli, skill, as_of, kelurahan, kecamatan, cohort, year)
    store = cli.store()
    if skill.strip().casefold() == "all":
        result = metrics.reach_all(store, query)
        print(result.model_dump_json()) if as_json else views.print_reach_all(out, result)
    else:
        one = metrics.reach(store, query)
        print(one.model_dump_json()) if as_json else views.print_reach(out, one)


@app.command()
def broken(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help="Skill id or alias.")],
    as_of: AsOf = None,
    dormant_days: Annotated[int, typer.Option("--dormant-days", help="Dormant window W in days.")] = DEFAULT_DORMANT_DAYS,
    as_json: Json = False,
) -> None:
    """Where the chain broke: dead seeds, stalled lineages, dormant leaves, orphans."""
    from tular.graph.metrics import answers as metrics
    from tular.service import views

    cli = state(ctx)
    result = metrics.broken(cli.store(), skill, as_of_option(as_of, cli), dormant_days)
    print(result.model_dump_json()) if as_json else views.print_broken(out, result)


@app.command()
def outcomes(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help="Skill id or alias.")],
    kind: Annotated[str | None, typer.Option("--kind", help="Outcome kind: pameran, marketplace, first_sale, "
                                             "certification, employees, revenue_band (default: any).")] = None,
    as_of: AsOf = None,
    after_learning: Annotated[bool, typer.Option("--after-learning", help="Count only outcomes dated on or after "
                                                 "the day the IKM learned the skill.")] = False,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
    as_json: Json = False,
) -> None:
    """Outcome rate by generation: are learners doing as well as the trainees?"""
    from tular.graph.metrics import answers as metrics
    from tular.service import views

    cli = state(ctx)
    query = filtered_query(cli, skill, as_of, kelurahan, kecamatan, cohort, year)
    result = metrics.outcome_rates(cli.store(), query, kind, after_learning)
    print(result.model_dump_json()) if as_json else views.print_outcomes(out, result, after_learning)


@app.command()
def plan(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help="Skill id or alias.")],
    seats: Annotated[int, typer.Option("--seats", help="Seats in the next cohort.", min=1)],
    year: Annotated[int | None, typer.Option("--year", help="The program year planned: counts data up to "
                                             "31 December of the year before.")] = None,
    as_of: AsOf = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the reasons: id or en.")] = "id",
    as_json: Json = False,
) -> None:
    """The next cohort: kelurahan by unmet need, narasumber to co-teach, dormant leaves to visit."""
    from tular.graph.metrics import planner
    from tular.service import views

    cli = state(ctx)
    result = planner.plan(cli.store(), skill, seats, as_of_option(as_of, cli), year=year, lang=lang)
    print(result.model_dump_json()) if as_json else views.print_plan(out, result)


@app.command()
def lineage(
    ctx: typer.Context,
    ikm_id: Annotated[str, typer.Argument(help="The IKM.")],
    skill: Annotated[str | None, typer.Option("--skill", help="One skill (default: every skill on record).")] = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Who taught whom: paths from the seeds to one IKM, and who learned from it."""
    from tular.graph.metrics import answers as metrics
    from tular.service import views

    cli = state(ctx)
    result = metrics.lineage(cli.store(), ikm_id, as_of_option(as_of, cli), skill)
    print(json.dumps(result)) if as_json else views.print_lineage(out, result)


@app.command("map")
def map_(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help="Skill id or alias.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="HTML file to write (default: "
                                                "peta-SKILL.html).", show_default=False)] = None,
    as_of: AsOf = None,
    kelurahan: Annotated[str | None, typer.Option("--kelurahan", help="Show the IKM of one kelurahan "
                                                  "(and the teachers they learned from).")] = None,
    kecamatan: Annotated[str | None, typer.Option("--kecamatan", help="Show the IKM of one kecamatan.")] = None,
    seed: Annotated[str | None, typer.Option("--seed", metavar="IKM", help="Show one seed's lineage only.")] = None,
    dormant_days: Annotated[int, typer.Option("--dormant-days", help="Dormant window W in days.")] = DEFAULT_DORMANT_DAYS,
) -> None:
    """Write an interactive propagation map: one HTML file that opens in any browser, offline."""
    from tular.service.map_documents import write_map

    cli = state(ctx)
    write_map(out, cli.store(), skill, as_of_option(as_of, cli), output, kelurahan=kelurahan, kecamatan=kecamatan,
              seed=seed, dormant_days=dormant_days)


@app.command()
def report(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help="The report's year: counted as of 31 December, or up to "
                                      "today in the current year.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .html or .pdf.",
                                         show_default=False)],
    lang: Annotated[str, typer.Option("--lang", help="id (Indonesian) or en (English).")] = "id",
    skill: Annotated[list[str] | None, typer.Option("--skill", help="Only these skills (repeatable; default: "
                                                    "every skill).", show_default=False)] = None,
    public: Annotated[bool, typer.Option("--public", help="The edition for publication: no personal names "
                                         "outside the top-teachers list, follow-up as counts per kelurahan.")] = False,
) -> None:
    """Write the annual impact report (HTML or PDF, Indonesian or English)."""
    from tular.service.reports import write_report

    cli = state(ctx)
    write_report(out, cli.store(), year, cli.settings.today(), output, lang=lang, skills=skill or (), public=public)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes. Sign-ins are valid in "
                                         "every one and survive a restart.")] = 1,
    proxy_headers: Annotated[bool, typer.Option("--proxy-headers", help="Behind a reverse proxy: trust its "
                                                "X-Forwarded-Proto and X-Forwarded-For (from "
                                                "--forwarded-allow-ips only), so that behind TLS cookies are "
                                                "sent Secure.")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option("--forwarded-allow-ips", help="With --proxy-headers: the "
                                                     "proxy's addresses, comma-separated ('*': any).")] = "127.0.0.1",
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web pages."""
    cli = state(ctx)
    _run_server(cli.settings.model_copy(update={"db": cli.db or cli.settings.db}), host, port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips)


def _run_server(settings: Settings, host: str, port: int, workers: int = 1, proxy_headers: bool = False,
                forwarded_allow_ips: str = "127.0.0.1") -> None:
    import os

    import uvicorn

    from tular.graph.model.settings import SERVE_SETTINGS_ENV
    from tular.service.sessions import Sessions

    Sessions(settings.secret_key)  # a TULAR_SECRET_KEY too short is refused here, not in every worker
    store = open_store(settings.db, settings)  # for its URL without the password: nothing is read yet
    shown = store.display_url
    store.close()
    # every worker process makes its app from these settings (tular.service.app:serve_app)
    os.environ[SERVE_SETTINGS_ENV] = settings.model_dump_json()
    each = f"{workers} worker processes" if workers > 1 else "one process"
    out.print(f"tular serves {shown} on [bold]http://{host}:{port}[/bold] with {each} (API docs: /docs). "
              "Ctrl+C stops.", highlight=False, soft_wrap=True)
    uvicorn.run("tular.service.app:serve_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips, log_level="info",
                access_log=True, timeout_graceful_shutdown=10)


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")],
    name: Annotated[str, typer.Option("--name", help="Whose key this is, for the audit log.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an API key; it is shown once and stored only as a hash."""
    from tular.graph.admin import api_keys as keys

    plaintext, stored = keys.create_key(state(ctx).store(), role, name or f"{role} key")
    if as_json:
        print(json.dumps({**stored.model_dump(mode="json", exclude={"salt", "hash"}), "key": plaintext}))
        return
    out.print(f"Created {stored.role} key [bold]{stored.key_id}[/bold] ({stored.name}). "
              "Keep it safe — it is not shown again:")
    print(plaintext)


@keys_app.command("list")
def keys_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List API keys (never the keys themselves)."""
    stored = state(ctx).store().api_keys()
    if as_json:
        print(json.dumps([k.model_dump(mode="json", exclude={"salt", "hash"}) for k in stored]))
        return
    table = Table(title="API keys", title_justify="left")
    for column in ("Key id", "Name", "Role", "Created (UTC)", "Revoked"):
        table.add_column(column)
    for k in stored:
        table.add_row(k.key_id, k.name, k.role, k.created_at.strftime("%Y-%m-%d %H:%M"),
                      k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "")
    out.print(table if stored else "No API keys yet: create one with `tular keys create --role admin`.")


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key id.")]) -> None:
    """Revoke an API key: web sign-ins with it end at once in every running server; the key itself stops
    working at once here, within a minute in running servers."""
    from tular.graph.admin import api_keys as keys

    revoked = keys.revoke_key(state(ctx).store(), key_id)
    out.print(f"Revoked key {revoked.key_id} ({revoked.name}).")


@skills_app.command("list")
def skills_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List skills with their Indonesian and English names and aliases."""
    skills = state(ctx).store().skills()
    if as_json:
        print(json.dumps([s.model_dump() for s in skills]))
        return
    table = Table(title="Skills / Keterampilan", title_justify="left")
    for column in ("skill_id", "Nama (id)", "Name (en)", "Aliases"):
        table.add_column(column)
    for s in skills:
        table.add_row(s.skill_id, s.name_id, s.name_en, ", ".join(s.aliases))
    out.print(table)


@skills_app.command("add")
def skills_add(
    ctx: typer.Context,
    skill_id: Annotated[str, typer.Argument(help="New skill id, e.g. anyaman-bambu.")],
    name_id: Annotated[str, typer.Option("--name-id", help="Name in Indonesian.")],
    name_en: Annotated[str, typer.Option("--name-en", help="Name in English.")],
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name (repeatable).")] = None,
) -> None:
    """Add a skill (or update its names and aliases)."""
    store = state(ctx).store()
    try:
        skill = Skill(skill_id=skill_key(skill_id), name_id=name_id, name_en=name_en,
                      aliases=tuple(skill_key(a) for a in alias or ()))
    except ValueError as exc:
        raise UsageError(f"skill id {skill_id!r} must be lower-case letters, digits and hyphens") from exc
    with store.writing():  # checked against the vocabulary as it is when the lock is held
        SkillVocabulary(store.skills()).check_new(skill)
        store.add_skill(skill)
    out.print(f"[green]Added[/green] skill {skill.skill_id} ({skill.name_id} / {skill.name_en}).")


# ---------------------------------------------------------------------- entry point
def exit_code_for(exc: TularError) -> int:
    if isinstance(exc, StoreUnavailable):
        return EXIT_STORE_UNAVAILABLE
    if isinstance(exc, RemoteUnavailable):
        return EXIT_REMOTE_UNAVAILABLE
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, InvalidData):
        return EXIT_INVALID_DATA
    return EXIT_INVALID_DATA


def main() -> None:
    """Run the CLI, turning domain errors into a message and an exit code."""
    try:
        app(prog_name="tular")  # click's standalone mode handles usage errors (exit 2)
    except TularError as exc:
        err.print(f"[bold red]Error:[/bold red] {exc}", highlight=False)
        sys.exit(exit_code_for(exc))
