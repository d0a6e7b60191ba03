"""``tular check``: data-quality findings over the whole store."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tular.graph.metrics import quality
from tular.graph.metrics.quality import check_store
from tular.graph.model.records import Attendance, Records
from tular.graph.store import EmbeddedStore, GraphStore

from .factories import DINOYO, KESATRIAN, ikm, teaching, training


def test_doctests_pass():
    assert doctest.testmod(quality).failed == 0


def one_of_each() -> Records:
    """s1 and s2 trained in batik (ended 2020-08-01). s1 taught a (2020-10-01); a taught b on
    2020-09-01, before a learned; s1 taught s2, a trainee; x taught y, y and w taught z, with
    no trainee upstream. Two Sri Rahayu in Bunulrejo; p and q share a phone."""
    return Records(
        ikm=[ikm("s1"), ikm("s2", KESATRIAN), ikm("a"), ikm("b"), ikm("x", DINOYO), ikm("y", DINOYO),
             ikm("z", DINOYO), ikm("w", DINOYO),
             ikm("sri-1", name="Ibu Sri Rahayu"), ikm("sri-2", name="sri  rahayu"), ikm("sri-3", DINOYO, name="Sri Rahayu"),
             ikm("p", phone="0811-2222-333"), ikm("q", KESATRIAN, phone="+62 811 2222 333")],
        trainings=[training("T-BATIK", "2020-08-01")],
        attendance=[Attendance(training_id="T-BATIK", ikm_id=i) for i in ("s1", "s2")],
        teachings=[
            teaching("a", "s1", "2020-10-01"),
            teaching("b", "a", "2020-09-01"),
            teaching("s2", "s1", "2021-01-01"),
            teaching("y", "x", "2021-02-01"),
            teaching("z", "y", "2021-03-01"),
            teaching("z", "w", "2021-04-01"),
        ],
    )


@pytest.mark.usefixtures("english")
def test_one_of_each_finding(store: GraphStore):
    store.write(one_of_each())
    report = check_store(store)
    assert report.counts == {"cycle": 0, "duplicate_teaching": 0, "probable_duplicate": 2, "out_of_order": 1,
                             "learner_is_trainee": 1, "orphan": 1}
    assert [(f.kind, f.ikm_ids, f.skill, f.fragment_top) for f in report.findings] == [
        ("probable_duplicate", ["p", "q"], None, None),
        ("probable_duplicate", ["sri-1", "sri-2"], None, None),
        ("out_of_order", ["b", "a"], "batik", None),
        ("learner_is_trainee", ["s2", "s1"], "batik", None),
        ("orphan", ["w", "x", "y", "z"], "batik", ["w", "x"]),
    ]
    details = {f.kind + ":" + f.ikm_ids[0]: f.detail for f in report.findings}
    assert details["probable_duplicate:sri-1"] == (
        "same name in kelurahan Bunulrejo: sri-1 (Ibu Sri Rahayu), sri-2 (sri  rahayu)")
    assert details["probable_duplicate:p"] == "same phone number under 2 ids: p, q"  # the number is not repeated
    assert details["out_of_order:b"] == ("a taught batik to b on 2020-09-01, before a learned it "
                                         "(2020-10-01, taught by s1)")
    assert "T-BATIK" in details["learner_is_trainee:s2"] and "generation 0" in details["learner_is_trainee:s2"]
    assert details["orphan:w"].startswith("4 IKM with batik teachings that no batik trainee reaches")
    assert "undated" in report.notes[0].lower()


@pytest.mark.usefixtures("english")
def test_learning_from_a_training_counts_from_its_end(store: GraphStore):
    # s1 taught a on 2020-07-01, before the training ended on 2020-08-01: out of order
    records = one_of_each()
    records.teachings = [teaching("a", "s1", "2020-07-01")]
    store.write(records)
    [finding] = [f for f in check_store(store).findings if f.kind == "out_of_order"]
    assert finding.detail.endswith("(2020-08-01, training T-BATIK)")


def test_a_clean_store_has_no_findings(store: GraphStore):
    records = one_of_each()
    records.ikm = [i for i in records.ikm if i.ikm_id in {"s1", "s2", "a"}]
    records.teachings = [teaching("a", "s1", "2020-10-01")]
    store.write(records)
    report = check_store(store)
    assert report.findings == [] and set(report.counts.values()) == {0}


def test_check_command_prints_a_table_or_json_and_exits_0(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    store.write(one_of_each())
    store.close()
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tular", "--db", f"sqlite:///{tmp_path / 'tular.db'}", "--lang", "en", "check", *args],
        capture_output=True, text=True, timeout=120)
    shown = run()
    assert shown.returncode == 0, shown.stderr
    for title in ("Probable duplicate persons", "before the teacher learned", "also a trainee", "Chains without a trainee"):
        assert title in shown.stdout
    as_json = run("--json")
    assert as_json.returncode == 0
    data = json.loads(as_json.stdout)
    assert data["counts"]["orphan"] == 1 and data["findings"][-1]["fragment_top"] == ["w", "x"]


def test_the_findings_are_told_in_the_readers_language(embedded_store: EmbeddedStore):
    """SPEC §11: ``tular check`` says each finding and note in Indonesian or English, from the
    catalogue; the same findings (kinds, ids, values) in both."""
    from tular.graph.model.catalogue import every_text

    texts = every_text()
    embedded_store.write(one_of_each())
    said = {lang: check_store(embedded_store, lang=lang) for lang in ("id", "en")}
    assert [(f.message[0], f.ikm_ids) for f in said["id"].findings] == [(f.message[0], f.ikm_ids) for f in said["en"].findings]
    for lang, report in said.items():
        for finding in report.findings:
            key, values = finding.message
            assert finding.detail == texts[lang][key].format(**values), (lang, key)
        assert report.notes == [texts[lang]["finding.undated_note"]]
    assert said["id"].findings[0].detail.startswith("nomor telepon sama pada 2 id")
    assert said["en"].findings[0].detail.startswith("same phone number under 2 ids")
