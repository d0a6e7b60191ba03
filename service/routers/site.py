"""The web pages people use (SPEC §7): sign in, dashboard, map, IKM, import. Each route
parses the form or query, asks :mod:`tular.graph` (the same functions as the API), and hands
the answer to a template of :mod:`tular.visualizations.web_pages`."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tular.graph.admin import api_keys as keys
from tular.graph.io.export import (
    import_tables,
    network,
    odk_register,
    read_records,
    register_csv,
    write_network,
    write_xlsx,
)
from tular.graph.io.template import template_workbook
from tular.graph.metrics import answers as metrics
from tular.graph.metrics import planner, public
from tular.graph.metrics.results import FINDING_ORDER, Reach
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import InvalidData, NotFound, TooManyAttempts, TularError, Unauthorized, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS, KINDS, OUTCOME_KINDS
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service import place_documents as places
from tular.service.cache import AnswerCache
from tular.service.deps import SettingsDep, StoreDep
from tular.service.importing import import_uploads
from tular.service.language import said, text_of
from tular.service.limits import attempts, caller_first, client_of
from tular.service.map_documents import dated_map
from tular.service.problems import status_of
from tular.service.routers.common import as_of_date
from tular.service.routers.exports import REGISTER_DOWNLOAD
from tular.service.web_plumbing import (
    LOGIN_PATH,
    MAP_FRAME_POLICY_WITH_ASSETS,
    Editor,
    Reader,
    SignedIn,
    Visitor,
    VisitorDep,
    check_csrf,
    delete_session_cookie,
    page,
    safe_next,
    set_session_cookie,
    visitor,
)
from tular.service.web_plumbing import editor as web_editor
from tular.visualizations.i18n import Locale
from tular.visualizations.propagation_map import map_assets
from tular.visualizations.web_pages import downstream_tree, generation_bars, outcome_bars

router = APIRouter(include_in_schema=False)
#: Kelurahan rows on the dashboard; problems listed on the import page.
TOP_KELURAHAN = 10
SHOWN_PROBLEMS = 200
SEARCH_PAGE = 50
#: The map's data, kept for the slider's counts and the frame that follows them.
maps = AnswerCache(size=8)
#: Where the map frame's scripts are served.
MAP_ASSETS_PATH = "/peta/aset/"

Text = Annotated[str | None, Query(max_length=200)]
DateText = Annotated[str | None, Query(max_length=40)]


# ------------------------------------------------------------------------------ signing in
@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_form(request: Request, found: VisitorDep, next: Text = None, keluar: Text = None) -> Response:
    loc = Locale(found.lang)
    message = loc.t("web.logged_out") if keluar else loc.t("web.login_needed") if safe_next(next) != "/" else None
    return page(request, found, "login.html", next=safe_next(next), message=message, error=None)


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def login(request: Request, found: VisitorDep, store: StoreDep,
          api_key: Annotated[str, Form(max_length=500)] = "",
          csrf_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    check_csrf(request, found, csrf_token)
    loc = Locale(found.lang)
    presented = api_key.strip()
    counted, client = attempts(request), client_of(request)
    try:  # failed sign-ins are limited per client (settings.signin_failures_per_minute)
        counted.check(counted.signins, client)
    except TooManyAttempts as exc:
        refused = page(request, found, "login.html", status=429, next=safe_next(next), message=None,
                       error=loc.t("web.login_too_many", seconds=exc.retry_after))
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    try:
        if not presented:
            raise Unauthorized(loc.t("web.login_empty"))
        key = keys.verify(store, presented)
    except Unauthorized:
        if presented:
            counted.failed(counted.signins, client)
        error = loc.t("web.login_empty") if not presented else loc.t("web.login_wrong")
        return page(request, found, "login.html", status=401, next=safe_next(next), message=None, error=error)
    # a new session id for the signed-in session (none fixed beforehand gains a key); its cookie
    # carries the key's id, signed: nothing is written, the store is asked on each request
    _, cookie = request.app.state.sessions.open(store, key)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, cookie)
    return response


@router.post("/keluar")
def logout(request: Request, found: VisitorDep,
           csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, found, csrf_token)
    request.app.state.sessions.close(request.app.state.store, found.session)  # in every worker
    response = RedirectResponse(f"{LOGIN_PATH}?keluar=1", status_code=303)
    delete_session_cookie(response, request)
    return response


# ------------------------------------------------------------------------------ dashboard
def _year(value: str | None) -> int | None:
    if not value:
        return None
    try:
        year = int(value)
    except ValueError:
        raise said(UsageError, N_("web.refuse_year_form"), {"value": repr(value)}) from None
    if not 1900 <= year <= 2200:
        raise said(UsageError, N_("web.refuse_year_range"), {"value": year})
    return year


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, found: Reader, store: StoreDep, settings: SettingsDep,
              skill: Text = None, as_of: DateText = None, year: Annotated[str | None, Query(max_length=4)] = None,
              kind: Text = None, after_learning: Annotated[bool, Query()] = False) -> Response:
    loc = Locale(found.lang)
    day, program_year, field_errors = _dashboard_fields(as_of, year, settings, loc)
    outcome_kind = metrics.resolve_outcome_kind(kind) if kind else None  # blank: any kind
    per_skill = metrics.reach_all(store, metrics.Query(skill="all", as_of=day, year=program_year))
    chosen = metrics.resolve_skill(store, skill) if skill else _busiest(per_skill.skills)
    reach = metrics.reach(store, metrics.Query(skill=chosen, as_of=day, year=program_year)) if chosen else None
    skills = {s.skill_id: s for s in store.skills()}
    years = sorted({t.end_date.year for t in store.trainings()}, reverse=True)
    broken = metrics.broken(store, chosen, day, DEFAULT_DORMANT_DAYS) if chosen else None
    findings = Counter(f.kind for f in broken.findings) if broken else Counter()
    # the same answer as GET /api/v1/outcomes?skill=&kind=&as_of=&year=&after_learning=
    outcomes = metrics.outcome_rates(store, metrics.Query(skill=chosen, as_of=day, year=program_year), outcome_kind,
                                     after_learning) if chosen else None
    return page(request, found, "dashboard.html", status=422 if field_errors else 200, reach=reach,
                field_errors=field_errors, today=settings.today(), future=day > settings.today(), per_skill=per_skill, skills=skills, chosen=chosen,
                as_of=day, year=program_year, years=years, dormant_days=DEFAULT_DORMANT_DAYS,
                broken=[(kind, findings[kind]) for kind in FINDING_ORDER],
                bars=generation_bars([g.count for g in reach.generations], loc) if reach else [],
                top_kelurahan=_top_kelurahan(reach) if reach else [],
                outcomes=outcomes, outcome_kinds=OUTCOME_KINDS, after_learning=after_learning,
                outcome_bars=outcome_bars([(g.generation, g.count, g.with_outcome, g.rate)
                                           for g in outcomes.generations], loc) if outcomes else [],
                peta_wilayah=places.web_view(store, chosen, day, found.lang) if chosen else None)


def _dashboard_fields(as_of: str | None, year: str | None, settings: Settings,
                     loc: Locale) -> tuple[date, int | None, dict[str, str]]:
    """The dashboard's date and year; a value that is no date or year is flagged on its field
    (the page then counts as of today, for every year) instead of replacing the page."""
    errors: dict[str, str] = {}
    today = settings.today()
    try:
        day = as_of_date(as_of or None, settings)
        if not 1900 <= day.year <= 2200:
            raise said(UsageError, N_("web.refuse_date_range"))
    except UsageError:
        day = today
        errors["as_of"] = loc.t("web.bad_date", value=as_of, today=loc.date(today))
    try:
        program_year = _year(year)
    except UsageError:
        program_year = None
        errors["year"] = loc.t("web.bad_year", value=year)
    return day, program_year, errors


def _busiest(reaches: list[Reach]) -> str | None:
    """The skill shown first: the one that reached the most IKM."""
    return max(reaches, key=lambda r: (r.total, -reaches.index(r))).skill if reaches else None


def _top_kelurahan(reach: Reach) -> list:
    return sorted((a for a in reach.areas if a.total), key=lambda a: (-a.total, a.kelurahan))[:TOP_KELURAHAN]


# ------------------------------------------------------------------------------ next cohort
#: Seats the next-cohort page starts with (the report plans the same number).
DEFAULT_SEATS = 10
MAX_SEATS = 500


def _seats(value: str | None) -> int:
    if not value:
        return DEFAULT_SEATS
    try:
        seats = int(value)
    except ValueError:
        raise said(UsageError, N_("web.refuse_seats_form"), {"value": repr(value)}) from None
    if not 1 <= seats <= MAX_SEATS:
        raise said(UsageError, N_("web.refuse_seats_range"), {"value": seats, "most": MAX_SEATS})
    return seats


@router.get("/rencana", response_class=HTMLResponse)
def plan_page(request: Request, found: Reader, store: StoreDep, settings: SettingsDep, skill: Text = None,
              seats: Annotated[str | None, Query(max_length=6)] = None,
              year: Annotated[str | None, Query(max_length=4)] = None, as_of: DateText = None) -> Response:
    """The next cohort (SPEC §10): the answer of GET /api/v1/plan for the same skill, seats,
    year and as-of date, reasons in the page's language. Anonymous visitors (public read)
    see the visits as counts per kelurahan only, as in the report's public edition."""
    day, planned_year, chosen_seats = as_of_date(as_of or None, settings), _year(year), _seats(seats)
    skills = {s.skill_id: s for s in store.skills()}
    if skill:
        chosen = metrics.resolve_skill(store, skill)
    else:
        chosen = _busiest(metrics.reach_all(store, metrics.Query(skill="all", as_of=day)).skills)
    if chosen is None:
        raise said(UsageError, N_("web.refuse_no_skills"))
    plan = planner.plan(store, chosen, chosen_seats, day, year=planned_year, lang=found.lang)
    named = found.key is not None  # signed in with a key: names; guests: counts per kelurahan (SPEC §7)
    counted = public.plan(plan)
    this_year = settings.today().year
    first = min([t.end_date.year for t in store.trainings()] + [this_year])
    years = sorted(set(range(first, this_year + 3)) | ({planned_year} if planned_year else set()), reverse=True)
    return page(request, found, "plan.html", plan=plan, skills=skills, chosen=chosen, seats=chosen_seats,
                year=planned_year, years=years, as_of=day, named=named, visit_counts=counted.visits,
                narasumber_counts=counted.narasumber)


