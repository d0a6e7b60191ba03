"""Load: concurrent clients reading and recording teaching events against a real `tular serve`.

    .venv/bin/python -m benchmarks.load [--store embedded|neo4j] [--clients 20] [--seconds 120]
                                        [--write-share 0.2] [--demo]

Each client is a thread of this process with its own HTTP connection on loopback. A client
picks, per request, a read (`GET /api/v1/reach` of a skill, or a page of `GET /api/v1/ikm`)
or — with probability ``write-share`` — a write: `POST /api/v1/teachings` of a teaching edge
never recorded before (a learner of its own, one of 50 teachers). At the end the stored edges
are compared with the acknowledged writes: none may be lost, none stored twice, and every
acknowledged write is one batch in the audit log.

With ``--demo`` the store holds the 13,000-IKM demo (city scale); otherwise a small program.
Prints the figures as JSON (those of docs/reliability.md).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import httpx

from tular.graph.admin import api_keys as keys
from tular.graph.model.records import IKM, Attendance, Records, Training
from tular.graph.store import EmbeddedStore, GraphStore, Neo4jStore

from .api_latency import serve

ROOT = Path(__file__).resolve().parents[1]
TEACHERS = [f"LOAD-T{i:02d}" for i in range(50)]
SKILLS = ("batik", "barista", "kemasan", "olahan-makanan")


def learner(n: int) -> str:
    return f"LOAD-L{n:06d}"


def prepare(store: GraphStore, learners: int) -> tuple[str, str]:
    """The teachers (trained in 2020) and a pool of would-be learners; a viewer and an editor key."""
    store.write(Records(
        ikm=[IKM(ikm_id=i, name=f"Ibu {i}", kelurahan_code="blimbing.bunulrejo") for i in TEACHERS]
        + [IKM(ikm_id=learner(n), name=f"Ibu {n}", kelurahan_code="lowokwaru.dinoyo") for n in range(learners)],
        trainings=[Training(training_id="LOAD-T", title="Pelatihan batik", skills=("batik",),
                            end_date=date(2020, 8, 1))],
        attendance=[Attendance(training_id="LOAD-T", ikm_id=i) for i in TEACHERS],
    ))
    viewer, _ = keys.create_key(store, "viewer", "load viewer")
    editor, _ = keys.create_key(store, "editor", "load editor")
    return viewer, editor


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class LoadResult:
    clients: int
    seconds: float
    reads: int = 0
    writes_acknowledged: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    read_ms: dict = field(default_factory=dict)
    write_ms: dict = field(default_factory=dict)
    acknowledged: list[tuple[str, str, str]] = field(default_factory=list)

    def figures(self) -> dict:
        data = asdict(self)
        data.pop("acknowledged")
        return data


def run_load(base: str, viewer: str, editor: str, clients: int, seconds: float, write_share: float,
             learners: int, seed: int = 8) -> LoadResult:
    result = LoadResult(clients=clients, seconds=seconds)
    read_times: list[float] = []
    write_times: list[float] = []
    lock = threading.Lock()
    next_learner = iter(range(learners))
    deadline = time.monotonic() + seconds

    def failed(what: str) -> None:
        with lock:
            result.errors += 1
            if len(result.error_samples) < 10:
                result.error_samples.append(what[:300])

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < deadline:
                if rng.random() < write_share:
                    with lock:
                        n = next(next_learner, None)
                    if n is None:
                        return
                    event = {"learner_id": learner(n), "teacher_id": rng.choice(TEACHERS),
                             "skill": "batik", "date": "2022-03-05"}
                    started = time.perf_counter()
                    try:
                        response = http.post("/api/v1/teachings", json=event, headers={"X-API-Key": editor})
                    except httpx.HTTPError as exc:
                        failed(f"POST {event}: {exc!r}")
                        continue
                    elapsed = time.perf_counter() - started
                    if response.status_code != 201 or not response.json().get("batch_id"):
                        failed(f"POST {event}: {response.status_code} {response.text}")
                        continue
                    with lock:
                        write_times.append(elapsed)
                        result.acknowledged.append((event["learner_id"], event["teacher_id"], "batik"))
                else:
                    if rng.random() < 0.5:
                        url, params = "/api/v1/reach", {"skill": rng.choice(SKILLS), "as_of": "2026-06-30"}
                    else:
                        url, params = "/api/v1/ikm", {"q": "LOAD", "page": rng.randint(1, 20), "page_size": 50}
                    started = time.perf_counter()
                    try:
                        response = http.get(url, params=params, headers={"X-API-Key": viewer})
                    except httpx.HTTPError as exc:
                        failed(f"GET {url}: {exc!r}")
                        continue
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        failed(f"GET {url} {params}: {response.status_code} {response.text}")
                        continue
                    with lock:
                        read_times.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.reads, result.writes_acknowledged = len(read_times), len(write_times)
    for times, target in ((read_times, result.read_ms), (write_times, result.write_ms)):
        target.update({p: round(1000 * v, 1) for p, v in
                       (("p50", percentile(times, 50)), ("p95", percentile(times, 95)),
                        ("max", max(times) if times else None)) if v is not None})
    return result


def check_stored(store: GraphStore, result: LoadResult) -> dict:
    """Acknowledged writes against the store: lost, duplicated, batches logged."""
    stored = [(t.learner_id, t.teacher_id, t.skill) for t in store.all_teachings() if t.learner_id.startswith("LOAD-L")]
    acknowledged = set(result.acknowledged)
    logged = [b for b in store.batches() if b.who.startswith("api key") and "load editor" in b.who]
    return {"acknowledged": len(result.acknowledged), "stored": len(stored),
            "lost": len(acknowledged - set(stored)), "unacknowledged_but_stored": len(set(stored) - acknowledged),
            "duplicate_acknowledgements": len(result.acknowledged) - len(acknowledged),
            "batches_logged": len(logged)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--neo4j-url", help="A running Neo4j (default: start the test server)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--demo", action="store_true", help="Load the 13,000-IKM demo first (city scale).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tular-load-"))
    server = None
    if args.store == "embedded":
        url = f"sqlite:///{folder / 'tular.db'}"
        store: GraphStore = EmbeddedStore(folder / "tular.db")
    else:
        url = args.neo4j_url
        if url is None:
            from tests.neo4j_server import Neo4jServer

            server = Neo4jServer(folder / "neo4j", heap="2g")
            server.start()
            url = server.url
        store = Neo4jStore(url)
        store.wipe()
    store.init_schema()
    if args.demo:
        from tular.graph.demo.generator import load_demo

        load_demo(store)
    viewer, editor = prepare(store, args.learners)
    port = __import__("tests.neo4j_server", fromlist=["free_port"]).free_port()
    process = serve(url, port)
    try:
        result = run_load(f"http://127.0.0.1:{port}", viewer, editor, args.clients, args.seconds,
                          args.write_share, args.learners)
    finally:
        process.terminate()
        process.wait(timeout=60)
    print(json.dumps({"store": args.store, "demo": args.demo, **result.figures(),
                      "check": check_stored(store, result)}, indent=2))
    store.close()
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
