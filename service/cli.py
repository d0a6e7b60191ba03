"""The ``tular`` command line: thin commands over ``tular.graph``.

Exit codes (SPEC §6): 0 ok (warnings included), 1 invalid data, 2 usage error,
3 store unavailable, 4 remote source unavailable (ODK Central).
"""

# No ``from __future__ import annotations`` here: typer reads every command's parameters from
# its annotations each time it runs, and annotations kept as strings are compiled again there
# (about 40 ms a run); the few names imported only for type checkers are quoted.
import getpass
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from tular import __version__
from tular.graph.model.catalogue import N_
from tular.graph.model.dates import as_of
from tular.graph.model.errors import InvalidData, RemoteUnavailable, StoreUnavailable, TularError, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS, Skill
from tular.graph.model.settings import Settings
from tular.graph.model.skills import SkillVocabulary, skill_key
from tular.graph.store import GraphStore, open_store
from tular.service.language import cli_language, language, said, text_of
from tular.visualizations.i18n import Locale

if TYPE_CHECKING:
    from rich.console import Console
    from typer import Context
    from typer._click import HelpFormatter, Option

# A command imports what it uses when it uses it (SPEC §9): rich's consoles are made at the
# first print, typer's help and error panels (typer.rich_utils, rich.markdown) are loaded only
# to show help or an error, the commands' own modules inside each command.
# tests/test_architecture.py holds the import lists of `tular --help` and `tular reach`.

#: The help texts are made when the commands are built: the language is read from the arguments
#: and TULAR_LANG first (SPEC §11), and the output follows the same choice (:class:`CliState`).
HELP = Locale(cli_language(sys.argv[1:]))

EXIT_INVALID_DATA, EXIT_USAGE, EXIT_STORE_UNAVAILABLE, EXIT_REMOTE_UNAVAILABLE = 1, 2, 3, 4


class _Console:
    """A rich console made at its first use. Piped output has no terminal width; give tables
    room rather than truncating numbers."""

    def __init__(self, stderr: bool = False):
        self._stderr = stderr
        self._console: "Console | None" = None

    def _made(self) -> "Console":
        if self._console is None:
            from rich.console import Console

            stream = sys.stderr if self._stderr else sys.stdout
            self._console = Console(stderr=self._stderr, width=None if stream.isatty() else 120)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self._made(), name)

    # what rich does with a console beyond its attributes (a progress bar's live display
    # enters it): Python looks these up on the class, not through __getattr__
    def __enter__(self) -> "Console":
        return self._made().__enter__()

    def __exit__(self, *exc) -> None:
        self._made().__exit__(*exc)


out, err = _Console(), _Console(stderr=True)


def worded_typer() -> None:
    """typer's and click's own words in the help and the usage errors, in the help's language:
    set before typer shows help or an error (it loads ``typer.rich_utils`` only then)."""
    import typer.rich_utils

    for name, key in {"ARGUMENTS_PANEL_TITLE": N_("cli.panel_arguments"), "OPTIONS_PANEL_TITLE": N_("cli.panel_options"),
                      "COMMANDS_PANEL_TITLE": N_("cli.panel_commands"), "ERRORS_PANEL_TITLE": N_("cli.panel_error"),
                      "ABORTED_TEXT": N_("cli.aborted"), "REQUIRED_LONG_STRING": N_("cli.required")}.items():
        setattr(typer.rich_utils, name, HELP.t(key))
    typer.rich_utils.DEFAULT_STRING = HELP.t("cli.default", value="{}")
    typer.rich_utils.RICH_HELP = HELP.t("cli.try_help", command_path="{command_path}", help_option="{help_option}")


@contextmanager
def _worded_errors():
    """typer shows a usage error or an abort in a panel of ``typer.rich_utils``: worded first."""
    try:
        yield
    except (TularError, typer.Exit):
        raise
    except Exception:
        worded_typer()
        raise


class _Localized:
    """click's usage line and help option, worded from the catalogue."""

    def format_help(self, ctx: "Context", formatter: "HelpFormatter") -> None:
        worded_typer()
        super().format_help(ctx, formatter)

    def format_usage(self, ctx: "Context", formatter: "HelpFormatter") -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=HELP.t("cli.usage") + " ")

    def collect_usage_pieces(self, ctx: "Context") -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [HELP.t("cli.options_metavar") if piece == self.options_metavar else piece for piece in pieces]

    def get_help_option(self, ctx: "Context") -> "Option | None":
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP.t("cli.help_option")
        return option


