"""The annual impact report (SPEC §8): its numbers are the analytics', in both languages,
on both stores; the public edition names nobody but the top teachers; the PDF reads well.

Most tests use a small hand-built programme whose numbers can be checked by eye; the demo
data set is used once (and its page images land in test-artifacts/ for a person to see)."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.metrics import answers as metrics
from tular.graph.metrics.report_data import gather_report
from tular.graph.model.errors import UsageError
from tular.graph.model.records import Attendance, Records
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app
from tular.visualizations.i18n import Locale
from tular.visualizations.report import render_html, render_pdf

from .conftest import NEO4J_REQUIRED as REQUIRED
from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, small_batik_program, teaching, training

YEAR = 2022
AS_OF = date(YEAR, 12, 31)
TODAY = date(2026, 11, 24)
#: Who must never be named in the public edition: dormant leaves, dead seeds, duplicates, orphans.
NOT_PUBLIC = {
    "c": "Citra Dormanwati", "d": "Dewi Sunyiningsih", "z": "Zubaidah Diamwati", "k2": "Kurniasih Bungkam",
    "dup1": "Sri Rahayu Kembar", "dup2": "Sri  Rahayu KEMBAR", "o1": "Oki Yatimanto", "o2": "Opik Tanpaguru",
}
TEACHERS = {"s1": "Sumiati Pengajar", "k1": "Kopi Gurunata"}

# Under CI (or the test command, which installs it) a missing poppler fails these tests instead.
needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")) and not REQUIRED,
                                   reason="poppler-utils (pdftotext, pdftoppm) is not installed")


def programme() -> Records:
    """The small batik programme of 2020 (s1 → a → c, s1 → b → d ← s2) plus: a seed who taught
    nobody (z), a 2022 barista training (k1 → m1 → m2, k2 taught nobody), an orphan pair
    (o1 → o2) and a probable duplicate person (dup1, dup2)."""
    base = small_batik_program()
    named = {**NOT_PUBLIC, **TEACHERS}
    people = [p.model_copy(update={"name": named[p.ikm_id]}) if p.ikm_id in named else p for p in base.ikm]
    people += [ikm("z", name=named["z"]), ikm("k1", DINOYO, name=named["k1"]), ikm("k2", DINOYO, name=named["k2"]),
               ikm("m1", DINOYO), ikm("m2", KESATRIAN), ikm("o1", name=named["o1"]), ikm("o2", name=named["o2"]),
               ikm("dup1", BUNULREJO, name=named["dup1"]), ikm("dup2", BUNULREJO, name=named["dup2"])]
    return Records(
        ikm=people,
        trainings=[*base.trainings, training("T-BARISTA-2022", "2022-05-20", "barista", budget_idr=30_000_000,
                                             title="Pelatihan Barista 2022", start_date=date(2022, 5, 16))],
        attendance=[*base.attendance, Attendance(training_id="T-BATIK-2020", ikm_id="z"),
                    Attendance(training_id="T-BARISTA-2022", ikm_id="k1"),
                    Attendance(training_id="T-BARISTA-2022", ikm_id="k2")],
        teachings=[*base.teachings, teaching("m1", "k1", "2022-06-01", "barista"),
                   teaching("m2", "m1", "2022-08-01", "barista"), teaching("o2", "o1", "2021-03-03")],
    )


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "report") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.replace("\u00a0", " ")


def page_count(text: str) -> int:
    return text.count("\f") + (0 if text.endswith("\f") else 1)


def row(text: str, label: str, *cells: str) -> bool:
    """A line of ``text`` holding ``label`` and then ``cells`` in order, nothing else between them."""
    pattern = r"^\s*" + re.escape(label) + "".join(r"\s+" + re.escape(c) for c in cells) + r"\s*$"
    return re.search(pattern, text, flags=re.MULTILINE) is not None


# ------------------------------------------------------------------------ catalogue and formats
def read_catalogue(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return read_po(file, abort_invalid=True)


def extracted_ids(tmp_path: Path) -> set[str]:
    """The message ids a fresh ``./scripts/messages extract`` finds in the code and the templates."""
    tree = Path(__file__).resolve().parents[1]
    pot = tmp_path / "tular.pot"
    subprocess.run([tree / "scripts" / "messages", "extract"], check=True, cwd=tree,
                   env={"PATH": "/usr/bin:/bin", "POT": str(pot), "PYBABEL": str(Path(sys.executable).parent / "pybabel")})
    return {message.id for message in read_catalogue(pot) if message.id}


def test_every_message_has_both_texts_with_the_same_placeholders():
    from tular.graph.model import catalogue

    texts = {}
    for lang in catalogue.LANGUAGES:
        entries = [m for m in read_catalogue(catalogue.po_path(lang)) if m.id]
        assert entries, lang
        without = [m.id for m in entries if not m.string or m.fuzzy]
        assert not without, (lang, "without a text (or marked fuzzy)", without)
        texts[lang] = {m.id: m.string for m in entries}
    indonesian, english = texts["id"], texts["en"]
    assert set(indonesian) == set(english), set(indonesian) ^ set(english)
    assert texts == catalogue.every_text()

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    different = {key for key in indonesian if fields(indonesian[key]) != fields(english[key])}
    assert not different, different


def test_every_catalogue_compiles():
    """Each .po parses strictly, holds each id once, passes Babel's checks and compiles to a .mo
    that gettext loads; a missing id is an error, not its own id shown on a page."""
    import gettext
    import io
    import re

    from babel.messages.mofile import write_mo

    from tular.graph.model import catalogue

    for lang in catalogue.LANGUAGES:
        path = catalogue.po_path(lang)
        ids = re.findall(r'^msgid "(.+)"$', path.read_text("utf-8"), flags=re.MULTILINE)
        assert len(ids) == len(set(ids)), (lang, sorted({i for i in ids if ids.count(i) > 1}))
        parsed = read_catalogue(path)
        assert (str(parsed.locale), parsed.domain or catalogue.DOMAIN) == (lang, "tular")
        assert not list(parsed.check()), (lang, list(parsed.check()))
        compiled = io.BytesIO()
        write_mo(compiled, parsed)
        loaded = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
        assert all(loaded.gettext(m.id) == m.string for m in parsed if m.id)
        with pytest.raises(KeyError):
            catalogue.Messages(lang).t("web.no_such_message")


def test_the_template_and_the_catalogues_hold_what_the_code_uses(tmp_path: Path):
    """tular.pot is current, and every id the code asks for is in each .po, and each .po id is
    used somewhere (found by `./scripts/messages extract`: t("…"), N_("…"), the templates' t('…'))."""
    from tular.graph.metrics.results import FINDING_KINDS, FOLLOW_UP_KINDS
    from tular.graph.model import catalogue
    from tular.graph.model.records import OUTCOME_KINDS

    used = extracted_ids(tmp_path)
    assert len(used) > 300
    assert {m.id for m in read_catalogue(catalogue.LOCALE_DIR / "tular.pot") if m.id} == used, \
        "tular.pot is stale: run ./scripts/messages extract"
    for lang in catalogue.LANGUAGES:
        ids = {m.id for m in read_catalogue(catalogue.po_path(lang)) if m.id}
        assert not used - ids, (lang, "used without a text (./scripts/messages update, then translate)",
                                sorted(used - ids))
        assert not ids - used, (lang, "used nowhere", sorted(ids - used))
    # the families named by a value (t('web.outcome.' ~ kind), t('kind.' ~ kind ~ '_long')): one
    # message per outcome kind, a name and an explanation per finding kind, no more
    assert {k.removeprefix("web.outcome.") for k in used if k.startswith("web.outcome.")} == set(OUTCOME_KINDS)
    kinds = {k.removeprefix("kind.") for k in used if k.startswith("kind.") and not k.endswith(("_long", "_short"))}
    assert kinds == set(FINDING_KINDS) | set(FOLLOW_UP_KINDS)
    assert {f"kind.{kind}_long" for kind in kinds} <= used


def test_what_a_person_reads_in_the_ways_in_comes_from_the_catalogue():
    """No worded string literal where a person reads it — console output, typer help, progress
    bars, table headings, problem details, the text of a raised error — in ``service/``, ``graph/``
    and ``visualizations/`` (tests/literals.py), but in the files listed as not yet moved."""
    from . import literals

    found, looked = literals.scan()
    assert looked > 200, looked  # the scan sees the call sites it is meant to see
    assert not found, "\n".join(map(str, found))
    # and it would see one: a console line, a help text and an error written as words
    planted = ('out.print(f"Wrote {path}")\nopt = typer.Option("--x", help="Print JSON.")\n'
               'raise UsageError("choose a skill")\nout.print(loc.t("cli.ready", store=s))\nout.print(f"  • {x}")\n')
    assert [f.text for f in literals.scan_source(planted, "planted.py")[0]] == [
        "Wrote {}", "Print JSON.", "choose a skill"]
    still = [path for path in literals.NOT_YET_IN_THE_CATALOGUE if literals.scan_source(
        (literals.ROOT / path).read_text("utf-8"), path)[0] or path.endswith(("validation.py", "readers.py"))]
    assert still == list(literals.NOT_YET_IN_THE_CATALOGUE), "moved into the catalogue: take it off the list"


#: SPEC §11's glossary: one word per concept in each language. These are the other words a text
#: might use for the same concepts; a text that uses one fails (placeholders aside).
NOT_THE_GLOSSARY = {
    "id": [r"\bbenih\b", r"\bdilatih\b", r"\bdorman\b", r"\byatim\b", r"\bdaun\b", r"\brantai macet\b",
           r"\bpeserta belum mengajar\b", r"\btertular\b", r"^peserta$"],
    "en": [r"\bseeds?\b", r"\bdead seeds?\b", r"\bdormant lea(f|ves)\b", r"\borphans?\b", r"\bstalled chains?\b",
           r"^trained$", r"^trained \("],
}
GLOSSARY = {"id": ["peserta pelatihan", "terjangkau", "pengganda", "peserta belum menularkan", "garis macet",
                   "murid belum menularkan", "rantai tanpa peserta"],
            "en": ["trainee", "reached", "multiplier", "trainee who taught nobody", "stalled lineage",
                   "dormant learner", "chain without a trainee"]}


def test_the_catalogues_use_the_glossary_of_spec_11():
    from tular.graph.model.catalogue import every_text

    texts = every_text()
    for lang, patterns in NOT_THE_GLOSSARY.items():
        words = {key: re.sub(r"\{[^{}]*\}", "", text).strip().casefold() for key, text in texts[lang].items()}
        wrong = sorted((key, pattern) for key, text in words.items() for pattern in patterns if re.search(pattern, text))
        assert not wrong, (lang, wrong)
        every = " ".join(words.values())
        assert [term for term in GLOSSARY[lang] if term not in every] == [], lang
    # the names of the follow-up kinds are the glossary's own words, in both languages
    assert [texts["id"][f"kind.{kind}"].casefold() for kind in ("dead_seed", "stalled_lineage", "dormant_leaf",
                                                                "orphan")] == GLOSSARY["id"][3:]
    assert [texts["en"][f"kind.{kind}"].casefold() for kind in ("dead_seed", "stalled_lineage", "dormant_leaf",
                                                                "orphan")] == GLOSSARY["en"][3:]
    assert (texts["id"]["label.seeds"], texts["en"]["label.seeds"]) == ("Peserta pelatihan", "Trainees")
    # the check bites: planted synonyms are found, the glossary's words are not
    assert all(any(re.search(p, planted) for p in NOT_THE_GLOSSARY["id"])
               for planted in ("dilatih oleh diskopindag", "benih", "peserta", "daun dorman", "yatim"))
    assert all(any(re.search(p, planted) for p in NOT_THE_GLOSSARY["en"])
               for planted in ("seeds reached", "orphan", "dead seed", "trained"))
    assert not any(re.search(p, term) for lang in GLOSSARY for term in GLOSSARY[lang]
                   for p in NOT_THE_GLOSSARY[lang])


def test_the_running_text_is_the_po_even_before_it_is_compiled(tmp_path: Path, monkeypatch):
    """A .mo missing or older than its .po (a developer just edited a text) is not used: the
    .po is compiled in memory. A current .mo is."""
    import os
    import shutil as files

    from tular.graph.model import catalogue

    monkeypatch.setattr(catalogue, "LOCALE_DIR", tmp_path / "locale")
    files.copytree(Path(catalogue.__file__).parent / "locale", catalogue.LOCALE_DIR,
                   ignore=files.ignore_patterns("*.mo"))
    po = catalogue.po_path("en")
    assert catalogue.Messages("en").t("web.nav_export") == "Export"  # no .mo
    po.write_text(po.read_text("utf-8").replace('msgstr "Export"', 'msgstr "Export now"'), "utf-8")
    assert catalogue.Messages("en").t("web.nav_export") == "Export now"
    mo = po.with_suffix(".mo")
    mo.write_bytes(catalogue.compile_po("en"))
    po.write_text(po.read_text("utf-8").replace('msgstr "Export now"', 'msgstr "Export it"'), "utf-8")
    os.utime(mo, ns=(po.stat().st_mtime_ns - 10**10,) * 2)  # compiled 10 s before the edit
    assert catalogue.Messages("en").t("web.nav_export") == "Export it"
    os.utime(mo, ns=(po.stat().st_mtime_ns + 10**10,) * 2)  # compiled after it: the .mo is used
    assert catalogue.Messages("en").t("web.nav_export") == "Export now"


def test_numbers_money_and_dates_follow_the_locale():
    indonesian, english = Locale("id"), Locale("en")
    assert (indonesian.decimal(1234.5), english.decimal(1234.5)) == ("1.234,5", "1,234.5")
    assert (indonesian.money(1_250_000), english.money(1_250_000)) == ("Rp 1.250.000", "IDR 1,250,000")
    assert indonesian.date(date(2025, 12, 31)) == "31 Desember 2025"
    assert english.date(date(2025, 8, 17)) == "17 August 2025"
    assert (indonesian.integer(13_000), english.integer(13_000), indonesian.integer(None)) == ("13.000", "13,000", "—")
    assert (indonesian.percent(0.373), english.percent(0.373)) == ("37,3%", "37.3%")
    assert (indonesian.signed(557), indonesian.signed(-1234), english.change_percent(4849, 4292)) == \
        ("+557", "−1.234", "+13.0%")
    # Babel's CLDR data (SPEC §11), with the true minus sign and a space after the currency symbol
    day = date(2026, 12, 5)
    assert [indonesian.integer(1382), indonesian.percent(0.219), indonesian.money(172_307), indonesian.date(day),
            indonesian.short_date(day)] == ["1.382", "21,9%", "Rp 172.307", "5 Desember 2026", "5 Des 2026"]
    assert [english.integer(1382), english.percent(0.219), english.money(172_307), english.date(day),
            english.short_date(day)] == ["1,382", "21.9%", "IDR 172,307", "5 December 2026", "5 Dec 2026"]
    assert (indonesian.decimal(-0.04), indonesian.decimal(-2.25), english.change_percent(90, 100),
            indonesian.percent(0.5, 0), english.decimal(1 / 3, 2)) == ("0,0", "−2,2", "−10.0%", "50%", "0.33")
    assert [indonesian.money(None), english.date(None), english.percent(None)] == ["—"] * 3


# ------------------------------------------------------------------------ the data: the analytics' own
def test_report_data_is_the_analytics_output_for_the_same_question(store: GraphStore):
    store.write(programme())
    data = gather_report(store, YEAR, TODAY)
    assert (data.as_of, data.year_to_date, data.previous_as_of) == (AS_OF, False, date(2021, 12, 31))
    for section in data.skills:
        skill = section.skill.skill_id
        assert section.now == metrics.reach(store, metrics.Query(skill=skill, as_of=AS_OF))
        assert section.previous == metrics.reach(store, metrics.Query(skill=skill, as_of=date(2021, 12, 31)))
    [barista] = data.programmes
    assert barista.reach == metrics.reach(store, metrics.Query(skill="barista", as_of=AS_OF, cohort=["T-BARISTA-2022"]))
    assert (barista.reach.seeds, barista.reach.reached, barista.reach.cost_per_ikm_idr) == (2, 2, 7_500_000)
    everything = metrics.reach_all(store, metrics.Query(skill="all", as_of=AS_OF))
    assert data.headline.total == everything.distinct_total == sum(a.total for a in data.kelurahan) == 11
    # trained: s1, s2, z, k1, k2; learned from peers only: a, b, c, d, m1, m2 — orphans are nobody's reach
    assert (data.headline.trained, data.headline.learned_only) == (5, 6)
    assert data.headline.cost_per_ikm_idr == round(80_000_000 / 11)
    broken = {s: metrics.broken(store, s, AS_OF, 180) for s in ("batik", "barista")}
    for kind in ("dead_seed", "stalled_lineage", "dormant_leaf"):
        assert getattr(data.follow_up.totals, kind) == sum(
            1 for b in broken.values() for f in b.findings if f.kind == kind), kind
    # the visit appendix: the trainees who taught nobody apart (z: batik 2020, k2: barista May 2022), then
    # the dormant learners in the visit order: Dinoyo and Kesatrian both taught nobody (a tie, by name)
    assert [v.ikm_id for v in data.follow_up.dead_seeds] == ["z", "k2"]  # Blimbing before Lowokwaru
    assert [(s.skill.skill_id, [(v.ikm_id, v.days_dormant, v.kelurahan_reach) for v in s.visits])
            for s in data.follow_up.visits] == [("batik", [("d", 332, 0), ("c", 578, 0)])]
    assert [s.skill.skill_id for s in data.skills] == ["barista", "batik"]
    assert data.quality.counts == {"probable_duplicate": 1, "out_of_order": 0, "learner_is_trainee": 0, "orphan": 1,
                                   "cycle": 0, "duplicate_teaching": 0}


def test_top_teachers_are_the_best_trainees_and_the_best_learners_apart(store: GraphStore):
    """A trainee's onward reach holds every learner below it, so one ranking would list trainees
    only (the "Generasi" column always 0). By hand: batik s1 reached a, b, c, d (4), s2 reached d
    (1), z nobody; learners a (c) and b (d) reached 1 each, a tie broken by id; barista k1 reached
    m1, m2 (2), m1 reached m2 (1)."""
    store.write(programme())
    data = gather_report(store, YEAR, TODAY)
    assert [(t.skill.skill_id, t.ikm_id, t.generation, t.onward_reach) for t in data.top_teachers] == [
        ("barista", "k1", 0, 2), ("barista", "m1", 1, 1),
        ("batik", "s1", 0, 4), ("batik", "s2", 0, 1), ("batik", "a", 1, 1), ("batik", "b", 1, 1)]
    assert [t.name for t in data.top_teachers][:1] == [TEACHERS["k1"]]


def test_the_current_year_counts_to_today_and_a_future_year_has_no_report(embedded_store: EmbeddedStore):
    embedded_store.write(programme())
    data = gather_report(embedded_store, 2026, TODAY)
    assert (data.as_of, data.year_to_date) == (TODAY, True)
    html = render_html(data, "id")
    assert "Tahun 2026 masih berjalan: semua angka dihitung sampai hari ini, 24 November 2026" in html
    with pytest.raises(UsageError, match="tahun 2027 belum dimulai"):
        gather_report(embedded_store, 2027, TODAY)
    with pytest.raises(UsageError, match="keterampilan 'kopi' tidak dikenal"):
        gather_report(embedded_store, 2025, TODAY, skills=["kopi"])
    with pytest.raises(UsageError, match="bahasa fr: pilih id"):
        render_html(data, "fr")


def test_the_public_data_holds_no_names_but_the_top_teachers(embedded_store: EmbeddedStore):
    embedded_store.write(programme())
    data = gather_report(embedded_store, YEAR, TODAY, public=True)
    dumped = data.model_dump_json()
    assert not [name for name in NOT_PUBLIC.values() if name in dumped]
    assert not data.follow_up.dead_seeds and not data.follow_up.visits and not data.quality.items
    assert all(t.ikm_id is None for t in data.top_teachers) and TEACHERS["s1"] in dumped


# ------------------------------------------------------------------------ the PDF
@needs_poppler
@pytest.mark.parametrize("lang", ["id", "en"])
def test_pdf_on_both_stores_has_every_section_and_the_analytics_numbers(store: GraphStore, lang: str, tmp_path: Path):
    store.write(programme())
    loc = Locale(lang)
    data = gather_report(store, YEAR, TODAY)
    text = pdf_text(render_pdf(render_html(data, lang)), tmp_path)

    assert 8 <= page_count(text) <= 22, page_count(text)
    headings = [loc.t("doc.title", year=YEAR), loc.t("doc.contents"), loc.t("summary.title"), loc.t("yoy.title"),
                loc.t("prog.title", year=YEAR), loc.t("skill.title"), loc.t("area.title"), loc.t("top.title"),
                loc.t("follow.title"), loc.t("quality.title"), loc.t("visits.title"), loc.t("method.title")]
    assert not [h for h in headings if h not in text]
    assert loc.t("doc.as_of", date=loc.date(AS_OF)) in text
    assert loc.t("doc.report_date", date=loc.date(TODAY)) in text

    # Every headline number is metrics.reach's for the same skill and date, in the locale's format.
    for skill_id, name in (("batik", "Batik"), ("barista", "Barista")):
        r = metrics.reach(store, metrics.Query(skill=skill_id, as_of=AS_OF))
        assert row(text, name, loc.integer(r.seeds), loc.integer(r.reached), loc.integer(r.total),
                   loc.decimal(r.multiplier), loc.integer(r.max_depth), loc.percent(r.coverage),
                   loc.money(r.cost_per_ikm_idr)), (skill_id, r)
    batik = metrics.reach(store, metrics.Query(skill="batik", as_of=AS_OF))
    assert (batik.seeds, batik.reached, batik.cost_per_ikm_idr) == (3, 4, 7_142_857)
    assert {"id": "Rp 7.142.857", "en": "IDR 7,142,857"}[lang] in text
    everything = metrics.reach_all(store, metrics.Query(skill="all", as_of=AS_OF))
    h = data.headline
    assert row(text, loc.t("label.all_skills"), loc.integer(h.trained), loc.integer(h.learned_only),
               loc.integer(everything.distinct_total), loc.decimal(h.multiplier), "—", loc.percent(h.coverage),
               loc.money(h.cost_per_ikm_idr))
    # the programme of the year: its cohort's reach
    cohort = metrics.reach(store, metrics.Query(skill="barista", as_of=AS_OF, cohort=["T-BARISTA-2022"]))
    assert row(text, "Pelatihan Barista 2022", loc.money(30_000_000), loc.integer(cohort.seeds), loc.integer(cohort.reached),
               loc.integer(cohort.total), loc.decimal(cohort.multiplier), loc.money(cohort.cost_per_ikm_idr))
    # the internal edition names whom to visit
    assert NOT_PUBLIC["d"] in text and NOT_PUBLIC["z"] in text


@needs_poppler
def test_public_pdf_names_no_dormant_leaf_dead_seed_duplicate_or_orphan(embedded_store: EmbeddedStore, tmp_path: Path):
    embedded_store.write(programme())
    data = gather_report(embedded_store, YEAR, TODAY, public=True)
    html = {lang: render_html(data, lang) for lang in ("id", "en")}
    text = pdf_text(render_pdf(html["en"]), tmp_path)
    for lang, document in (("id", html["id"]), ("en", html["en"]), ("en", text)):
        assert not [name for name in NOT_PUBLIC.values() if name in document], lang
        assert Locale(lang).t("label.ikm_id") not in document, lang
        # top teachers and narasumber are described, not named (SPEC §7, §8)
        assert TEACHERS["s1"] not in document and TEACHERS["k1"] not in document
        assert ("who passed the skill on to" if lang == "en" else "yang menularkan keterampilannya kepada") in document
        assert Locale(lang).t("doc.edition_public") in document and Locale(lang).t("visits.title") not in document


# ------------------------------------------------------------------------ the ways in
def tular(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tular", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def test_tular_report_writes_html_and_pdf_and_refuses_what_it_cannot(tmp_path: Path):
    db = tmp_path / "tular.db"
    store = EmbeddedStore(db)
    store.init_schema()
    store.write(programme())
    store.close()
    url = f"sqlite:///{db}"
    html = tular("--db", url, "report", "--year", str(YEAR), "--lang", "en", "--skill", "Membatik",
                 "-o", str(tmp_path / "report.html"))
    assert html.returncode == 0, html.stderr
    assert "report.html" in html.stdout
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Annual Impact Report 2022" in written and "<svg" in written and "Skills: Batik</p>" in written
    pdf = tular("--db", url, "report", "--year", str(YEAR), "--public", "-o", str(tmp_path / "laporan.pdf"))
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "laporan.pdf").read_bytes().startswith(b"%PDF")
    future = tular("--db", url, "report", "--year", "2999", "-o", str(tmp_path / "x.html"))
    assert future.returncode == 2 and "tahun 2999 belum dimulai" in future.stderr, future.stderr
    wrong_suffix = tular("--db", url, "report", "--year", "2022", "-o", str(tmp_path / "x.docx"))
    assert wrong_suffix.returncode == 2 and ".html atau .pdf" in wrong_suffix.stderr
    assert not (tmp_path / "x.html").exists()


def test_get_report_serves_html_and_pdf_to_viewers(embedded_store: EmbeddedStore):
    embedded_store.write(programme())
    key, _ = keys.create_key(embedded_store, "viewer", "report reader")
    with TestClient(create_app(Settings(), store=embedded_store)) as client:
        headers = {"X-API-Key": key}
        html = client.get(f"/api/v1/reports/{YEAR}", params={"lang": "en", "public": "true"}, headers=headers)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "Public edition" in html.text and NOT_PUBLIC["d"] not in html.text
        pdf = client.get(f"/api/v1/reports/{YEAR}", params={"format": "pdf"}, headers=headers)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and "laporan-2022-id-internal.pdf" in pdf.headers["content-disposition"]
        assert client.get(f"/api/v1/reports/{YEAR}").status_code == 401
        future = client.get("/api/v1/reports/2199", headers=headers)
        assert future.status_code == 422 and future.headers["content-type"] == "application/problem+json"


def test_anonymous_readers_get_the_public_edition_only(embedded_store: EmbeddedStore):
    embedded_store.write(programme())
    with TestClient(create_app(Settings(public_read=True), store=embedded_store)) as client:
        asked_internal = client.get(f"/api/v1/reports/{YEAR}", params={"lang": "en", "public": "false"})
        assert asked_internal.status_code == 200
        assert "Public edition" in asked_internal.text and NOT_PUBLIC["d"] not in asked_internal.text
        assert "publik" in asked_internal.headers["content-disposition"]


# ------------------------------------------------------------------------ the demo, once
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, str, subprocess.CompletedProcess]:
    """`tular demo --no-serve` in an empty folder: the store, and what it wrote."""
    folder = tmp_path_factory.mktemp("demo-report")
    url = f"sqlite:///{folder / 'demo.db'}"
    return folder, url, tular("--db", url, "demo", "--no-serve", cwd=folder)


