"""Exports (SPEC §4): network files parse back, data exports round-trip exactly."""

from __future__ import annotations

import csv
import doctest
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import networkx as nx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tular.graph.io import export
from tular.graph.io.export import FORMATS, SHEET_COLUMNS, export_store, format_for, network, read_records
from tular.graph.io.ingest import import_files
from tular.graph.io.readers import COLUMNS
from tular.graph.model.errors import InvalidData, UsageError
from tular.graph.model.records import KINDS, Records
from tular.graph.store import EmbeddedStore, GraphStore

from .datafiles import HYPERLINK, TODAY, add_references, awkward_files, populate, run_import, write_csv
from .factories import ikm, teaching


def test_doctests_pass():
    assert doctest.testmod(export).failed == 0


def test_export_columns_are_the_import_columns():
    for kind in KINDS:
        assert sorted(SHEET_COLUMNS[kind]) == sorted(COLUMNS[kind].known)
        assert SHEET_COLUMNS[kind][: len(COLUMNS[kind].required)] != () and set(COLUMNS[kind].required) <= set(
            SHEET_COLUMNS[kind])


def csv_files(folder: Path) -> list[Path]:
    return [folder / f"{kind}.csv" for kind in KINDS]


def reimported(records_of: GraphStore, paths: list[Path]) -> Records:
    """Wipe the store, import ``paths`` into it and return what it then holds."""
    records_of.wipe()
    records_of.init_schema()
    add_references(records_of)
    run_import(records_of, paths)
    return read_records(records_of)


# --------------------------------------------------------------------------- network files
@pytest.fixture
def awkward(store: GraphStore, tmp_path: Path) -> Records:
    return populate(store, tmp_path / "in")


def multiset_of_edges(graph: nx.MultiDiGraph) -> list[tuple]:
    return sorted((u, v, d["skill"], d["date"]) for u, v, d in graph.edges(data=True))


@pytest.mark.parametrize("fmt, read", [
    ("graphml", lambda path: nx.read_graphml(path, force_multigraph=True)),
    ("gexf", nx.read_gexf),
    ("json", lambda path: nx.node_link_graph(json.loads(Path(path).read_text("utf-8")), edges="edges")),
])
def test_network_files_parse_back_with_every_node_edge_and_attribute(store: GraphStore, awkward: Records,
                                                                     tmp_path: Path, fmt, read):
    path = tmp_path / f"net.{fmt}"
    result = export_store(store, path, fmt)
    expected = network(awkward, store.gazetteer())
    assert result.counts == {"ikm": 6, "teachings": 6}
    graph = read(path)
    assert graph.is_directed() and graph.is_multigraph()
    assert sorted(graph.nodes) == sorted(expected.nodes) == sorted(i.ikm_id for i in awkward.ikm)
    for node, attributes in expected.nodes(data=True):
        # gexf adds a label, and its dates as spells (test_gexf_carries_the_dates_as_spells)
        got = {k: v for k, v in graph.nodes[node].items() if k not in ("label", "spells", "learned_on")}
        # XML turns a lone CR into LF; none of these values has one
        assert got == attributes, node
    assert multiset_of_edges(graph) == multiset_of_edges(expected)
    # teacher → learner, one edge per skill even between the same two IKM
    assert ("A-1", "=2+3", "batik", "2020-10-01") in multiset_of_edges(graph)
    assert graph.number_of_edges("C-3", "D-4") == 2
    assert graph.nodes["A-1"]["name"] == HYPERLINK and graph.nodes["D-4"]["kelurahan"] == "Sisir"