class LocalizedGroup(_Localized, TyperGroup):
    def make_context(self, *args, **kwargs):
        with _worded_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: "Context"):
        with _worded_errors():
            return super().invoke(ctx)


class LocalizedCommand(_Localized, TyperCommand):
    pass


app = typer.Typer(
    name="tular",
    cls=LocalizedGroup,
    help=HELP.t("cli.tular"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
skills_app = typer.Typer(help=HELP.t("cli.skills"), no_args_is_help=True, cls=LocalizedGroup)
app.add_typer(skills_app, name="skills")
keys_app = typer.Typer(help=HELP.t("cli.keys"), no_args_is_help=True, cls=LocalizedGroup)
app.add_typer(keys_app, name="keys")


@dataclass
class CliState:
    db: str | None
    settings: Settings = field(default_factory=Settings)
    lang: str | None = None
    _store: GraphStore | None = None

    def __post_init__(self) -> None:
        self.lang = chosen_language(self.lang, self.settings)
        self.loc = Locale(self.lang)

    def use(self, lang: str | None) -> str:
        """A command's own ``--lang`` (report, plan), when given, for its output too."""
        if lang is not None:
            self.lang = chosen_language(lang, self.settings)
            self.loc = Locale(self.lang)
        return self.lang

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


def _views():
    """The tables and trees of the metrics' answers (rich): loaded to show an answer, not to
    print it as JSON."""
    from tular.service import views

    return views


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def chosen_language(given: str | None, settings: Settings) -> str:
    """``--lang`` when given (``id`` or ``en``, else a usage error), else ``TULAR_LANG``, else ``id``."""
    if given is None:
        return language(settings.lang) or "id"
    found = language(given)
    if found is None:
        raise said(UsageError, N_("cli.bad_lang"), {"given": given})
    return found


def version_callback(value: bool) -> None:
    if value:
        out.print(f"tular {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help=HELP.t("cli.tular.db"), show_default=False),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help=HELP.t("cli.tular.version"))] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.tular.lang"),
                                             show_default=False)] = None,
) -> None:
    ctx.obj = CliState(db, lang=lang)
    ctx.call_on_close(ctx.obj.close)


# ---------------------------------------------------------------------- commands
@app.command(cls=LocalizedCommand, help=HELP.t("cli.init"))
def init(ctx: typer.Context) -> None:
    store = state(ctx).store()
    store.session_secret()  # made now, kept in the store: it signs the web sign-ins of every server process
    counts = store.counts()
    loc = state(ctx).loc
    out.print(loc.t("cli.ready", store=store.display_url, kecamatan=loc.integer(counts.kecamatan),
                    kelurahan=loc.integer(counts.kelurahan), skills=loc.integer(counts.skills),
                    ikm=loc.integer(counts.ikm)), highlight=False)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.status"))
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False) -> None:
    store = state(ctx).store()
    counts = store.counts()
    if as_json:
        print(json.dumps({"store": store.display_url, **counts.model_dump()}))
        return
    loc = state(ctx).loc
    from rich.table import Table

    from tular.service.views import record_name

    table = Table(title=loc.t("cli.status_title"), caption=store.display_url, title_justify="left")
    table.add_column(loc.t("cli.status_records"))
    table.add_column(loc.t("cli.status_count"), justify="right")
    for name, value in counts.model_dump().items():
        table.add_row(record_name(loc, name), loc.integer(value))
    out.print(table)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.demo"))