# ------------------------------------------------------------------------------ map
def _area(store: GraphStore, wilayah: str | None) -> dict:
    """``kelurahan:Bunulrejo`` or ``kecamatan:Blimbing`` as the map's filter."""
    if not wilayah:
        return {}
    kind, _, name = wilayah.partition(":")
    if kind not in ("kelurahan", "kecamatan") or not name:
        raise said(UsageError, N_("web.refuse_area"), {"value": repr(wilayah)})
    return {kind: name}


def _map(store: GraphStore, settings, skill: str, day: date, wilayah: str | None,
         found: Visitor) -> tuple[bytes, bytes]:
    """The map's HTML and its counts (JSON), made once per store version for the page, the
    slider's counts and the frame alike; anonymous visitors get the public edition. Every date
    is drawn on the layout of the slider's last date (today, or a later date asked for)."""
    area = _area(store, wilayah)
    public = found.key is None
    latest = max(day, settings.today())
    question = ("map", metrics.resolve_skill(store, skill), day, latest, tuple(sorted(area.items())), public,
                found.lang)

    def compute() -> bytes:
        data, html = dated_map(store, skill, day, latest, area, public=public, lang=found.lang,
                               assets=MAP_ASSETS_PATH)
        counts = {"as_of": data.as_of.isoformat(), "nodes": len(data.nodes), "edges": data.graph.number_of_edges(),
                  "seeds": data.seeds, "reached": data.reached, "total": data.total}
        return json.dumps(counts).encode() + b"\n" + html.encode()

    counts, _, html = maps.answer(store, question, compute).partition(b"\n")
    return html, counts


