"""Every user-facing text of tular in Indonesian and English (SPEC §11), in gettext catalogues
managed with Babel: ``locale/<lang>/LC_MESSAGES/tular.po`` per language, extracted from the code
into ``locale/tular.pot`` (DEVELOPERS.md tells the workflow). A message id is a stable key
(``web.nav_export``, ``planner.visit``), never an English sentence; its text may hold
``{placeholders}``, the same in both languages (tests/test_report.py holds it). Code gets a text
with ``t(key, **values)`` of :class:`Messages` — in the views, of its subclass
``tular.visualizations.i18n.Locale``, which also formats numbers and dates.

>>> Messages("en").t("planner.visit", days=200, kelurahan_reach=3)
'has taught nobody for 200 days; IKM of its kelurahan taught 3 IKM'
>>> Messages("id").t("web.nav_export")
'Ekspor'
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

LANGUAGES = ("id", "en")
MISSING = "—"
MINUS = "−"
DOMAIN = "tular"
LOCALE_DIR = Path(__file__).parent / "locale"
#: An installer writes a ``.mo`` and its ``.po`` in the same moment, in either order: only a
#: ``.po`` edited later than this after its ``.mo`` makes the ``.mo`` stale.
INSTALL_SLACK_NS = 2_000_000_000


def N_(key: str) -> str:
    """Marks ``key`` as a message id where the code keeps an id to look up later (gettext's
    ``gettext_noop``), so that extraction finds it.

    >>> N_("web.role_admin")
    'web.role_admin'
    """
    return key


class Messages:
    """The texts of one language."""

    def __init__(self, lang: str = "id"):
        if lang not in LANGUAGES:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.translations = translations(lang)

    def t(self, key: str, **values) -> str:
        """The message ``key`` with its placeholders filled (values are inserted as given);
        ``KeyError`` for an id the catalogue does not hold."""
        return self.translations.gettext(key).format(**values)

    def integer(self, value: int | None) -> str:
        """A whole number in this language's digits, by Babel's CLDR data (``2.216`` / ``2,216``),
        with a true minus sign; ``—`` for none. Numbers put in a text go through here.

        >>> Messages("id").integer(2216), Messages("en").integer(-2216), Messages("id").integer(None)
        ('2.216', '−2,216', '—')
        """
        from babel.numbers import format_decimal  # Babel's locale data: loaded at the first number

        if value is None:
            return MISSING
        return (MINUS if value < 0 else "") + format_decimal(abs(value), "#,##0", locale=self.lang)


class _NoSuchMessage(gettext.NullTranslations):
    """The fallback of a catalogue: gettext would answer an unknown id with the id itself."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(lang: str) -> gettext.GNUTranslations:
    """The catalogue of ``lang``: its compiled ``.mo``, or — where the ``.mo`` is missing or older
    than its ``.po`` (a developer just edited a text) — the ``.po`` compiled in memory, so that
    the running text always equals the ``.po``. Kept per file version."""
    po = po_path(lang)
    po_time, mo_time = _modified(po), _modified(po.with_suffix(".mo"))
    use_mo = mo_time is not None and (po_time is None or mo_time + INSTALL_SLACK_NS >= po_time)
    return _loaded(po, lang, po_time, mo_time if use_mo else None)


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


@functools.lru_cache(maxsize=8)
def _loaded(po: Path, lang: str, po_time: int | None, mo_time: int | None) -> gettext.GNUTranslations:
    if mo_time is not None:
        with po.with_suffix(".mo").open("rb") as compiled:
            loaded = gettext.GNUTranslations(compiled)
    else:
        loaded = gettext.GNUTranslations(io.BytesIO(compile_po(lang)))
    loaded.add_fallback(_NoSuchMessage())
    return loaded


def read_catalogue(lang: str):
    """The ``.po`` of ``lang`` as a Babel catalogue."""
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def compile_po(lang: str) -> bytes:
    """The ``.mo`` of ``lang``'s ``.po``, as ``pybabel compile`` writes it (fuzzy and empty texts
    left out)."""
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(lang))
    return compiled.getvalue()


def every_text() -> dict[str, dict[str, str]]:
    """Every message id with its text, per language, as the running code gets them (fuzzy and
    empty texts left out): for the tests, which compare pages and documents with the catalogue.

    >>> every_text()["en"]["web.nav_export"]
    'Export'
    """
    return {lang: {message.id: message.string for message in read_catalogue(lang)
                   if message.id and message.string and not message.fuzzy}
            for lang in LANGUAGES}