def demo(
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help=HELP.t("cli.demo.serve"))] = True,
    reset: Annotated[bool, typer.Option("--reset", help=HELP.t("cli.demo.reset"))] = False,
    port: Annotated[int, typer.Option("--port", help=HELP.t("cli.demo.port"))] = 8000,
) -> None:
    from tular.graph.demo import generator as demo_data
    from tular.service.summary import print_area_story, print_skill_summary

    store = state(ctx).store()
    loc = state(ctx).loc
    with out.status(loc.t("cli.demo_generating")):
        records = demo_data.build_demo()
    counts = store.counts()
    expected = (len(records.ikm), len(records.trainings), len(records.teachings))
    if counts.ikm and not reset and (counts.ikm, counts.trainings, counts.teachings) != expected:
        raise said(UsageError, N_("cli.demo_not_empty"), {"store": store.display_url, "ikm": loc.integer(counts.ikm)})
    if reset:
        store.wipe()
        store.init_schema()
    with out.status(loc.t("cli.demo_writing", records=loc.integer(len(records)), store=store.display_url)):
        demo_data.load_demo(store)
    out.print(loc.t("cli.demo_loaded", store=store.display_url), highlight=False)
    status(ctx, as_json=False)
    print_skill_summary(out, store, as_of=demo_data.DEMO_AS_OF, loc=loc)
    print_area_story(out, store, "batik", demo_data.BUNULREJO, as_of=demo_data.DEMO_AS_OF, loc=loc)
    from tular.service.map_documents import write_map

    write_map(out, store, "batik", demo_data.DEMO_AS_OF, Path("tular-demo") / "peta-batik.html", loc=loc)
    from tular.service.reports import write_report

    # one date for everything the demo shows: its data run to DEMO_AS_OF, and so do the report and the link
    as_of = demo_data.DEMO_AS_OF
    write_report(out, store, as_of.year, as_of, Path("tular-demo") / f"laporan-{as_of.year}.html", lang=loc.lang,
                 loc=loc)
    if serve:  # keep this last: it runs until stopped
        cli = state(ctx)
        # the demo holds no real people: anonymous reading on loopback is fine
        out.print(loc.t("cli.demo_web", url=f"http://127.0.0.1:{port}/?as_of={demo_data.DEMO_AS_OF.isoformat()}"),
                  highlight=False, soft_wrap=True)
        _run_server(cli.settings.model_copy(update={"db": cli.db or cli.settings.db, "public_read": True}),
                    "127.0.0.1", port, loc=loc)


