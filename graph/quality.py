"""Data-quality findings over the whole store (``tular check``, SPEC §6).

- ``probable_duplicate`` — two or more ids with the same normalised name and kelurahan,
  or the same phone number (the rules the importer warns about).
- ``out_of_order`` — a teaching dated before its teacher learned the skill (learned = the
  earliest end of a completed training of the skill, or the earliest teaching received).
- ``learner_is_trainee`` — a learner who also completed a training of the same skill: a
  trainee stays generation 0, so the teaching does not add to reach.
- ``orphan`` — IKM with teaching edges of a skill that no trainee of the skill reaches
  (SPEC §5), one finding per fragment (weakly connected component of the orphans) with
  its top: the fragment's IKM that have no recorded teacher.

Undated teaching edges cannot exist — the importer rejects a teaching without a date and the
record model requires one — so there is nothing to look for.

Every function but :func:`check_store` is pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Literal

import networkx as nx
from pydantic import BaseModel

from .analytics import generations
from .gazetteer import Gazetteer
from .model import IKM, Attendance, Teaching, Training
from .store.base import GraphStore
from .validate import person_key, phone_key

FindingKind = Literal["probable_duplicate", "out_of_order", "learner_is_trainee", "orphan"]
FINDING_KINDS: tuple[str, ...] = ("probable_duplicate", "out_of_order", "learner_is_trainee", "orphan")

UNDATED_NOTE = ("Undated teaching edges are not looked for: none can exist, because a teaching cannot be "
                "imported or stored without a date.")


class Finding(BaseModel):
    kind: FindingKind
    ikm_ids: list[str]
    skill: str | None = None
    detail: str
    #: For ``orphan``: the fragment's IKM without a recorded teacher; otherwise ``None``.
    fragment_top: list[str] | None = None


class QualityReport(BaseModel):
    counts: dict[str, int]
    findings: list[Finding]
    notes: list[str]


# --------------------------------------------------------------------------- persons
def probable_duplicates(ikm: Iterable[IKM], gazetteer: Gazetteer | None = None) -> list[Finding]:
    """Groups of ids with the same normalised name in the same kelurahan, or the same phone.

    The phone number itself is not repeated in the finding (it is personal data).

    >>> from tular.graph.model import IKM
    >>> found = probable_duplicates([IKM(ikm_id="A", name="Ibu Sri Rahayu", kelurahan_code="k"),
    ...                              IKM(ikm_id="B", name="sri  rahayu", kelurahan_code="k")])
    >>> [(f.kind, f.ikm_ids) for f in found]
    [('probable_duplicate', ['A', 'B'])]
    """
    by_name: dict[tuple[str, str], list[IKM]] = defaultdict(list)
    by_phone: dict[str, list[IKM]] = defaultdict(list)
    for person in ikm:
        if key := person_key(person.name):
            by_name[(key, person.kelurahan_code)].append(person)
        if (phone := phone_key(person.phone)) is not None:
            by_phone[phone].append(person)
    findings = []
    for (_, kelurahan_code), people in sorted(by_name.items()):
        if len(people) > 1:
            place = gazetteer.by_code(kelurahan_code).name if gazetteer else kelurahan_code
            names = ", ".join(f"{p.ikm_id} ({p.name})" for p in sorted(people, key=lambda p: p.ikm_id))
            findings.append(Finding(kind="probable_duplicate", ikm_ids=sorted(p.ikm_id for p in people),
                                    detail=f"same name in kelurahan {place}: {names}"))
    for _, people in sorted(by_phone.items()):
        if len(people) > 1:
            ids = sorted(p.ikm_id for p in people)
            findings.append(Finding(kind="probable_duplicate", ikm_ids=ids,
                                    detail=f"same phone number under {len(ids)} ids: {', '.join(ids)}"))
    return findings


# --------------------------------------------------------------------------- teaching order
def first_trained(trainings: Iterable[Training], attendance: Iterable[Attendance]) -> dict[tuple[str, str], Training]:
    """Per (ikm_id, skill): the earliest-ending training of the skill the IKM completed."""
    by_id = {t.training_id: t for t in trainings}
    first: dict[tuple[str, str], Training] = {}
    for a in attendance:
        training = by_id.get(a.training_id)
        if not a.completed or training is None:
            continue
        for skill in training.skills:
            known = first.get((a.ikm_id, skill))
            if known is None or (training.end_date, training.training_id) < (known.end_date, known.training_id):
                first[(a.ikm_id, skill)] = training
    return first


def out_of_order(teachings: Iterable[Teaching], trained: dict[tuple[str, str], Training]) -> list[Finding]:
    """Teachings dated before the teacher learned the skill.

    >>> from tular.graph.model import Teaching
    >>> t = [Teaching(learner_id="B", teacher_id="A", skill="batik", date=date(2021, 1, 1)),
    ...      Teaching(learner_id="A", teacher_id="S", skill="batik", date=date(2021, 6, 1))]
    >>> [f.detail for f in out_of_order(t, {})]
    ['A taught batik to B on 2021-01-01, before A learned it (2021-06-01, taught by S)']
    """
    teachings = list(teachings)
    learned: dict[tuple[str, str], tuple[date, str]] = {
        key: (training.end_date, f"training {training.training_id}") for key, training in trained.items()
    }
    for t in sorted(teachings, key=lambda t: (t.date, t.teacher_id)):
        key = (t.learner_id, t.skill)
        if key not in learned or t.date < learned[key][0]:
            learned[key] = (t.date, f"taught by {t.teacher_id}")
    findings = []
    for t in teachings:
        when = learned.get((t.teacher_id, t.skill))
        if when is not None and t.date < when[0]:
            findings.append(Finding(
                kind="out_of_order", ikm_ids=[t.learner_id, t.teacher_id], skill=t.skill,
                detail=f"{t.teacher_id} taught {t.skill} to {t.learner_id} on {t.date.isoformat()}, "
                       f"before {t.teacher_id} learned it ({when[0].isoformat()}, {when[1]})",
            ))
    return findings


def learners_who_are_trainees(teachings: Iterable[Teaching],
                              trained: dict[tuple[str, str], Training]) -> list[Finding]:
    """Teachings whose learner also completed a training of the same skill."""
    findings = []
    for t in teachings:
        training = trained.get((t.learner_id, t.skill))
        if training is not None:
            findings.append(Finding(
                kind="learner_is_trainee", ikm_ids=[t.learner_id, t.teacher_id], skill=t.skill,
                detail=f"{t.learner_id}, taught {t.skill} by {t.teacher_id} on {t.date.isoformat()}, also completed "
                       f"the {t.skill} training {training.training_id}: from its end "
                       f"({training.end_date.isoformat()}) {t.learner_id} counts as a trainee (generation 0), "
                       "not as reached",
            ))
    return findings


# --------------------------------------------------------------------------- orphans
def orphan_fragments(graph: nx.DiGraph, seeds: Iterable[str], skill: str) -> list[Finding]:
    """One finding per fragment of IKM in ``graph`` (teacher → learner) that no seed reaches.

    >>> g = nx.DiGraph([("s", "a"), ("x", "y"), ("y", "z"), ("w", "z"), ("p", "q")])
    >>> [(f.ikm_ids, f.fragment_top) for f in orphan_fragments(g, ["s"], "batik")]
    [(['p', 'q'], ['p']), (['w', 'x', 'y', 'z'], ['w', 'x'])]
    """
    reached = generations(graph, seeds)
    orphans = [node for node in graph if node not in reached]
    findings = []
    for fragment in nx.weakly_connected_components(graph.subgraph(orphans)):
        members = sorted(fragment)
        # A teacher of an orphan is an orphan too, so "no teacher" is the same in G and in the fragment.
        top = sorted(node for node in fragment if graph.in_degree(node) == 0)
        findings.append(Finding(
            kind="orphan", ikm_ids=members, skill=skill, fragment_top=top,
            detail=f"{len(members)} IKM with {skill} teachings that no {skill} trainee reaches; the fragment "
                   f"starts at {', '.join(top)}, with no recorded teacher: record who taught "
                   f"{'them' if len(top) > 1 else top[0]} {skill}, or the training attended",
        ))
    return sorted(findings, key=lambda f: f.ikm_ids)


# --------------------------------------------------------------------------- the command
def check_store(store: GraphStore) -> QualityReport:
    """Every finding over the whole store (all dates), by kind, then skill, then ids."""
    gazetteer = store.gazetteer()
    teachings = store.all_teachings()
    trained = first_trained(store.trainings(), store.all_attendance())
    findings = [
        *probable_duplicates(store.all_ikm(), gazetteer),
        *out_of_order(teachings, trained),
        *learners_who_are_trainees(teachings, trained),
    ]
    for skill in sorted({t.skill for t in teachings}):
        seeds = {s.ikm_id for s in store.seed_attendance(skill)}
        findings += orphan_fragments(store.teaching_graph(skill), seeds, skill)
    findings.sort(key=lambda f: (FINDING_KINDS.index(f.kind), f.skill or "", f.ikm_ids))
    counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in FINDING_KINDS}
    return QualityReport(counts=counts, findings=findings, notes=[UNDATED_NOTE])
