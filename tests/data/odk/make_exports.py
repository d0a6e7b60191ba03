"""Writes the submissions exports of this folder from the phone form itself (see README.md).

    .venv/bin/python -m tests.data.odk.make_exports

The form is tular's (``tular template --xlsform``: the built-in skills, the Kota Malang
gazetteer), converted with pyxform as ODK Central and KoboToolbox convert it; the columns are
its fields' paths in the converted form's instance, joined as each server joins groups, with
the metadata columns each server adds (ODK Central: ``lib/data/briefcase.js`` and
``lib/data/odata.js`` of getodk/central-backend; KoboToolbox: the columns of its exports).
The submissions are made up, for the IKM of ``tests/factories.small_batik_program``.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from pyxform.xls2xform import convert

from tular.graph.io.xlsform import FORM_ID, form_version, write_xlsform
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.skills import BUILTIN_SKILLS

HERE = Path(__file__).parent
VERSION = form_version(datetime(2026, 9, 1, 8, 0))
#: What ODK Central writes after the form's fields (lib/data/briefcase.js).
CENTRAL_AFTER = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                 "ReviewState", "DeviceID", "Edits", "FormVersion")
#: What KoboToolbox writes after the form's fields.
KOBO_AFTER = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
              "__version__", "_tags", "_index")

# Each submission: its uuid, when it reached the server, who sent it, and its answers by field name.
CENTRAL = [
    ("3f2b6c1e-8a4d-4c2b-9e71-0d5a6b7c8d90", "2026-10-02T03:15:22.418Z", "Petugas Blimbing",
     {"learner_known": "ya", "learner_id": "x", "teacher_id": "s1", "skill": "batik", "date": "2026-10-02",
      "source": "kunjungan lapangan"}),
    ("7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5", "2026-10-05T07:40:03.102Z", "Petugas Blimbing",
     {"learner_known": "tidak", "name": "Ibu Rina Wati", "kelurahan": "blimbing.bunulrejo",
      "business_name": "Batik Rina", "teacher_id": "a", "skill": "batik", "date": "2026-10-05",
      "source": "kunjungan lapangan", "note": "belajar motif teratai"}),
    ("b8e4a1c2-5d6f-4e7a-9b8c-1d2e3f4a5b6c", "2026-10-09T02:01:47.950Z", "Petugas Lowokwaru",
     {"learner_known": "ya", "learner_id": "d", "teacher_id": "c", "skill": "kemasan", "date": "2026-10-09"}),
    ("e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b", "2026-10-12T09:22:10.003Z", "Petugas Lowokwaru",
     {"learner_known": "tidak", "name": "Pak Joko Susilo", "kelurahan": "lowokwaru.dinoyo",
      "teacher_id": "d", "skill": "olahan-makanan", "date": "2026-10-12", "note": "belajar di rumah"}),
]
#: The zip: a later export of the same form — the four above, and one more.
CENTRAL_LATER = [
    *CENTRAL,
    ("0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", "2026-11-02T04:30:00.000Z", "Petugas Blimbing",
     {"learner_known": "ya", "learner_id": "b", "teacher_id": "ODK-7c1d2e3f", "skill": "batik",
      "date": "2026-11-01", "source": "pameran kelurahan"}),
]
KOBO = [
    ("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "2026-10-20T01:12:33", "petugas_sukun",
     {"learner_known": "tidak", "name": "Ibu Sri Lestari", "kelurahan": "sukun.bandulan",
      "business_name": "Kue Sri", "teacher_id": "s2", "skill": "olahan-makanan", "date": "2026-10-20"}),
    ("d4c3b2a1-f6e5-4d7c-8b9a-5f4e3d2c1b0a", "2026-10-21T05:48:02", "petugas_sukun",
     {"learner_known": "ya", "learner_id": "c", "teacher_id": "s2", "skill": "barista", "date": "2026-10-21",
      "source": "laporan pendamping", "note": "kopi tubruk"}),
]


def form_paths() -> list[tuple[str, ...]]:
    """The paths of the form's fields (its instance's leaves, in order), as pyxform converts it."""
    with tempfile.TemporaryDirectory() as folder:
        form = write_xlsform(Path(folder) / "catat-pengajaran.xlsx", list(BUILTIN_SKILLS), Gazetteer.kota_malang(),
                             VERSION)
        xform = convert(form).xform
    root = ET.fromstring(xform)
    data = next(i for i in root.iter("{http://www.w3.org/2002/xforms}instance") if i.get("id") is None)[0]
    paths: list[tuple[str, ...]] = []

    def walk(node: ET.Element, path: tuple[str, ...]) -> None:
        for child in node:
            name = child.tag.split("}", 1)[-1]
            if len(child):
                walk(child, (*path, name))
            else:
                paths.append((*path, name))

    walk(data, ())
    return paths


def _answers(uuid: str, answers: dict[str, str], skill_date: str) -> dict[tuple[str, ...], str]:
    """The submission's value of each field path."""
    found = {}
    for path in form_paths_cached():
        name = path[-1]
        if path == ("meta", "instanceID"):
            found[path] = f"uuid:{uuid}"
        elif path == ("meta", "instanceName"):
            found[path] = f"{answers['skill']} {answers['date']}"
        elif name == "start":
            found[path] = f"{skill_date}T09:58:40.000+07:00"
        elif name == "end":
            found[path] = f"{skill_date}T10:04:12.000+07:00"
        elif name in answers:
            found[path] = answers[name]
    return found


