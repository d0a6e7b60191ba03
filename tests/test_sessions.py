"""Browser sessions that survive (SPEC §7 "A server, not a process"): signed cookies checked
against the store on every request — valid in every worker of `tular serve --workers 2` and
across a restart, ended in every worker by signing out or by `tular keys revoke`; anonymous
visitors keep nothing anywhere; signing in and out take no data lock and move no version
(SPEC §3). Also: Secure cookies (`TULAR_SECURE_COOKIES`, `serve --proxy-headers`) and the
served store's URL printed without its password."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore, session_file
from tular.service.app import create_app

from .factories import small_batik_program
from .neo4j_server import free_port

COOKIE = "tular_session"
#: Anonymous visits in the in-process test (each ~5 ms through the TestClient).
ANONYMOUS_VISITS = 300


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def set_cookie(response: httpx.Response) -> str:
    """The session cookie the response sets (its value)."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{COOKIE}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {COOKIE} cookie set: {response.headers.get_list('set-cookie')}")


def with_cookie(cookie: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={cookie}"}


def payload(cookie: str) -> dict:
    """What a session cookie says (signed, not encrypted)."""
    data = cookie.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def stored_session_state(store: GraphStore) -> int:
    """Everything sessions can leave in the store: rows of the embedded store's sessions file;
    on Neo4j every node of the database."""
    if isinstance(store, EmbeddedStore):
        path = session_file.path_for(store.path)
        if not path.exists():
            return 0
        with closing(sqlite3.connect(path)) as conn:
            return sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                       for table in ("secret", "ended_session"))
    records, _, _ = store._driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=store.database)
    return records[0]["n"]


def ended_sessions(store: GraphStore) -> int:
    """How many signed-out sessions the store keeps."""
    if isinstance(store, EmbeddedStore):
        path = session_file.path_for(store.path)
        if not path.exists():
            return 0
        with closing(sqlite3.connect(path)) as conn:
            return conn.execute("SELECT count(*) FROM ended_session").fetchone()[0]
    records, _, _ = store._driver.execute_query("MATCH (e:TularEndedSession) RETURN count(e) AS n",
                                                database_=store.database)
    return records[0]["n"]


def make_keys(store: GraphStore) -> dict[str, tuple[str, str]]:
    """A key per role: (the key, its id)."""
    return {role: (made[0], made[1].key_id) for role in ("viewer", "editor", "admin")
            for made in [keys.create_key(store, role, f"Bu {role}")]}


def sign_in(client: TestClient, key: str) -> httpx.Response:
    form = client.get("/masuk")
    return client.post("/masuk", data={"api_key": key, "csrf_token": csrf_of(form.text), "next": "/"},
                       follow_redirects=False)


