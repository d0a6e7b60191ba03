"""Every user-facing text of tular in Indonesian and English (SPEC §11), one module per area:
the report (``report_messages``, whose labels the web pages use too), the web pages
(``web_messages``), the next-cohort planner (``planner_messages``) and field collection
(``field_messages``: the phone form and its IKM list). :data:`MESSAGES`
assembles them; a key is defined once, in one area. Both languages carry the same keys with
the same ``{placeholders}`` (tests/test_report.py holds it). Numbers and dates are formatted
by ``tular.visualizations.i18n.Locale``.

>>> MESSAGES["en"]["planner.visit"].format(days=200, kelurahan_reach=3)
'has taught nobody for 200 days; IKM of its kelurahan taught 3 IKM'
"""

from __future__ import annotations

from tular.graph.model.catalogue.field_messages import FIELD_MESSAGES
from tular.graph.model.catalogue.planner_messages import PLANNER_MESSAGES
from tular.graph.model.catalogue.report_messages import REPORT_MESSAGES
from tular.graph.model.catalogue.web_messages import WEB_MESSAGES

LANGUAGES = ("id", "en")


def assembled(*areas: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The messages of ``areas`` in one catalogue per language; a key defined in two areas is
    an error.

    >>> assembled({"id": {"a": "satu"}, "en": {"a": "one"}}, {"id": {"b": "dua"}, "en": {"b": "two"}})["en"]
    {'a': 'one', 'b': 'two'}
    >>> assembled({"id": {"a": "satu"}, "en": {}}, {"id": {"a": "esa"}, "en": {}})
    Traceback (most recent call last):
    ValueError: messages defined twice (id): a
    """
    messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for area in areas:
        for lang in LANGUAGES:
            twice = sorted(messages[lang].keys() & area[lang].keys())
            if twice:
                raise ValueError(f"messages defined twice ({lang}): {', '.join(twice)}")
            messages[lang].update(area[lang])
    return messages


MESSAGES = assembled(REPORT_MESSAGES, WEB_MESSAGES, PLANNER_MESSAGES, FIELD_MESSAGES)
