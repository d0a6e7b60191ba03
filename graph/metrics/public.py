"""What an anonymous reader may see (SPEC §7 "Anonymous public read is aggregates only").

An ``ikm_id`` is personal data under UU 27/2022 (a pseudonymous identifier), as are names
and business names. With ``TULAR_PUBLIC_READ=1`` an anonymous caller gets the answers a
viewer gets with every person field emptied, and persons grouped into counts per
kelurahan. These functions are the one place that says how: the API routes, the web pages,
the map and the report's public edition all call them.
"""

from __future__ import annotations

from collections import Counter

from tular.graph.metrics.results import (
    FINDING_ORDER,
    Broken,
    Chains,
    KelurahanCount,
    KindCount,
    Plan,
    PublicBroken,
    PublicPlan,
    Reach,
    ReachAll,
)


def reach(answer: Reach) -> Reach:
    """No top teachers; structural virality per seed without the seed."""
    return answer.model_copy(update={
        "top_teachers": [],
        "virality": [v.model_copy(update={"seed": None}) for v in answer.virality],
    })


def reach_all(answer: ReachAll) -> ReachAll:
    return answer.model_copy(update={"skills": [reach(r) for r in answer.skills]})


def chains(answer: Chains) -> Chains:
    """Every chain row without its seed (the kelurahan kept); the histogram as it is."""
    return answer.model_copy(update={"chains": [c.model_copy(update={"seed": None}) for c in answer.chains]})


def per_kelurahan(kelurahan: list[str]) -> list[KelurahanCount]:
    """How many of the listed persons in each kelurahan, most first, then by name."""
    counted = Counter(kelurahan)
    return [KelurahanCount(kelurahan=k, count=n) for k, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]


def broken(answer: Broken) -> PublicBroken:
    counted = Counter((f.kind, f.kelurahan) for f in answer.findings)
    order = {kind: i for i, kind in enumerate(FINDING_ORDER)}
    return PublicBroken(
        skill=answer.skill, as_of=answer.as_of, dormant_days=answer.dormant_days,
        counts=[KindCount(kind=kind, kelurahan=kelurahan, count=n) for (kind, kelurahan), n in
                sorted(counted.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][0], -kv[1], kv[0][1]))],
    )


def plan(answer: Plan) -> PublicPlan:
    return PublicPlan(
        skill=answer.skill, seats=answer.seats, as_of=answer.as_of, kelurahan=answer.kelurahan,
        narasumber=per_kelurahan([n.kelurahan for n in answer.narasumber]),
        visits=per_kelurahan([v.kelurahan for v in answer.visits]),
    )
