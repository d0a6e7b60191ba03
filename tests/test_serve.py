"""`tular serve` as a real process on loopback, and the API while its Neo4j goes away and
comes back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tular.graph.admin import api_keys as keys
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, Neo4jStore
from tular.service.app import create_app

from .factories import small_batik_program
from .neo4j_server import Neo4jServer, free_port
from .skill_graph import edges


def wait_for(url: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen]]:
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    store.write(small_batik_program())
    key, _ = keys.create_key(store, "viewer", "analis")
    store.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tular", "--db", f"sqlite:///{tmp_path / 'tular.db'}", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", key, process
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_answers_on_loopback_logs_each_request_and_stops_cleanly(served):
    base, key, process = served
    assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
    reach = httpx.get(f"{base}/api/v1/reach", params={"skill": "batik", "as_of": "2026-06-30"},
                      headers={"X-API-Key": key})
    assert reach.status_code == 200 and reach.json()["total"] == 6
    assert httpx.get(f"{base}/api/v1/reach", params={"skill": "batik"}).status_code == 401
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    # uvicorn finishes the requests in flight, shuts the app down, then re-raises SIGTERM
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Finished server process" in output and "Application shutdown complete" in output
    assert output.count('"GET /api/v1/reach?') == 2  # one access-log line per request


@pytest.mark.neo4j
@pytest.mark.timeout(600)
def test_api_answers_503_while_neo4j_is_down_and_recovers(tmp_path: Path):
    server = Neo4jServer(tmp_path / "neo4j-data")
    server.start()
    store = Neo4jStore(server.url)
    try:
        store.init_schema()
        store.write(small_batik_program())
        key, _ = keys.create_key(store, "editor", "petugas")
        from fastapi.testclient import TestClient

        with TestClient(create_app(Settings(), store=store)) as client:
            headers = {"X-API-Key": key}
            params = {"skill": "batik", "as_of": "2026-06-30"}
            assert client.get("/api/v1/reach", params=params, headers=headers).status_code == 200

            server.kill()
            for url in ("/readyz", "/api/v1/reach"):
                response = client.get(url, params=params, headers=headers)
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] and "tidak dapat dihubungi" in response.json()["detail"]
            event = {"learner_id": "x", "teacher_id": "c", "skill": "batik", "date": "2023-01-01"}
            assert client.post("/api/v1/teachings", json=event, headers=headers).status_code == 503

            server.start()  # the same data, the same port
            deadline = time.monotonic() + 60
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the API did not recover"
                time.sleep(0.5)
            assert client.get("/api/v1/reach", params=params, headers=headers).json()["total"] == 6
            # the write refused during the outage left nothing behind
            assert ("c", "x") not in edges(store, "batik")
            assert client.post("/api/v1/teachings", json=event, headers=headers).status_code == 201
    finally:
        store.close()
        server.stop()


def test_serve_on_an_unreachable_neo4j_starts_and_reports_not_ready(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "TULAR_DB": f"bolt://127.0.0.1:{free_port()}"}
    process = subprocess.Popen([sys.executable, "-m", "tular", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", timeout=90)
        assert health.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.headers["content-type"].startswith("application/problem+json")
    finally:
        process.kill()
        process.wait()


def test_demo_serves_on_loopback_with_anonymous_reads(tmp_path: Path):
    process = subprocess.Popen([sys.executable, "-m", "tular", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for("http://127.0.0.1:8000/healthz", timeout=120)
        reach = httpx.get("http://127.0.0.1:8000/api/v1/reach", params={"skill": "batik", "as_of": "2026-10-31"})
        assert reach.status_code == 200 and reach.json()["seeds"] > 0
        assert httpx.post("http://127.0.0.1:8000/api/v1/teachings", json={}).status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Jangkauan per keterampilan" in output and "http://127.0.0.1:8000" in output  # Indonesian by default


def test_a_server_keeps_what_it_holds_from_start_to_end_out_of_full_collections(tmp_path: Path):
    """The app that opens its own store (a server process) freezes what it holds once started
    (modules, routes, schemas: about 100,000 objects) so that the collector's full collections,
    every few seconds under load and each a pause of every request of that worker, do not walk
    them; an app handed a store (tests, embedding) leaves the collector alone."""
    import gc

    from fastapi.testclient import TestClient

    gc.unfreeze()
    try:
        with TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'given.db'}"),
                                   store=EmbeddedStore(tmp_path / "given.db"))):
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'own.db'}"))) as client:
            assert gc.get_freeze_count() > 50_000
            assert client.get("/readyz").status_code == 200
    finally:
        gc.unfreeze()
