"""Domain errors. Raised in ``tular.graph``; translated once by the CLI (exit codes)
and by the HTTP service (problem+json)."""

from __future__ import annotations


class TularError(Exception):
    """Base class of every error tular explains to its user."""


class StoreUnavailable(TularError):
    """The store cannot be reached (Neo4j down, wrong URL, bad credentials, locked file)."""


class StoreBusy(StoreUnavailable):
    """Another write holds the store-wide write lock longer than this writer may wait
    (SPEC §3: an import is running). Nothing was written; trying again later works."""

    def __init__(self, display_url: str, waited: float, holder: str | None = None):
        by = f" ({holder})" if holder else ""
        super().__init__(
            f"{display_url} is busy with another write{by}: an import is running. Nothing was written; "
            f"try again in a minute (waited {waited:g} s for it to finish)"
        )
        self.waited = waited
        self.holder = holder


class UsageError(TularError):
    """A caller asked for something malformed: bad URL, unknown skill name, bad date."""


class InvalidData(TularError):
    """Data that cannot be stored as given (import errors, unknown references)."""


class TooLarge(InvalidData):
    """An upload larger than the operator allows."""


class NotFound(TularError):
    """A record asked for by its key does not exist."""


class Unauthorized(TularError):
    """No key, or a key that is unknown or revoked."""


class Forbidden(TularError):
    """A valid key whose role may not do this."""


class UnknownIKM(InvalidData):
    def __init__(self, ikm_id: str):
        super().__init__(f"no IKM with ikm_id {ikm_id!r}")
        self.ikm_id = ikm_id


class UnknownSkill(UsageError):
    def __init__(self, name: str, valid: list[str]):
        super().__init__(f"unknown skill {name!r}; valid skills: {', '.join(valid)}")
        self.name = name
        self.valid = valid


class UnknownArea(UsageError):
    def __init__(self, kind: str, name: str, suggestion: str | None):
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")
        self.kind = kind
        self.name = name
        self.suggestion = suggestion


class CycleDetected(InvalidData):
    def __init__(self, skill: str, cycle: list[str]):
        path = " → ".join(cycle)
        super().__init__(
            f"teaching edges for skill {skill!r} would form a cycle: {path} "
            "(are the learner_id and teacher_id columns swapped?)"
        )
        self.skill = skill
        self.cycle = cycle
