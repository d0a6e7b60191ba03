"""Backups you can trust (SPEC §3 "Many writers, one truth", issue #16): ``backup`` refuses a
store that breaks an invariant rather than write a file that ``restore`` would refuse, and
``restore --force`` never leaves a half-restored store in silent use — killed at any moment,
the embedded store holds the old or the new content, Neo4j the old content (one transaction)
or a "restore in progress" mark that every command refuses on, naming the safety backup that
puts the old content back exactly.
"""

from __future__ import annotations

import doctest
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from tular.graph.admin import api_keys as keys
from tular.graph.io.backup import read_backup, restore_file, take_backup, write_backup
from tular.graph.model.errors import InvalidData, RestoreInProgress, text_of
from tular.visualizations.i18n import Locale
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Attendance, BatchMeta, Kecamatan, Kelurahan, Outcome, Population, Records, Skill
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore
from tular.service.app import create_app
from tular.service.datafiles import print_restore

from .datafiles import populate
from .factories import DINOYO, ikm, teaching, training

#: IKM (and about as many teachings) of the backup that the kill tests restore: enough that
#: writing it takes a second or more, so that a kill lands inside.
BIG = 10_000
SAFETY_NAME = re.compile(r"tular-safety-\d{8}-\d{6}(-\d+)?\.json\.gz")


def content(store: GraphStore) -> dict:
    """Everything a backup of ``store`` holds except when and where it was taken."""
    return take_backup(store).model_dump(mode="json", exclude={"created_at", "source"})


def file_content(path: Path) -> dict:
    return read_backup(path).model_dump(mode="json", exclude={"created_at", "source"})


def tular(*args: str, db: str, env: dict | None = None, wait: bool = True):
    command = [sys.executable, "-m", "tular", "--db", db, *args]
    environment = {**os.environ, **(env or {})}
    if wait:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)


def said(result: subprocess.CompletedProcess) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()


