"""The phone form for recording teachings (SPEC §13, ``tular template --xlsform``).

An XLSForm — the ``survey``, ``choices`` and ``settings`` sheets that ODK Collect and
KoboCollect read once ODK Central or KoboToolbox has converted it (with ``pyxform``) — in
Indonesian (the default language) and English, every text from the catalogue (``form.*``,
:mod:`tular.graph.model.catalogue`). The learner and the teacher are picked by
name from the IKM register, ``ikm.csv``, that ``tular export --format odk-register`` writes
and that is uploaded with the form (``select_one_from_file``: the form stores the ``name``
column, the ikm_id); an IKM not in it is recorded in the new-learner group (name, kelurahan,
business name), which the importer gives the id ``ODK-`` + the first 8 hex digits of the
submission's instance uuid. The skills and the kelurahan are the form's own choices, so a
form is made again after ``tular skills add``; its ``version`` (year to minute) tells
the servers which form is newer.

Pure: skills and gazetteer in, workbook out.

>>> rows = survey_rows()
>>> [(r["type"], r["name"]) for r in rows if r["type"].startswith("select_one")]  # doctest: +NORMALIZE_WHITESPACE
[('select_one yes_no', 'learner_known'), ('select_one_from_file ikm.csv', 'learner_id'),
 ('select_one kelurahan', 'kelurahan'), ('select_one_from_file ikm.csv', 'teacher_id'),
 ('select_one skill', 'skill')]
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tular.graph.io.files import save_workbook
from tular.graph.model.catalogue import N_, Messages
from tular.graph.model.errors import UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Skill

FORM_ID = "tular_catat_pengajaran"
#: The register the form picks IKM from: the media file uploaded beside the form.
REGISTER_FILE = "ikm.csv"
#: XLSForm language names: "Name (code)", so that the servers know the language's code.
FORM_LANGUAGES = {"id": "Indonesian (id)", "en": "English (en)"}
DEFAULT_LANGUAGE = FORM_LANGUAGES["id"]
#: The group whose name prefixes the teaching's fields in submission exports
#: (``pengajaran/teacher_id`` on KoboToolbox, ``pengajaran-teacher_id`` on ODK Central).
TEACHING_GROUP = "pengajaran"
NEW_IKM_GROUP = "ikm_baru"
YES, NO = "ya", "tidak"
#: Columns whose text is translated: each becomes ``column::Indonesian (id)`` and ``column::English (en)``.
TRANSLATED = ("label", "hint", "constraint_message", "required_message")
SURVEY_COLUMNS = ("type", "name", *TRANSLATED, "required", "relevant", "constraint", "appearance")
#: A list of 13,000 names is searched, not scrolled (ODK Collect and Enketo: a text box filters the list).
SEARCHABLE = "autocomplete"


def form_version(moment: datetime) -> str:
    """The form's version: when it was written, ``yyyymmddHHMM`` — a newer form sorts after.

    >>> form_version(datetime(2026, 12, 5, 9, 41))
    '202612050941'
    """
    return moment.strftime("%Y%m%d%H%M")


def _texts(**columns: str) -> dict[str, dict[str, str]]:
    """``label=N_("form.x")`` → ``{"label": {"id": …, "en": …}}`` from the catalogue."""
    texts = {lang: Messages(lang) for lang in FORM_LANGUAGES}
    return {column: {lang: texts[lang].t(key) for lang in FORM_LANGUAGES} for column, key in columns.items()}


def _question(type_: str, name: str, required: bool = False, **rest: str) -> dict:
    row: dict = {"type": type_, "name": name}
    texts = {k: v for k, v in rest.items() if k in TRANSLATED}
    if required:
        texts["required_message"] = N_("form.required")
    row.update(_texts(**texts))
    row.update({k: v for k, v in rest.items() if k not in TRANSLATED})
    if required:
        row["required"] = "yes"
    return row


def survey_rows() -> list[dict]:
    """The questions, in order. A row's translated columns hold ``{lang: text}``."""
    known, unknown = f"${{learner_known}} = '{YES}'", f"${{learner_known}} = '{NO}'"
    register = f"select_one_from_file {REGISTER_FILE}"
    return [
        # kept by both servers; the importer drops them with the other metadata columns
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        _question("begin_group", TEACHING_GROUP, label=N_("form.teaching")),
        _question("select_one yes_no", "learner_known", required=True, label=N_("form.learner_known"),
                  hint=N_("form.learner_known_hint")),
        _question(register, "learner_id", required=True, label=N_("form.learner_id"), hint=N_("form.search_hint"),
                  relevant=known, appearance=SEARCHABLE),
        _question("begin_group", NEW_IKM_GROUP, label=N_("form.new_ikm"), relevant=unknown),
        _question("text", "name", required=True, label=N_("form.name")),
        _question("select_one kelurahan", "kelurahan", required=True, label=N_("form.kelurahan"),
                  appearance=f"minimal {SEARCHABLE}"),
        _question("text", "business_name", label=N_("form.business_name")),
        {"type": "end_group", "name": ""},
        _question(register, "teacher_id", required=True, label=N_("form.teacher_id"), hint=N_("form.search_hint"),
                  appearance=SEARCHABLE, constraint=". != ${learner_id}",
                  constraint_message=N_("form.teacher_not_learner")),
        _question("select_one skill", "skill", required=True, label=N_("form.skill")),
        _question("date", "date", required=True, label=N_("form.date"), hint=N_("form.date_hint"),
                  constraint=". <= today()", constraint_message=N_("form.no_future_date")),
        _question("text", "source", label=N_("form.source"), hint=N_("form.source_hint")),
        _question("text", "note", label=N_("form.note"), appearance="multiline"),
        {"type": "end_group", "name": ""},
    ]