# ------------------------------------------------------------------------------ a real server
class Server:
    """`tular serve` as a real process on a free loopback port (its output in a file: a pipe
    nobody reads would fill up with access-log lines)."""

    def __init__(self, db_url: str, folder: Path):
        self.db_url, self.port, self.log = db_url, free_port(), folder / "serve.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.workers: set[int] = set()

    def start(self, *options: str, workers: int = 2) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tular", "--db", self.db_url, "--lang", "en", "serve", "--port", str(self.port),
                 "--workers", str(workers), *options], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while len(self.workers) < workers or not self._up():
            assert self.process.poll() is None, f"tular serve stopped:\n{self.output}"
            assert time.monotonic() < deadline, f"tular serve did not come up:\n{self.output}"
            time.sleep(0.2)
            # one worker: uvicorn serves in the process itself
            self.workers = self._listening_children() if workers > 1 else {self.process.pid}

    def _up(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)  # the parent stops its workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            for pid in self.workers - {self.process.pid}:  # a killed parent leaves its workers behind
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process, self.workers = None, set()

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    # which worker answered: the child process holding the server end of the connection
    def _children(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    @staticmethod
    def _sockets(pid: int) -> set[str]:
        found = set()
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    found.add(os.readlink(fd))
                except OSError:
                    pass
        except OSError:
            pass
        return found

    def _inodes(self, remote_port: int | None) -> set[str]:
        """Inodes of the sockets on the server's port: the listening one (``remote_port`` None)
        or the one connected to ``remote_port``."""
        found = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if not local.endswith(f":{self.port:04X}") or inode == "0":
                continue
            if (remote_port is None and state == "0A") or \
                    (remote_port is not None and remote.endswith(f":{remote_port:04X}")):
                found.add(f"socket:[{inode}]")
        return found

    def _listening_children(self) -> set[int]:
        listening = self._inodes(None)
        return {pid for pid in self._children() if self._sockets(pid) & listening}

    def answered_by(self, response: httpx.Response) -> int:
        client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
        connection = self._inodes(client_port)
        answered = [pid for pid in self.workers if self._sockets(pid) & connection]
        assert len(answered) == 1, f"no single worker holds the connection from port {client_port}"
        return answered[0]

    def ask(self, request: Callable[[httpx.Client], httpx.Response],
            wanted: Callable[[int], bool] = lambda pid: True) -> tuple[int, httpx.Response]:
        """``request`` on fresh connections until a worker that is ``wanted`` answers."""
        deadline = time.monotonic() + 30
        while True:
            with httpx.Client(base_url=self.base, timeout=30) as client:
                response = request(client)
                pid = self.answered_by(response)
            if wanted(pid):
                return pid, response
            assert time.monotonic() < deadline, "the wanted worker never answered"

    def each_worker(self, request: Callable[[httpx.Client], httpx.Response]) -> dict[int, httpx.Response]:
        """``request`` on fresh connections until every worker has answered it: each one's answer."""
        answers: dict[int, httpx.Response] = {}
        while set(answers) != self.workers:
            pid, response = self.ask(request, lambda pid: pid not in answers)
            answers[pid] = response
        return answers


def import_page_everywhere(server: Server, cookie: str) -> set[int]:
    """The status of the import page with ``cookie`` in each worker: 200 signed in as an
    editor, 403 signed in with another role, 303 not signed in (sent to the sign-in page). A
    page that reads nothing but the session: the dashboard would first load the metrics."""
    answers = server.each_worker(lambda client: client.get("/impor", headers=with_cookie(cookie)))
    return {response.status_code for response in answers.values()}


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, GraphStore]]:
    """A store with a small program in it and the URL `tular serve` is given: on Neo4j with a
    user and password in it (the test server lets any in), which nothing may print."""
    if request.param == "embedded":
        store = request.getfixturevalue("embedded_store")
        url = f"sqlite:///{store.path}"
    else:
        store = request.getfixturevalue("neo4j_store")
        url = request.getfixturevalue("neo4j_url").replace("://", "://neo4j:secret@", 1)
    store.write(small_batik_program())
    yield url, store


