"""Erasure that stays erased (UU 27/2022, SPEC §9 Secure): ``tular forget`` records the id in an
erasure register that survives ``wipe`` and travels in backups; an import or a PATCH that
would bring the erased name, business name or phone back is refused, saying why; a restore
of a backup taken before the erasure applies it again and says so. On both stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.admin.erasure import forget
from tular.graph.io.backup import restore_file, write_backup
from tular.graph.io.ingest import import_files
from tular.graph.model.records import Records, placeholder
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.app import create_app

from .datafiles import TODAY, write_csv
from .factories import ikm, small_batik_program

OLD_ROW = ["a", "Ibu Ani Lestari", "Bunulrejo", "Batik Ani", "081234567890"]
HEADER = ["ikm_id", "name", "kelurahan", "business_name", "phone"]


def erased_store(store: GraphStore) -> GraphStore:
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("a", name="Ibu Ani Lestari", business_name="Batik Ani", phone="081234567890")]))
    forget(store, "a", "petugas")
    return store


def test_the_register_keeps_the_id_through_a_wipe(store: GraphStore) -> None:
    erased_store(store)
    [(ikm_id, day)] = store.erasures().items()
    assert ikm_id == "a" and len(day) == 10
    store.wipe()
    store.init_schema()
    assert store.erasures() == {"a": day}


def test_an_old_spreadsheet_cannot_bring_the_person_back(store: GraphStore, tmp_path: Path) -> None:
    erased_store(store)
    (tmp_path / "old").mkdir()
    (tmp_path / "now").mkdir()
    old = write_csv(tmp_path / "old", "ikm.csv", HEADER, [OLD_ROW, ["k", "Bu Kopi", "Dinoyo", "", ""]])
    report = import_files(store, [old], today=TODAY, who="petugas", lang="en")  # the English text asserted
    assert not report.ok
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "name"), (2, "business_name"), (2, "phone")]
    assert all("asked for their personal data to be erased" in e["reason"] and "UU 27/2022" in e["reason"]
               for e in report.errors)
    stored = store.get_ikm("a")
    assert (stored.name, stored.business_name, stored.phone) == (placeholder("a"), None, None)
    # the same IKM without the erased values (an export taken after the erasure) is fine
    now = write_csv(tmp_path / "now", "ikm.csv", HEADER + ["sector"],
                    [["a", placeholder("a"), "Bunulrejo", "", "", "kerajinan"]])
    assert import_files(store, [now], today=TODAY, who="petugas").ok
    assert store.get_ikm("a").sector == "kerajinan" and store.get_ikm("a").name == placeholder("a")


def test_a_patch_cannot_bring_the_name_back(store: GraphStore) -> None:
    erased_store(store)
    editor, _ = keys.create_key(store, "editor", "petugas")
    with TestClient(create_app(Settings(), store=store)) as client:
        refused = client.patch("/api/v1/ikm/a", json={"name": "Ibu Ani Lestari"}, headers={"X-API-Key": editor})
        assert refused.status_code == 422
        assert "meminta data pribadinya dihapus (UU 27/2022" in refused.json()["detail"]  # Indonesian by default
        english = client.patch("/api/v1/ikm/a", json={"name": "Ibu Ani Lestari"},
                               headers={"X-API-Key": editor, "Accept-Language": "en"})
        assert "asked for their personal data to be erased" in english.json()["detail"]
        allowed = client.patch("/api/v1/ikm/a", json={"sector": "kuliner"}, headers={"X-API-Key": editor})
        assert allowed.status_code == 200, allowed.text
    assert store.get_ikm("a").name == placeholder("a")


def test_a_backup_from_before_the_erasure_is_restored_erased(store: GraphStore, tmp_path: Path,
                                                             request: pytest.FixtureRequest) -> None:
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("a", name="Ibu Ani Lestari", business_name="Batik Ani", phone="081234567890")]))
    before = tmp_path / "before.json.gz"
    write_backup(store, before)
    forget(store, "a", "petugas")
    result = restore_file(store, before, force=True)
    assert result.erasures_applied == ["a"]
    stored = store.get_ikm("a")
    assert (stored.name, stored.business_name, stored.phone) == (placeholder("a"), None, None)
    # the register travels in backups: a backup taken now, restored into an empty store elsewhere
    after = tmp_path / "after.json.gz"
    written = write_backup(store, after)
    assert [e.ikm_id for e in written.erasures] == ["a"]
    other = request.getfixturevalue("neo4j_store" if store.display_url.startswith("sqlite") else "embedded_store")
    restore_file(other, after)
    assert set(other.erasures()) == {"a"} and other.get_ikm("a").name == placeholder("a")


def test_the_restore_command_says_it_erased_again(embedded_store, tmp_path: Path) -> None:
    import subprocess
    import sys

    store = embedded_store
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("a", name="Ibu Ani Lestari", business_name="Batik Ani", phone="081234567890")]))
    before = tmp_path / "before.json.gz"
    write_backup(store, before)
    forget(store, "a", "petugas")
    url = store.display_url
    store.close()
    done = subprocess.run([sys.executable, "-m", "tular", "--db", url, "--lang", "en", "restore", "--force", str(before)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "erased again" in done.stdout and "UU 27/2022" in done.stdout and " a." in done.stdout
