"""Build, start, stop and kill the Neo4j 5 test server of ``tools/neo4j-test-server``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tools" / "neo4j-test-server"
JAR = PROJECT / "target" / "neo4j-test-server-1.0.jar"
SOURCES = [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]


class Neo4jUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build() -> None:
    """``mvn package`` unless the jar is newer than the pom and the sources (the cache)."""
    lib = PROJECT / "target" / "lib"
    if JAR.exists() and lib.exists() and all(JAR.stat().st_mtime >= p.stat().st_mtime for p in SOURCES):
        return
    mvn = shutil.which("mvn")
    if mvn is None or shutil.which("java") is None:
        raise Neo4jUnavailable("Java 17 and Maven are needed to build the Neo4j test server")
    result = subprocess.run([mvn, "-q", "-B", "package"], cwd=PROJECT, capture_output=True, text=True)
    if result.returncode != 0:
        raise Neo4jUnavailable(f"building the Neo4j test server failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")


#: JVM options that start Neo4j sooner (the JIT compiles less; fine for short test runs).
FAST_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


class Neo4jServer:
    """One Neo4j process on loopback with its data in ``data_dir``; restartable on the same data."""

    def __init__(self, data_dir: Path, port: int | None = None, heap: str = "1g",
                 settings: dict[str, str] | None = None, jvm_args: tuple[str, ...] = ()):
        self.data_dir = data_dir
        self.heap = heap  # the JVM's -Xmx; a province-scale single-batch import needs far more
        self.settings = settings or {}  # Neo4j settings beyond Main.java's, e.g. db.transaction.timeout
        self.jvm_args = jvm_args  # e.g. FAST_START for a server restarted many times
        self.port = port or free_port()
        self.url = f"bolt://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"neo4j-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> None:
        build()
        classpath = f"{JAR}{os.pathsep}{PROJECT / 'target' / 'lib' / '*'}"
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            ["java", "-Xms256m", f"-Xmx{self.heap}", *self.jvm_args, *(f"-Dneo4j.{k}={v}" for k, v in self.settings.items()),
             "-cp", classpath, "tular.testserver.Main", str(self.data_dir), str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Neo4jUnavailable(f"Neo4j exited with {self.process.returncode}; see {self.log}:\n{self._tail()}")
            if b"READY" in self.log.read_bytes():
                return
            time.sleep(0.25)
        self.kill()
        raise Neo4jUnavailable(f"Neo4j did not answer within {timeout:.0f} s; see {self.log}:\n{self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """Clean shutdown (SIGTERM runs Neo4j's shutdown hook)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
        self._truncate_log()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None
        self._truncate_log()

    def _truncate_log(self) -> None:
        # a restart waits for a fresh READY line
        if self.log.exists():
            self.log.rename(self.log.with_suffix(f".{int(time.time() * 1000)}.log"))