def _slider_start(store: GraphStore, skill: str, day: date) -> date:
    """The slider starts at the skill's first training end (or a year before the date)."""
    ends = [t.end_date for t in store.trainings() if skill in t.skills]
    return min(min(ends, default=day), day - timedelta(days=365))


@router.get("/peta", response_class=HTMLResponse)
def map_page(request: Request, found: Reader, store: StoreDep, settings: SettingsDep,
             skill: Text = None, wilayah: Text = None, as_of: DateText = None) -> Response:
    day = as_of_date(as_of or None, settings)
    skills = store.skills()
    chosen = metrics.resolve_skill(store, skill) if skill else (skills[0].skill_id if skills else None)
    if chosen is None:
        raise said(UsageError, N_("web.refuse_no_skills"))
    _, counts = _map(store, settings, chosen, day, wilayah, found)
    start = _slider_start(store, chosen, day)
    end = max(day, settings.today())
    return page(request, found, "map.html", skills=skills, chosen=chosen, wilayah=wilayah or "", as_of=day,
                counts=json.loads(counts), gazetteer=store.gazetteer(), slider_start=start,
                slider_end=end, slider_days=(end - start).days, slider_value=(day - start).days,
                **places.map_page_views(store, chosen, day, end, _area(store, wilayah), found.lang, found.key is None))