@pytest.fixture(scope="module")
def big_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A backup of 10,000 IKM in a teaching tree (none of them in ``populate``'s data), and its content."""
    folder = tmp_path_factory.mktemp("big")
    store = EmbeddedStore(folder / "big.db")
    store.init_schema()
    ids = [f"N-{i:06d}" for i in range(BIG)]
    store.write(Records(ikm=[ikm(x) for x in ids], trainings=[training("T-N", "2020-01-31")],
                        attendance=[Attendance(training_id="T-N", ikm_id=x) for x in ids[:10]],
                        teachings=[teaching(ids[i], ids[(i - 10) // 3], "2021-06-01") for i in range(10, BIG)]))
    path = folder / "big.json.gz"
    write_backup(store, path)
    expected = content(store)
    store.close()
    return path, expected


def add_teaching(store: GraphStore, learner: str, teacher: str, day: str, skill: str = "batik") -> None:
    """A TAUGHT_BY edge written past tular, as a hand edit or an older version would."""
    if isinstance(store, Neo4jStore):
        store._driver.execute_query(
            "MATCH (l:IKM {ikm_id: $learner}), (t:IKM {ikm_id: $teacher}) "
            "CREATE (l)-[:TAUGHT_BY {skill: $skill, date: date($day)}]->(t)",
            learner=learner, teacher=teacher, skill=skill, day=day, database_=store.database)
        return
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("INSERT INTO teaching(learner_id, teacher_id, skill_id, date) VALUES (?, ?, ?, ?)",
                     (learner, teacher, skill, day))
    conn.close()


def let_the_lease_run_out(store: Neo4jStore) -> None:
    """The write lease of a killed writer runs out by itself 15 s after it was last renewed;
    the tests do not wait for that."""
    store._driver.execute_query("MATCH (l:TularMeta {id: 'write_lease'}) SET l.until = 0", database_=store.database)


@pytest.fixture
def neo4j(neo4j_store: Neo4jStore) -> Iterator[Neo4jStore]:
    """The Neo4j store; afterwards no restore mark and no lease of a killed writer is left for the
    next test (the fixture's wipe keeps tular's own :TularMeta nodes)."""
    yield neo4j_store
    neo4j_store._driver.execute_query("MATCH (m:TularMeta {id: 'restore'}) DELETE m", database_=neo4j_store.database)
    let_the_lease_run_out(neo4j_store)


# --------------------------------------------------------------------------- backup checks first
def test_doctests_pass():
    from tular.graph.io import backup

    assert doctest.testmod(backup).failed == 0


@pytest.mark.usefixtures("english")
def test_backup_refuses_a_store_with_a_cycle_naming_it_and_writes_nothing(store: GraphStore, tmp_path: Path):
    store.write(Records(ikm=[ikm("A"), ikm("B"), ikm("C"), ikm("D")],
                        teachings=[teaching("B", "A", "2021-01-01"), teaching("C", "B", "2021-02-01"),
                                   teaching("D", "A", "2021-03-01", skill="kemasan")]))
    add_teaching(store, "A", "C", "2021-04-01")  # C taught A: batik goes round A → B → C → A
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(InvalidData) as refused:
        write_backup(store, folder / "b.json.gz")
    message = str(refused.value)
    assert "a cycle of batik teachings: A taught B, B taught C, C taught A" in message
    assert "no backup was written" in message and "tular check" in message
    in_indonesian = text_of(refused.value, "id")  # the problems inside are said in the reader's language too
    assert "lingkaran pengajaran batik: A mengajar B, B mengajar C, C mengajar A" in in_indonesian
    assert "taught" not in in_indonesian and "cycle" not in in_indonesian
    assert list(folder.iterdir()) == []  # no file, no partial file
    if isinstance(store, EmbeddedStore):  # the command: the same on both stores
        made = tular("backup", str(folder / "b.json"), db=store.display_url)
        assert made.returncode == 1, made.stderr  # as for invalid data
        assert "A taught B, B taught C, C taught A" in said(made) and "Traceback" not in made.stderr
        assert list(folder.iterdir()) == []


@pytest.mark.usefixtures("english")
@pytest.mark.neo4j
def test_backup_refuses_a_teaching_stored_twice_naming_it(neo4j: Neo4jStore, tmp_path: Path):
    neo4j.write(Records(ikm=[ikm("A"), ikm("B")], teachings=[teaching("B", "A", "2021-01-01")]))
    add_teaching(neo4j, "B", "A", "2021-05-05")  # Neo4j Community cannot make a relationship unique
    with pytest.raises(InvalidData, match=r"teaching B/A/batik appears 2 times.*`tular check --repair` removes"):
        write_backup(neo4j, tmp_path / "b.json.gz")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- exact, however the store moved on
def test_restore_puts_back_exactly_what_changed_since_the_backup(store: GraphStore, tmp_path: Path):
    """Neo4j replaces the content in place (updates, creations, then deletions): every kind of
    change made after the backup is undone exactly."""
    populate(store, tmp_path / "in")
    store.write(Records(ikm=[ikm("L"), ikm("T")], teachings=[teaching("L", "T", "2022-05-05", note="later")],
                        outcomes=[Outcome(ikm_id="L", kind="pameran", date=date(2022, 6, 1))]))
    write_backup(store, tmp_path / "b.json")
    expected = content(store)
    # afterwards: the teaching earlier (a write keeps the earliest date; restore must not), an IKM
    # moved, more records, a population, a skill, a kelurahan and its kecamatan, a batch
    store.delete_teaching(("L", "T", "batik"), BatchMeta(who="petugas"))
    store.write(Records(ikm=[ikm("L", DINOYO, phone="0811"), ikm("EXTRA")],
                        teachings=[teaching("L", "T", "2021-01-01"), teaching("EXTRA", "T", "2022-07-07")],
                        outcomes=[Outcome(ikm_id="L", kind="pameran", date=date(2022, 6, 1), note="changed"),
                                  Outcome(ikm_id="EXTRA", kind="first_sale", date=date(2022, 8, 1))],
                        populations=[Population(kelurahan_code=DINOYO, population=99)]),
                BatchMeta(who="petugas"))
    store.add_skill(Skill(skill_id="anyaman-pandan", name_id="Anyaman pandan", name_en="Pandan weaving"))
    store.load_gazetteer(Gazetteer([Kecamatan(code="baru", name="Baru")],
                                   [Kelurahan(code="baru.satu", name="Satu", kecamatan_code="baru")]))
    if isinstance(store, Neo4jStore):  # a hand edit in Neo4j Browser
        store._driver.execute_query("MATCH (i:IKM {ikm_id: 'T'}) CREATE (i)-[:KNOWS]->(:Note {text: 'x'})",
                                    database_=store.database)
    assert content(store) != expected
    result = restore_file(store, tmp_path / "b.json", force=True)
    assert result.method == ("new-file" if isinstance(store, EmbeddedStore) else "one-transaction")
    assert content(store) == expected
    if isinstance(store, Neo4jStore):
        records, _, _ = store._driver.execute_query(
            "OPTIONAL MATCH (n:Note) WITH count(n) AS notes "
            "OPTIONAL MATCH ()-[r:KNOWS]->() RETURN notes, count(r) AS knows", database_=store.database)
        assert records[0].data() == {"notes": 0, "knows": 0}


@pytest.mark.usefixtures("english")
# --------------------------------------------------------------------------- Neo4j, too large for one transaction
@pytest.mark.neo4j
def test_a_large_restore_killed_after_the_wipe_is_refused_everywhere_until_the_safety_backup_is_restored(
        neo4j: Neo4jStore, neo4j_url: str, big_backup: tuple[Path, dict], tmp_path: Path):
    store = neo4j
    populate(store, tmp_path / "in")
    key, _ = keys.create_key(store, "viewer", "kepala bidang")
    old = content(store)
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "big.json.gz"
    shutil.copy(big_backup[0], backup)
    headers = {"X-API-Key": key}
    with TestClient(create_app(Settings(), store=store)) as api:
        assert api.get("/api/v1/trainings", headers=headers).status_code == 200
        restoring = tular("restore", "--force", str(backup), db=neo4j_url, wait=False,
                          env={"TULAR_RESTORE_ONE_TRANSACTION_MAX": "10"})  # the large path, for 10,000 IKM
        deadline = time.monotonic() + 90
        while not (store.restore_mark() is not None and store.counts().ikm < len(old["records"]["ikm"])):
            assert restoring.poll() is None, f"the restore ended before the wipe was seen: {restoring.stderr.read()}"
            assert time.monotonic() < deadline, "the wipe did not happen"
            time.sleep(0.02)
        assert restoring.poll() is None  # wiped, still writing
        kill(restoring)

        mark = store.restore_mark()
        assert mark is not None and mark.backup == str(backup)
        safety = Path(mark.safety_file)
        assert safety.parent == folder and SAFETY_NAME.fullmatch(safety.name), safety
        assert stat.S_IMODE(safety.stat().st_mode) == 0o600  # it holds personal data
        assert file_content(safety) == old
        assert store.counts().ikm < len(old["records"]["ikm"])  # half restored indeed
        put_back = f"tular restore --force {safety}"
        # every command refuses, naming the safety file and the command that puts it back
        refused = tular("status", db=neo4j_url)
        assert refused.returncode == 3, refused.stderr  # as for a store that is unavailable
        assert "in the middle of a restore" in said(refused) and put_back in said(refused), refused.stderr
        with pytest.raises(RestoreInProgress):
            write_backup(store, tmp_path / "half.json")
        assert not (tmp_path / "half.json").exists()
        # and so does the API, with 503 problem+json
        response = api.get("/api/v1/trainings", headers=headers)
        assert response.status_code == 503 and response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].endswith("/restore-in-progress") and problem["safety_file"] == str(safety)
        assert put_back in problem["detail"] and response.headers["Retry-After"]

        let_the_lease_run_out(store)
        with pytest.raises(RestoreInProgress):
            restore_file(store, backup)  # without --force
        restored = tular("restore", "--force", str(safety), db=neo4j_url)
        assert restored.returncode == 0, restored.stderr
        assert content(store) == old and store.restore_mark() is None
        assert [k.name for k in store.api_keys()] == ["kepala bidang"]
        assert api.get("/api/v1/trainings", headers=headers).status_code == 200


@pytest.mark.neo4j
def test_a_large_restore_writes_a_safety_backup_and_says_so(neo4j: Neo4jStore, neo4j_url: str, tmp_path: Path):
    store = neo4j
    populate(store, tmp_path / "in")
    write_backup(store, tmp_path / "b.json")
    new = content(store)
    restore_file(store, tmp_path / "b.json", force=True)  # one transaction, in place: nothing changes
    assert content(store) == new
    store.write(Records(ikm=[ikm("OTHER-1")]))
    before = content(store)
    done = tular("restore", "--force", "--json", str(tmp_path / "b.json"), db=neo4j_url,
                 env={"TULAR_RESTORE_ONE_TRANSACTION_MAX": "3"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["method"] == "safety-backup" and result["replaced"] is True
    safety = Path(result["safety_file"])
    assert safety.parent == tmp_path and SAFETY_NAME.fullmatch(safety.name)
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600 and file_content(safety) == before
    assert content(store) == new and store.restore_mark() is None
    back = restore_file(store, safety, force=True, one_transaction_max=3)
    shown = Console(file=io.StringIO(), width=300)
    print_restore(shown, store.display_url, back, as_json=False, loc=Locale("en"))
    assert f"What the store held before is in the safety backup {back.safety_file}" in shown.file.getvalue()
    assert Path(back.safety_file).parent == tmp_path and content(store) == before != new


@pytest.mark.usefixtures("english")
@pytest.mark.neo4j
def test_a_large_restore_over_a_store_that_breaks_an_invariant_changes_nothing(neo4j: Neo4jStore, tmp_path: Path):
    neo4j.write(Records(ikm=[ikm("A"), ikm("B")], teachings=[teaching("B", "A", "2021-01-01")]))
    other = EmbeddedStore(tmp_path / "other.db")
    other.init_schema()
    other.write(Records(ikm=[ikm("X")]))
    write_backup(other, tmp_path / "x.json")
    other.close()
    add_teaching(neo4j, "B", "A", "2021-05-05")  # its safety backup could not be restored
    with pytest.raises(InvalidData, match=r"teaching B/A/batik appears 2 times.*nothing was changed"):
        restore_file(neo4j, tmp_path / "x.json", force=True, one_transaction_max=0)
    assert neo4j.counts().teachings == 2 and neo4j.restore_mark() is None
    assert not list(tmp_path.glob("tular-safety-*"))
    restore_file(neo4j, tmp_path / "x.json", force=True)  # in one transaction it goes, duplicate and all
    assert [i.ikm_id for i in neo4j.all_ikm()] == ["X"] and neo4j.counts().teachings == 0


# --------------------------------------------------------------------------- Neo4j, one transaction
def _writing_records(store: Neo4jStore) -> bool:
    """Whether a transaction is creating the restored IKM or teachings right now."""
    records, _, _ = store._driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery", database_=store.database)
    return any("CREATE (:IKM" in r["currentQuery"] or "CREATE (learner)-[:TAUGHT_BY" in r["currentQuery"]
               for r in records)


@pytest.mark.neo4j
def test_a_restore_under_the_threshold_is_one_transaction_killed_midway_it_leaves_the_old_content(
        neo4j: Neo4jStore, neo4j_url: str, big_backup: tuple[Path, dict], tmp_path: Path):
    store = neo4j
    populate(store, tmp_path / "in")
    old = content(store)
    restoring = tular("restore", "--force", str(big_backup[0]), db=neo4j_url, wait=False)
    seen = set()
    deadline = time.monotonic() + 90
    while not _writing_records(store):
        assert restoring.poll() is None, f"the restore ended before it was seen writing: {restoring.stderr.read()}"
        assert time.monotonic() < deadline
        seen.add(store.counts().ikm)
    time.sleep(0.3)
    seen.add(store.counts().ikm)  # a reader meanwhile sees the old content, never an empty or half store
    assert restoring.poll() is None
    kill(restoring)
    assert seen == {len(old["records"]["ikm"])}
    assert content(store) == old and store.restore_mark() is None


# --------------------------------------------------------------------------- embedded
def test_an_embedded_restore_killed_at_any_moment_leaves_the_old_or_the_new_content(
        tmp_path: Path, big_backup: tuple[Path, dict]):
    base = tmp_path / "base.db"
    store = EmbeddedStore(base)
    store.init_schema()
    populate(store, tmp_path / "in")
    keys.create_key(store, "admin", "kepala dinas")
    old = content(store)
    store.close()
    backup, new = big_backup

    def restoring(db: Path) -> tuple[subprocess.Popen, Path]:
        """``restore --force`` into a copy of the store, once it has begun building the new file."""
        shutil.copy(base, db)
        building = db.with_name(f".{db.name}.restoring")  # where the new content is built
        appeared = building.stat().st_mtime_ns if building.exists() else None
        process = tular("--lang", "en", "restore", "--force", str(backup), db=f"sqlite:///{db}", wait=False)
        while process.poll() is None and (not building.exists() or building.stat().st_mtime_ns == appeared):
            time.sleep(0.005)
        return process, building

    # uninterrupted, over the new file a killed restore would leave (harmless: it is removed);
    # how long it takes from the new file's appearance
    whole = tmp_path / "whole.db"
    whole.with_name(f".{whole.name}.restoring").write_bytes(b"left by a restore that was killed")
    process, building = restoring(whole)
    started = time.monotonic()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    duration = time.monotonic() - started
    assert "new file" in " ".join(process.stdout.read().split())
    process.stdout.close(), process.stderr.close()
    assert not building.exists()
    restored = EmbeddedStore(whole)
    assert content(restored) == new and [k.name for k in restored.api_keys()] == ["kepala dinas"]
    restored.close()

    outcomes = []
    for n, fraction in enumerate((0.1, 0.3, 0.5, 0.7, 0.9)):
        db = tmp_path / f"kill-{n}.db"
        process, building = restoring(db)
        time.sleep(fraction * duration)
        ended = process.poll() is not None
        kill(process)
        killed = EmbeddedStore(db)  # opening it recovers from the write-ahead log
        found = content(killed)
        assert found == old or found == new, "a mix of the old and the new content"
        outcomes.append("ended" if ended else "old" if found == old else "new")
        killed.close()
    print(f"\nembedded restore {duration:.1f} s; killed at 10/30/50/70/90 %: {outcomes}")
    assert "old" in outcomes  # a kill did land inside the restore
