"""Which language a reader gets (SPEC §11), and errors whose text comes from the catalogue.

The precedence: ``--lang`` (command line) or ``?lang=`` (HTTP) > ``Accept-Language`` (API JSON
and problem details only; ``id`` and ``en`` recognised, q-values honoured) > ``TULAR_LANG`` >
``id``. Web pages and documents never follow ``Accept-Language``.

>>> from_accept_language("fr-CH, fr;q=0.9, en;q=0.8, id;q=0.7")
'en'
>>> from_accept_language("en;q=0.2, id-ID"), from_accept_language("de, *;q=0.5"), from_accept_language("en;q=0")
('id', None, None)
>>> cli_language(["reach", "--lang=en", "--skill", "batik"], {}), cli_language(["--help"], {"TULAR_LANG": "en"})
('en', 'en')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tular.graph.model.catalogue import LANGUAGES  # noqa: F401 (named here too)
# one way of saying an error from the catalogue, for the domain and the ways in alike
from tular.graph.model.errors import LANG_ENV, Term, configured_language, language, said, text_of  # noqa: F401

#: The cookie a web page remembers its reader's choice in (``service/web_plumbing.py`` sets it).
PAGE_LANGUAGE_COOKIE = "tular_lang"
DEFAULT = "id"


def configured(env: Mapping[str, str] | None = None) -> str:
    """``TULAR_LANG`` when it names a language, else Indonesian."""
    return configured_language(env)


def from_accept_language(header: str | None) -> str | None:
    """The language of an ``Accept-Language`` header that tular speaks, preferred by its
    q-values (the first of equal ones); ``None`` when it names neither."""
    best, best_q = None, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found = language(tag)
        if found and q > best_q:
            best, best_q = found, q
    return best


def api_language(request, settings=None) -> str:
    """The language of an API answer or problem detail: ``?lang=`` > ``Accept-Language`` >
    ``TULAR_LANG`` (the app's settings) > ``id``."""
    if settings is None:
        app = request.scope.get("app")
        settings = getattr(getattr(app, "state", None), "settings", None)
    return (language(request.query_params.get("lang"))
            or from_accept_language(request.headers.get("accept-language"))
            or language(getattr(settings, "lang", None)) or DEFAULT)


def page_language(request) -> str:
    """A web page's language: ``?lang=``, else the remembered choice, else ``TULAR_LANG``, else
    ``id`` — never ``Accept-Language``."""
    settings = getattr(request.app.state, "settings", None)
    return (language(request.query_params.get("lang")) or language(request.cookies.get(PAGE_LANGUAGE_COOKIE))
            or language(getattr(settings, "lang", None)) or DEFAULT)


def cli_language(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The command line's language from its arguments (``--lang X`` or ``--lang=X``, given to
    ``tular`` or to a command), else ``TULAR_LANG``, else ``id``: read before the commands are
    built, since their help texts are made then."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return language(argv[index + 1]) or configured(env)
        if arg.startswith("--lang="):
            return language(arg.partition("=")[2]) or configured(env)
    return configured(env)
