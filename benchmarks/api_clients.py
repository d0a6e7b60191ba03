"""The lean load generator of `benchmarks.api_latency`: closed-loop clients in a process of
their own, each a thread with one keep-alive `http.client` connection.

    python -m benchmarks.api_clients PORT KEY CLIENTS TOTAL SECONDS AS_OF SKILLS DISTINCT OFFSET

(SKILLS comma-separated; DISTINCT 0 or 1). Prints one JSON object: the latency of every
request in seconds, the errors, the wall time. Imports the standard library only, so that
it starts quickly and costs the server's two cores little: a request here costs a fraction
of what an httpx client in the benchmark's own process costs, and runs beside, not inside,
the process that measures. Like httpx (and a browser), it asks for gzip and unpacks what
comes gzipped, so that the server does the same work for both generators.
"""

from __future__ import annotations

import gzip
import http.client
import json
import sys
import threading
import time
from datetime import date, timedelta
from urllib.parse import urlencode


def question(n: int, as_of: date, skills: list[str], distinct: bool, offset: int) -> str:
    """The path of the ``n``-th request: the same as the httpx generator asks."""
    day = as_of - timedelta(days=n) if distinct else as_of
    return "/api/v1/reach?" + urlencode({"skill": skills[(n + offset) % len(skills)], "as_of": day.isoformat()})


def run(port: int, key: str, clients: int, total: int, seconds: float, as_of: date, skills: list[str],
        distinct: bool, offset: int = 0) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"X-API-Key": key, "Accept-Encoding": "gzip"}

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                path = question(n, as_of, skills, distinct, offset)
                start = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors += response.status != 200 or not body
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": errors, "wall": time.perf_counter() - started}


def main(argv: list[str]) -> None:
    port, key, clients, total, seconds, as_of, skills, distinct, offset = argv
    result = run(int(port), key, int(clients), int(total), float(seconds), date.fromisoformat(as_of),
                 skills.split(","), distinct == "1", int(offset))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