def test_gexf_carries_the_dates_as_spells(embedded_store, tmp_path: Path):
    """Gephi's timeline plays the spread (SPEC §12): every IKM is there from the day it learned
    (a seed from its training's end, a learner from its first teaching received), every
    teaching from its date, both as GEXF spells; an IKM that taught before it learned is
    there from its first teaching, so that no edge lacks an end; one that never learned has
    no spell."""
    from tular.graph.model.records import Attendance

    from .factories import training

    embedded_store.write(Records(
        ikm=[ikm("s"), ikm("a"), ikm("b"), ikm("early"), ikm("idle")],
        trainings=[training("T", "2020-01-10"), training("T2", "2021-06-01")],
        attendance=[Attendance(training_id="T", ikm_id="s"), Attendance(training_id="T2", ikm_id="early")],
        teachings=[teaching("a", "s", "2020-02-01"), teaching("a", "early", "2020-03-01", "barista"),
                   teaching("b", "a", "2020-05-05"), teaching("b", "s", "2020-04-01", "kemasan")]))
    path = tmp_path / "spread.gexf"
    export_store(embedded_store, path, "gexf")
    text = path.read_text("utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    graph = nx.read_gexf(path)

    def starts(spells: list[tuple]) -> list[str]:
        assert all(end in (None, "None") for _, end in spells)  # open: present from then on
        return [start for start, _ in spells]

    assert {n: starts(d.get("spells", [])) for n, d in graph.nodes(data=True)} == {
        "s": ["2020-01-10"], "a": ["2020-02-01"], "b": ["2020-04-01"], "early": ["2020-03-01"], "idle": []}
    assert graph.nodes["early"]["learned_on"] == "2021-06-01" and "learned_on" not in graph.nodes["idle"]
    edges = sorted((u, v, d["skill"], starts(d["spells"])[0]) for u, v, d in graph.edges(data=True))
    assert edges == [("a", "b", "batik", "2020-05-05"), ("early", "a", "barista", "2020-03-01"),
                     ("s", "a", "batik", "2020-02-01"), ("s", "b", "kemasan", "2020-04-01")]
    assert all(d["date"] == starts(d["spells"])[0] for _, _, d in graph.edges(data=True))
    # the other network files stay static
    export_store(embedded_store, tmp_path / "spread.graphml", "graphml")
    assert "spell" not in (tmp_path / "spread.graphml").read_text("utf-8")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_network_files_carry_no_phone_numbers(store: GraphStore, awkward: Records, tmp_path: Path, fmt: str):
    text = export_store(store, tmp_path / f"net.{fmt}", fmt) and (tmp_path / f"net.{fmt}").read_text("utf-8")
    assert "phone" not in text
    for person in awkward.ikm:
        if person.phone:
            assert person.phone not in text


def test_a_control_character_does_not_make_a_network_file_unreadable(embedded_store, tmp_path: Path):
    embedded_store.write(Records(ikm=[ikm("a", name="Sri\x01 Rahayu\x1f"), ikm("b")],
                                 teachings=[teaching("b", "a", "2021-01-01")]))
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        export_store(embedded_store, tmp_path / f"x.{fmt}", fmt)
        assert read(tmp_path / f"x.{fmt}").nodes["a"]["name"] == "Sri\ufffd Rahayu\ufffd"


# --------------------------------------------------------------------------- data exports
def test_csv_and_xlsx_exports_reimport_to_identical_records(store: GraphStore, awkward: Records, tmp_path: Path):
    export_store(store, tmp_path / "csv", "csv")
    export_store(store, tmp_path / "all.xlsx", "xlsx")
    assert reimported(store, [tmp_path / "all.xlsx"]) == awkward
    assert reimported(store, csv_files(tmp_path / "csv")) == awkward


@pytest.fixture
def awkward_embedded(embedded_store, tmp_path: Path) -> Records:
    return populate(embedded_store, tmp_path / "in")


def test_formula_injection_is_written_with_a_quote_and_restored(embedded_store, awkward_embedded: Records,
                                                                 tmp_path: Path):
    export_store(embedded_store, tmp_path / "csv")
    export_store(embedded_store, tmp_path / "all.xlsx")
    with open(tmp_path / "csv" / "ikm.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row["ikm_id"]: row for row in csv.DictReader(handle)}
    assert rows["A-1"]["name"] == "'" + HYPERLINK
    assert "'=2+3" in rows and rows["'=2+3"]["name"] == "'@SUM(A1)"
    assert rows["'=quoted"]["name"] == "'=already neutral"  # stored "=already neutral"
    assert rows["'=quoted"]["sector"] == "''+sector"        # stored "'+sector": one more quote
    assert rows["A-1"]["phone"] == "'+62 811-1111-111" and rows["B-2"]["sector"] == "\u202eevil"
    raw = (tmp_path / "csv" / "ikm.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b'"\'=HYPERLINK(""http://evil"",""x"")"' in raw

    sheet = openpyxl.load_workbook(tmp_path / "all.xlsx")["ikm"]
    header = [c.value for c in sheet[1]]
    cells = {row[0].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}
    assert cells["A-1"]["name"].value == "'" + HYPERLINK and cells["A-1"]["name"].data_type == "s"
    assert cells["'=2+3"]["name"].value == "'@SUM(A1)"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert openpyxl.load_workbook(tmp_path / "all.xlsx")["trainings"]["H2"].value == 45_000_000

    for paths in (csv_files(tmp_path / "csv"), [tmp_path / "all.xlsx"]):
        assert reimported(embedded_store, paths) == awkward_embedded
        assert embedded_store.get_ikm("A-1").name == HYPERLINK
        assert embedded_store.get_ikm("=2+3").name == "@SUM(A1)"
        assert embedded_store.get_ikm("=quoted").sector == "'+sector"


@pytest.mark.usefixtures("english")
def test_values_a_workbook_cannot_hold_are_refused_by_xlsx_and_kept_by_csv(embedded_store, tmp_path: Path):
    records = Records(ikm=[ikm("a", name="Sri\r\nRahayu"), ikm("b", business_name="Toko\x0bBaru"),
                           ikm("c", name="x" * 40_000)])
    embedded_store.write(records)
    with pytest.raises(InvalidData) as refused:
        export_store(embedded_store, tmp_path / "all.xlsx")
    message = str(refused.value)
    assert "ikm a, column name: character U+000D" in message
    assert "ikm b, column business_name: character U+000B" in message
    assert "ikm c, column name: 40,000 characters" in message and "export as CSV" in message
    assert not (tmp_path / "all.xlsx").exists()
    export_store(embedded_store, tmp_path / "csv")
    assert reimported(embedded_store, csv_files(tmp_path / "csv")).ikm == records.ikm


def test_an_empty_store_exports_header_only_files_that_import_as_nothing(store: GraphStore, tmp_path: Path):
    export_store(store, tmp_path / "csv")
    export_store(store, tmp_path / "all.xlsx")
    assert (tmp_path / "csv" / "teachings.csv").read_bytes() == b"\xef\xbb\xbflearner_id,teacher_id,skill,date,source,note,submission_id\r\n"
    for paths in (csv_files(tmp_path / "csv"), [tmp_path / "all.xlsx"]):
        assert reimported(store, paths) == Records()


@pytest.mark.parametrize("name, fmt, expected", [
    ("x.graphml", None, "graphml"), ("x.GEXF", None, "gexf"), ("x.json", None, "json"), ("x.xlsx", None, "xlsx"),
    ("folder", None, "csv"), ("x.data", "JSON", "json"),
])
def test_the_format_comes_from_the_option_or_the_name(tmp_path: Path, name: str, fmt: str | None, expected: str):
    assert export.format_for(tmp_path / name, fmt) == expected


@pytest.mark.usefixtures("english")
def test_bad_formats_and_paths_are_usage_errors(embedded_store, tmp_path: Path):
    with pytest.raises(UsageError, match="unknown export format 'pdf'"):
        export_store(embedded_store, tmp_path / "x.pdf", "pdf")
    with pytest.raises(UsageError, match="cannot tell the export format"):
        export_store(embedded_store, tmp_path / "x.pdf")
    with pytest.raises(UsageError, match="does not exist"):
        export_store(embedded_store, tmp_path / "no" / "x.xlsx")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="goes to a folder"):
        export_store(embedded_store, tmp_path / "file", "csv")


# --------------------------------------------------------------------------- the property
FORMULA_STARTS = ["=", "+", "-", "@", "'", "''", "\t", ""]
AWKWARD = ["=HYPERLINK(\"http://evil\",\"x\")", "+62 811-1111", "-5", "@SUM(A1)", "'tis", "\"quoted\"", "a;b",
           "a,b", "two\nlines", "tab\there", "Ibu Sri Rahayu", "بانتيك", "\u200fRTL\u200f", "\u202eevil", "Émilie",
           "😀 kopi", "  padded  ", "'", "ya", "0811", "007", "1e5", "2021-03-05", "TRUE", "\u00a0nbsp", "_x0041_"]
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=10)
TEXT = st.builds(lambda prefix, body: prefix + body, st.sampled_from(FORMULA_STARTS),
                 st.one_of(st.sampled_from(AWKWARD), ANY_TEXT))
OPTIONAL = st.one_of(st.none(), TEXT)
KELURAHAN = st.sampled_from(["Bunulrejo", "bunul rejo", "Dinoyo", "Ksatrian", "oro oro dowo", "Sumbersari",
                             "RAMPAL CLAKET", "Kauman"])
SKILLS = ["batik", "olahan-makanan", "fesyen-muslim", "home-decor", "lukis-kain", "barista", "kemasan",
          "legalitas-usaha"]
DAY = st.dates(date(2000, 1, 1), date(2025, 12, 31))


def day_text(day: date, indonesian: bool) -> str:
    return day.strftime("%d/%m/%Y") if indonesian else day.isoformat()


@st.composite
def raw_files(draw) -> dict[str, tuple[list[str], list[list[str]]]]:
    """CSV tables as field officers might type them (no ``'`` protection)."""
    blank = lambda value: "" if value is None else value  # noqa: E731
    n_ikm = draw(st.integers(1, 5))
    ikm_ids = [draw(TEXT) + f"~{i}" for i in range(n_ikm)]
    ikm_rows = [[ikm_id, draw(TEXT.filter(str.strip)), draw(KELURAHAN), "", blank(draw(OPTIONAL)),
                 blank(draw(OPTIONAL)), blank(draw(OPTIONAL)), blank(draw(OPTIONAL)),
                 blank(draw(st.none() | DAY.map(lambda d: d.isoformat())))] for ikm_id in ikm_ids]
    n_trainings = draw(st.integers(0, 2))
    training_ids = [draw(TEXT) + f"~T{i}" for i in range(n_trainings)]
    training_rows = []
    for training_id in training_ids:
        end = draw(DAY)
        skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True))
        training_rows.append([training_id, draw(TEXT.filter(str.strip)), draw(st.sampled_from([", ", ";", " | "])).join(skills),
                              blank(draw(st.none() | st.just(date(1999, 12, 31).isoformat()))),
                              day_text(end, draw(st.booleans())), blank(draw(OPTIONAL)), blank(draw(OPTIONAL)),
                              blank(draw(st.none() | st.integers(0, 10**10).map(str))), blank(draw(OPTIONAL))])
    attendance_rows = [[t, i, draw(st.sampled_from(["", "ya", "tidak", "true", "0"]))]
                       for t in training_ids for i in ikm_ids if draw(st.booleans())]
    teaching_rows = []
    for learner in range(n_ikm):
        for teacher in range(learner):  # teachers come earlier: no cycle
            if draw(st.integers(0, 2)) == 0:
                teaching_rows.append([ikm_ids[learner], ikm_ids[teacher], draw(st.sampled_from(SKILLS)),
                                      day_text(draw(DAY), draw(st.booleans())), blank(draw(OPTIONAL)),
                                      blank(draw(OPTIONAL))])
    populations = draw(st.lists(st.sampled_from(["Bunulrejo", "Dinoyo", "Kauman"]), unique=True, max_size=2))
    return {
        "ikm": (list(SHEET_COLUMNS["ikm"]), ikm_rows),
        "trainings": (list(SHEET_COLUMNS["trainings"]), training_rows),
        "attendance": (list(SHEET_COLUMNS["attendance"]), attendance_rows),
        "teachings": (list(SHEET_COLUMNS["teachings"]), teaching_rows),
        "populations": (["kelurahan", "kecamatan", "population"],
                        [[k, "", str(draw(st.integers(0, 5000)))] for k in populations]),
    }


