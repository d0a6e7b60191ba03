"""Pulling the phone form's submissions from ODK Central (SPEC §13: ``tular import --from-odk
URL --project P --form F``).

Through ODK's own client, ``pyodk``, whose credentials come from its own config file
(``~/.pyodk_config.toml``, or the file ``PYODK_CONFIG_FILE`` names: ``[central]`` with
``base_url``, ``username``, ``password``) — never from tular's command line, where they would
land in the shell's history. The config must be for the server asked: a password is never
sent to another one.

A pull asks the OData feed for the submissions made or edited since the last pull of the
same form (``$filter=__system/submissionDate gt … or __system/updatedAt gt …``, repeats
expanded), reads them as a submissions export is read (:mod:`tular.graph.io.submissions`) and
imports them as one batch. The batch log records the pull: its file is the form's URL, with
the newest submission (or edit) time it brought (``SourceInfo.newest_submission``), where the
next pull starts. Undo the batch, and the next pull brings those submissions again; import
them twice, and nothing changes (SPEC §13).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from urllib.parse import urlsplit

from pydantic import BaseModel

from tular.graph.io import submissions
from tular.graph.io.ingest import ImportReport, import_tables
from tular.graph.io.tables import FileProblem
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import RemoteUnavailable, UsageError, said
from tular.graph.model.records import SourceInfo
from tular.graph.store.base import GraphStore

# pyodk logs each failed request with its traceback; tular says what failed itself.
logging.getLogger("pyodk").addHandler(logging.NullHandler())
logging.getLogger("pyodk").propagate = False

#: Where pyodk reads its credentials unless ``PYODK_CONFIG_FILE`` names another file.
CONFIG_HELP = ("pyodk's config file, ~/.pyodk_config.toml (or the file PYODK_CONFIG_FILE names), with "
               "[central] base_url, username and password")


class PullReport(BaseModel):
    """What a pull did: the form asked, since when, how many submissions came, the newest
    one's time, and the import of them (None when none came)."""

    form_url: str
    since: str | None = None
    pulled: int = 0
    newest_submission: str | None = None
    report: ImportReport | None = None

    @property
    def ok(self) -> bool:
        return self.report is None or self.report.ok


def server_url(url: str) -> str:
    """An ODK Central server's URL as tular compares and records it: scheme and host in lower
    case, no trailing ``/`` or ``/v1``.

    >>> server_url("HTTPS://Central.Example.org/v1/"), server_url("https://odk.example:8443/odk")
    ('https://central.example.org', 'https://odk.example:8443/odk')
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise said(UsageError, N_("central.bad_url"), {"url": repr(url)})
    netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    path = parts.path.rstrip("/").removesuffix("/v1").rstrip("/")
    return f"{parts.scheme.lower()}://{netloc}{path}"


def form_url(server: str, project: int, form: str) -> str:
    """The form's URL, the name its pulls carry in the batch log."""
    return f"{server_url(server)}/v1/projects/{project}/forms/{form}"


def last_pull(store: GraphStore, url: str) -> str | None:
    """The newest submission time the pulls of the form at ``url`` have brought (batches
    undone no longer count), or None before the first pull."""
    times = [f.newest_submission for b in store.batches() for f in b.files
             if f.name == url and f.newest_submission]
    return max(times, default=None)


def pull(store: GraphStore, url: str, project: int, form: str, *, today: date, who: str,
         dry_run: bool = False, lang: str = "id") -> PullReport:
    """Pull the submissions of ``form`` in ``project`` at the ODK Central server ``url`` made or
    edited since the last pull, and import them as one batch (``dry_run``: only check them).

    Raises ``RemoteUnavailable`` when the server cannot be reached or refuses the credentials
    (or there are none for it), ``UsageError`` when it has no such form."""
    target = form_url(url, project, form)
    since = last_pull(store, target)
    found = _fetch(url, project, form, since)
    if not found:
        return PullReport(form_url=target, since=since)
    found.sort(key=_submitted)
    newest = max(_changed(s) for s in found)
    raw = json.dumps(found, sort_keys=True, ensure_ascii=False).encode("utf-8")
    info = SourceInfo(name=target, checksum=hashlib.sha256(raw).hexdigest(), kinds=["teachings"], rows=len(found),
                      newest_submission=newest)
    try:
        tables = submissions.teaching_tables(submissions.odata_sheets(target, found))
    except FileProblem as problem:
        found_problems = problem.all()
        report = ImportReport(ok=False, dry_run=dry_run, files=[info], error_count=len(found_problems),
                              errors=[p.to_dict(lang, "cli") for p in found_problems])
    else:
        report = import_tables(store, tables, today=today, who=who, dry_run=dry_run, files=[info], lang=lang,
                               surface="cli")
    return PullReport(form_url=target, since=since, pulled=len(found), newest_submission=newest, report=report)


def _submitted(submission: dict) -> str:
    return str((submission.get("__system") or {}).get("submissionDate") or "")


def _changed(submission: dict) -> str:
    """When the submission last changed on the server: made, or edited since."""
    system = submission.get("__system") or {}
    return max(str(system.get("submissionDate") or ""), str(system.get("updatedAt") or ""))


def _fetch(url: str, project: int, form: str, since: str | None) -> list[dict]:
    """The submissions (repeats expanded) made or edited after ``since`` (all, when None)."""
    try:
        import requests
        from pyodk.client import Client
        from pyodk.errors import PyODKError
    except ImportError as exc:  # an optional dependency: pip install "tular[odk]"
        raise said(UsageError, N_("central.needs_pyodk")) from exc
    server = server_url(url)
    try:
        client = Client()
    except (PyODKError, KeyError, TypeError) as exc:
        raise said(RemoteUnavailable, N_("central.no_credentials"), {"reason": str(exc), "config": CONFIG_HELP}) from None
    configured = client.config.central.base_url
    if server_url(configured) != server:
        raise said(RemoteUnavailable, N_("central.other_server"),
                   {"configured": configured, "server": server, "config": CONFIG_HELP})
    query = None if since is None else f"__system/submissionDate gt {since} or __system/updatedAt gt {since}"
    try:
        with client:
            data = client.submissions.get_table(form_id=form, project_id=project, filter=query, expand="*")
    except requests.exceptions.RequestException as exc:
        raise said(RemoteUnavailable, N_("central.unreachable"), {"server": server, "reason": _reason(exc)}) from None
    except PyODKError as exc:
        status = getattr(exc.args[1], "status_code", None) if len(exc.args) > 1 else None
        if status in (401, 403):
            raise said(RemoteUnavailable, N_("central.refused"),
                       {"server": server, "config": CONFIG_HELP, "status": status, "form": form,
                        "project": project}) from None
        if status == 404:
            raise said(UsageError, N_("central.no_form"), {"server": server, "form": repr(form), "project": project}) from None
        raise said(RemoteUnavailable, N_("central.unexpected"),
                   {"server": server, "status": status, "reason": str(exc.args[0])[:300]}) from None
    finally:
        client.session.close()
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise said(RemoteUnavailable, N_("central.not_odata"), {"server": server})
    return [s for s in data["value"] if isinstance(s, dict)]


def _reason(exc: Exception) -> str:
    """A connection error in a few words (requests nests the reason deep inside)."""
    text = str(exc)
    for known in ("Connection refused", "Name or service not known", "timed out",
                  "Temporary failure in name resolution", "No route to host", "certificate verify failed"):
        if known in text:
            return known.lower()
    return type(exc).__name__
