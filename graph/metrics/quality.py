"""Data-quality findings over the whole store (``tular check``, SPEC §6).

Broken invariants (SPEC §3), which tular's own writes never make but a store may hold
anyway (an older version, a hand edit in Neo4j Browser, a restore of an old backup):

- ``cycle`` — teachings of one skill that go round in a circle back to an IKM who taught
  it, one finding per knot (strongly connected component) with one cycle through it, IKM
  in teaching order. Reported only: a person deletes the wrong teaching (usually learner
  and teacher were swapped). Until then the metrics do not follow a teaching past an IKM
  already reached.
- ``duplicate_teaching`` — a (learner, teacher, skill) stored more than once (Neo4j
  Community cannot make a relationship unique), with the dates of the copies. The metrics
  count it once, at its earliest date; ``tular check --repair`` removes the other copies as
  one batch that ``tular import --undo`` puts back (:func:`repair_store`).

Findings of the data as written:

- ``probable_duplicate`` — two or more ids with the same normalised name and kelurahan,
  or the same phone number (the rules the importer warns about).
- ``out_of_order`` — a teaching dated before its teacher learned the skill (learned = the
  earliest end of a completed training of the skill, or the earliest teaching received).
- ``learner_is_trainee`` — a learner who also completed a training of the same skill: a
  trainee stays generation 0, so the teaching does not add to reach.
- ``orphan`` — IKM with teaching edges of a skill that no trainee of the skill reaches
  (SPEC §5), one finding per fragment (weakly connected component of the orphans) with
  its top: the fragment's IKM that have no recorded teacher. Found by the engine on the
  cascade the store walks (:func:`~tular.graph.metrics.engine.orphan_fragments`, what
  ``tular broken`` reports as ``orphan``), over every date and from every trainee.

Undated teaching edges cannot exist — the importer rejects a teaching without a date and the
record model requires one — so there is nothing to look for.

Every function but :func:`check_store` is pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import networkx as nx
import numpy as np

from tular.graph.io.validation import cycle_through, person_key, phone_key, strong_components
from tular.graph.metrics import answers, engine
from tular.graph.metrics.engine import SkillArrays
from tular.graph.metrics.results import FINDING_KINDS, QualityFinding, QualityReport
from tular.graph.model.catalogue import N_, Messages
from tular.graph.model.errors import configured_language
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import IKM, Attendance, BatchMeta, Repair, SourceInfo, Teaching, Training
from tular.graph.store.base import GraphStore

#: How a repair is named in the batch log's files (``tular import --list`` shows it).
REPAIR_NAME = "tular check --repair"

UNDATED_NOTE = N_("finding.undated_note")


def _said(lang: str | None, key: str, **values) -> dict:
    """A finding's ``detail`` in ``lang`` (``TULAR_LANG``, else Indonesian, when not given) and
    its ``message``."""
    return {"detail": Messages(lang or configured_language()).t(key, **values), "message": (key, values)}


# --------------------------------------------------------------------------- broken invariants
def _key(t: Teaching) -> tuple[str, str, str]:
    return (t.learner_id, t.teacher_id, t.skill)


def _order(t: Teaching) -> tuple:
    """Which copy of a teaching stored more than once counts: the earliest (ties: by source, then note)."""
    return (t.date, t.source or "", t.note or "")


def earliest_copies(teachings: Iterable[Teaching]) -> list[Teaching]:
    """One teaching per (learner, teacher, skill): the earliest copy of one stored more than once,
    as the importer keeps the earliest date of a repeated teaching."""
    kept: dict[tuple[str, str, str], Teaching] = {}
    for t in teachings:
        if (known := kept.get(_key(t))) is None or _order(t) < _order(known):
            kept[_key(t)] = t
    return list(kept.values())


def duplicate_teachings(teachings: Iterable[Teaching], lang: str | None = None) -> list[QualityFinding]:
    """Teachings stored more than once (SPEC §3 allows one per learner, teacher and skill).

    >>> from tular.graph.model.records import Teaching
    >>> t = [Teaching(learner_id="B", teacher_id="A", skill="batik", date=date(2021, d, 1)) for d in (5, 2)]
    >>> [(f.ikm_ids, f.dates) for f in duplicate_teachings(t)]
    [(['B', 'A'], [datetime.date(2021, 2, 1), datetime.date(2021, 5, 1)])]
    """
    copies: dict[tuple[str, str, str], list[Teaching]] = defaultdict(list)
    for t in teachings:
        copies[_key(t)].append(t)
    findings = []
    for (learner, teacher, skill), found in sorted(copies.items()):
        if len(found) < 2:
            continue
        dates = sorted(t.date for t in found)
        findings.append(QualityFinding(
            kind="duplicate_teaching", ikm_ids=[learner, teacher], skill=skill, dates=dates,
            **_said(lang, N_("finding.duplicate_teaching"), teacher=teacher, skill=skill, learner=learner,
                    count=len(found), dates=", ".join(d.isoformat() for d in dates), first=dates[0].isoformat()),
        ))
    return findings


def cycles(teachings: Iterable[Teaching], lang: str | None = None) -> list[QualityFinding]:
    """Teachings of one skill that come back to an IKM who taught it (SPEC §2: the graph of
    a skill is a DAG): one finding per knot of IKM that all teach one another round in
    circles (a strongly connected component), naming a shortest cycle through its smallest id.

    >>> from tular.graph.model.records import Teaching
    >>> t = [Teaching(learner_id=l, teacher_id=u, skill="kemasan", date=date(2021, m, 1))
    ...      for l, u, m in (("B", "A", 3), ("A", "B", 4), ("C", "A", 5))]
    >>> [(f.ikm_ids, f.skill, f.dates) for f in cycles(t)]
    [(['A', 'B'], 'kemasan', [datetime.date(2021, 3, 1), datetime.date(2021, 4, 1)])]
    """
    per_skill: dict[str, list[Teaching]] = defaultdict(list)
    for t in sorted(earliest_copies(teachings), key=_key):
        per_skill[t.skill].append(t)
    findings = []
    for skill, edges in sorted(per_skill.items()):
        # the knots found on arrays (a whole province's edges): only their edges become a graph
        number: dict[str, int] = {}
        teacher = np.fromiter((number.setdefault(t.teacher_id, len(number)) for t in edges), np.int64, len(edges))
        learner = np.fromiter((number.setdefault(t.learner_id, len(number)) for t in edges), np.int64, len(edges))
        knot_of = strong_components(teacher, learner, len(number))
        on_one = (np.bincount(knot_of)[knot_of[teacher]] > 1) | (teacher == learner)
        on_one &= knot_of[teacher] == knot_of[learner]
        graph = nx.DiGraph()
        graph.add_edges_from((t.teacher_id, t.learner_id, {"date": t.date})
                             for t, keep in zip(edges, on_one.tolist()) if keep)
        for knot in nx.strongly_connected_components(graph):
            start = min(knot)
            if len(knot) == 1 and not graph.has_edge(start, start):
                continue
            cycle = cycle_through(graph.subgraph(knot), start)
            steps = list(zip(cycle, cycle[1:] + cycle[:1]))
            dates = [graph.edges[u, v]["date"] for u, v in steps]
            messages = Messages(lang or configured_language())
            taught = ", ".join(messages.t("finding.taught_on", teacher=u, learner=v, date=d.isoformat())
                               for (u, v), d in zip(steps, dates))
            if len(knot) > len(cycle):
                said = _said(lang, N_("finding.cycle_in_a_knot"), skill=skill, taught=taught, count=len(knot),
                             ids=", ".join(sorted(knot)))
            else:
                said = _said(lang, N_("finding.cycle"), skill=skill, taught=taught)
            findings.append(QualityFinding(kind="cycle", ikm_ids=cycle, skill=skill, dates=dates, **said))
    return findings


def repair_store(store: GraphStore, who: str) -> Repair:
    """Remove every extra copy of a teaching stored more than once, keeping the earliest (the
    one the metrics count), as one batch logged for ``who`` that ``tular import --undo`` puts
    back. Cycles are never repaired: which teaching is wrong is for a person to say."""
    return store.remove_duplicate_teachings(BatchMeta(who=who, files=[SourceInfo(
        name=REPAIR_NAME, checksum="", kinds=["teachings"])]))


# --------------------------------------------------------------------------- persons
def probable_duplicates(ikm: Iterable[IKM], gazetteer: Gazetteer | None = None,
                        lang: str | None = None) -> list[QualityFinding]:
    """Groups of ids with the same normalised name in the same kelurahan, or the same phone.

    The phone number itself is not repeated in the finding (it is personal data).

    >>> from tular.graph.model.records import IKM
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
            findings.append(QualityFinding(kind="probable_duplicate", ikm_ids=sorted(p.ikm_id for p in people),
                                    **_said(lang, N_("finding.same_name"), kelurahan=place, names=names)))
    for _, people in sorted(by_phone.items()):
        if len(people) > 1:
            ids = sorted(p.ikm_id for p in people)
            findings.append(QualityFinding(kind="probable_duplicate", ikm_ids=ids,
                                    **_said(lang, N_("finding.same_phone"), count=len(ids), ids=", ".join(ids))))
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


