"""The production store: Neo4j 5 through the official driver.

Cypher lives in ``queries/*.cypher`` (one query a file), always run with parameters and
an explicit database. Writes of one call run in one managed transaction, so a failure
anywhere — bad reference, lost connection, dead server — leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import networkx as nx
from neo4j import GraphDatabase, ManagedTransaction, Query
from neo4j import exceptions as neo4j_errors

from ..errors import InvalidData, StoreUnavailable, UnknownIKM
from ..gazetteer import Gazetteer
from ..model import IKM, Counts, Kecamatan, Kelurahan, Records, Skill, Training
from ..skills import BUILTIN_SKILLS
from .base import WRITE_CHUNK, IKMPage, SeedAttendance

T = TypeVar("T")

# The driver logs each retry as a warning; tular reports the outcome itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_UNAVAILABLE = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.AuthError,
    neo4j_errors.DatabaseUnavailable,
    neo4j_errors.SessionError,
    OSError,
)


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.cypher``."""
    return resources.files("tular.graph.store").joinpath(f"queries/{name}.cypher").read_text("utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file (``;``-separated, ``//`` comments dropped)."""
    lines = [ln for ln in query(name).splitlines() if not ln.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _native(value: Any) -> Any:
    """neo4j.time values to Python ones."""
    return value.to_native() if hasattr(value, "to_native") else value


def _params(record: Any) -> dict[str, Any]:
    """A record as query parameters (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record.model_dump().items()}


def _chunks(rows: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(rows), WRITE_CHUNK):
        yield rows[start : start + WRITE_CHUNK]


class Neo4jStore:
    """``neo4j://`` or ``bolt://`` — credentials and database from the URL or settings.

    ``bolt://user:password@host:7687/database``: the user info and the path are taken off
    the URL before it reaches the driver.
    """

    def __init__(self, url: str, user: str | None = None, password: str | None = None, database: str | None = None):
        parts = urlsplit(url)
        user = unquote(parts.username) if parts.username else user
        password = unquote(parts.password) if parts.password else password
        self.database = parts.path.strip("/") or database or "neo4j"
        host = parts.hostname or "localhost"
        netloc = f"{host}:{parts.port}" if parts.port else host
        self.display_url = urlunsplit((parts.scheme, netloc, f"/{self.database}", "", ""))
        auth = (user, password or "") if user else None
        try:
            self._driver = GraphDatabase.driver(
                urlunsplit((parts.scheme, netloc, "", parts.query, "")),
                auth=auth,
                connection_acquisition_timeout=10,
                connection_timeout=5,
                max_transaction_retry_time=5,
                notifications_min_severity="OFF",
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            raise StoreUnavailable(f"cannot use {self.display_url}: {exc}") from exc

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except neo4j_errors.AuthError as exc:
            raise StoreUnavailable(
                f"Neo4j at {self.display_url} refused the credentials (TULAR_NEO4J_USER / TULAR_NEO4J_PASSWORD)"
            ) from exc
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"Neo4j at {self.display_url} is not reachable: {exc}") from exc

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        with self._translated():
            records, _, _ = self._driver.execute_query(
                Query(query(name)), parameters_=params, database_=self.database, routing_="r"
            )
        return [record.data() for record in records]

    def close(self) -> None:
        self._driver.close()

    def ping(self) -> None:
        with self._translated():
            self._driver.verify_connectivity()
            self._driver.execute_query("RETURN 1", database_=self.database)

    # ---------------------------------------------------------------- schema
    def init_schema(self) -> None:
        with self._translated():
            for statement in statements("initialize"):
                self._driver.execute_query(Query(statement), database_=self.database)
        if not self._read("gazetteer"):
            self.load_gazetteer(Gazetteer.kota_malang())
        rows = [_params(s) for s in BUILTIN_SKILLS]
        self._write(lambda tx: tx.run(query("merge_skills"), rows=rows, only_new=True).consume())

    def load_gazetteer(self, gazetteer: Gazetteer) -> None:
        kecamatan = [_params(k) for k in gazetteer.kecamatan_list]
        kelurahan = [_params(k) for k in gazetteer.kelurahan_list]

        def work(tx: ManagedTransaction) -> None:
            tx.run(query("merge_kecamatan"), rows=kecamatan).consume()
            tx.run(query("merge_kelurahan"), rows=kelurahan).consume()

        self._write(work)

    def add_skill(self, skill: Skill) -> None:
        rows = [_params(skill)]
        self._write(lambda tx: tx.run(query("merge_skills"), rows=rows, only_new=False).consume())

    def wipe(self) -> None:
        with self._translated(), self._driver.session(database=self.database) as session:
            session.run(query("wipe")).consume()

    # ---------------------------------------------------------------- writes
    def write(self, records: Records) -> None:
        # A repeated ikm_id is upserted twice in the embedded store, so the last row wins; same here.
        ikm = list({i.ikm_id: _params(i) for i in records.ikm}.values())
        trainings = [_params(t) for t in records.trainings]
        attendance = [_params(a) for a in records.attendance]
        teachings = [_params(t) for t in records.teachings]

        def run_checked(tx: ManagedTransaction, name: str, rows: list[dict], expected: int, what: str) -> None:
            written = 0
            for chunk in _chunks(rows):
                written += tx.run(query(name), rows=chunk).single(strict=True)["written"]
            if written != expected:
                raise InvalidData(f"{expected - written} {what} refer to an IKM, training, skill or kelurahan "
                                  "that is not in the store")

        def work(tx: ManagedTransaction) -> None:
            run_checked(tx, "merge_ikm", ikm, len(ikm), "IKM rows")
            run_checked(tx, "merge_training", trainings, sum(len(t["skills"]) for t in trainings),
                        "training skills")
            run_checked(tx, "merge_attendance", attendance, len(attendance), "attendance rows")
            run_checked(tx, "merge_teaching", teachings, len(teachings), "teaching rows")

        self._write(work)

    # ----------------------------------------------------------------- reads
    def gazetteer(self) -> Gazetteer:
        rows = self._read("gazetteer")
        kecamatan = {r["kecamatan_code"]: Kecamatan(code=r["kecamatan_code"], name=r["kecamatan_name"]) for r in rows}
        kelurahan = [
            Kelurahan(code=r["code"], name=r["name"], kecamatan_code=r["kecamatan_code"], aliases=tuple(r["aliases"]))
            for r in rows
        ]
        return Gazetteer(kecamatan.values(), kelurahan)

    def skills(self) -> list[Skill]:
        return [Skill(**{**r, "aliases": tuple(r["aliases"])}) for r in self._read("skills")]

    def counts(self) -> Counts:
        return Counts(**self._read("counts")[0])

    @staticmethod
    def _ikm(props: dict[str, Any]) -> IKM:
        return IKM(**{k: _native(v) for k, v in props.items()})

    def get_ikm(self, ikm_id: str) -> IKM:
        rows = self._read("get_ikm", ikm_id=ikm_id)
        if not rows:
            raise UnknownIKM(ikm_id)
        return self._ikm(rows[0]["ikm"])

    def search_ikm(self, q=None, kelurahan_code=None, skill=None, limit=50, offset=0) -> IKMPage:
        row = self._read(
            "search_ikm", q=q.casefold() if q else None, kelurahan_code=kelurahan_code, skill=skill,
            limit=limit, offset=offset,
        )[0]
        return IKMPage(items=[self._ikm(p) for p in row["items"]], total=row["total"], limit=limit, offset=offset)

    def trainings(self) -> list[Training]:
        return [
            Training(**{k: _native(v) for k, v in r["training"].items()}, skills=tuple(r["skills"]))
            for r in self._read("trainings")
        ]

    def seed_attendance(self, skill: str, as_of: date | None = None) -> list[SeedAttendance]:
        return [
            SeedAttendance(**{k: _native(v) for k, v in r.items()})
            for r in self._read("seed_attendance", skill=skill, as_of=as_of)
        ]

    def teaching_graph(self, skill: str, as_of: date | None = None) -> nx.DiGraph:
        graph = nx.DiGraph(skill=skill, as_of=as_of)
        for r in self._read("teaching_graph", skill=skill, as_of=as_of):
            graph.add_node(r["teacher"], kelurahan=r["teacher_kelurahan"])
            graph.add_node(r["learner"], kelurahan=r["learner_kelurahan"])
            graph.add_edge(r["teacher"], r["learner"], date=_native(r["date"]), source=r["source"], note=r["note"])
        return graph
