"""The command line as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import re
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tular.graph.demo.generator import DEMO_AS_OF, build_demo
from tular.graph.model.catalogue import every_text
from tular.visualizations.i18n import Locale

ID, EN = Locale("id"), Locale("en")


def tular(*args: str, db: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``tular ARGS`` in a fresh working folder (``tular demo`` writes its map and report there), with
    ``env`` added to the environment (without it, no TULAR_LANG: the default language)."""
    command = [sys.executable, "-m", "tular", *(["--db", db] if db else []), *args]
    environment = {k: v for k, v in os.environ.items() if k != "TULAR_LANG"} | {"COLUMNS": "200"} | (env or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          cwd=tempfile.mkdtemp(prefix="tular-cli-"), env=environment)


def flat(text: str) -> str:
    """``text`` with its runs of white space as one space (rich wraps at the terminal's width)."""
    return " ".join(text.split())


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tular.db'}"


def test_demo_loads_and_prints_the_summary(db: str):
    result = tular("demo", "--no-serve", db=db)
    assert result.returncode == 0, result.stderr
    demo = build_demo()
    shown = flat(result.stdout)  # Indonesian: the default language, numbers by Babel
    assert ID.integer(len(demo.ikm)) in shown and ID.integer(len(demo.teachings)) in shown
    assert ID.t("cli.reach_all_title", as_of=ID.date(DEMO_AS_OF)) in shown and "olahan-makanan" in shown
    assert "Bunulrejo (batik): 2 peserta pelatihan → 22 IKM lain di Bunulrejo" in shown
    assert "21 dari 22 murid ini sudah ikut pameran" in shown
    # one date for all it shows: the reach, the map and the report are as of the demo's date, no other
    dates = set(re.findall(r"\b\d{1,2} (?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
                           r"November|Desember) \d{4}\b", shown))
    assert dates == {ID.date(DEMO_AS_OF)}, dates
    status = json.loads(tular("status", "--json", db=db).stdout)
    assert (status["ikm"], status["teachings"], status["kelurahan"]) == (13_000, len(demo.teachings), 57)
    # running it again changes nothing
    assert tular("demo", "--no-serve", db=db).returncode == 0
    assert json.loads(tular("status", "--json", db=db).stdout) == status


@pytest.mark.neo4j
def test_demo_on_neo4j_gives_the_same_summary(db: str, neo4j_store, neo4j_url: str):
    embedded = tular("demo", "--no-serve", db=db)
    on_neo4j = tular("demo", "--no-serve", db=neo4j_url)
    assert on_neo4j.returncode == 0, on_neo4j.stderr
    title = ID.t("cli.reach_all_title", as_of=ID.date(DEMO_AS_OF))
    summary = lambda out: out[out.index(title):]  # noqa: E731 - the store URL differs above it
    assert summary(on_neo4j.stdout) == summary(embedded.stdout)


def test_demo_refuses_to_mix_into_a_store_with_other_data(tmp_path: Path, db: str):
    from tular.graph.model.records import IKM, Records
    from tular.graph.store import open_store

    store = open_store(db)
    store.init_schema()
    store.write(Records(ikm=[IKM(ikm_id="MINE-1", name="Bu Sri", kelurahan_code="blimbing.bunulrejo")]))
    store.close()
    result = tular("demo", "--no-serve", db=db)
    assert result.returncode == 2
    assert "--reset" in result.stderr
    assert json.loads(tular("status", "--json", db=db).stdout)["ikm"] == 1


def test_init_and_skills(db: str):
    assert "57 kelurahan" in tular("init", db=db).stdout
    added = tular("skills", "add", "Anyaman Bambu", "--name-id", "Anyaman bambu", "--name-en", "Bamboo weaving",
                  "--alias", "anyaman", db=db)
    assert added.returncode == 0, added.stderr
    skills = {s["skill_id"]: s for s in json.loads(tular("skills", "list", "--json", db=db).stdout)}
    assert skills["anyaman-bambu"]["aliases"] == ["anyaman"] and len(skills) == 9
    clash = tular("skills", "add", "batik-modern", "--name-id", "x", "--name-en", "x", "--alias", "membatik", db=db)
    assert clash.returncode == 2 and "membatik" in clash.stderr and "batik" in clash.stderr


