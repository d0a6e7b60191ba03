"""Erasure of a person's personal data on request (UU 27/2022; SPEC §6 ``tular forget``).

The IKM stays in the graph — its id, kelurahan, trainings and teaching edges make the
program's numbers — but its name becomes a placeholder, its business name and phone
number go, and so does the free text of its teaching edges (``note``). The import-batch
log keeps earlier versions of records so that batches can be undone: those copies are
erased too, so that undoing an old batch can never bring the data back. The erasure is
itself logged (who, when, which IKM) without any of the erased values.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tular.graph.model.records import BatchMeta, Change
from tular.graph.store import batches
from tular.graph.store.base import GraphStore

#: The fields of an IKM that identify a person (``name`` is replaced, the others cleared).
PERSONAL_IKM_FIELDS = ("name", "business_name", "phone")
#: Free text on a teaching edge, which may describe either person.
PERSONAL_TEACHING_FIELDS = ("note",)


def placeholder(ikm_id: str) -> str:
    """The name an erased IKM carries.

    >>> placeholder("IKM-0042")
    'Dihapus (IKM-0042)'
    """
    return f"Dihapus ({ikm_id})"


class ForgetResult(BaseModel):
    ikm_id: str
    batch_id: str
    teachings: int  # teaching edges whose free text was erased
    outcomes: int = 0  # outcomes whose note was erased
    logged_changes: int  # earlier versions erased in the batch log


def erase_record(kind: str, data: dict[str, Any], ikm_id: str) -> dict[str, Any]:
    """``data`` (a record of ``kind`` as stored in the batch log) without the personal data of
    ``ikm_id``; unchanged when it does not concern that IKM."""
    if kind == "ikm" and data.get("ikm_id") == ikm_id:
        return {**data, "name": placeholder(ikm_id), "business_name": None, "phone": None}
    if kind == "teachings" and ikm_id in (data.get("learner_id"), data.get("teacher_id")):
        return {**data, **dict.fromkeys(PERSONAL_TEACHING_FIELDS)}
    if kind == "outcomes" and data.get("ikm_id") == ikm_id:
        return {**data, "note": None}
    return data


def erase_log(logged: bytes | str, ikm_id: str) -> tuple[bytes | None, int]:
    """A batch log's changes without the personal data of ``ikm_id``: the new log text
    (None when nothing in it concerned the IKM) and how many earlier versions changed."""
    changes = [Change.model_validate(c) for c in batches.decode_changes(logged)]
    erased, count = [], 0
    for change in changes:
        if change.before is not None:
            before = erase_record(change.kind, change.before, ikm_id)
            if before != change.before:
                change = change.model_copy(update={"before": before})
                count += 1
        erased.append(change)
    return (batches.encode_change_list(erased) if count else None), count


def audit_meta(who: str, ikm_id: str) -> BatchMeta:
    """How the erasure is logged: who asked for it and which IKM — nothing that was erased."""
    return BatchMeta(who=f"{who} — {batches.ERASURE}{ikm_id})")


def forget(store: GraphStore, ikm_id: str, who: str) -> ForgetResult:
    """Erase the personal data of ``ikm_id`` everywhere in ``store``; ``UnknownIKM`` if there is
    no such IKM. Exports and backups taken afterwards hold only the placeholder."""
    return store.forget(ikm_id, audit_meta(who, ikm_id))
