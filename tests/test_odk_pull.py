"""``tular import --from-odk`` (SPEC §13): pulling the phone form's submissions from ODK Central
through pyodk, ODK's own client, run unchanged.

Tested against recorded OData responses shaped like ODK Central's documentation
(getodk/central-backend ``docs/api.yaml``: "Logging in" for ``POST /v1/sessions``, "Data
Document" for ``GET /v1/projects/{id}/forms/{xmlFormId}.svc/Submissions`` with ``$filter`` on
``__system/submissionDate`` and ``__system/updatedAt``; the ``__system`` fields as
``lib/data/odata.js`` writes them; errors as its problem responses), made from the form itself
(tests/data/odk/odata-submissions.json, see its README) and served by a small HTTP server on
127.0.0.1 in a thread — no mock of pyodk or of requests.
"""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tular.graph.io.central import form_url, last_pull, pull
from tular.graph.model.errors import RemoteUnavailable, UsageError
from tular.graph.store import EmbeddedStore, GraphStore

from .factories import small_batik_program

RECORDED = json.loads((Path(__file__).parent / "data" / "odk" / "odata-submissions.json").read_text("utf-8"))
FORM, PROJECT = "tular_catat_pengajaran", 3
EMAIL, PASSWORD = "petugas@diskopindag.example", "rahasia-kota-malang"
TODAY = date(2026, 11, 23)
#: The one filter tular sends (ODK Central answers 501 to what it does not implement; so does this one).
SINCE = re.compile(r"__system/submissionDate gt (\S+) or __system/updatedAt gt (\S+)")


class Central:
    """The parts of ODK Central that pyodk asks for a pull: a session, the current user, a
    form's OData submissions. ``submissions``: what the server holds now; ``queries``: the
    query strings of the OData requests it answered; ``logins``: the sign-ins it was sent."""

    def __init__(self, submissions: list[dict]):
        self.submissions = submissions
        self.queries: list[dict[str, list[str]]] = []
        self.logins: list[dict] = []
        self.tokens: set[str] = set()
        central = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _signed_in(self) -> bool:
                return self.headers.get("Authorization", "").removeprefix("Bearer ") in central.tokens

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if urlsplit(self.path).path != "/v1/sessions":
                    return self._answer(404, {"code": 404.1, "message": "Could not find the resource you were "
                                                                        "looking for."})
                central.logins.append(body)
                if (body.get("email"), body.get("password")) != (EMAIL, PASSWORD):
                    return self._answer(401, {"code": 401.2, "message": "Could not authenticate with the provided "
                                                                        "credentials."})
                token = f"lSpAIeksRu1CNZs7!qjAot2T17dPzkrw9B4iTtpj7OoIJBmXvnHM8z8Ka4QPEjR{len(central.tokens)}"
                central.tokens.add(token)
                self._answer(200, {"createdAt": "2026-11-23T03:04:51.695Z", "expiresAt": "2026-11-24T03:04:51.695Z",
                                   "token": token})

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if not self._signed_in():
                    return self._answer(401, {"code": 401.2, "message": "Could not authenticate with the provided "
                                                                        "credentials."})
                if url.path == "/v1/users/current":
                    return self._answer(200, {"id": 41, "type": "user", "displayName": "Petugas", "email": EMAIL})
                if url.path != f"/v1/projects/{PROJECT}/forms/{FORM}.svc/Submissions":
                    return self._answer(404, {"code": 404.1, "message": "Could not find the resource you were "
                                                                        "looking for."})
                query = parse_qs(url.query)
                central.queries.append(query)
                found = central.submissions
                if "$filter" in query:
                    match = SINCE.fullmatch(query["$filter"][0])
                    if match is None:
                        return self._answer(501, {"code": 501.4, "message": "The requested feature is not "
                                                                            "supported by this server."})
                    since = match.group(1)
                    found = [s for s in found if s["__system"]["submissionDate"] > since
                             or (s["__system"]["updatedAt"] or "") > since]
                self._answer(200, {"@odata.context": RECORDED["@odata.context"], "value": found})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def central(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Central]:
    """ODK Central holding the first four recorded submissions, and pyodk's config for it (in a
    file of this test's, named by PYODK_CONFIG_FILE as a user would; its token cache beside it)."""
    server = Central(copy.deepcopy(RECORDED["value"][:4]))
    write_config(tmp_path / "pyodk_config.toml", server.url)
    monkeypatch.setenv("PYODK_CONFIG_FILE", str(tmp_path / "pyodk_config.toml"))
    monkeypatch.setenv("PYODK_CACHE_FILE", str(tmp_path / "pyodk_cache.toml"))
    yield server
    server.close()


def write_config(path: Path, url: str, password: str = PASSWORD) -> None:
    path.write_text(f'[central]\nbase_url = "{url}"\nusername = "{EMAIL}"\npassword = "{password}"\n', "utf-8")