def test_demo_writes_this_years_report(demo_run):
    folder, _, run = demo_run
    assert run.returncode == 0, run.stderr
    year = Settings().today().year
    report = folder / "tular-demo" / f"laporan-{year}.html"
    assert f"laporan-{year}.html" in run.stdout.replace("\n", "")
    html = report.read_text(encoding="utf-8")
    assert f"Laporan Dampak Tahunan {year}" in html and html.count("<svg") >= 5


@pytest.fixture(scope="module")
def demo_2025(demo_run, tmp_path_factory):
    """The demo's 2025 report in both editions and both languages: the data and the PDFs' paths."""
    _, url, run = demo_run
    assert run.returncode == 0, run.stderr
    from tular.graph.store import open_store

    folder = tmp_path_factory.mktemp("demo-pdfs")
    store = open_store(url)
    try:
        data = {edition: gather_report(store, 2025, TODAY, public=edition == "public")
                for edition in ("internal", "public")}
    finally:
        store.close()
    pdfs = {}
    for (lang, edition) in ((lang, edition) for lang in ("id", "en") for edition in data):
        pdfs[lang, edition] = folder / f"laporan-2025-{lang}-{edition}.pdf"
        pdfs[lang, edition].write_bytes(render_pdf(render_html(data[edition], lang)))
    return url, data, pdfs