@router.get("/peta/angka")
def map_counts(found: Reader, store: StoreDep, settings: SettingsDep, skill: Text, wilayah: Text = None,
               as_of: DateText = None) -> Response:
    """The counts of the map for the slider: IKM and teachings drawn, seeds, reached."""
    if not skill:
        raise said(UsageError, N_("web.refuse_choose_skill"))
    _, counts = _map(store, settings, skill, as_of_date(as_of or None, settings), wilayah, found)
    return Response(counts, media_type="application/json")


@router.get("/peta/bingkai", response_class=HTMLResponse)
def map_frame(found: Reader, store: StoreDep, settings: SettingsDep, skill: Text, wilayah: Text = None,
              as_of: DateText = None) -> Response:
    """The map itself, shown in the map page's frame: its own scripts run inline."""
    if not skill:
        raise said(UsageError, N_("web.refuse_choose_skill"))
    html, _ = _map(store, settings, skill, as_of_date(as_of or None, settings), wilayah, found)
    return HTMLResponse(html, headers={"Content-Security-Policy": MAP_FRAME_POLICY_WITH_ASSETS})


@router.get(MAP_ASSETS_PATH + "{name}")
def map_asset(name: str) -> Response:
    """The map frame's scripts (vis-network and the map's own): the same for every map and
    date, named by their content, so a browser keeps them for good and a new date of the map
    sends only its data."""
    script = map_assets().get(name)
    if script is None:
        raise HTTPException(status_code=404)
    return Response(script, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


# ------------------------------------------------------------------------------ IKM
#: The generations the search page offers (deeper ones: ?generation=N in the address).
SEARCH_GENERATIONS = 12


def _page_number(value: str | None) -> int:
    if not value:
        return 1
    try:
        number = int(value)
    except ValueError:
        raise said(UsageError, N_("web.refuse_page_form"), {"value": repr(value)}) from None
    if not 1 <= number <= 1_000_000:
        raise said(UsageError, N_("web.refuse_page_range"), {"value": number})
    return number


def _generation(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise said(UsageError, N_("web.refuse_generation"), {"value": repr(value)}) from None


@router.get("/ikm", response_class=HTMLResponse)
def ikm_search(request: Request, found: SignedIn, store: StoreDep, settings: SettingsDep, q: Text = None,
               kelurahan: Text = None, kecamatan: Text = None, skill: Text = None,
               generation: Annotated[str | None, Query(max_length=6)] = None, as_of: DateText = None,
               halaman: Annotated[str | None, Query(max_length=8)] = None) -> Response:
    """IKM by part of a name or id, kelurahan (as the importer matches it), kecamatan, skill and
    generation of that skill as of a date: the same search as GET /api/v1/ikm, paged."""
    query, day = (q or "").strip(), as_of_date(as_of or None, settings)
    number, wanted = _page_number(halaman), _generation(generation)
    gazetteer, skills = store.gazetteer(), {s.skill_id: s for s in store.skills()}
    asked = bool(query or kelurahan or kecamatan or skill or wanted is not None)
    search = metrics.IKMSearch(q=query, kelurahan=kelurahan or None, kecamatan=kecamatan or None,
                               skill=skill or None, generation=wanted, as_of=day)
    result = metrics.search_ikm(store, search, limit=SEARCH_PAGE, offset=(number - 1) * SEARCH_PAGE,
                                with_generations=True) if asked else None
    chosen_kelurahan = gazetteer.kelurahan(kelurahan, kecamatan or None) if kelurahan else None
    chosen_kecamatan = gazetteer.kecamatan(kecamatan) if kecamatan else None
    chosen_skill = metrics.resolve_skill(store, skill) if skill else None
    # a word that names a kelurahan: offer the whole kelurahan, not only the names holding the word
    named_place = None
    if query and not kelurahan:
        try:
            named_place = gazetteer.kelurahan(query)
        except TularError:
            named_place = None
    params = {"q": query, "kelurahan": chosen_kelurahan.code if chosen_kelurahan else "",
              "kecamatan": chosen_kecamatan.code if chosen_kecamatan else "", "skill": chosen_skill or "",
              "generation": "" if wanted is None else str(wanted), "as_of": day.isoformat()}
    total = result.page.total if result else 0
    pages = max(1, -(-total // SEARCH_PAGE))
    return page(request, found, "search.html", q=query, result=result, gazetteer=gazetteer, skills=skills,
                kelurahan=chosen_kelurahan, kecamatan=chosen_kecamatan, skill=chosen_skill, generation=wanted,
                generations=range(max(SEARCH_GENERATIONS, (wanted or 0) + 1)), as_of=day, number=number,
                pages=pages, first=(number - 1) * SEARCH_PAGE + 1, named_place=named_place,
                page_url=lambda n: "/ikm?" + urlencode({**{k: v for k, v in params.items() if v}, "halaman": n}),
                place_url="/ikm?" + urlencode({"kelurahan": named_place.code}) if named_place else "")


@router.get("/ikm/{ikm_id}", response_class=HTMLResponse)
def ikm_page(request: Request, ikm_id: str, found: SignedIn, store: StoreDep, settings: SettingsDep,
             as_of: DateText = None) -> Response:
    day = as_of_date(as_of or None, settings)
    ikm = store.get_ikm(ikm_id)  # UnknownIKM: the error page says so
    gazetteer = store.gazetteer()
    lineage = metrics.lineage(store, ikm_id, day)
    trainings = {t.training_id: t for t in store.trainings()}
    attended = sorted((a for a in store.all_attendance() if a.ikm_id == ikm_id),
                      key=lambda a: trainings[a.training_id].end_date)
    named = {node for s in lineage["skills"] for path in s["paths"] for node in path}
    people = store.people(named)
    skills = {s.skill_id: s for s in store.skills()}
    return page(request, found, "ikm.html", ikm=ikm, kelurahan=gazetteer.by_code(ikm.kelurahan_code),
                kecamatan=gazetteer.kecamatan_of(ikm.kelurahan_code), lineage=lineage, skills=skills,
                attended=[(a, trainings[a.training_id]) for a in attended], people=people, as_of=day,
                show_phone=found.has("editor"), trees={s["skill"]: downstream_tree(ikm_id, s["downstream"])
                                                      for s in lineage["skills"]},
                timelines={s["skill"]: places.timeline_view(store, s["skill"], day, found.lang, public=False, ikm=ikm_id,
                                                            dom_id=f"linimasa-{s['skill']}")
                           for s in lineage["skills"] if s["generation"] is not None})


# ------------------------------------------------------------------------------ import
@router.get("/impor", response_class=HTMLResponse)
def import_form(request: Request, found: Editor) -> Response:
    return page(request, found, "import.html", report=None, kinds=KINDS, error=None, shown=SHOWN_PROBLEMS)


def import_upload(request: Request, found: Editor, store: StoreDep, settings: SettingsDep,
                  files: Annotated[list[UploadFile] | None, File()] = None,
                  kind: Annotated[str, Form(max_length=40)] = "",
                  dry_run: Annotated[bool, Form()] = False,
                  csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, found, csrf_token)
    chosen = [f for f in files or [] if f.filename]
    if not chosen:
        return page(request, found, "import.html", status=422, report=None, kinds=KINDS, shown=SHOWN_PROBLEMS,
                    error=Locale(found.lang).t("web.no_file"))
    if kind and kind not in KINDS:
        raise said(UsageError, N_("web.refuse_kind"), {"value": repr(kind), "choices": ", ".join(KINDS)})
    report = import_uploads(store, settings, chosen, who=keys.who(found.key), kind=kind or None, dry_run=dry_run,
                            lang=found.lang, surface="web")
    return page(request, found, "import.html", status=200 if report.ok else 422, report=report, kinds=KINDS,
                error=None, shown=SHOWN_PROBLEMS)


# the visitor is checked before the files are read or spooled: others are sent to sign in unread
router.add_api_route("/impor", import_upload, methods=["POST"], response_class=HTMLResponse,
                     route_class_override=caller_first(lambda request: web_editor(visitor(request))))


# ------------------------------------------------------------------------------ export
TEMPLATE_TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
@router.get("/ekspor", response_class=HTMLResponse)
def export_page(request: Request, found: Editor, store: StoreDep) -> Response:
    """Downloads for editors: the IKM list of the phone form (SPEC §13)."""
    return page(request, found, "export.html", gazetteer=store.gazetteer())


#: The whole store from the export page: the import format (a workbook, phone numbers included:
#: editors only) or a network file for graph tools (no phone numbers), as `tular export`.
STORE_EXPORTS = {"xlsx": ("tular-ekspor.xlsx", TEMPLATE_TYPE_XLSX), "graphml": ("tular-jaringan.graphml", "application/xml"),
                 "gexf": ("tular-jaringan.gexf", "application/xml"), "json": ("tular-jaringan.json", "application/json")}


@router.get("/ekspor/unduh")
def store_export_download(found: Editor, store: StoreDep, format: Annotated[str, Query(max_length=10)] = "xlsx") -> Response:
    """Every record of the store, as `tular export --format FORMAT` writes it."""
    if format not in STORE_EXPORTS:
        raise said(UsageError, N_("web.refuse_format"), {"value": repr(format), "choices": ", ".join(STORE_EXPORTS)})
    name, media_type = STORE_EXPORTS[format]
    records, gazetteer, buffer = read_records(store), store.gazetteer(), io.BytesIO()
    if format == "xlsx":
        write_xlsx(import_tables(records, gazetteer, format), buffer)
    else:
        write_network(network(records, gazetteer), format, buffer)
    return Response(buffer.getvalue(), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/ekspor/ikm.csv")
def odk_register_download(found: Editor, store: StoreDep, kelurahan: Text = None) -> Response:
    """``ikm.csv`` (the same file as GET /api/v1/exports/odk-register), of one kelurahan if chosen."""
    return Response(register_csv(odk_register(store, kelurahan or None)), media_type="text/csv; charset=utf-8",
                    headers=REGISTER_DOWNLOAD)


# ------------------------------------------------------------------------------ report
REPORT_FORMATS = ("pdf", "html")


def _report_years(store: GraphStore, today: date) -> list[int]:
    """The years a report can be asked for: from the first training's to this one, newest first."""
    first = min([t.end_date.year for t in store.trainings()] + [today.year])
    return list(range(today.year, first - 1, -1))


@router.get("/laporan", response_class=HTMLResponse)
def report_page(request: Request, found: Reader, store: StoreDep, settings: SettingsDep) -> Response:
    """The annual report: year, language, edition (the internal one for signed-in readers only,
    SPEC §7) and PDF or HTML; the document itself is GET /api/v1/reports/{year}."""
    today = settings.today()
    years = _report_years(store, today)
    chosen = today.year - 1 if today.year - 1 in years else years[0]
    return page(request, found, "report.html", years=years, year=chosen, today=today, formats=REPORT_FORMATS,
                internal_allowed=found.key is not None)


@router.get("/laporan/unduh")
def report_download(found: Reader, store: StoreDep, settings: SettingsDep,
                    tahun: Annotated[str | None, Query(max_length=4)] = None,
                    bahasa: Annotated[str | None, Query(max_length=2)] = None,
                    edisi: Annotated[str | None, Query(max_length=8)] = None,
                    format: Annotated[str | None, Query(max_length=4)] = None) -> Response:
    """The report page's form, sent to the report's address: the API decides the edition by the
    caller, as for every reader (anonymous: the public edition whatever is asked)."""
    year = _year(tahun) or settings.today().year - 1
    lang = bahasa if bahasa in ("id", "en") else found.lang
    fmt = format if format in REPORT_FORMATS else "pdf"
    public = edisi == "publik" or found.key is None
    query = urlencode({"lang": lang, "format": fmt, **({"public": "true"} if public else {})})
    return RedirectResponse(f"/api/v1/reports/{year}?{query}", status_code=303)


# ------------------------------------------------------------------------------ template
TEMPLATE_NAME = "tular-templat.xlsx"
TEMPLATE_TYPE = TEMPLATE_TYPE_XLSX


@router.get(f"/{TEMPLATE_NAME}")
def template_download(found: Reader, store: StoreDep) -> Response:
    """The empty workbook of `tular template`: a sheet per kind, the lists of this store's
    kelurahan and skills. It holds no personal data: every reader may have it."""
    workbook = template_workbook(store.gazetteer(), store.skills())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), media_type=TEMPLATE_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"'})


# ------------------------------------------------------------------------------ batches
@router.get("/impor/batch", response_class=HTMLResponse)
def batches_page(request: Request, found: Editor, store: StoreDep) -> Response:
    """The import batches, newest first, each with its undo (the store's, as `tular import
    --undo`: the same refusals)."""
    return page(request, found, "batches.html", batches=list(reversed(store.batches())), undone=None, error=None)


@router.get("/impor/batch/{batch_id}", response_class=HTMLResponse)
def batch_confirm(request: Request, batch_id: str, found: Editor, store: StoreDep) -> Response:
    """What undoing one batch does, and the button that does it."""
    batch = next((b for b in store.batches() if b.batch_id == batch_id), None)
    if batch is None:
        raise NotFound(Locale(found.lang).t("web.batch_unknown", batch=batch_id))
    return page(request, found, "batch_undo.html", batch=batch)


@router.post("/impor/batch/{batch_id}/batal", response_class=HTMLResponse)
def batch_undo(request: Request, batch_id: str, found: Editor, store: StoreDep,
               csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, found, csrf_token)
    try:
        undone, error, status = store.undo(batch_id), None, 200
    except (InvalidData, UsageError, NotFound) as exc:  # refused: nothing undone, the page says why
        undone, error, status = None, text_of(exc, found.lang), status_of(exc)[0]
    return page(request, found, "batches.html", status=status,
                batches=list(reversed(store.batches())), undone=undone, error=error, refused=batch_id)