def choice_rows(skills: list[Skill], gazetteer: Gazetteer) -> list[dict]:
    """The lists: yes/no, every skill (by id; its names as labels), every kelurahan (by code,
    so that two kelurahan of one name in two kecamatan stay apart; ``Name (Kecamatan)``)."""
    rows = [{"list_name": "yes_no", "name": YES, "label": _texts(label=N_("form.yes"))["label"]},
            {"list_name": "yes_no", "name": NO, "label": _texts(label=N_("form.no"))["label"]}]
    rows += [{"list_name": "skill", "name": s.skill_id, "label": {"id": s.name_id, "en": s.name_en}}
             for s in sorted(skills, key=lambda s: s.name_id.casefold())]
    for kelurahan in sorted(gazetteer.kelurahan_list, key=lambda k: (k.name.casefold(), k.code)):
        shown = f"{kelurahan.name} ({gazetteer.kecamatan_of(kelurahan.code).name})"
        rows.append({"list_name": "kelurahan", "name": kelurahan.code, "label": {"id": shown, "en": shown}})
    return rows


def settings_row(version: str) -> dict[str, str]:
    title = " / ".join(Messages(lang).t("form.title") for lang in FORM_LANGUAGES)
    return {"form_title": f"{title} (tular)",
            "form_id": FORM_ID, "version": version, "default_language": DEFAULT_LANGUAGE,
            "instance_name": "concat(${skill}, ' ', ${date})"}


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title)
    header = [f"{c}::{FORM_LANGUAGES[lang]}" if c in TRANSLATED else c
              for c in columns for lang in (FORM_LANGUAGES if c in TRANSLATED else (None,))]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column)
            if column in TRANSLATED:
                values += [(value or {}).get(lang) for lang in FORM_LANGUAGES]
            else:
                values.append(value or None)
        sheet.append(values)
    sheet.freeze_panes = "A2"
    for index in range(1, len(header) + 1):  # type and name narrow, texts and expressions wide
        sheet.column_dimensions[get_column_letter(index)].width = {1: 30, 2: 18}.get(index, 34)


def xlsform_workbook(skills: list[Skill], gazetteer: Gazetteer, version: str) -> Workbook:
    """The form as an openpyxl workbook: ``survey``, ``choices``, ``settings``."""
    if not skills:
        raise said(UsageError, N_("xlsform.no_skills"))
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, survey_rows())
    _sheet(workbook, "choices", ("list_name", "name", "label"), choice_rows(skills, gazetteer))
    settings = settings_row(version)
    _sheet(workbook, "settings", tuple(settings), [settings])
    return workbook


def write_xlsform(path: str | os.PathLike[str], skills: list[Skill], gazetteer: Gazetteer, version: str) -> Path:
    """Write the form to ``path`` (an ``.xlsx`` file); nothing is left behind on failure."""
    return save_workbook(path, xlsform_workbook(skills, gazetteer, version), N_("files.what_form"))