@needs_poppler
def test_demo_report_pdf_pages_as_images(demo_2025, tmp_path: Path, artifacts: Path):
    """The 2025 report of the demo: traceable numbers, page count, and PNGs of the cover and a
    table page in test-artifacts/ for a person to look at."""
    url, data, pdfs = demo_2025
    from tular.graph.store import open_store

    store = open_store(url)
    try:
        path = pdfs["id", "internal"]
        loc = Locale("id")
        text = pdf_text(path.read_bytes(), tmp_path)
        assert 15 <= page_count(text) <= 48, page_count(text)  # chains and kelurahan maps: a page or two per skill
        as_of = date(2025, 12, 31)
        for section in data["internal"].skills:
            r = metrics.reach(store, metrics.Query(skill=section.skill.skill_id, as_of=as_of))
            assert row(text, section.skill.name_id, loc.integer(r.seeds), loc.integer(r.reached), loc.integer(r.total),
                       loc.decimal(r.multiplier), loc.integer(r.max_depth), loc.percent(r.coverage),
                       loc.money(r.cost_per_ikm_idr)), section.skill.skill_id
        assert loc.integer(metrics.reach_all(store, metrics.Query(skill="all", as_of=as_of)).distinct_total) in text
    finally:
        store.close()
    pages = text.split("\f")
    table_page = next(i for i, page in enumerate(pages, 1) if "Per kelurahan: total IKM per keterampilan" in page)
    for page, name in ((1, "report-page1"), (table_page, "report-kelurahan-table")):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(page), "-l", str(page), str(path),
                        str(artifacts / name)], check=True)
        assert (artifacts / f"{name}.png").stat().st_size > 10_000


