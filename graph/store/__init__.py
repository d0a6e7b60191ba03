"""Stores behind one interface; :func:`open_store` picks one from a URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.settings import Settings
from tular.graph.store.base import GraphStore, IKMPage

__all__ = ["GraphStore", "IKMPage", "EmbeddedStore", "Neo4jStore", "open_store"]

def __getattr__(name: str):
    """The stores, imported when first named: a command pays for the Neo4j driver (and the
    embedded store's numpy) only when it opens such a store."""
    if name == "EmbeddedStore":
        from tular.graph.store.embedded import EmbeddedStore
        return EmbeddedStore
    if name == "Neo4jStore":
        from tular.graph.store.neo4j import Neo4jStore
        return Neo4jStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NEO4J_SCHEMES = {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """The store for ``url`` (default: ``TULAR_DB``, else ``sqlite:///tular.db``).

    >>> open_store("postgres://x")
    Traceback (most recent call last):
    ...
    tular.graph.model.errors.UsageError: alamat basis data 'postgres://x' tidak didukung: gunakan sqlite:///PATH, neo4j://HOST atau bolt://HOST
    """
    settings = settings or Settings()
    url = url or settings.db
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise said(UsageError, N_("error.store_url_no_file"), {"url": url})
        from tular.graph.store.embedded import EmbeddedStore
        return EmbeddedStore(path, lock_wait=settings.lock_wait)
    if scheme in NEO4J_SCHEMES:
        from tular.graph.store.neo4j import Neo4jStore
        return Neo4jStore(url, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database,
                          lock_wait=settings.lock_wait)
    raise said(UsageError, N_("error.store_url_unsupported"), {"url": url})
