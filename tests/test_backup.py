"""Backup and restore (SPEC §4, §9 "backup/restore round-trips exactly"), across stores."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tular.graph.io.backup import FORMAT, VERSION, read_backup, restore, restore_file, take_backup, write_backup
from tular.graph.io.export import export_store, read_records
from tular.graph.model.errors import InvalidData, UsageError
from tular.graph.model.records import Records
from tular.graph.store import GraphStore

from .datafiles import populate
from .factories import ikm


def content(store: GraphStore) -> dict:
    """Everything a backup of ``store`` holds except when and where it was taken."""
    return take_backup(store).model_dump(mode="json", exclude={"created_at", "source"})


def network_json(store: GraphStore, path: Path) -> dict:
    export_store(store, path, "json")
    return json.loads(path.read_text("utf-8"))


def test_a_backup_holds_gazetteer_skills_records_populations_and_batches(embedded_store, tmp_path: Path):
    records = populate(embedded_store, tmp_path / "in")
    backup = write_backup(embedded_store, tmp_path / "b.json")
    document = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert {k["code"] for k in document["kelurahan"]} >= {"batu.sisir", "blimbing.bunulrejo"}
    assert next(k for k in document["kelurahan"] if k["code"] == "batu.sisir")["aliases"] == ["Sisir Lor"]
    assert next(s for s in document["skills"] if s["skill_id"] == "anyaman-bambu")["aliases"] == ["anyaman"]
    assert backup.records == records and len(records.populations) == 2
    assert [len(b.changes) for b in backup.batches] == [16, 4]  # the second batch changed C-3 and added 3
    assert any(c.before is not None for c in backup.batches[1].changes)


@pytest.mark.neo4j
@pytest.mark.parametrize("direction", ["embedded-to-neo4j", "neo4j-to-embedded"])
def test_backup_moves_a_whole_database_between_stores_exactly(embedded_store, neo4j_store, tmp_path: Path,
                                                              direction: str):
    source, target = (embedded_store, neo4j_store) if direction == "embedded-to-neo4j" else (neo4j_store, embedded_store)
    populate(source, tmp_path / "in")
    write_backup(source, tmp_path / "db.json.gz")
    assert (tmp_path / "db.json.gz").read_bytes()[:2] == b"\x1f\x8b"
    result = restore_file(target, tmp_path / "db.json.gz")
    assert result.counts == {"ikm": 6, "trainings": 2, "attendance": 3, "teachings": 6, "outcomes": 0,
                             "populations": 2, "batches": 2}
    assert content(target) == content(source)
    assert network_json(target, tmp_path / "t.json") == network_json(source, tmp_path / "s.json")
    # the batch log came along with its changes: undo works there as it would have here
    last = source.batches()[-1].batch_id
    source.undo(last)
    target.undo(last)
    assert content(target) == content(source)
    assert target.get_ikm("C-3").kelurahan_code == "blimbing.bunulrejo"


@pytest.mark.usefixtures("english")
def test_restore_refuses_a_store_that_holds_data_unless_forced(store: GraphStore, tmp_path: Path):
    populate(store, tmp_path / "in")
    write_backup(store, tmp_path / "b.json")
    before = content(store)
    store.undo(store.batches()[-1].batch_id)
    changed = content(store)
    with pytest.raises(UsageError, match=r"is not empty \(5 ikm, 2 trainings, 3 attendance, 4 teachings, "
                                         r"2 populations, 1 batches\).*--force"):
        restore_file(store, tmp_path / "b.json")
    assert content(store) == changed
    restore_file(store, tmp_path / "b.json", force=True)
    assert content(store) == before


def test_force_replaces_rather_than_merges(store: GraphStore, tmp_path: Path):
    store.write(Records(ikm=[ikm("ONLY-IN-BACKUP")]))
    write_backup(store, tmp_path / "b.json")
    store.write(Records(ikm=[ikm("ADDED-LATER")]))
    restore_file(store, tmp_path / "b.json", force=True)
    assert [i.ikm_id for i in store.all_ikm()] == ["ONLY-IN-BACKUP"]


def test_an_empty_store_backs_up_and_restores(store: GraphStore, tmp_path: Path):
    before = content(store)
    write_backup(store, tmp_path / "b.json")
    restore_file(store, tmp_path / "b.json")
    assert content(store) == before and read_records(store) == Records()


def _valid_document(tmp_path: Path) -> dict:
    from tular.graph.store import EmbeddedStore

    store = EmbeddedStore(tmp_path / "source.db")
    store.init_schema()
    populate(store, tmp_path / "in")
    write_backup(store, tmp_path / "good.json")
    store.close()
    return json.loads((tmp_path / "good.json").read_text("utf-8"))


def _damaged(document: dict, change: str) -> bytes:
    if change == "not-json":
        return b"ikm_id,name\nA,Ani\n"
    if change == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"
    if change == "cut-short":
        return json.dumps(document).encode()[:2000]
    if change == "cut-short-gzip":
        return gzip.compress(json.dumps(document).encode())[:500]
    if change == "other-json":
        return json.dumps({"nodes": [], "links": []}).encode()
    if change == "newer-version":
        return json.dumps({**document, "version": VERSION + 1}).encode()
    if change == "missing-records":
        return json.dumps({k: v for k, v in document.items() if k != "records"}).encode()
    if change == "bad-date":
        document["records"]["teachings"][0]["date"] = "31/02/2021"
        return json.dumps(document).encode()
    if change == "dangling-teacher":
        document["records"]["teachings"][0]["teacher_id"] = "NOBODY"
        return json.dumps(document).encode()
    if change == "unknown-kelurahan":
        document["records"]["ikm"][0]["kelurahan_code"] = "atlantis"
        return json.dumps(document).encode()
    if change == "duplicate-ikm":
        document["records"]["ikm"].append(document["records"]["ikm"][0])
        return json.dumps(document).encode()
    raise ValueError(change)


DAMAGE = [
    ("not-json", "not valid JSON"),
    ("binary", "it is not text"),
    ("cut-short", "not valid JSON"),
    ("cut-short-gzip", "compressed data cannot be read"),
    ("other-json", "is not a tular backup"),
    ("newer-version", f"format version {VERSION + 1}"),
    ("missing-records", "records: Field required"),
    ("bad-date", "records.teachings.0.date"),
    ("dangling-teacher", "teaching =2+3/NOBODY/batik refers to a missing IKM"),
    ("unknown-kelurahan", "IKM =2+3 is in kelurahan atlantis, which the backup does not have"),
    ("duplicate-ikm", "IKM =2+3 appears 2 times"),
]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("change, words", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_wrong_or_damaged_file_is_refused_before_anything_is_touched(store: GraphStore, tmp_path: Path,
                                                                      change: str, words: str):
    damaged = tmp_path / "damaged.json"
    damaged.write_bytes(_damaged(_valid_document(tmp_path), change))
    store.write(Records(ikm=[ikm("KEEP-ME")]))
    before = content(store)
    with pytest.raises(InvalidData) as refused:
        restore_file(store, damaged, force=True)
    assert words in str(refused.value) and "damaged.json" in str(refused.value)
    assert content(store) == before


@pytest.mark.usefixtures("english")
def test_a_missing_file_is_a_usage_error(embedded_store, tmp_path: Path):
    with pytest.raises(UsageError, match="no such file"):
        read_backup(tmp_path / "nope.json")


def test_restore_loads_the_backups_gazetteer_and_skills_before_the_records(embedded_store, tmp_path: Path):
    populate(embedded_store, tmp_path / "in")
    backup = take_backup(embedded_store)
    embedded_store.wipe()
    embedded_store.init_schema()  # built-in skills and Kota Malang only: no anyaman-bambu, no Sisir
    restore(embedded_store, backup)
    assert embedded_store.get_ikm("D-4").kelurahan_code == "batu.sisir"


# --------------------------------------------------------------------------- the commands
def tular(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.usefixtures("english")
def test_backup_and_restore_commands(tmp_path: Path):
    from tular.graph.store import EmbeddedStore

    source = EmbeddedStore(tmp_path / "a.db")
    source.init_schema()
    populate(source, tmp_path / "in")
    expected = content(source)
    source.close()
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    made = tular("backup", str(tmp_path / "a.json.gz"), db=a)
    assert made.returncode == 0, made.stderr
    assert "6 IKM" in made.stdout and "2 batches" in made.stdout
    restored = tular("restore", str(tmp_path / "a.json.gz"), db=b)
    assert restored.returncode == 0, restored.stderr
    target = EmbeddedStore(tmp_path / "b.db")
    assert content(target) == expected
    target.close()
    again = tular("restore", str(tmp_path / "a.json.gz"), db=b)
    assert again.returncode == 2 and "--force" in again.stderr
    assert tular("restore", "--force", str(tmp_path / "a.json.gz"), db=b).returncode == 0
    (tmp_path / "bad.json").write_text("{}")
    bad = tular("restore", "--force", str(tmp_path / "bad.json"), db=b)
    assert bad.returncode == 1 and "not a tular backup" in bad.stderr


def test_restore_keeps_the_target_stores_api_keys(store, tmp_path):
    from tular.graph.admin import api_keys as keys
    from tular.graph.io import backup as backup_module

    keys.create_key(store, "admin", "kepala dinas")
    path = tmp_path / "b.json"
    backup_module.write_backup(store, path)
    backup_module.restore_file(store, path, force=True)
    assert [k.name for k in store.api_keys()] == ["kepala dinas"]