#: What a published document never carries (SPEC §11): a command line, a reference to the
#: specification or the README, developer wording.
NOT_FOR_PUBLICATION = re.compile(r"\btular\s|--|spesifikasi|specification|README|§|\bjson\b|"
                                 r"Pengajaran tanpa tanggal|Undated teachings", flags=re.IGNORECASE)


@needs_poppler
def test_both_editions_in_both_languages_carry_no_command_line_spec_reference_or_developer_wording(
        demo_2025, tmp_path: Path):
    _, data, pdfs = demo_2025
    for (lang, edition), path in pdfs.items():
        text = pdf_text(path.read_bytes(), tmp_path)
        found = sorted({m.group(0) for m in NOT_FOR_PUBLICATION.finditer(text)})
        assert not found, (lang, edition, found)
        loc = Locale(lang)
        # the methodology in plain words, the glossary's names of the broken chains
        assert loc.t("method.title") in text and loc.t("kind.dormant_leaf") in text
        # every generation with an outcome rate has its column (the demo reaches generation 6)
        deepest = max(len(o.rates.generations) for o in data[edition].outcomes) - 1
        assert deepest >= 5 and row(text, loc.t("label.skill"), *(str(g) for g in range(deepest + 1)))
    # days dormant as numbers of the language: 1.234 in Indonesian, 1,234 in English
    internal = data["internal"].follow_up
    days = max(v.days_dormant for v in internal.dead_seeds)
    assert days >= 1000
    assert Locale("id").integer(days) in pdf_text(pdfs["id", "internal"].read_bytes(), tmp_path)
    assert Locale("en").integer(days) in pdf_text(pdfs["en", "internal"].read_bytes(), tmp_path)