def test_a_sign_in_holds_in_every_worker_and_across_a_restart_and_ends_in_every_worker(served, tmp_path: Path):
    url, store = served
    made = make_keys(store)
    server = Server(url, tmp_path)
    try:
        server.start("--proxy-headers")  # two workers, behind a TLS proxy on this host: X-Forwarded-Proto trusted
        assert len(server.workers) == 2
        # the sign-in form from one worker, the sign-in through the other: the form's token is
        # a signed cookie of its own, kept by no worker
        form_worker, form = server.ask(lambda client: client.get("/masuk"))
        anonymous, token = set_cookie(form), csrf_of(form.text)
        assert "Secure" not in form.headers["set-cookie"]  # plain HTTP, and no proxy said otherwise
        version = store.version()

        def signing_in(role: str) -> Callable[[httpx.Client], httpx.Response]:
            data = {"api_key": made[role][0], "csrf_token": token, "next": "/"}
            return lambda client: client.post("/masuk", data=data,
                                              headers={**with_cookie(anonymous), "X-Forwarded-Proto": "https"})

        _, signed = server.ask(signing_in("editor"), lambda pid: pid != form_worker)
        assert signed.status_code == 303, signed.text
        assert "Secure" in signed.headers["set-cookie"]  # the proxy said https
        editor = set_cookie(signed)
        assert payload(editor)["k"] == made["editor"][1]
        assert made["editor"][0].split("_", 2)[2] not in json.dumps(payload(editor))  # the key's id, not the key
        assert import_page_everywhere(server, editor) == {200}
        other_browser = set_cookie(server.ask(signing_in("editor"))[1])  # the same key, another browser
        viewer = set_cookie(server.ask(signing_in("viewer"))[1])

        # signing out through one worker ends that session in every worker, and only that one
        page = httpx.get(f"{server.base}/impor", headers=with_cookie(editor))
        out = httpx.post(f"{server.base}/keluar", data={"csrf_token": csrf_of(page.text)},
                         headers=with_cookie(editor))
        assert out.status_code == 303 and out.headers["location"] == "/masuk?keluar=1"
        assert import_page_everywhere(server, editor) == {303}
        assert import_page_everywhere(server, other_browser) == {200}
        assert store.version() == version  # signing in and out moved no version

        # revoking the key ends its other sign-ins in every worker at the next request
        revoked = subprocess.run([sys.executable, "-m", "tular", "--db", url, "keys", "revoke", made["editor"][1]],
                                 capture_output=True, text=True, timeout=120)
        assert revoked.returncode == 0, revoked.stderr
        assert "secret" not in revoked.stdout + revoked.stderr
        assert import_page_everywhere(server, other_browser) == {303}
        assert import_page_everywhere(server, viewer) == {403}

        server.stop()
        server.start(workers=1)  # a restart (one process is enough here), without --proxy-headers
        assert import_page_everywhere(server, viewer) == {403}
        assert import_page_everywhere(server, editor) == {303} == import_page_everywhere(server, other_browser)
        _, form = server.ask(lambda client: client.get("/masuk", headers={"X-Forwarded-Proto": "https"}))
        assert "Secure" not in form.headers["set-cookie"]  # no proxy trusted: the header is not believed
    finally:
        server.stop()
    output = server.output
    assert f"tular serves {store.display_url} on http://127.0.0.1:{server.port} with 2 worker" in output
    assert f"tular serves {store.display_url} on http://127.0.0.1:{server.port} with one process" in output
    assert "secret" not in output  # the password of the Neo4j URL is never printed


