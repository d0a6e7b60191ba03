"""Field collection (SPEC §13): the phone form (``tular template --xlsform``), converted by
pyxform as ODK Central and KoboToolbox convert it, and its IKM list (``tular export --format
odk-register``): contents, privacy, the kelurahan filter, and who may download it."""

from __future__ import annotations

import csv
import doctest
import io
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pyxform.xls2xform import convert

from tular.graph.admin import api_keys as keys
from tular.graph.admin.erasure import forget
from tular.graph.io import xlsform
from tular.graph.io.export import REGISTER_COLUMNS, export_store, odk_register
from tular.graph.io.readers import unneutralise
from tular.graph.io.xlsform import FORM_ID, FORM_LANGUAGES, form_version, survey_rows, write_xlsform
from tular.graph.model.catalogue import every_text
from tular.graph.model.errors import UnknownArea, UsageError
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import Records, Skill
from tular.graph.model.settings import Settings
from tular.graph.model.skills import BUILTIN_SKILLS
from tular.graph.store import GraphStore
from tular.service.app import create_app

from .factories import BUNULREJO, DINOYO, KESATRIAN, ikm, small_batik_program

VERSION = form_version(datetime(2026, 12, 5, 9, 41))
XF = {"xf": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
ID_LANG, EN_LANG = FORM_LANGUAGES["id"], FORM_LANGUAGES["en"]
PHONE = "081234567890"
MESSAGES = every_text()


def tular(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                          timeout=120, cwd=tempfile.mkdtemp(prefix="tular-odk-"))


def test_doctests_pass():
    assert doctest.testmod(xlsform).failed == 0


# ------------------------------------------------------------------------------ the form
@pytest.fixture
def form(store: GraphStore, tmp_path: Path) -> Path:
    """The form of a store that knows one more skill than the built-in ones."""
    store.add_skill(Skill(skill_id="anyaman-bambu", name_id="Anyaman bambu", name_en="Bamboo weaving"))
    return write_xlsform(tmp_path / "catat-pengajaran.xlsx", store.skills(), store.gazetteer(), VERSION)


@pytest.fixture
def converted(form: Path):
    return convert(form)


def parsed(converted) -> ET.Element:
    return ET.fromstring(converted.xform)


def translations(root: ET.Element) -> dict[str, dict[str, str]]:
    """Language → text id → text."""
    found = {}
    for translation in root.iter(f"{{{XF['xf']}}}translation"):
        found[translation.get("lang")] = {text.get("id"): "".join(text.find("xf:value", XF).itertext())
                                          for text in translation.findall("xf:text", XF)}
    return found


def choices(root: ET.Element, list_name: str) -> dict[str, dict[str, str]]:
    """The choices of ``list_name``: name → language → label."""
    texts = translations(root)
    instance = next(i for i in root.iter(f"{{{XF['xf']}}}instance") if i.get("id") == list_name)
    return {item.find("xf:name", XF).text: {lang: texts[lang][item.find("xf:itextId", XF).text] for lang in texts}
            for item in instance.iter(f"{{{XF['xf']}}}item")}


def binds(root: ET.Element) -> dict[str, dict[str, str]]:
    return {b.get("nodeset"): dict(b.attrib) for b in root.iter(f"{{{XF['xf']}}}bind")}


def test_the_form_converts_with_pyxform_without_warnings(converted):
    assert converted.warnings == []
    assert parsed(converted).find(".//h:title", XF).text == "Catat pengajaran / Record a teaching (tular)"


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate (shipped with pyxform) needs Java")
def test_odk_validate_accepts_the_form(form: Path):
    """ODK Validate parses the form with JavaRosa, the engine of ODK Collect."""
    assert convert(form, validate=True).warnings == []


def test_the_form_has_indonesian_by_default_and_english(converted):
    root = parsed(converted)
    languages = {t.get("lang"): t.get("default") for t in root.iter(f"{{{XF['xf']}}}translation")}
    assert languages == {ID_LANG: "true()", EN_LANG: None}
    texts = translations(root)
    assert set(texts[ID_LANG]) == set(texts[EN_LANG])
    for key in ("form.learner_id", "form.teacher_id", "form.no_future_date", "form.new_ikm", "form.required"):
        assert MESSAGES["id"][key] in texts[ID_LANG].values() and MESSAGES["en"][key] in texts[EN_LANG].values()


def test_the_form_carries_its_id_and_version(converted, form: Path):
    data = parsed(converted).find(".//xf:instance/xf:data", XF)
    assert (data.get("id"), data.get("version")) == (FORM_ID, VERSION) and VERSION == "202612050941"
    settings = openpyxl.load_workbook(form)["settings"]
    header = [c.value for c in settings[1]]
    row = dict(zip(header, [c.value for c in settings[2]]))
    assert {"form_id", "form_title", "version", "default_language"} <= set(row)
    assert row["default_language"] == ID_LANG and row["version"] == VERSION


def test_learner_and_teacher_are_searched_in_the_ikm_register(converted):
    root = parsed(converted)
    instances = {i.get("id"): i.get("src") for i in root.iter(f"{{{XF['xf']}}}instance") if i.get("id")}
    assert instances["ikm"] == "jr://file-csv/ikm.csv"
    selects = {s.get("ref").rsplit("/", 1)[1]: s for s in root.iter(f"{{{XF['xf']}}}select1")}
    for field in ("learner_id", "teacher_id"):
        select = selects[field]
        assert select.get("appearance") == "autocomplete"
        itemset = select.find("xf:itemset", XF)
        assert itemset.get("nodeset") == "instance('ikm')/root/item"
        assert (itemset.find("xf:value", XF).get("ref"), itemset.find("xf:label", XF).get("ref")) == ("name", "label")
    assert ". != " in binds(root)["/data/pengajaran/teacher_id"]["constraint"]


def test_the_date_is_required_and_never_in_the_future(converted):
    bind = binds(parsed(converted))["/data/pengajaran/date"]
    assert (bind["type"], bind["required"], bind["constraint"]) == ("date", "true()", ". <= today()")


def test_the_new_learner_section_shows_only_for_a_learner_not_in_the_register(converted):
    found = binds(parsed(converted))
    assert found["/data/pengajaran/learner_id"]["relevant"].split() == ["/data/pengajaran/learner_known", "=", "'ya'"]
    assert found["/data/pengajaran/ikm_baru"]["relevant"].split() == ["/data/pengajaran/learner_known", "=",
                                                                     "'tidak'"]
    for field in ("name", "kelurahan"):
        assert found[f"/data/pengajaran/ikm_baru/{field}"]["required"] == "true()"
    assert "required" not in found["/data/pengajaran/ikm_baru/business_name"]


def test_every_skill_of_the_store_and_every_kelurahan_are_choices(store: GraphStore, converted):
    root = parsed(converted)
    skills = choices(root, "skill")
    assert set(skills) == {s.skill_id for s in store.skills()} and "anyaman-bambu" in skills
    assert skills["anyaman-bambu"] == {ID_LANG: "Anyaman bambu", EN_LANG: "Bamboo weaving"}
    kelurahan = choices(root, "kelurahan")
    gazetteer = store.gazetteer()
    assert len(kelurahan) == len(gazetteer.kelurahan_list) == 57
    assert kelurahan[BUNULREJO][ID_LANG] == "Bunulrejo (Blimbing)"
    # the importer reads the stored value (the code) back through the gazetteer
    assert all(gazetteer.kelurahan(code).code == code for code in kelurahan)


def test_the_teaching_fields_are_named_as_the_teachings_columns():
    """Group prefixes stripped, an export's columns are the import's (SPEC §4 teachings and ikm)."""
    names = [row["name"] for row in survey_rows() if row["type"] not in ("begin_group", "end_group", "start", "end")]
    assert names == ["learner_known", "learner_id", "name", "kelurahan", "business_name", "teacher_id", "skill",
                     "date", "source", "note"]


@pytest.mark.usefixtures("english")
def test_a_form_needs_a_xlsx_name_and_skills(tmp_path: Path):
    gazetteer = Gazetteer.kota_malang()
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_xlsform(tmp_path / "form.csv", list(BUILTIN_SKILLS), gazetteer, VERSION)
    with pytest.raises(UsageError, match="no skills"):
        write_xlsform(tmp_path / "form.xlsx", [], gazetteer, VERSION)
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_the_form(store: GraphStore, tmp_path: Path):
    result = tular("template", "--xlsform", "-o", str(tmp_path / "catat-pengajaran.xlsx"), db=store.display_url)
    assert result.returncode == 0, result.stderr
    assert "catat-pengajaran.xlsx" in result.stdout and "odk-register" in result.stdout
    written = convert(tmp_path / "catat-pengajaran.xlsx")
    assert written.warnings == []
    version = parsed(written).find(".//xf:instance/xf:data", XF).get("version")
    assert len(version) == 12 and version.isdigit() and version[:4] >= "2026"
    assert openpyxl.load_workbook(tmp_path / "catat-pengajaran.xlsx").sheetnames == ["survey", "choices", "settings"]


# ------------------------------------------------------------------------------ the register
@pytest.fixture
def people(store: GraphStore) -> GraphStore:
    """Five IKM with phones in three kelurahan, one of them erased, one whose name is a formula."""
    store.write(Records(ikm=[
        ikm("IKM-1", BUNULREJO, name="Siti Aminah", phone=PHONE, business_name="Batik Siti"),
        ikm("IKM-2", BUNULREJO, name="=HYPERLINK(\"http://x\")", phone="0811000"),
        ikm("IKM-3", DINOYO, name="Budi", phone="0811111"),
        ikm("IKM-4", KESATRIAN, name="Ani Lestari", phone="0811222"),
        ikm("IKM-5", BUNULREJO, name="Rahayu", phone="0811333"),
    ]))
    forget(store, "IKM-5", "test")
    return store


def read_register(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_register_lists_id_name_and_kelurahan_never_phones_nor_erased(people: GraphStore, tmp_path: Path):
    result = export_store(people, tmp_path / "ikm.csv", "odk-register")
    assert result.counts == {"ikm": 4}
    text = (tmp_path / "ikm.csv").read_text("utf-8")
    assert not text.startswith("\ufeff")  # ODK Collect reads the header as it is
    rows = read_register(text)
    assert list(rows[0]) == list(REGISTER_COLUMNS) == ["name", "label", "kelurahan"]
    by_id = {unneutralise(r["name"]): r for r in rows}
    assert by_id["IKM-1"] == {"name": "IKM-1", "label": "Siti Aminah (Bunulrejo)", "kelurahan": "Bunulrejo"}
    assert by_id["IKM-4"]["label"] == "Ani Lestari (Kesatrian)"
    assert "IKM-5" not in by_id and "Rahayu" not in text and "Dihapus" not in text
    for secret in (PHONE, "0811000", "0811111", "0811222", "Batik Siti"):
        assert secret not in text
    # a value a spreadsheet would run is written with the leading ' of every CSV export
    assert by_id["IKM-2"]["label"] == "'=HYPERLINK(\"http://x\") (Bunulrejo)"


def test_the_register_of_one_officers_kelurahan(people: GraphStore, tmp_path: Path):
    assert [r[0] for r in odk_register(people, "bunul rejo")] == ["IKM-2", "IKM-1"]  # by label: "=" before "S"
    assert [r[0] for r in odk_register(people, "Dinoyo")] == ["IKM-3"]
    with pytest.raises(UnknownArea, match="Bunulrejo"):
        odk_register(people, "Bunul Rejoo")  # never silently corrected: the closest name is suggested
    with pytest.raises(UsageError, match="odk-register"):
        export_store(people, tmp_path / "all.xlsx", "xlsx", kelurahan="Dinoyo")


def test_two_people_of_one_name_in_one_kelurahan_can_be_told_apart(store: GraphStore):
    store.write(Records(ikm=[ikm("A-1", DINOYO, name="Sri"), ikm("A-2", DINOYO, name="Sri"),
                             ikm("A-3", BUNULREJO, name="Sri")]))
    labels = {row[0]: row[1] for row in odk_register(store)}
    assert labels == {"A-1": "Sri (Dinoyo) · A-1", "A-2": "Sri (Dinoyo) · A-2", "A-3": "Sri (Bunulrejo)"}


def test_the_export_command_writes_the_register(people: GraphStore, tmp_path: Path):
    target = tmp_path / "ikm.csv"
    result = tular("--lang", "en", "export", "--format", "odk-register", "--kelurahan", "Bunulrejo", "-o",
                   str(target), db=people.display_url)
    assert result.returncode == 0, result.stderr
    assert "no phone numbers" in " ".join(result.stdout.split())
    assert [unneutralise(r["name"]) for r in read_register(target.read_text("utf-8"))] == ["IKM-2", "IKM-1"]
    wrong = tular("export", "--format", "odk-register", "--kelurahan", "Bunul Rejoo", "-o", str(target),
                  db=people.display_url)
    assert wrong.returncode == 2 and "Bunulrejo" in wrong.stderr


# ------------------------------------------------------------------------------ API and web: editors only
class Browser:
    """A TestClient with a person's cookies, signing in on the sign-in form as in tests/test_web.py."""

    def __init__(self, client: TestClient, made: dict[str, str]):
        self.client, self.keys = client, made

    def sign_in(self, role: str) -> None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get("/masuk").text).group(1)
        signed = self.client.post("/masuk", data={"api_key": self.keys[role], "csrf_token": token, "next": "/"},
                                  follow_redirects=False)
        assert signed.status_code == 303


@pytest.fixture
def web(store: GraphStore) -> Iterator[Browser]:
    store.write(small_batik_program())
    store.write(Records(ikm=[ikm("k-1", DINOYO, name="Kopi Tugu", phone=PHONE)]))
    made = {role: keys.create_key(store, role, f"Bu {role}")[0] for role in ("viewer", "editor", "admin")}
    with TestClient(create_app(Settings(public_read=True), store=store)) as client:
        yield Browser(client, made)


def test_the_api_gives_the_register_to_editors_only(web: Browser):
    url = "/api/v1/exports/odk-register"
    assert web.client.get(url).status_code == 401  # public read is aggregates only
    assert web.client.get(url, headers={"X-API-Key": web.keys["viewer"]}).status_code == 403
    answer = web.client.get(url, params={"kelurahan": "Dinoyo"}, headers={"X-API-Key": web.keys["editor"]})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="ikm.csv"' in answer.headers["content-disposition"]
    assert read_register(answer.text) == [{"name": "d", "label": "Ibu d (Dinoyo)", "kelurahan": "Dinoyo"},
                                          {"name": "k-1", "label": "Kopi Tugu (Dinoyo)", "kelurahan": "Dinoyo"}]
    assert PHONE not in answer.text
    wrong = web.client.get(url, params={"kelurahan": "Dinoyoo"}, headers={"X-API-Key": web.keys["admin"]})
    assert wrong.status_code == 422 and "Dinoyo" in wrong.json()["detail"]


def test_the_export_page_is_for_editors(web: Browser):
    assert web.client.get("/ekspor", follow_redirects=False).headers["location"] == "/masuk?next=%2Fekspor"
    web.sign_in("viewer")
    assert web.client.get("/ekspor").status_code == 403
    assert web.client.get("/ekspor/ikm.csv").status_code == 403
    assert MESSAGES["id"]["web.nav_export"] not in web.client.get("/").text
    web.sign_in("editor")
    page = web.client.get("/ekspor")
    assert page.status_code == 200 and MESSAGES["id"]["web.odk_register_title"] in page.text
    areas = page.text[page.text.index('<select id="kelurahan"'):]
    areas = areas[:areas.index("</select>")]  # the page also offers the store's export formats
    assert f'<option value="{DINOYO}">Dinoyo</option>' in areas and areas.count("<option value=\"") == 58
    everyone = web.client.get("/ekspor/ikm.csv", params={"kelurahan": ""})
    assert everyone.status_code == 200 and len(read_register(everyone.text)) == 8
    dinoyo = web.client.get("/ekspor/ikm.csv", params={"kelurahan": DINOYO})
    assert [r["name"] for r in read_register(dinoyo.text)] == ["d", "k-1"] and PHONE not in dinoyo.text