def out_of_order(teachings: Iterable[Teaching], trained: dict[tuple[str, str], Training],
                 lang: str | None = None) -> list[QualityFinding]:
    """Teachings dated before the teacher learned the skill.

    >>> from tular.graph.model.records import Teaching
    >>> t = [Teaching(learner_id="B", teacher_id="A", skill="batik", date=date(2021, 1, 1)),
    ...      Teaching(learner_id="A", teacher_id="S", skill="batik", date=date(2021, 6, 1))]
    >>> [f.detail for f in out_of_order(t, {}, lang="en")]
    ['A taught batik to B on 2021-01-01, before A learned it (2021-06-01, taught by S)']
    """
    teachings = list(teachings)
    messages = Messages(lang or configured_language())
    learned: dict[tuple[str, str], tuple[date, str]] = {
        key: (training.end_date, messages.t("finding.by_training", training=training.training_id))
        for key, training in trained.items()
    }
    for t in sorted(teachings, key=lambda t: (t.date, t.teacher_id)):
        key = (t.learner_id, t.skill)
        if key not in learned or t.date < learned[key][0]:
            learned[key] = (t.date, messages.t("finding.by_teacher", teacher=t.teacher_id))
    findings = []
    for t in teachings:
        when = learned.get((t.teacher_id, t.skill))
        if when is not None and t.date < when[0]:
            findings.append(QualityFinding(
                kind="out_of_order", ikm_ids=[t.learner_id, t.teacher_id], skill=t.skill,
                **_said(lang, N_("finding.out_of_order"), teacher=t.teacher_id, skill=t.skill, learner=t.learner_id,
                        on=t.date.isoformat(), learned=when[0].isoformat(), how=when[1]),
            ))
    return findings


