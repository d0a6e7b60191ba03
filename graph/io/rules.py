"""Small rules that the row-by-row checks (:mod:`tular.graph.io.validation`) and the
column checks (:mod:`tular.graph.io.validation_columns`) share: how a gender, a person's
name and a phone are compared, where an earlier row is, and one skill's teaching edges as
arrays."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tular.graph.io.tables import Row, Said, Table
from tular.graph.model.catalogue import N_
from tular.graph.model.records import Teaching

GENDERS = {
    "p": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P",
    "l": "L", "laki-laki": "L", "lakilaki": "L", "laki": "L", "pria": "L", "m": "L", "male": "L",
}
HONORIFICS = {"ibu", "bu", "bapak", "pak", "bpk", "hj", "h", "ny", "nyonya", "sdr", "sdri", "mbak", "mas"}
WORD_BREAKS = re.compile(r"[\W_]+")
NOT_DIGITS = re.compile(r"\D")
LOST_LEADING_ZERO = re.compile(r"8\d{8,11}")


def person_key(name: str) -> str:
    """A name with honorifics, case, spaces and punctuation taken out: ``Ibu Sri  Rahayu`` = ``sri rahayu``."""
    words = [w for w in WORD_BREAKS.split(name.casefold()) if w]
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    return "".join(words)


def phone_key(phone: str | None) -> str | None:
    digits = NOT_DIGITS.sub("", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 8 else None


def _where(first_table: Table, first_row: Row, table: Table) -> Said:
    """Where an earlier row is, seen from a row of ``table``: ``row 7`` or ``row 7 of ikm.csv``."""
    if first_table is table:
        return Said(N_("problem.at_row"), {"line": first_row.line})
    return Said(N_("problem.at_row_of"), {"line": first_row.line, "file": first_table.source})


def row_note(values: dict[str, str | None], extra_columns: list[str]) -> str | None:
    """A row's note, with the values of its columns that tular does not use (``column: value``)."""
    extra = [f"{c}: {values[c]}" for c in extra_columns if values.get(c)]
    return "; ".join(filter(None, [values.get("note"), *extra])) or None


#: A day later than any: "has not learned the skill".
NEVER = np.iinfo(np.int64).max


@dataclass
class SkillEdges:
    """One skill's teaching edges — the stored ones first, then the batch's — as arrays of
    IKM numbers (teacher, learner) and day ordinals; ``size``: how many IKM are numbered."""

    teachers: np.ndarray
    learners: np.ndarray
    days: np.ndarray
    stored: int
    size: int

    @classmethod
    def of(cls, numbers: dict[str, int], stored: list[Teaching], new: list[Teaching]) -> SkillEdges:
        """The edges of ``stored`` then ``new``; IKM not in ``numbers`` get the next numbers."""
        edges = [*stored, *new]
        number = numbers.setdefault
        teachers = np.fromiter((number(t.teacher_id, len(numbers)) for t in edges), np.int64, len(edges))
        learners = np.fromiter((number(t.learner_id, len(numbers)) for t in edges), np.int64, len(edges))
        days = np.fromiter((t.date.toordinal() for t in edges), np.int64, len(edges))
        return cls(teachers, learners, days, len(stored), len(numbers))

    def cyclic(self) -> bool:
        """Whether the edges close a cycle (a sparse-matrix check in C, so that building the
        networkx graph that names the cycle is only paid for when there is one)."""
        return _cyclic(self.teachers, self.learners, self.size)


def _cyclic(source: np.ndarray, target: np.ndarray, nodes: int) -> bool:
    """Whether the edges ``source[i] → target[i]`` among ``nodes`` numbered nodes close a
    cycle (a self-loop aside).

    >>> _cyclic(np.array([0, 1]), np.array([1, 2]), 3), _cyclic(np.array([0, 1, 2]), np.array([1, 2, 0]), 3)
    (False, True)
    """
    if not len(source):
        return False
    matrix = csr_matrix((np.ones(len(source), dtype=np.int32), (source, target)), shape=(nodes, nodes))
    components, _ = connected_components(matrix, directed=True, connection="strong")
    return components < nodes