@pytest.mark.parametrize("args, code", [
    (["--db", "postgres://x", "status"], 2),
    (["--no-such-flag"], 2),
    (["reach-everything"], 2),
])
def test_usage_errors_exit_2(args: list[str], code: int):
    result = subprocess.run([sys.executable, "-m", "tular", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == code
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert tular("demo", "--no-serve", db=db).returncode == 0
    return db


def test_reach_json_has_the_shape_of_spec_6(demo_db: str):
    result = tular("reach", "--skill", "Membatik", "--as-of", "2026-10-31", "--json", db=demo_db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"skill", "as_of", "seeds", "reached", "total", "multiplier", "max_depth", "coverage",
                         "cost_per_ikm_idr", "generations", "areas", "kecamatan", "top_teachers", "virality", "warnings",
                         "concentration"}
    assert data["skill"] == "batik" and data["total"] == data["seeds"] + data["reached"]
    # SPEC §12: the top 5 % of the teachers gave a share of the teachings no larger than the top 20 %'s
    concentration = data["concentration"]
    assert set(concentration) == {"teachers", "teachings", "top_5_percent_share", "top_20_percent_share"}
    assert 0 < concentration["teachers"] <= concentration["teachings"]
    assert 0.05 <= concentration["top_5_percent_share"] <= concentration["top_20_percent_share"] <= 1
    assert set(data["generations"][0]) == {"generation", "count", "ratio", "active_share"}
    assert set(data["areas"][0]) == {"kecamatan", "kelurahan", "seeds", "reached", "total", "multiplier", "imported"}
    assert set(data["kecamatan"][0]) == {"kecamatan", "seeds", "reached", "total", "multiplier", "imported"}
    assert set(data["top_teachers"][0]) == {"ikm_id", "name", "kelurahan", "generation", "onward_reach"}
    assert len(data["top_teachers"]) == 20
    assert set(data["virality"][0]) == {"seed", "size", "structural_virality"}
    assert all(isinstance(data[k], int) for k in ("seeds", "reached", "total", "max_depth"))
    bunulrejo = next(a for a in data["areas"] if a["kelurahan"] == "Bunulrejo")
    assert (bunulrejo["seeds"], bunulrejo["reached"]) == (2, 22)


def test_reach_all_and_broken_json(demo_db: str):
    every = json.loads(tular("reach", "--skill", "all", "--as-of", "2026-10-31", "--json", db=demo_db).stdout)
    assert set(every) == {"as_of", "skills", "distinct_total"} and len(every["skills"]) == 8
    assert max(s["total"] for s in every["skills"]) <= every["distinct_total"] <= sum(s["total"] for s in every["skills"])
    broken = json.loads(tular("broken", "--skill", "batik", "--as-of", "2026-10-31", "--json", db=demo_db).stdout)
    assert broken["dormant_days"] == 180
    assert {f["kind"] for f in broken["findings"]} >= {"dead_seed", "stalled_lineage", "dormant_leaf"}


@pytest.mark.parametrize("args, code, words", [
    (["reach", "--skill", "tari"], 2, "keterampilan 'tari' tidak dikenal"),  # Indonesian unless asked
    (["reach", "--skill", "batik", "--as-of", "31/02/2026"], 2, "Februari 2026 tidak punya tanggal 31"),
    (["reach", "--skill", "batik", "--kelurahan", "Bunul Rejoo"], 2, "Bunulrejo"),
    (["lineage", "IKM-99999"], 1, "IKM-99999"),
])
def test_query_errors_and_exit_codes(demo_db: str, args: list[str], code: int, words: str):
    result = tular(*args, db=demo_db)
    assert result.returncode == code and words in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------ language (SPEC §11)
def test_help_is_indonesian_by_default_and_english_with_lang_or_tular_lang():
    """--lang > TULAR_LANG > id, for the help too: it is made before the commands are built."""
    texts = every_text()
    default = flat(tular("--help").stdout)
    assert texts["id"]["cli.tular"] in default and texts["id"]["cli.tular.lang"] in default
    assert texts["en"]["cli.tular"] not in default
    assert texts["en"]["cli.tular"] in flat(tular("--lang", "en", "--help").stdout)
    assert texts["en"]["cli.tular"] in flat(tular("--lang=en", "--help").stdout)
    assert texts["en"]["cli.tular"] in flat(tular("--help", env={"TULAR_LANG": "en"}).stdout)
    command = flat(tular("reach", "--help", env={"TULAR_LANG": "en"}).stdout)
    assert texts["en"]["cli.reach"] in command and texts["en"]["cli.opt.as_of"] in command
    assert texts["id"]["cli.reach"] in flat(tular("--lang", "id", "reach", "--help", env={"TULAR_LANG": "en"}).stdout)
    # a command's own --lang (report, plan) chooses the help's language too
    report = flat(tular("report", "--lang", "en", "--help").stdout)
    assert texts["en"]["cli.report"] in report and texts["en"]["cli.report.public"] in report
    # every text the help shows is in the catalogue: no English left in the Indonesian help
    for command in ("import", "export", "check", "serve", "map", "plan"):
        shown = flat(tular(command, "--help").stdout)
        assert texts["id"][f"cli.{command}"] in shown, command
        assert texts["en"][f"cli.{command}"] not in shown, command


def test_output_follows_lang_then_tular_lang_then_indonesian(db: str):
    ready = tular("init", db=db)
    assert ready.returncode == 0 and flat(ready.stdout).startswith("Siap: ")
    assert "5 kecamatan, 57 kelurahan, 8 keterampilan, 0 IKM" in flat(ready.stdout)
    indonesian = flat(tular("status", db=db).stdout)
    english = flat(tular("--lang", "en", "status", db=db).stdout)
    assert ID.t("cli.status_title") in indonesian and EN.t("cli.status_title") not in indonesian
    assert EN.t("cli.status_title") in english and ID.t("cli.status_title") not in english
    assert EN.t("cli.status_title") in flat(tular("status", db=db, env={"TULAR_LANG": "en"}).stdout)
    assert ID.t("cli.status_title") in flat(tular("--lang", "id", "status", db=db, env={"TULAR_LANG": "en"}).stdout)
    # an unknown language is a usage error, said in the language in force
    wrong = tular("--lang", "fr", "status", db=db)
    assert wrong.returncode == 2 and ID.t("cli.bad_lang", given="fr") in flat(wrong.stderr)
    # the error line of a domain error: its label and (for errors from the catalogue) its text
    refused = tular("import", db=db)
    assert refused.returncode == 2
    assert flat(refused.stderr) == f"{ID.t('cli.error')} {ID.t('cli.import_choose_one')}"
    refused = tular("--lang", "en", "import", db=db)
    assert flat(refused.stderr) == f"{EN.t('cli.error')} {EN.t('cli.import_choose_one')}"


def test_reach_tables_in_both_languages_with_babel_numbers(demo_db: str):
    """The same answer, read in Indonesian and in English: headings from the catalogue, dates and
    numbers in each language's form, the glossary's words (SPEC §11)."""
    data = json.loads(tular("reach", "--skill", "batik", "--as-of", "2026-10-31", "--json", db=demo_db).stdout)
    indonesian = flat(tular("reach", "--skill", "batik", "--as-of", "2026-10-31", db=demo_db).stdout)
    english = flat(tular("--lang", "en", "reach", "--skill", "batik", "--as-of", "2026-10-31", db=demo_db).stdout)
    assert "Jangkauan batik, per 31 Oktober 2026" in indonesian
    assert "Reach of batik, as of 31 October 2026" in english
    for shown, loc in ((indonesian, ID), (english, EN)):
        for label in ("label.seeds", "label.reached", "label.multiplier", "cli.by_generation", "cli.top_teachers"):
            assert loc.t(label) in shown, (loc.lang, label)
        assert loc.percent(data["coverage"]) in shown and loc.decimal(data["multiplier"]) in shown
    assert "Peserta pelatihan" in indonesian and "Terjangkau" in indonesian and "Pengganda" in indonesian
    assert "Trainees" in english and "Reached" in english and "Multiplier" in english
    broken = flat(tular("broken", "--skill", "batik", "--as-of", "2026-10-31", db=demo_db).stdout)
    assert all(ID.t(f"kind.{kind}") in broken for kind in ("dead_seed", "stalled_lineage", "dormant_leaf"))