def learners_who_are_trainees(teachings: Iterable[Teaching], trained: dict[tuple[str, str], Training],
                              lang: str | None = None) -> list[QualityFinding]:
    """Teachings whose learner also completed a training of the same skill."""
    findings = []
    for t in teachings:
        training = trained.get((t.learner_id, t.skill))
        if training is not None:
            findings.append(QualityFinding(
                kind="learner_is_trainee", ikm_ids=[t.learner_id, t.teacher_id], skill=t.skill,
                **_said(lang, N_("finding.learner_is_trainee"), learner=t.learner_id, skill=t.skill,
                        teacher=t.teacher_id, on=t.date.isoformat(), training=training.training_id,
                        end=training.end_date.isoformat()),
            ))
    return findings


# --------------------------------------------------------------------------- orphans
def orphan_fragments(graph: SkillArrays, skill: str, lang: str | None = None) -> list[QualityFinding]:
    """One finding per fragment of IKM of ``graph`` that no seed reaches (its cascade walked
    from every seed, in ``graph.level``), by ids."""
    orphans, fragments, tops = engine.orphan_fragments(graph, graph.level)
    ids = graph.ids
    order = np.argsort(fragments, kind="stable")  # by fragment, ascending ids within one
    starts = np.flatnonzero(np.r_[True, fragments[order][1:] != fragments[order][:-1]]) if order.size else order
    members_of = dict(zip(fragments[order][starts].tolist(), np.split(orphans[order], starts[1:])))
    findings = []
    for fragment, top_nodes in tops.items():
        members = ids[members_of[fragment]].tolist()
        top = ids[top_nodes].tolist()
        # a fragment may start at a cycle (a broken invariant), whose IKM are then its top
        circle = bool(graph.in_degree[top_nodes].any())
        findings.append(QualityFinding(
            kind="orphan", ikm_ids=members, skill=skill, fragment_top=top,
            **_said(lang, N_("finding.orphan_round_a_cycle") if circle else N_("finding.orphan"), count=len(members),
                    skill=skill, top=", ".join(top),
                    whom=Messages(lang or configured_language()).t("finding.them") if len(top) > 1 else top[0]),
        ))
    return sorted(findings, key=lambda f: f.ikm_ids)


# --------------------------------------------------------------------------- the command
def check_store(store: GraphStore, lang: str | None = None) -> QualityReport:
    """Every finding over the whole store (all dates), by kind, then skill, then ids. A
    teaching stored more than once is a finding, and is otherwise looked at once, at its
    earliest date (as the metrics count it). Details and notes in ``lang`` (``TULAR_LANG``,
    else Indonesian, when not given)."""
    gazetteer = store.gazetteer()
    stored = store.all_teachings()
    teachings = earliest_copies(stored)
    trained = first_trained(store.trainings(), store.all_attendance())
    findings = [
        *cycles(teachings, lang),
        *duplicate_teachings(stored, lang),
        *probable_duplicates(store.all_ikm(), gazetteer, lang),
        *out_of_order(teachings, trained, lang),
        *learners_who_are_trainees(teachings, trained, lang),
    ]
    skills = sorted({t.skill for t in teachings})
    for skill, graph in answers._walked(store, skills, date.max).items():  # every date, every trainee
        findings += orphan_fragments(graph, skill, lang)
    findings.sort(key=lambda f: (FINDING_KINDS.index(f.kind), f.skill or "", f.ikm_ids))
    counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in FINDING_KINDS}
    return QualityReport(counts=counts, findings=findings,
                         notes=[Messages(lang or configured_language()).t(UNDATED_NOTE)])
