"""Domain errors. Raised in ``tular.graph``; translated once by the CLI (exit codes)
and by the HTTP service (problem+json)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from tular.graph.model.catalogue import LANGUAGES, N_, Messages

#: The environment variable naming the language of a text said outside a request (SPEC §11).
LANG_ENV = "TULAR_LANG"
DEFAULT_LANGUAGE = "id"


class TularError(Exception):
    """Base class of every error tular explains to its user."""


class StoreUnavailable(TularError):
    """The store cannot be reached (Neo4j down, wrong URL, bad credentials, locked file)."""


class StoreBusy(StoreUnavailable):
    """Another write holds the store-wide write lock longer than this writer may wait
    (SPEC §3: an import is running). Nothing was written; trying again later works."""

    def __init__(self, display_url: str, waited: float, holder: str | None = None):
        super().__init__(_said_by(self, N_("error.store_busy"),
                                  {"store": display_url, "by": f" ({holder})" if holder else "", "waited": f"{waited:g}"}))
        self.waited = waited
        self.holder = holder


class RestoreInProgress(StoreUnavailable):
    """The store is marked "restore in progress" (SPEC §3): a restore too large for one
    transaction has wiped it and not finished — it is running, or it was stopped. Every
    command refuses (but ``tular restore --force``) until a restore completes."""

    def __init__(self, display_url: str, safety_file: str, backup: str, who: str, since: str):
        self.safety_file, self.backup, self.who, self.since = safety_file, backup, who, since
        self.command = f"tular restore --force {safety_file}"
        super().__init__(_said_by(self, N_("error.restore_in_progress"),
                                  {"store": display_url, "backup": backup, "since": since, "who": who,
                                   "command": self.command}))
        self.problem_extra = {"safety_file": safety_file, "command": self.command}


class RemoteUnavailable(TularError):
    """A remote source of data — ODK Central (SPEC §13) — cannot be reached, or refuses the
    credentials (CLI exit 4; 3 stays "store unavailable"). Nothing was imported."""


class UsageError(TularError):
    """A caller asked for something malformed: bad URL, unknown skill name, bad date."""


class InvalidData(TularError):
    """Data that cannot be stored as given (import errors, unknown references)."""


class TooLarge(InvalidData):
    """An upload larger than the operator allows."""


class BadFileName(TularError):
    """An uploaded file's name that is not a file name: a NUL or other control character, a
    folder in it, or longer than a file system allows (HTTP 400)."""


class NotFound(TularError):
    """A record asked for by its key does not exist."""


class Unauthorized(TularError):
    """No key, or a key that is unknown or revoked."""


class Forbidden(TularError):
    """A valid key whose role may not do this."""


class TooManyAttempts(TularError):
    """Too many failed sign-ins or API keys from one client: refused, unchecked, for
    ``retry_after`` seconds (HTTP 429 with ``Retry-After``)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class UnknownIKM(InvalidData):
    def __init__(self, ikm_id: str):
        super().__init__(_said_by(self, N_("error.unknown_ikm"), {"ikm_id": ikm_id}))
        self.ikm_id = ikm_id


class UnknownSkill(UsageError):
    """A skill name that is no skill or alias; ``suggestion``: the skill of the nearest name."""

    def __init__(self, name: str, valid: list[str], suggestion: str | None = None):
        super().__init__(_said_by(self, N_("error.unknown_skill_suggest") if suggestion else N_("error.unknown_skill"),
                                  {"name": name, "suggestion": suggestion, "valid": ", ".join(valid)}))
        self.name = name
        self.valid = valid
        self.suggestion = suggestion


class UnknownArea(UsageError):
    def __init__(self, kind: str, name: str, suggestion: str | None):
        super().__init__(_said_by(self, N_("problem.unknown_area_suggest") if suggestion else N_("problem.unknown_area"),
                                  {"area": kind, "name": name, "suggestion": suggestion}))
        self.kind = kind
        self.name = name
        self.suggestion = suggestion


class AmbiguousKelurahan(UsageError):
    """A kelurahan name found in several kecamatan, given without its kecamatan."""

    def __init__(self, name: str, kecamatan: list[str]):
        super().__init__(_said_by(self, N_("error.ambiguous_kelurahan"), {"name": name, "kecamatan": ", ".join(kecamatan)}))
        self.name = name
        self.kecamatan = kecamatan