def used_area(png: Path) -> float:
    """The share of a page's area inside the bounding box of everything printed on it above the
    footer band (the running footer is on every page and says nothing of its fullness). A page
    fills from the top, so what leaves it looking empty is the blank below its last line: the
    bounding box measures that, where ink coverage would call a full page of light text nearly
    empty (a full text page inks about a tenth of its area)."""
    from PIL import Image

    with Image.open(png) as image:
        grey = np.asarray(image.convert("L"))
    height = grey.shape[0]
    above_footer = grey[: int(height * (1 - FOOTER_BAND))] < 235
    rows, columns = np.flatnonzero(above_footer.any(axis=1)), np.flatnonzero(above_footer.any(axis=0))
    if not rows.size:
        return 0.0
    return (rows[-1] - rows[0] + 1) * (columns[-1] - columns[0] + 1) / grey.size


#: The bottom margin (20 mm of 297) that holds the running footer.
FOOTER_BAND = 20 / 297


def thin_pages(path: Path, folder: Path) -> dict[int, float]:
    """The pages after the cover of the PDF at ``path`` that use less than a fifth of their area."""
    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-png", "-r", "24", str(path), str(prefix)], check=True)
    used = {i: used_area(page) for i, page in enumerate(sorted(folder.glob(f"{path.stem}-*.png")), 1)}
    assert used[1] > 0.5  # the cover itself, on one page
    return {i: round(share, 3) for i, share in used.items() if i > 1 and share < 0.2}