def run(store: GraphStore, url: str, **kwargs):
    return pull(store, url, PROJECT, FORM, today=TODAY, who="petugas", **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_pull_imports_the_submissions_and_the_next_asks_only_for_newer_ones(store: GraphStore, central: Central):
    store.write(small_batik_program())
    first = run(store, central.url)
    assert first.ok and first.pulled == 4 and first.since is None
    assert {k.kind: k.created for k in first.report.kinds} == {"teachings": 4, "ikm": 2}
    assert "$filter" not in central.queries[0] and central.queries[0]["$expand"] == ["*"]
    assert store.get_ikm("ODK-7c1d2e3f").name == "Ibu Rina Wati"
    # the batch records the pull: the form's URL, and the newest submission it brought
    [info] = store.batches()[-1].files
    target = form_url(central.url, PROJECT, FORM)
    assert (info.name, info.rows, info.newest_submission) == (target, 4, "2026-10-12T09:22:10.003Z")
    assert last_pull(store, target) == "2026-10-12T09:22:10.003Z"

    central.submissions.append(copy.deepcopy(RECORDED["value"][4]))  # a submission sent since
    second = run(store, central.url)
    assert central.queries[-1]["$filter"] == [
        "__system/submissionDate gt 2026-10-12T09:22:10.003Z or __system/updatedAt gt 2026-10-12T09:22:10.003Z"]
    assert second.pulled == 1 and {k.kind: k.created for k in second.report.kinds} == {"teachings": 1}

    nothing = run(store, central.url)
    assert nothing.ok and nothing.pulled == 0 and nothing.report is None and len(store.batches()) == 2

    central.submissions[1]["__system"]["updatedAt"] = "2026-11-20T08:00:00.000Z"  # edited on the server
    edit = run(store, central.url)
    assert edit.pulled == 1 and {k.kind: (k.created, k.unchanged) for k in edit.report.kinds} == {"teachings": (0, 1)}
    assert last_pull(store, target) == "2026-11-20T08:00:00.000Z"


def test_undoing_a_pull_makes_the_next_one_bring_its_submissions_again(embedded_store: EmbeddedStore,
                                                                       central: Central):
    embedded_store.write(small_batik_program())
    run(embedded_store, central.url)
    central.submissions.append(copy.deepcopy(RECORDED["value"][4]))
    second = run(embedded_store, central.url)
    embedded_store.undo(second.report.batch_id)
    again = run(embedded_store, central.url)
    assert again.pulled == 1 and again.since == "2026-10-12T09:22:10.003Z"


def test_a_dry_run_pull_records_nothing(embedded_store: EmbeddedStore, central: Central):
    embedded_store.write(small_batik_program())
    dry = run(embedded_store, central.url, dry_run=True)
    assert dry.ok and dry.report.dry_run and dry.pulled == 4
    assert embedded_store.batches() == [] and run(embedded_store, central.url).pulled == 4


def test_a_pull_with_a_bad_submission_writes_nothing_and_names_it(embedded_store: EmbeddedStore, central: Central):
    embedded_store.write(small_batik_program())
    central.submissions[2]["pengajaran"]["skill"] = "menjahit"
    report = run(embedded_store, central.url)
    assert not report.ok and embedded_store.batches() == []
    [problem] = report.report.errors
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        form_url(central.url, PROJECT, FORM), 3, "pengajaran/skill", "menjahit")


@pytest.mark.usefixtures("english")
def test_refused_credentials_are_a_remote_source_problem(embedded_store: EmbeddedStore, central: Central,
                                                         tmp_path: Path):
    write_config(tmp_path / "pyodk_config.toml", central.url, password="salah")
    with pytest.raises(RemoteUnavailable, match="refused the credentials"):
        run(embedded_store, central.url)
    assert embedded_store.batches() == []


@pytest.mark.usefixtures("english")
def test_a_server_that_cannot_be_reached_is_a_remote_source_problem(embedded_store: EmbeddedStore,
                                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    write_config(tmp_path / "config.toml", url)
    monkeypatch.setenv("PYODK_CONFIG_FILE", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PYODK_CACHE_FILE", str(tmp_path / "cache.toml"))
    with pytest.raises(RemoteUnavailable, match="cannot reach ODK Central"):
        run(embedded_store, url)


@pytest.mark.usefixtures("english")
def test_the_credentials_go_only_to_the_server_they_are_for(embedded_store: EmbeddedStore, central: Central):
    other = Central([])
    try:
        with pytest.raises(RemoteUnavailable, match="pyodk's config is for the server"):
            run(embedded_store, other.url)
        assert other.logins == [] and central.logins == []
    finally:
        other.close()


def test_without_a_config_file_the_message_says_where_it_goes(embedded_store: EmbeddedStore, central: Central,
                                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PYODK_CONFIG_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(RemoteUnavailable, match="pyodk_config.toml"):
        run(embedded_store, central.url)


@pytest.mark.usefixtures("english")
def test_an_unknown_form_is_a_usage_error(embedded_store: EmbeddedStore, central: Central):
    with pytest.raises(UsageError, match="no form 'catat' in project 3"):
        pull(embedded_store, central.url, PROJECT, "catat", today=TODAY, who="petugas")


def test_the_command_pulls_and_exits_4_when_the_server_refuses(central: Central, tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    store.write(small_batik_program())
    store.close()
    env = {"PYODK_CONFIG_FILE": str(tmp_path / "pyodk_config.toml"), "PYODK_CACHE_FILE": str(tmp_path / "c.toml")}

    def tular(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tular", "--db", db, "--lang", "en", "import", *args],
                              capture_output=True,
                              text=True, timeout=120, cwd=tempfile.mkdtemp(prefix="tular-pull-"),
                              env={**os.environ, **env})

    done = tular("--from-odk", central.url, "--project", str(PROJECT), "--form", FORM)
    assert done.returncode == 0, done.stderr
    assert "Pulled 4 submission(s)" in done.stdout and "Imported" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    write_config(tmp_path / "pyodk_config.toml", central.url, password="salah")
    (tmp_path / "c.toml").unlink()  # pyodk keeps the session's token there: without it, it signs in again
    refused = tular("--from-odk", central.url, "--project", str(PROJECT), "--form", FORM)
    assert refused.returncode == 4 and "refused the credentials" in refused.stderr
    usage = tular("--from-odk", central.url, "--form", FORM)
    assert usage.returncode == 2 and "--project P --form F" in usage.stderr
