"""One version read for a whole answer (:meth:`GraphStore.pinned`), shared by both stores.

This is the one "read once" mechanism of tular. An answer asks the store for several
store-wide things — the gazetteer, the skills, the trainings and their budgets, the
populations, the IKM per kelurahan — that change only with a write. Inside
``pinned()`` they are kept in memory per store version (read once on entry, in the thread
that entered), so a repeated question costs one version read, not one read per lookup;
outside it every call reads afresh. A store whose versions say which writes left these
lookups as they were (:meth:`Pinning._lookups_of`) keeps them across such writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

#: Inside :func:`one_version_read`: each store's version as first read there, by store.
_read_once: ContextVar[dict[int, str] | None] = ContextVar("tular_read_once", default=None)


@contextmanager
def one_version_read() -> Iterator[None]:
    """Within this block (and the threads it hands work to, which copy its context), each
    store's version is read once, at the first call, and every later call gets the same — for
    a unit of work that writes nothing, such as a GET request: its checks (a restore in
    progress, a revoked key) and its answer then cost one read of the version, not one each,
    and all see the same state. A read that fails is not kept."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


class Pinning:
    """Mixed into a store that has ``version()``; call ``Pinning.__init__`` from its own."""

    def __init__(self) -> None:
        self._pin = threading.local()  # .version: the version read on entering pinned()
        self._kept: tuple[str, dict[str, Any]] = ("", {})  # store-wide lookups of one version
        self._names: tuple[str, dict[str, Any]] = ("", {})  # IKM read by people() in one version

    def version(self) -> str:
        """The store's version (:meth:`_read_version`), read once within
        :func:`one_version_read`."""
        kept = _read_once.get()
        if kept is None:
            return self._read_version()
        version = kept.get(id(self))
        if version is None:
            version = kept[id(self)] = self._read_version()
        return version

    def _read_version(self) -> str:
        raise NotImplementedError

    def _pinned_version(self) -> str | None:
        return getattr(self._pin, "version", None)

    @contextmanager
    def pinned(self) -> Iterator[str]:
        outer = self._pinned_version()
        if outer is not None:  # nested: the outer one holds
            yield outer
            return
        self._pin.version = self.version()
        try:
            yield self._pin.version
        finally:
            self._pin.version = None

    def _lookups_of(self, version: str) -> str:
        """The part of ``version`` that moves only with a write that may change a lookup
        (a store with one overrides this; by default every write may)."""
        return version

    def _kept_for(self, name: str, read: Callable[[], T]) -> T:
        """``read()``, kept per store version (per :meth:`_lookups_of` it) inside
        :meth:`pinned`; read afresh outside. Callers hand out copies of mutable values."""
        version = self._pinned_version()
        if version is None:
            return read()
        version = self._lookups_of(version)
        kept_version, kept = self._kept
        if kept_version != version:
            kept = {}
            self._kept = (version, kept)
        if name not in kept:
            kept[name] = read()
        return kept[name]


    def _people_kept(self, ids: Iterable[str], read: Callable[[list[str]], dict[str, T]]) -> dict[str, T]:
        """``read(ids)`` — the name and kelurahan of IKM — kept inside :meth:`pinned` per store
        version (the whole version, not its lookups: any write may rename or erase someone;
        across a write only for the IKM it did not touch, see :meth:`_names_still_right`), so
        that the answers of one version read each IKM once (the top teachers of one skill at
        many dates are mostly the same IKM); read afresh outside, and for more than
        :data:`NAMES_KEPT_FROM_ONE_CALL` ids at once (a province's findings)."""
        wanted = set(ids)
        version = self._pinned_version()
        if version is None or len(wanted) > NAMES_KEPT_FROM_ONE_CALL:
            return read(sorted(wanted))
        kept_version, kept = self._names
        if kept_version != version:
            kept = self._names_still_right(kept_version, version, kept)
            self._names = (version, kept)
        missing = sorted(wanted.difference(kept))
        if missing:
            kept.update(read(missing))  # an id that does not exist is asked again next time
        return {i: kept[i] for i in wanted if i in kept}

    def _stamp_of(self, version: str) -> Any:
        """The stamp of the kept snapshot (:mod:`.snapshot`) of ``version``; by default the
        version itself."""
        return version

    def _names_still_right(self, before: str, now: str, kept: dict[str, T]) -> dict[str, T]:
        """Of the names ``kept`` for version ``before``, those version ``now`` still holds:
        when the kept snapshot is of ``now`` and was patched from the one of ``before``, all but
        the IKM the writes between touched (a write that renames or erases someone touches
        them); none otherwise (a snapshot read afresh, several steps, another epoch)."""
        snapshot = getattr(self, "_snapshot", None)
        came_from = None if snapshot is None else snapshot.came_from
        if not kept or came_from is None or snapshot.stamp != self._stamp_of(now) \
                or came_from[0] != self._stamp_of(before):
            return {}
        return {ikm_id: found for ikm_id, found in kept.items() if ikm_id not in came_from[1]}


#: :meth:`Pinning._people_kept` keeps what one call asks for up to this many IKM.
NAMES_KEPT_FROM_ONE_CALL = 64


class OnFirstUse(Mapping):
    """A mapping read only if something looks into it, then held: for a lookup that an answer
    may not need and that costs a count over every IKM (read through :meth:`Pinning._kept_for`
    by the store, it is still read once per version)."""

    def __init__(self, read: Callable[[], Mapping]):
        self._read, self._data = read, None

    def _mapping(self) -> Mapping:
        if self._data is None:
            self._data = self._read()
        return self._data

    def __getitem__(self, key):
        return self._mapping()[key]

    def __iter__(self):
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())
