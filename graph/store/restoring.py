"""The "restore in progress" refusal (SPEC §3) every command and request checks first: kept
apart from :mod:`tular.graph.io.backup`, so that checking it costs no import of the
backup's readers and writers."""

from __future__ import annotations

from tular.graph.model.errors import RestoreInProgress
from tular.graph.store.base import GraphStore, RestoreMark


def refuse_while_restoring(store: GraphStore) -> None:
    """``RestoreInProgress`` when the store is marked "restore in progress" (SPEC §3)."""
    if (mark := store.restore_mark()) is not None:
        raise in_progress(store, mark)


def in_progress(store: GraphStore, mark: RestoreMark) -> RestoreInProgress:
    """The error every command gives while ``mark`` is on ``store``."""
    return RestoreInProgress(store.display_url, mark.safety_file, mark.backup, mark.who,
                             f"{mark.since:%Y-%m-%d %H:%M:%S} UTC")
