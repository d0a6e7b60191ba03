"""A store that cannot be reached is a StoreUnavailable with a clear message, never a driver traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tular.graph.model.errors import StoreUnavailable, UsageError, text_of
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, Neo4jStore, open_store

from .neo4j_server import free_port


def test_neo4j_not_listening_is_store_unavailable():
    store = Neo4jStore(f"bolt://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(StoreUnavailable, match="tidak dapat dihubungi") as refused:
            store.ping()
        assert "is not reachable" in text_of(refused.value, "en")
        with pytest.raises(StoreUnavailable):
            store.counts()
    finally:
        store.close()


def test_embedded_store_in_a_missing_folder_is_store_unavailable(tmp_path):
    with pytest.raises(StoreUnavailable, match="folder .*no-such-folder tidak ada"):
        EmbeddedStore(tmp_path / "no-such-folder" / "tular.db")


def test_open_store_picks_the_store_from_the_url(tmp_path, english):
    embedded = open_store(f"sqlite:///{tmp_path}/a.db")
    assert isinstance(embedded, EmbeddedStore)
    embedded.close()
    neo = open_store("bolt://alice:s%40cret@db.example:7688/tular", Settings(neo4j_user="ignored"))
    assert isinstance(neo, Neo4jStore)
    assert neo.database == "tular"
    assert neo.display_url == "bolt://db.example:7688/tular"  # no password in messages
    neo.close()
    with pytest.raises(UsageError, match="unsupported store URL"):
        open_store("postgres://localhost/db")
    with pytest.raises(UsageError, match="no file"):
        open_store("sqlite://")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TULAR_DB", "bolt://example:7687")
    monkeypatch.setenv("TULAR_NEO4J_DATABASE", "kota")
    store = open_store()
    assert isinstance(store, Neo4jStore) and store.database == "kota"
    store.close()


def test_cli_exit_code_3_and_no_traceback_when_neo4j_is_down():
    port = free_port()
    result = subprocess.run([sys.executable, "-m", "tular", "--db", f"bolt://127.0.0.1:{port}", "status"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "tidak dapat dihubungi" in result.stderr  # said in Indonesian unless TULAR_LANG or --lang asks
    assert "Traceback" not in result.stderr + result.stdout
