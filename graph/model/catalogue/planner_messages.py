"""The next-cohort planner's reasons (SPEC §10), Indonesian and English: one line per
recommendation, in the ``reason`` of each row of a plan."""

PLANNER_MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "planner.kelurahan": "{unmet_need} dari {population} IKM belum terjangkau ({total} sudah dilatih atau "
                             "tertular); {broken} rantai putus",
        "planner.narasumber": "menularkan ke {reach} IKM (generasi {generation}); {outcomes} hasil usaha tercatat",
        "planner.visit": "belum menularkan selama {days} hari; kelurahannya sudah menularkan ke {kelurahan_reach} "
                         "IKM",
    },
    "en": {
        "planner.kelurahan": "{unmet_need} of {population} IKM not reached yet ({total} trained or reached); "
                             "{broken} broken chains",
        "planner.narasumber": "passed the skill on to {reach} IKM (generation {generation}); {outcomes} outcome(s) "
                              "recorded",
        "planner.visit": "has taught nobody for {days} days; IKM of its kelurahan taught {kelurahan_reach} IKM",
    },
}
