"""The API latency benchmark's lean clients keep working (not a test of speed: see
docs/benchmarks.md): against a small HTTP server in this process, they ask what the httpx
clients ask, with the key and gzip, unpack what comes gzipped and count what fails."""

from __future__ import annotations

import gzip
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from benchmarks import api_clients

SKILLS = ["batik", "barista"]


def test_lean_clients_ask_each_question_once_with_the_key_and_gzip():
    asked: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the clients expect

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            params = parse_qs(urlsplit(self.path).query)
            asked.append((params["skill"][0], params["as_of"][0]))
            ok = self.headers["X-API-Key"] == "k" and "gzip" in self.headers["Accept-Encoding"]
            body = gzip.compress(b'{"ok": true}') if params["skill"][0] == "batik" else b'{"ok": true}'
            self.send_response(200 if ok else 401)
            if params["skill"][0] == "batik":
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = api_clients.run(server.server_address[1], "k", 3, 12, 30, date(2025, 1, 31), SKILLS, distinct=True,
                                 offset=1)
    finally:
        server.shutdown()
    assert len(result["latencies"]) == 12 and result["errors"] == 0 and result["wall"] > 0
    assert sorted(asked) == sorted((SKILLS[(n + 1) % 2], date(2025, 1, 31 - n).isoformat()) for n in range(12))
    assert api_clients.question(0, date(2025, 1, 31), SKILLS, False, 0) == "/api/v1/reach?skill=batik&as_of=2025-01-31"
