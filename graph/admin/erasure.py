"""Erasure of a person's personal data on request (UU 27/2022; SPEC §6 ``tular forget``).

The IKM stays in the graph — its id, kelurahan, trainings and teaching edges make the
program's numbers — but its name becomes a placeholder, its business name and phone
number go, and so does the free text of its teaching edges (``note``). The import-batch
log keeps earlier versions of records so that batches can be undone: those copies are
erased too, so that undoing an old batch can never bring the data back. The erasure is
itself logged (who, when, which IKM) without any of the erased values.
"""

from __future__ import annotations

from tular.graph.model.records import BatchMeta, ForgetResult
from tular.graph.store import batches
from tular.graph.store.base import GraphStore


def audit_meta(who: str, ikm_id: str) -> BatchMeta:
    """How the erasure is logged: who asked for it and which IKM — nothing that was erased."""
    return BatchMeta(who=f"{who} — {batches.ERASURE}{ikm_id})")


def forget(store: GraphStore, ikm_id: str, who: str) -> ForgetResult:
    """Erase the personal data of ``ikm_id`` everywhere in ``store``; ``UnknownIKM`` if there is
    no such IKM. Exports and backups taken afterwards hold only the placeholder."""
    return store.forget(ikm_id, audit_meta(who, ikm_id))