@app.command("import", cls=LocalizedCommand, help=HELP.t("cli.import"))
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help=HELP.t("cli.import.paths"),
                                                       show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=HELP.t("cli.import.kind"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=HELP.t("cli.import.dry_run"))] = False,
    list_batches: Annotated[bool, typer.Option("--list", help=HELP.t("cli.import.list_batches"))] = False,
    undo: Annotated[str | None, typer.Option("--undo", metavar="BATCH", help=HELP.t("cli.import.undo"))] = None,
    who: Annotated[str | None, typer.Option("--who", help=HELP.t("cli.opt.who"))] = None,
    from_odk: Annotated[str | None, typer.Option("--from-odk", metavar="URL", help=HELP.t("cli.import.from_odk"), show_default=False)] = None,
    project: Annotated[int | None, typer.Option("--project", help=HELP.t("cli.import.project"),
                                                show_default=False)] = None,
    form: Annotated[str | None, typer.Option("--form", help=HELP.t("cli.import.form"),
                                             show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.import.lang"),
                                             show_default=False)] = None,
) -> None:
    from tular.service import importing

    cli = state(ctx)
    chosen = sum(bool(x) for x in (paths, list_batches, undo, from_odk))
    if chosen != 1:
        raise said(UsageError, N_("cli.import_choose_one"))
    if (project is not None or form) and not from_odk:
        raise said(UsageError, N_("cli.import_project_alone"))
    if from_odk and (project is None or not form):
        raise said(UsageError, N_("cli.import_odk_needs"))
    lang = cli.use(lang)
    store = cli.store()
    if from_odk:
        from tular.graph.io.central import pull

        pulled = pull(store, from_odk, project, form, today=cli.settings.today(), who=who or getpass.getuser(),
                      dry_run=dry_run, lang=lang)
        importing.print_pull(out, pulled, as_json, loc=cli.loc)
        if not pulled.ok:
            raise typer.Exit(EXIT_INVALID_DATA)
        return
    if list_batches:
        importing.print_batches(out, store.batches(), as_json, loc=cli.loc)
        return
    if undo:
        batch = store.undo(undo)
        importing.print_undone(out, batch, as_json, loc=cli.loc)
        return
    report = importing.run_import(store, paths, kind=kind, dry_run=dry_run, who=who or getpass.getuser(),
                                  today=cli.settings.today(), console=None if as_json else err, loc=cli.loc)
    importing.print_report(out, report, as_json, loc=cli.loc)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID_DATA)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.export"))
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help=HELP.t("cli.export.output"), show_default=False)],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=HELP.t("cli.export.fmt"),
                                            show_default=False)] = None,
    kelurahan: Annotated[str | None, typer.Option("--kelurahan", help=HELP.t("cli.export.kelurahan"), show_default=False)] = None,
) -> None:
    from tular.graph.io.export import export_store
    from tular.service.datafiles import print_export

    print_export(out, export_store(state(ctx).store(), output, fmt, kelurahan=kelurahan), loc=state(ctx).loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.backup"))
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=HELP.t("cli.backup.file"),
                                         show_default=False)],
) -> None:
    from tular.graph.io.backup import write_backup
    from tular.service.datafiles import print_backup

    print_backup(out, file, write_backup(state(ctx).store(), file), loc=state(ctx).loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.restore"))
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=HELP.t("cli.restore.file"), show_default=False)],
    force: Annotated[bool, typer.Option("--force", help=HELP.t("cli.restore.force"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False,
) -> None:
    from tular.graph.io.backup import restore_file
    from tular.service.datafiles import print_restore

    cli = state(ctx)
    store = cli.store(restoring=force)
    result = restore_file(store, file, force=force, one_transaction_max=cli.settings.restore_one_transaction_max)
    print_restore(out, store.display_url, result, as_json, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.forget"))
def forget(
    ctx: typer.Context,
    ikm_id: Annotated[str, typer.Argument(help=HELP.t("cli.forget.ikm_id"), show_default=False)],
    who: Annotated[str | None, typer.Option("--who", help=HELP.t("cli.opt.who"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False,
) -> None:
    from tular.graph.admin.erasure import forget as forget_ikm

    result = forget_ikm(state(ctx).store(), ikm_id, who or getpass.getuser())
    if as_json:
        print(result.model_dump_json())
        return
    loc = state(ctx).loc
    out.print(loc.t("cli.forgotten", ikm_id=result.ikm_id, batch=result.batch_id, notes=loc.integer(result.teachings),
                    versions=loc.integer(result.logged_changes)), highlight=False)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.template"))
def template(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help=HELP.t("cli.template.output"),
                                                show_default=False)] = None,
    xlsform: Annotated[bool, typer.Option("--xlsform", help=HELP.t("cli.template.xlsform"))] = False,
) -> None:
    from tular.service.datafiles import print_template, print_xlsform

    cli = state(ctx)
    store = cli.store()
    if xlsform:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from tular.graph.io.xlsform import form_version, write_xlsform

        version = form_version(datetime.now(ZoneInfo(cli.settings.tz)))
        path = write_xlsform(output or Path("catat-pengajaran.xlsx"), store.skills(), store.gazetteer(), version)
        print_xlsform(out, path, version, loc=cli.loc)
        return
    from tular.graph.io.template import write_template

    print_template(out, write_template(output or Path("tular-template.xlsx"), store.gazetteer(), store.skills()),
                   loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.check"))
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help=HELP.t("cli.check.repair"))] = False,
    who: Annotated[str | None, typer.Option("--who", help=HELP.t("cli.opt.who"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False,
) -> None:
    from tular.graph.metrics.quality import check_store, repair_store
    from tular.service.datafiles import print_check, print_repair

    store = state(ctx).store()
    loc = state(ctx).loc
    repaired = repair_store(store, who or getpass.getuser()) if repair else None
    report = check_store(store, lang=loc.lang)
    if as_json:
        print(json.dumps({**({"repair": repaired.model_dump(mode="json")} if repaired else {}),
                          **report.model_dump(mode="json")}))
        return
    if repaired is not None:
        print_repair(out, repaired, loc=loc)
    print_check(out, report, as_json=False, loc=loc)


def as_of_option(value: str | None, cli: CliState) -> date:
    return as_of(value, cli.settings.today(), "--as-of")


AsOf = Annotated[str | None, typer.Option("--as-of", help=HELP.t("cli.opt.as_of"),
                                          show_default=False)]
Json = Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))]


# The filters of SPEC §5, shared by the metrics commands.
KelurahanFilter = Annotated[str | None, typer.Option("--kelurahan", help=HELP.t("cli.opt.kelurahan_filter"))]
KecamatanFilter = Annotated[str | None, typer.Option("--kecamatan", help=HELP.t("cli.opt.kecamatan_filter"))]
CohortFilter = Annotated[list[str] | None, typer.Option("--cohort", help=HELP.t("cli.opt.cohort_filter"))]
YearFilter = Annotated[int | None, typer.Option("--year", help=HELP.t("cli.opt.year_filter"))]


def filtered_query(cli: CliState, skill: str, as_of: str | None, kelurahan: str | None, kecamatan: str | None,
                   cohort: list[str] | None, year: int | None):
    """The question of ``reach`` and ``outcomes``: a skill as of a date, under their filters."""
    from tular.graph.metrics import answers as metrics

    return metrics.Query(skill=skill, as_of=as_of_option(as_of, cli), kelurahan=kelurahan, kecamatan=kecamatan,
                         cohort=cohort or (), year=year)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.reach"))
def reach(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.reach.skill"))],
    as_of: AsOf = None,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import answers as metrics

    cli = state(ctx)
    query = filtered_query(cli, skill, as_of, kelurahan, kecamatan, cohort, year)
    store = cli.store()
    if skill.strip().casefold() == "all":
        result = metrics.reach_all(store, query)
        print(result.model_dump_json()) if as_json else _views().print_reach_all(out, result, loc=cli.loc)
    else:
        one = metrics.reach(store, query)
        print(one.model_dump_json()) if as_json else _views().print_reach(out, one, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.broken"))
def broken(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.opt.skill"))],
    as_of: AsOf = None,
    dormant_days: Annotated[int, typer.Option("--dormant-days", help=HELP.t("cli.opt.dormant_days"))] = DEFAULT_DORMANT_DAYS,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import answers as metrics

    cli = state(ctx)
    result = metrics.broken(cli.store(), skill, as_of_option(as_of, cli), dormant_days)
    print(result.model_dump_json()) if as_json else _views().print_broken(out, result, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.chains"))
def chains(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.opt.skill"))],
    as_of: AsOf = None,
    dormant_days: Annotated[int, typer.Option("--dormant-days", help=HELP.t("cli.opt.dormant_days"))] = DEFAULT_DORMANT_DAYS,
    status: Annotated[list[str] | None, typer.Option("--status", help=HELP.t("cli.chains.status"))] = None,
    min_size: Annotated[int | None, typer.Option("--min-size", help=HELP.t("cli.chains.min_size"))] = None,
    includes: Annotated[str | None, typer.Option("--includes", metavar="IKM", help=HELP.t("cli.chains.includes"))] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.chains.lang"),
                                             show_default=False)] = None,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import answers as metrics
    from tular.service.chain_table import print_chains

    cli = state(ctx)
    language = cli.use(lang)
    result = metrics.chains(cli.store(), skill, as_of_option(as_of, cli), dormant_days, statuses=status or (),
                            min_size=min_size, includes=includes)
    print(result.model_dump_json()) if as_json else print_chains(out, result, language)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.outcomes"))
def outcomes(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.opt.skill"))],
    kind: Annotated[str | None, typer.Option("--kind", help=HELP.t("cli.outcomes.kind"))] = None,
    as_of: AsOf = None,
    after_learning: Annotated[bool, typer.Option("--after-learning", help=HELP.t("cli.outcomes.after_learning"))] = False,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import answers as metrics

    cli = state(ctx)
    query = filtered_query(cli, skill, as_of, kelurahan, kecamatan, cohort, year)
    result = metrics.outcome_rates(cli.store(), query, kind, after_learning)
    print(result.model_dump_json()) if as_json else _views().print_outcomes(out, result, after_learning, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.plan"))
def plan(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.opt.skill"))],
    seats: Annotated[int, typer.Option("--seats", help=HELP.t("cli.plan.seats"), min=1)],
    year: Annotated[int | None, typer.Option("--year", help=HELP.t("cli.plan.year"))] = None,
    as_of: AsOf = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.plan.lang"),
                                             show_default=False)] = None,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import planner

    cli = state(ctx)
    lang = cli.use(lang)
    result = planner.plan(cli.store(), skill, seats, as_of_option(as_of, cli), year=year, lang=lang)
    print(result.model_dump_json()) if as_json else _views().print_plan(out, result, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.lineage"))
def lineage(
    ctx: typer.Context,
    ikm_id: Annotated[str, typer.Argument(help=HELP.t("cli.lineage.ikm_id"))],
    skill: Annotated[str | None, typer.Option("--skill", help=HELP.t("cli.lineage.skill"))] = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    from tular.graph.metrics import answers as metrics

    cli = state(ctx)
    result = metrics.lineage(cli.store(), ikm_id, as_of_option(as_of, cli), skill)
    print(json.dumps(result)) if as_json else _views().print_lineage(out, result, loc=cli.loc)


@app.command("map", cls=LocalizedCommand, help=HELP.t("cli.map"))
def map_(
    ctx: typer.Context,
    skill: Annotated[str, typer.Option("--skill", help=HELP.t("cli.opt.skill"))],
    output: Annotated[Path | None, typer.Option("-o", "--output", help=HELP.t("cli.map.output"), show_default=False)] = None,
    as_of: AsOf = None,
    kelurahan: Annotated[str | None, typer.Option("--kelurahan", help=HELP.t("cli.map.kelurahan"))] = None,
    kecamatan: Annotated[str | None, typer.Option("--kecamatan", help=HELP.t("cli.map.kecamatan"))] = None,
    seed: Annotated[str | None, typer.Option("--seed", metavar="IKM", help=HELP.t("cli.map.seed"))] = None,
    dormant_days: Annotated[int, typer.Option("--dormant-days", help=HELP.t("cli.opt.dormant_days"))] = DEFAULT_DORMANT_DAYS,
    geo: Annotated[bool, typer.Option("--geo", help=HELP.t("cli.map.geo"))] = False,
    measure: Annotated[str, typer.Option("--measure", help=HELP.t("cli.map.measure"))] = "total",
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.map.lang"),
                                             show_default=False)] = None,
) -> None:
    from tular.service.map_documents import write_map

    cli = state(ctx)
    lang = cli.use(lang)
    if geo:  # SPEC §12
        from tular.service.place_documents import write_choropleth

        if kelurahan or kecamatan or seed:
            raise said(UsageError, N_("cli.map_geo_whole_city"))
        write_choropleth(out, cli.store(), skill, as_of_option(as_of, cli), output, measure=measure, lang=lang)
        return
    write_map(out, cli.store(), skill, as_of_option(as_of, cli), output, kelurahan=kelurahan, kecamatan=kecamatan,
              seed=seed, dormant_days=dormant_days, lang=lang, loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.report"))
def report(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help=HELP.t("cli.report.year"))],
    output: Annotated[Path, typer.Option("-o", "--output", help=HELP.t("cli.report.output"),
                                         show_default=False)],
    lang: Annotated[str | None, typer.Option("--lang", metavar="id|en", help=HELP.t("cli.report.lang"),
                                             show_default=False)] = None,
    skill: Annotated[list[str] | None, typer.Option("--skill", help=HELP.t("cli.report.skill"), show_default=False)] = None,
    public: Annotated[bool, typer.Option("--public", help=HELP.t("cli.report.public"))] = False,
) -> None:
    from tular.service.reports import write_report

    cli = state(ctx)
    lang = cli.use(lang)
    write_report(out, cli.store(), year, cli.settings.today(), output, lang=lang, skills=skill or (), public=public,
                 loc=cli.loc)


@app.command(cls=LocalizedCommand, help=HELP.t("cli.serve"))
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help=HELP.t("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=HELP.t("cli.serve.port"))] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help=HELP.t("cli.serve.workers"))] = 1,
    proxy_headers: Annotated[bool, typer.Option("--proxy-headers", help=HELP.t("cli.serve.proxy_headers"))] = False,
    forwarded_allow_ips: Annotated[str, typer.Option("--forwarded-allow-ips", help=HELP.t("cli.serve.forwarded_allow_ips"))] = "127.0.0.1",
) -> None:
    cli = state(ctx)
    _run_server(cli.settings.model_copy(update={"db": cli.db or cli.settings.db}), host, port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips, loc=cli.loc)


def _run_server(settings: Settings, host: str, port: int, workers: int = 1, proxy_headers: bool = False,
                forwarded_allow_ips: str = "127.0.0.1", loc: Locale = HELP) -> None:
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
    each = loc.t("cli.serve_workers", workers=loc.integer(workers)) if workers > 1 else loc.t("cli.serve_one")
    out.print(loc.t("cli.serving", store=shown, url=f"http://{host}:{port}", processes=each), highlight=False,
              soft_wrap=True)
    uvicorn.run("tular.service.app:serve_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips, log_level="info",
                access_log=True, timeout_graceful_shutdown=10)


@keys_app.command("create", cls=LocalizedCommand, help=HELP.t("cli.keys_create"))
def keys_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option("--role", help=HELP.t("cli.keys_create.role"))],
    name: Annotated[str, typer.Option("--name", help=HELP.t("cli.keys_create.name"))] = "",
    as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False,
) -> None:
    from tular.graph.admin import api_keys as keys

    loc = state(ctx).loc
    plaintext, stored = keys.create_key(state(ctx).store(), role, name or loc.t("cli.key_default_name", role=role))
    if as_json:
        print(json.dumps({**stored.model_dump(mode="json", exclude={"salt", "hash"}), "key": plaintext}))
        return
    out.print(loc.t("cli.key_created", role=stored.role, key_id=stored.key_id, name=stored.name), highlight=False)
    print(plaintext)


@keys_app.command("list", cls=LocalizedCommand, help=HELP.t("cli.keys_list"))
def keys_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False) -> None:
    stored = state(ctx).store().api_keys()
    if as_json:
        print(json.dumps([k.model_dump(mode="json", exclude={"salt", "hash"}) for k in stored]))
        return
    loc = state(ctx).loc
    from rich.table import Table

    table = Table(title=loc.t("cli.keys_title"), title_justify="left")
    for column in (N_("cli.keys_id"), N_("cli.keys_name"), N_("cli.keys_role"), N_("cli.keys_created"),
                   N_("cli.keys_revoked")):
        table.add_column(loc.t(column))
    for k in stored:
        table.add_row(k.key_id, k.name, k.role, _moment(loc, k.created_at),
                      _moment(loc, k.revoked_at) if k.revoked_at else "")
    out.print(table if stored else loc.t("cli.keys_none"), highlight=False)


def _moment(loc: Locale, moment) -> str:
    """A UTC time stamp: the date in words of the language, then the hour."""
    return f"{loc.short_date(moment.date())} {moment:%H:%M}"


@keys_app.command("revoke", cls=LocalizedCommand, help=HELP.t("cli.keys_revoke"))
def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help=HELP.t("cli.keys_revoke.key_id"))]) -> None:
    from tular.graph.admin import api_keys as keys

    revoked = keys.revoke_key(state(ctx).store(), key_id)
    out.print(state(ctx).loc.t("cli.key_revoked", key_id=revoked.key_id, name=revoked.name), highlight=False)


