"""Limits before work (SPEC §7 "A server, not a process"; docs/reliability.md "Limits"): request
bodies capped before they are read, the caller of an upload checked before its body is read,
failed sign-ins and failed keys limited per client, and an unknown key id costing what a
known one costs.

"Read" is measured at the ASGI boundary: each request here runs through the app with a
``receive`` that counts the body chunks the app took. The chunked cases also run through a
real uvicorn server on loopback, over a socket.
"""

from __future__ import annotations

import asyncio
import json
import re
import select
import socket
import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import Messages
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.service.app import create_app

from .factories import small_batik_program
from .in_process import serving

KIB, MIB = 1024, 1024 * 1024
ID = Messages("id")
CSV = b"ikm_id,name,kelurahan\nz-1,Ibu Zahra,Dinoyo\n"


def multipart(csv: bytes = CSV, boundary: str = "tularbatas") -> tuple[bytes, str]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ikm.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + csv + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# ------------------------------------------------------------------------------ the ASGI boundary
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    chunks_read: int  # body chunks the app took from the server
    starts: int = 0  # http.response.start messages sent

    def problem(self) -> dict:
        assert self.headers["content-type"].startswith("application/problem+json"), self.headers
        return json.loads(self.body)


def call(app: FastAPI, method: str, path: str, chunks: Iterable[bytes] = (), headers: dict | None = None,
         client: str = "10.0.0.1") -> Answer:
    """One request through ``app`` as a server would send it: the body in ``chunks``, taken
    only when the app asks for them."""
    source = iter(chunks)
    pending = next(source, None)  # one chunk ahead, to tell the last one
    answer = Answer(0, {}, b"", 0)

    async def receive() -> dict:
        nonlocal pending
        if pending is None:
            return {"type": "http.disconnect"}
        chunk, pending = pending, next(source, None)
        answer.chunks_read += 1
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer.starts += 1
            answer.status = message["status"]
            answer.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode())
                                                      for k, v in (headers or {}).items()],
             "client": (client, 50000), "server": ("testserver", 80), "state": {}}
    asyncio.run(app(scope, receive, send))
    return answer


def endless(size: int = 64 * KIB) -> Iterator[bytes]:
    """A body that never ends, in chunks of ``size``."""
    while True:
        yield b"x" * size


@dataclass
class Service:
    app: FastAPI
    store: GraphStore
    keys: dict[str, str] = field(default_factory=dict)


def service(store: GraphStore, **settings) -> Service:
    store.write(small_batik_program())
    made = {role: keys.create_key(store, role, f"{role} limits")[0] for role in ("viewer", "editor")}
    return Service(create_app(Settings(**settings), store=store), store, made)


# ------------------------------------------------------------------------------ body caps
def test_a_body_whose_length_passes_its_cap_is_refused_unread(embedded_store: EmbeddedStore):
    app = service(embedded_store, max_upload_mb=2).app
    other = call(app, "POST", "/api/v1/teachings", endless(), {"content-length": str(MIB + 1),
                                                              "content-type": "application/json"})
    assert (other.status, other.chunks_read) == (413, 0)
    assert other.problem()["detail"] == ID.t("problem.body_too_large")  # Indonesian unless asked otherwise
    assert other.problem()["title"] == ID.t("problem.title.413")
    assert other.problem()["type"].endswith("/too-large")
    upload = call(app, "POST", "/api/v1/imports", endless(), {"content-length": str(3 * MIB),
                                                             "content-type": multipart()[1]})
    assert (upload.status, upload.chunks_read) == (413, 0)
    assert upload.problem()["detail"] == ID.t("problem.upload_too_large", megabytes=2)
    # the same route under its cap goes through (to the key check: this one has none)
    under = call(app, "POST", "/api/v1/imports", endless(), {"content-length": str(2 * MIB),
                                                            "content-type": multipart()[1]})
    assert under.status == 401