def fresh_store(folder: Path, name: str) -> EmbeddedStore:
    store = EmbeddedStore(folder / f"{name}.db")
    store.init_schema()
    return store


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=raw_files())
def test_any_imported_data_survives_export_and_reimport(files):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        paths = [write_csv(folder, f"{kind}.csv", header, rows) for kind, (header, rows) in files.items()]
        original = fresh_store(folder, "original")
        report = import_files(original, paths, today=TODAY, who="t")
        assert report.ok, report.errors
        records = read_records(original)
        assert len(records.ikm) == len(files["ikm"][1])

        export_store(original, folder / "out", "csv")
        export_store(original, folder / "out.xlsx", "xlsx")
        for name, exported in (("from_csv", csv_files(folder / "out")), ("from_xlsx", [folder / "out.xlsx"])):
            target = fresh_store(folder, name)
            run_import(target, exported)
            assert read_records(target) == records, name
            target.close()
        original.close()


# --------------------------------------------------------------------------- the command
def tular(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                          timeout=120)


def test_export_command_writes_every_format(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    assert tular("import", *map(str, awkward_files(tmp_path / "in")), db=db).returncode == 0
    graph = tular("--lang", "en", "export", "--format", "graphml", "-o", str(tmp_path / "net.graphml"), db=db)
    assert graph.returncode == 0, graph.stderr
    assert "5 IKM, 4 teachings" in graph.stdout and "UU 27/2022" in graph.stdout
    folder = tular("export", "-o", str(tmp_path / "data"), db=db)
    assert folder.returncode == 0 and sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(
        f"{kind}.csv" for kind in KINDS)
    assert "phone numbers" in tular("--lang", "en", "export", "--help", db=db).stdout.lower()
    assert "nomor telepon" in tular("export", "--help", db=db).stdout.lower()  # Indonesian by default
    bad = tular("export", "-o", str(tmp_path / "x.pdf"), db=db)
    assert bad.returncode == 2 and "--format" in bad.stderr


def test_an_export_refusal_is_said_in_either_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """SPEC §11: graph/io's refusals come from the catalogue — ``str()`` in ``TULAR_LANG``
    (Indonesian by default), and in any language the reader asks for."""
    from tular.graph.model.catalogue import every_text
    from tular.graph.model.errors import text_of

    texts = every_text()
    monkeypatch.delenv("TULAR_LANG", raising=False)
    with pytest.raises(UsageError) as refused:
        format_for(tmp_path / "all.pdf", None)
    values = {"name": "'all.pdf'", "choices": ", ".join(FORMATS)}
    assert refused.value.catalogue_message == ("export.format_from_name", values)
    assert str(refused.value) == texts["id"]["export.format_from_name"].format(**values)
    assert text_of(refused.value, "en") == texts["en"]["export.format_from_name"].format(**values)
    assert "cannot tell the export format from 'all.pdf'" in text_of(refused.value, "en")
    monkeypatch.setenv("TULAR_LANG", "en")
    with pytest.raises(UsageError, match="cannot tell the export format from 'all.pdf'"):
        format_for(tmp_path / "all.pdf", None)