@needs_poppler
def test_no_page_after_the_cover_is_near_empty(demo_2025, tmp_path: Path):
    """Every page but the cover uses at least a fifth of its area, in both editions and both
    languages (a page 2 with one line, or a last page with one paragraph, fails)."""
    _, _, pdfs = demo_2025
    for (lang, edition), path in pdfs.items():
        assert not thin_pages(path, tmp_path), (lang, edition, thin_pages(path, tmp_path))
        assert len(list(tmp_path.glob(f"{path.stem}-*.png"))) >= 15


@needs_poppler
def test_a_small_programme_has_no_near_empty_page_either(embedded_store: EmbeddedStore, tmp_path: Path):
    embedded_store.write(programme())
    for public in (False, True):
        data = gather_report(embedded_store, YEAR, TODAY, public=public)
        for lang in ("id", "en"):
            path = tmp_path / f"small-{lang}-{'public' if public else 'internal'}.pdf"
            path.write_bytes(render_pdf(render_html(data, lang)))
            assert not thin_pages(path, tmp_path), (lang, public)


def test_the_plan_visits_and_the_report_appendix_follow_one_order(demo_2025):
    """On the demo, for every skill: the planner's visits (3 × seats) are the first of the report
    appendix's list, in the same order, and the report's next-cohort section holds the planner's."""
    from tular.graph.metrics import planner
    from tular.graph.metrics.results import PLAN_SEATS, VISITS_PER_SEAT
    from tular.graph.store import open_store

    url, data, _ = demo_2025
    appendix = {s.skill.skill_id: s for s in data["internal"].follow_up.visits}
    next_cohort = {c.skill.skill_id: c for c in data["internal"].next_cohort}
    assert len(appendix) == 8
    store = open_store(url)
    try:
        for skill, listed in appendix.items():
            plan = planner.plan(store, skill, PLAN_SEATS, data["internal"].as_of)
            assert len(plan.visits) == VISITS_PER_SEAT * PLAN_SEATS
            assert [v.ikm_id for v in plan.visits] == [v.ikm_id for v in listed.visits][:len(plan.visits)], skill
            assert next_cohort[skill].visits == plan.visits
            # round-robin: the first visits are in as many kelurahan as there are
            places = [v.kelurahan for v in listed.visits]
            assert len(set(places[:5])) == 5, (skill, places)
    finally:
        store.close()


def test_doctests_pass():
    import doctest

    from tular.graph.model import catalogue
    from tular.visualizations import i18n, report

    assert doctest.testmod(i18n).failed == 0 and doctest.testmod(report).failed == 0
    assert doctest.testmod(catalogue).failed == 0