def test_a_body_without_a_length_is_counted_and_refused_once_it_passes_its_cap(embedded_store: EmbeddedStore):
    made = service(embedded_store, max_upload_mb=1)
    editor = {"x-api-key": made.keys["editor"], "transfer-encoding": "chunked"}
    other = call(made.app, "POST", "/api/v1/teachings", endless(), {**editor, "content-type": "application/json"})
    assert other.status == 413 and other.starts == 1  # the app's own answer after it is dropped
    assert other.chunks_read == 17  # 16 chunks of 64 KiB make 1 MiB: the 17th passes it
    assert "1 MiB" in other.problem()["detail"]
    body, kind = multipart(b"ikm_id,name,kelurahan\n" + b"z-1,Ibu Zahra,Dinoyo\n" * 60_000)  # 1.2 MB
    upload = call(made.app, "POST", "/api/v1/imports", [body[i:i + 64 * KIB] for i in range(0, len(body), 64 * KIB)],
                  {**editor, "content-type": kind})
    assert upload.status == 413 and upload.starts == 1 and "1 MB" in upload.problem()["detail"]
    assert upload.chunks_read == (MIB + 64 * KIB) // (64 * KIB) + 1
    assert made.store.batches() == []
    # a chunked body under its cap is read whole and imported
    small, kind = multipart()
    done = call(made.app, "POST", "/api/v1/imports", [small[:40], small[40:]], {**editor, "content-type": kind})
    assert done.status == 200 and json.loads(done.body)["ok"] and done.chunks_read == 2


# ------------------------------------------------------------------------------ callers first
def test_an_upload_is_refused_for_its_caller_before_its_body_is_read(store: GraphStore):
    made = service(store)
    kind = multipart()[1]
    huge = {"content-type": kind, "content-length": str(40 * MIB)}  # under the 50 MB allowed
    anonymous = call(made.app, "POST", "/api/v1/imports", endless(), huge)
    assert (anonymous.status, anonymous.chunks_read) == (401, 0)
    viewer = call(made.app, "POST", "/api/v1/imports", endless(), {**huge, "x-api-key": made.keys["viewer"]})
    assert (viewer.status, viewer.chunks_read) == (403, 0) and "memerlukan peran editor" in viewer.problem()["detail"]
    page = call(made.app, "POST", "/impor", endless(), {**huge, "accept": "text/html"})
    assert (page.status, page.chunks_read) == (303, 0) and page.headers["location"].startswith("/masuk?next=")
    # an editor's upload is read (this one has no files: FastAPI says so once it has read the form)
    empty = b"--tularbatas\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nikm\r\n--tularbatas--\r\n"
    editor = call(made.app, "POST", "/api/v1/imports", [empty],
                  {"content-type": kind, "content-length": str(len(empty)), "x-api-key": made.keys["editor"]})
    assert editor.status == 422 and editor.chunks_read == 1 and "files" in editor.problem()["detail"]