# ------------------------------------------------------------------------------ in one process
def test_anonymous_visits_keep_nothing_anywhere_and_push_no_one_out(store: GraphStore):
    made = make_keys(store)
    app = create_app(Settings(), store=store)
    with TestClient(app) as officer, TestClient(app) as visitor:
        assert sign_in(officer, made["editor"][0]).status_code == 303
        before = (stored_session_state(store), store.version())
        for _ in range(ANONYMOUS_VISITS):
            visitor.cookies.clear()
            response = visitor.get("/masuk")
            assert response.status_code == 200 and payload(set_cookie(response))["k"] is None
        assert (stored_session_state(store), store.version()) == before
        assert officer.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_signing_in_and_out_wait_for_no_write_lock_and_move_no_version(store: GraphStore):
    made = make_keys(store)
    with TestClient(create_app(Settings(), store=store)) as client:
        client.get("/masuk")
        version, kept = store.version(), ended_sessions(store)
        held, release = threading.Event(), threading.Event()

        def long_import() -> None:
            with store.writing():
                held.set()
                release.wait(120)

        importer = threading.Thread(target=long_import)
        importer.start()
        try:
            assert held.wait(30)
            # a write of a session under the lock would wait for it, then fail with 503 (store busy)
            assert sign_in(client, made["viewer"][0]).status_code == 303
            page = client.get("/")
            assert page.status_code == 200
            out = client.post("/keluar", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
            assert out.status_code == 303
            assert client.get("/", follow_redirects=False).status_code == 303  # signed out
        finally:
            release.set()
            importer.join()
        assert ended_sessions(store) == kept + 1
        assert store.version() == version


def test_the_signing_secret_is_made_once_kept_by_a_wipe_and_sign_outs_are_kept_until_they_expire(store: GraphStore):
    secret = store.session_secret()
    assert len(secret) == 32 and store.session_secret() == secret
    key = keys.create_key(store, "viewer", "Bu viewer")[1]
    version, kept = store.version(), ended_sessions(store)  # Neo4j: sign-outs of earlier tests outlive their wipe
    now = datetime.now(timezone.utc)
    assert store.session_key("s1", key.key_id) == key
    assert store.session_key("s1", "no-such-key") is None
    store.end_session("s1", now + timedelta(hours=1))
    assert store.session_key("s1", key.key_id) is None
    assert store.session_key("s2", key.key_id) == key  # only that session ended
    store.end_session("expired", now - timedelta(seconds=1))  # its cookie has expired anyway: not kept
    store.end_session("s2", now + timedelta(hours=1))
    assert ended_sessions(store) == kept + 2 and store.session_key("s2", key.key_id) is None
    assert store.version() == version  # no data written
    store.wipe(keep_keys=True)  # as a restore does: the keys stay, and so do the secret and the sign-outs
    assert store.session_secret() == secret
    assert store.session_key("s1", key.key_id) is None and store.session_key("s3", key.key_id) == key
    keys.revoke_key(store, key.key_id)
    assert store.session_key("s3", key.key_id) is None


def test_init_makes_the_secret_in_a_file_only_its_owner_reads(tmp_path: Path):
    db = tmp_path / "tular.db"
    result = subprocess.run([sys.executable, "-m", "tular", "--db", f"sqlite:///{db}", "init"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    kept = session_file.path_for(db)
    assert kept.stat().st_mode & 0o777 == 0o600
    store = EmbeddedStore(db)
    try:
        assert stored_session_state(store) == 1  # the secret, nothing else
        secret = store.session_secret()
        assert len(secret) == 32 and secret in kept.read_bytes()
    finally:
        store.close()


def test_a_forged_or_foreign_cookie_signs_no_one_in_and_a_given_secret_is_shared(embedded_store: EmbeddedStore):
    made = make_keys(embedded_store)
    app = create_app(Settings(), store=embedded_store)
    with TestClient(app) as client:
        viewer = set_cookie(sign_in(client, made["viewer"][0]))
    claims, signature = payload(viewer), viewer.split(".", 1)[1]
    as_admin = base64.urlsafe_b64encode(json.dumps({**claims, "k": made["admin"][1]},
                                                   separators=(",", ":")).encode()).decode().rstrip("=")
    with TestClient(app) as stranger:
        assert stranger.get("/", headers=with_cookie(viewer), follow_redirects=False).status_code == 200
        assert stranger.get("/", headers=with_cookie(f"{as_admin}.{signature}"),
                            follow_redirects=False).status_code == 303
    # two servers given the same TULAR_SECRET_KEY honour each other's cookies, not the store's
    given = Settings(secret_key="k" * 40)
    with TestClient(create_app(given, store=embedded_store)) as one, \
            TestClient(create_app(given, store=embedded_store)) as two:
        shared = set_cookie(sign_in(one, made["editor"][0]))
        assert two.get("/", headers=with_cookie(shared), follow_redirects=False).status_code == 200
        assert two.get("/", headers=with_cookie(viewer), follow_redirects=False).status_code == 303
    with TestClient(app) as client:
        assert client.get("/", headers=with_cookie(shared), follow_redirects=False).status_code == 303


def test_a_short_secret_key_is_refused_before_serving(tmp_path: Path):
    env = {**os.environ, "TULAR_SECRET_KEY": "too-short"}
    result = subprocess.run([sys.executable, "-m", "tular", "--db", f"sqlite:///{tmp_path / 'tular.db'}", "serve",
                             "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "TULAR_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("forced", [False, True])
def test_secure_cookies_when_the_operator_says_so(embedded_store: EmbeddedStore, forced: bool):
    with TestClient(create_app(Settings(secure_cookies=forced), store=embedded_store)) as client:
        cookies = client.get("/masuk", params={"lang": "en"}).headers.get_list("set-cookie")
    assert len(cookies) == 2  # the session's and the language's
    assert all(("; Secure" in c) is forced for c in cookies), cookies