# ------------------------------------------------------------------------------ errors said from the catalogue
E = TypeVar("E", bound=BaseException)


def language(value: str | None) -> str | None:
    """``value`` as one of the catalogue's languages (``en-US`` is ``en``), or ``None``."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].casefold()
    return primary if primary in LANGUAGES else None


def configured_language(env: Mapping[str, str] | None = None) -> str:
    """``TULAR_LANG`` when it names a language, else Indonesian."""
    return language((os.environ if env is None else env).get(LANG_ENV)) or DEFAULT_LANGUAGE


class Term(str):
    """A catalogue key given as a placeholder's value: said in the language of the sentence."""


class Phrase(tuple):
    """A catalogue message with its values, given as a placeholder's value: said in the language of
    the sentence. ``Phrase("key", {...})``."""

    def __new__(cls, key: str, values: Mapping[str, object] | None = None):
        return super().__new__(cls, (key, dict(values or {})))


class Phrases(tuple):
    """Several :class:`Phrase` (or plain values) as one placeholder's value, joined by ``sep``
    (``"; "`` unless given)."""

    sep = "; "

    def __new__(cls, parts, sep: str | None = None):
        made = super().__new__(cls, parts)
        if sep is not None:
            made.sep = sep
        return made

    @classmethod
    def first(cls, parts, most: int) -> Phrases:
        """The first ``most`` of ``parts``, and "and N more" when there are more."""
        parts = list(parts)
        more = [Phrase(N_("list.and_more"), {"count": len(parts) - most})] if len(parts) > most else []
        return cls(parts[:most] + more)


@dataclass(frozen=True)
class Month:
    """A month of a year as a placeholder's value: named in the language of the sentence
    (``Februari 2021``)."""

    year: int
    month: int

    def said_in(self, lang: str) -> str:
        from babel.dates import format_date  # Babel's locale data: loaded when a month is said

        return format_date(date(self.year, self.month, 1), "MMMM y", locale=lang)


def _value(messages: Messages, value: object) -> object:
    if isinstance(value, Month):
        return value.said_in(messages.lang)
    if isinstance(value, Term):
        return messages.t(value)
    if isinstance(value, Phrase):
        return filled(messages, value[0], value[1])
    if isinstance(value, Phrases):
        return value.sep.join(str(_value(messages, part)) for part in value)
    return value


def filled(messages: Messages, key: str, values: Mapping[str, object]) -> str:
    """The message ``key`` of ``messages`` with ``values``; a :class:`Term` or :class:`Phrase`
    said in its language."""
    return messages.t(key, **{name: _value(messages, value) for name, value in values.items()})


def _said_by(error: BaseException, key: str, values: Mapping[str, object]) -> str:
    """The text of an error raised with its own values: the catalogue's message ``key`` in the
    configured language, kept with its values so that :func:`text_of` says it in any other."""
    error.catalogue_message = (key, dict(values))  # type: ignore[attr-defined]
    return filled(Messages(configured_language()), key, values)


def said(kind: type[E], key: str, values: Mapping[str, object] | None = None, *args, **init) -> E:
    """An error of ``kind`` whose text is the catalogue's message ``key``: its ``str()`` in the
    configured language (``TULAR_LANG``, else Indonesian), and :func:`text_of` it in any other —
    the CLI and the problem handler say it in their reader's language.

    >>> error = said(UsageError, "cli.bad_lang", {"given": "fr"})
    >>> error.catalogue_message
    ('cli.bad_lang', {'given': 'fr'})
    """
    values = dict(values or {})
    error = kind(filled(Messages(configured_language()), key, values), *args, **init)
    error.catalogue_message = (key, values)  # type: ignore[attr-defined]
    return error


def text_of(error: BaseException, lang: str) -> str:
    """The text of ``error`` in ``lang`` when it comes from the catalogue, else as raised."""
    found = getattr(error, "catalogue_message", None)
    if found is None:
        return str(error)
    key, values = found
    return filled(Messages(lang), key, values)