def test_a_signed_in_viewer_cannot_post_to_the_import_page_and_its_body_is_not_read(embedded_store: EmbeddedStore):
    made = service(embedded_store)
    with TestClient(made.app) as browser:
        form = browser.get("/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
        signed = browser.post("/masuk", data={"api_key": made.keys["viewer"], "csrf_token": token},
                              follow_redirects=False)
        assert signed.status_code == 303
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    refused = call(made.app, "POST", "/impor", endless(), {"content-type": multipart()[1], "cookie": cookie,
                                                          "content-length": str(40 * MIB)})
    assert (refused.status, refused.chunks_read) == (403, 0)


def test_the_openapi_document_still_describes_the_upload(embedded_store: EmbeddedStore):
    with TestClient(service(embedded_store).app) as client:
        upload = client.get("/openapi.json").json()["paths"]["/api/v1/imports"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "413" in upload["responses"] and "401" in upload["responses"]
    assert form["$ref"].endswith("Body_upload_api_v1_imports_post")


# ------------------------------------------------------------------------------ rate limits
def test_failed_keys_are_limited_per_client_with_retry_after(store: GraphStore, monkeypatch):
    made = service(store, key_failures_per_minute=3)
    checked: list[str] = []
    verify = keys.verify
    monkeypatch.setattr(keys, "verify", lambda s, presented: checked.append(presented) or verify(s, presented))
    wrong = {"x-api-key": "tular_00000000_salah"}
    reach = "/api/v1/trainings"
    assert [call(made.app, "GET", reach, headers=wrong).status for _ in range(3)] == [401, 401, 401]
    refused = call(made.app, "GET", reach, headers={**wrong, "accept-language": "en"})
    assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.problem()
    assert body["type"].endswith("/too-many-requests") and "at most 3 a minute" in body["detail"]
    # refused unchecked (no scrypt), a right key too: not verified by this worker lately
    viewer = {"x-api-key": made.keys["viewer"]}
    assert call(made.app, "GET", reach, headers=viewer).status == 429 and len(checked) == 3
    # another client is not held back; a key it verifies then works from the held-back address too
    assert call(made.app, "GET", reach, headers=wrong, client="10.0.0.2").status == 401
    assert call(made.app, "GET", reach, headers=viewer, client="10.0.0.2").status == 200
    assert call(made.app, "GET", reach, headers=viewer).status == 200


def test_failed_sign_ins_are_limited_per_client(embedded_store: EmbeddedStore):
    made = service(embedded_store, signin_failures_per_minute=2)

    def attempt(browser: TestClient, key: str):
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/masuk?lang=en").text)[1]
        return browser.post("/masuk", data={"api_key": key, "csrf_token": token}, follow_redirects=False)

    with TestClient(made.app) as browser, TestClient(made.app, client=("10.0.0.9", 50000)) as elsewhere:
        assert [attempt(browser, "tular_00000000_salah").status_code for _ in range(2)] == [401, 401]
        held = attempt(browser, made.keys["viewer"])
        assert held.status_code == 429 and 1 <= int(held.headers["retry-after"]) <= 60
        assert "Too many failed sign-ins from this address" in held.text and "text/html" in held.headers["content-type"]
        assert attempt(elsewhere, made.keys["viewer"]).status_code == 303  # another client signs in


def test_an_unknown_key_id_costs_what_a_known_one_costs(store: GraphStore):
    _, known = keys.create_key(store, "viewer", "timing")

    def cost(presented: str) -> float:
        started = time.process_time()  # CPU time: steady on a busy machine, and scrypt is all CPU
        with pytest.raises(keys.Unauthorized):
            keys.verify(store, presented)
        return time.process_time() - started

    tries = [(cost(f"tular_{known.key_id}_salah"), cost("tular_ffffffff_salah")) for _ in range(5)]
    known_cost, unknown_cost = (statistics.median(t) for t in zip(*tries))
    print(f"\nfailed key check (median of 5): known id {known_cost * 1000:.0f} ms, "
          f"unknown id {unknown_cost * 1000:.0f} ms")
    assert 0.5 < unknown_cost / known_cost < 2


# ------------------------------------------------------------------------------ a real server
def exchange(port: int, head: str, chunks: Iterable[bytes], end: bool = True) -> tuple[int, dict, int]:
    """Send ``head`` and the chunks (chunked encoding; with its last chunk if ``end``) until the
    server answers; the answer's status, its JSON body, and the body bytes sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        sent = 0
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:  # answered: stop sending
                break
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        else:
            if end:
                sock.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
                re.search(rb"content-length: (\d+)", answer.lower())[1]):
            data = sock.recv(65536)
            assert data, answer
            answer += data
    status = int(answer.split(b" ", 2)[1])
    return status, json.loads(answer.partition(b"\r\n\r\n")[2]), sent


def test_a_real_server_refuses_chunked_bodies_over_their_cap_and_anonymous_uploads_unread(tmp_path):
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    try:
        made = service(store, max_upload_mb=1)
        with serving(made.app) as port:
            head = ("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: {kind}\r\n{key}\r\n")
            editor = f"X-API-Key: {made.keys['editor']}\r\n"
            # 2 MiB: over the 1 MiB of any route, over the 1 MB of an upload (ASGI tests above: how far read)
            status, body, _ = exchange(port, head.format(path="/api/v1/teachings", kind="application/json",
                                                         key=editor), (b"x" * 64 * KIB for _ in range(32)))
            assert status == 413 and "1 MiB" in body["detail"]
            big, kind = multipart(b"ikm_id,name,kelurahan\n" + b"z-1,Ibu Zahra,Dinoyo\n" * 100_000)
            status, body, _ = exchange(port, head.format(path="/api/v1/imports", kind=kind, key=editor),
                                       (big[i:i + 64 * KIB] for i in range(0, len(big), 64 * KIB)))
            assert status == 413 and "1 MB" in body["detail"]
            small, kind = multipart()
            status, body, _ = exchange(port, head.format(path="/api/v1/imports", kind=kind, key=editor), [small])
            assert status == 200 and body["ok"]  # a chunked upload under the cap is imported
            # anonymous: the 401 comes while the body is still open (one chunk sent, no end)
            status, body, sent = exchange(port, head.format(path="/api/v1/imports", kind=multipart()[1], key=""),
                                          [b"x" * 16 * KIB], end=False)
            assert status == 401 and sent == 16 * KIB
    finally:
        store.close()