_PATHS: list[tuple[str, ...]] = []


def form_paths_cached() -> list[tuple[str, ...]]:
    if not _PATHS:
        _PATHS.extend(form_paths())
    return _PATHS


def central_csv(submissions: list) -> bytes:
    """ODK Central's CSV of the submissions table (groups joined with ``-``)."""
    paths = form_paths_cached()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["SubmissionDate", *("-".join(p) for p in paths), *CENTRAL_AFTER])
    for number, (uuid, received, submitter, answers) in enumerate(submissions, 1):
        values = _answers(uuid, answers, answers["date"])
        writer.writerow([received, *(values.get(p, "") for p in paths),
                         f"uuid:{uuid}", str(40 + number % 3), submitter, "0", "0", "", "", "collect:Xk2pQ9",
                         "0", VERSION])
    return out.getvalue().encode("utf-8")


def kobo_xlsx(submissions: list, path: Path) -> None:
    """KoboToolbox's XLSX export ("XML values and headers", group separator ``/``)."""
    paths = [p for p in form_paths_cached() if p != ("meta", "instanceName")]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Catat pengajaran - Record a te"  # the form's title, cut to Excel's 31 characters
    sheet.append([*("/".join(p) for p in paths), *KOBO_AFTER])
    for number, (uuid, received, submitter, answers) in enumerate(submissions, 1):
        values = _answers(uuid, answers, answers["date"])
        row = [values.get(p) for p in paths]
        row = [datetime.fromisoformat(v) if p[-1] == "date" and v else v for p, v in zip(paths, row)]
        sheet.append([*row, 310_000 + number, uuid, received, "", "", "submitted_via_web", submitter,
                      "vQmZ3b8sYxkPjN2aWc4RtE", "", number])
    workbook.save(path)


def odata(submissions: list) -> dict:
    """The OData feed of the submissions, shaped like ODK Central's (api.yaml "Data Document";
    the ``__system`` fields of lib/data/odata.js)."""
    value = []
    for number, (uuid, received, submitter, answers) in enumerate(submissions, 1):
        record: dict = {"__id": f"uuid:{uuid}"}
        values = _answers(uuid, answers, answers["date"])
        for path in form_paths_cached():  # in the form's order; a field left empty is null
            place = record
            for group in path[:-1]:
                place = place.setdefault(group, {})
            place[path[-1]] = values.get(path)
        record["__system"] = {
            "submissionDate": received, "updatedAt": None, "submitterId": str(40 + number % 3),
            "submitterName": submitter, "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
            "reviewState": None, "deviceId": "collect:Xk2pQ9", "edits": 0, "formVersion": VERSION, "deletedAt": None,
        }
        value.append(record)
    return {"@odata.context": f"https://central.example.org/v1/projects/3/forms/{FORM_ID}.svc/$metadata#Submissions",
            "value": value}


def main() -> None:
    (HERE / f"{FORM_ID}.csv").write_bytes(central_csv(CENTRAL))
    with zipfile.ZipFile(HERE / f"{FORM_ID}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        member = zipfile.ZipInfo(f"{FORM_ID}.csv", date_time=(2026, 11, 2, 11, 31, 0))  # the same bytes each time
        archive.writestr(member, central_csv(CENTRAL_LATER), zipfile.ZIP_DEFLATED)
    kobo_xlsx(KOBO, HERE / "Catat_pengajaran_-_all_versions_-_XML_values.xlsx")
    (HERE / "odata-submissions.json").write_text(json.dumps(odata(CENTRAL_LATER), indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