@skills_app.command("list", cls=LocalizedCommand, help=HELP.t("cli.skills_list"))
def skills_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help=HELP.t("cli.opt.json"))] = False) -> None:
    skills = state(ctx).store().skills()
    if as_json:
        print(json.dumps([s.model_dump() for s in skills]))
        return
    loc = state(ctx).loc
    from rich.table import Table

    table = Table(title=loc.t("cli.skills_title"), title_justify="left")
    for column in (N_("cli.skills_id"), N_("cli.skills_name_id"), N_("cli.skills_name_en"), N_("cli.skills_aliases")):
        table.add_column(loc.t(column))
    for s in skills:
        table.add_row(s.skill_id, s.name_id, s.name_en, ", ".join(s.aliases))
    out.print(table)


@skills_app.command("add", cls=LocalizedCommand, help=HELP.t("cli.skills_add"))
def skills_add(
    ctx: typer.Context,
    skill_id: Annotated[str, typer.Argument(help=HELP.t("cli.skills_add.skill_id"))],
    name_id: Annotated[str, typer.Option("--name-id", help=HELP.t("cli.skills_add.name_id"))],
    name_en: Annotated[str, typer.Option("--name-en", help=HELP.t("cli.skills_add.name_en"))],
    alias: Annotated[list[str] | None, typer.Option("--alias", help=HELP.t("cli.skills_add.alias"))] = None,
) -> None:
    store = state(ctx).store()
    try:
        skill = Skill(skill_id=skill_key(skill_id), name_id=name_id, name_en=name_en,
                      aliases=tuple(skill_key(a) for a in alias or ()))
    except ValueError as exc:
        raise said(UsageError, N_("cli.skill_id_form"), {"skill_id": repr(skill_id)}) from exc
    with store.writing():  # checked against the vocabulary as it is when the lock is held
        SkillVocabulary(store.skills()).check_new(skill)
        store.add_skill(skill)
    out.print(state(ctx).loc.t("cli.skill_added", skill_id=skill.skill_id, name_id=skill.name_id,
                               name_en=skill.name_en), highlight=False)


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
        label = HELP.t("cli.error")
        from rich.markup import escape

        err.print(f"[bold red]{escape(label)}[/bold red] {escape(text_of(exc, HELP.lang))}", highlight=False)
        sys.exit(exit_code_for(exc))
