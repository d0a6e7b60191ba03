"""Fixtures: a real Neo4j 5 server for the session, and a ``store`` fixture that runs
each contract test against both stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore

from .neo4j_server import Neo4jServer, Neo4jUnavailable

#: Under CI (or the project's test command) a Neo4j that does not come up fails the run.
NEO4J_REQUIRED = os.environ.get("CI", "").lower() in {"1", "true", "yes"} or os.environ.get("TULAR_REQUIRE_NEO4J") == "1"

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer | None]:
    """The session's Neo4j (started here), or ``None`` when ``TULAR_TEST_NEO4J_URL`` names one."""
    if os.environ.get("TULAR_TEST_NEO4J_URL"):
        yield None
        return
    server = Neo4jServer(tmp_path_factory.mktemp("neo4j") / "data")
    try:
        server.start()
    except Neo4jUnavailable as exc:
        if NEO4J_REQUIRED:
            pytest.fail(f"Neo4j test server did not start: {exc}", pytrace=False)
        pytest.skip(f"Neo4j test server unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_url(neo4j_server: Neo4jServer | None) -> str:
    return os.environ.get("TULAR_TEST_NEO4J_URL") or neo4j_server.url  # type: ignore[union-attr]


@pytest.fixture
def neo4j_store(neo4j_url: str) -> Iterator[Neo4jStore]:
    """A clean Neo4j database with the schema in place."""
    store = Neo4jStore(neo4j_url)
    store.wipe()
    # what a wipe keeps on purpose (the erasure register, UU 27/2022) goes too between tests
    store._driver.execute_query("MATCH (e:Erasure) DETACH DELETE e", database_=store.database)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    yield store
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """Each test using this runs once per store: one behaviour, specified once."""
    return request.getfixturevalue(f"{request.param}_store")


#: Debian's Chromium, driven by Playwright (never a browser that Playwright downloads).
CHROMIUM = os.environ.get("TULAR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the browser tests; under CI (or the test command) a missing
    browser fails the run instead of skipping its tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Playwright is not installed: pip install -e '.[test]'"
    else:
        missing = None if Path(CHROMIUM).exists() else f"{CHROMIUM} is missing: apt-get install -y chromium"
    if missing:
        if NEO4J_REQUIRED:
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors raised in this test said in English (``TULAR_LANG=en``, SPEC §11), for tests that
    read their words; commands started from it inherit the language."""
    monkeypatch.setenv("TULAR_LANG", "en")
