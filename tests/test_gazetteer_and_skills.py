from __future__ import annotations

import pytest

from tular.graph.model.errors import UnknownArea, UnknownSkill, UsageError, text_of
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.skills import SkillVocabulary

MALANG = Gazetteer.kota_malang()


def test_kota_malang_has_5_kecamatan_and_57_kelurahan():
    assert len(MALANG.kecamatan_list) == 5
    assert len(MALANG.kelurahan_list) == 57
    per_kecamatan = {k.name: sum(1 for kel in MALANG.kelurahan_list if kel.kecamatan_code == k.code)
                     for k in MALANG.kecamatan_list}
    assert per_kecamatan == {"Blimbing": 11, "Kedungkandang": 12, "Klojen": 11, "Lowokwaru": 12, "Sukun": 11}


@pytest.mark.parametrize("written, name", [
    ("Bunul Rejo", "Bunulrejo"), ("BUNULREJO", "Bunulrejo"), ("sumber sari", "Sumbersari"),
    ("Ksatrian", "Kesatrian"), ("Rampal Claket", "Rampal Celaket"), ("Oro Oro Dowo", "Oro-oro Dowo"),
    ("oro-oro dowo", "Oro-oro Dowo"), ("  Tlogo mas ", "Tlogomas"),
])
def test_forgiving_kelurahan_names(written, name):
    assert MALANG.kelurahan(written).name == name


@pytest.mark.usefixtures("english")
def test_near_miss_is_rejected_with_the_closest_name():
    with pytest.raises(UnknownArea) as info:
        MALANG.kelurahan("Bunul Rejoo")
    assert info.value.suggestion == "Bunulrejo"
    assert "did you mean 'Bunulrejo'" in str(info.value)


def test_unknown_names_are_said_in_indonesian_by_default_and_in_english_on_request(monkeypatch):
    monkeypatch.delenv("TULAR_LANG", raising=False)
    with pytest.raises(UnknownArea) as area:
        MALANG.kelurahan("Bunul Rejoo")
    with pytest.raises(UnknownSkill) as skill:
        SkillVocabulary.builtin().resolve("batk")
    with pytest.raises(UsageError) as ambiguous:
        Gazetteer.from_csv_text("Kecamatan,Kelurahan\nBatu,Ngaglik\nJunrejo,Ngaglik\n").kelurahan("Ngaglik")
    assert str(area.value) == "kelurahan 'Bunul Rejoo' tidak dikenal; maksudnya 'Bunulrejo'?"
    assert str(skill.value).startswith("keterampilan 'batk' tidak dikenal; maksudnya 'batik'? keterampilan yang ada:")
    assert str(ambiguous.value) == "kelurahan 'Ngaglik' ada di beberapa kecamatan (Batu, Junrejo); sebutkan juga kecamatannya"
    assert text_of(area.value, "en") == "unknown kelurahan 'Bunul Rejoo'; did you mean 'Bunulrejo'?"
    assert text_of(skill.value, "en").startswith("unknown skill 'batk'; did you mean 'batik'? valid skills:")


def test_far_miss_has_no_suggestion():
    with pytest.raises(UnknownArea) as info:
        MALANG.kelurahan("Menteng")
    assert info.value.suggestion is None


def test_kelurahan_in_the_wrong_kecamatan_is_rejected():
    assert MALANG.kelurahan("Blimbing", kecamatan="Blimbing").code == "blimbing.blimbing"
    with pytest.raises(UnknownArea, match="Bunulrejo"):
        MALANG.kelurahan("Bunulrejo", kecamatan="Sukun")


@pytest.mark.usefixtures("english")
def test_other_regions_load_from_csv_and_same_names_need_a_kecamatan():
    g = Gazetteer.from_csv_text("\ufeffKecamatan,Kelurahan\nBatu,Sisir\nBatu,Ngaglik\nJunrejo,Ngaglik\n")
    assert g.kelurahan("sisir").code == "batu.sisir"
    with pytest.raises(UsageError, match="several kecamatan"):
        g.kelurahan("Ngaglik")
    assert g.kelurahan("Ngaglik", kecamatan="Junrejo").code == "junrejo.ngaglik"


@pytest.mark.parametrize("written, skill", [
    ("Membatik", "batik"), ("batik", "batik"), ("Olahan Makanan", "olahan-makanan"), ("olahan_makanan", "olahan-makanan"),
    ("Home Decor", "home-decor"), ("PACKAGING", "kemasan"), ("legalitas", "legalitas-usaha"),
])
def test_skill_names_and_aliases(written, skill):
    assert SkillVocabulary.builtin().resolve(written) == skill


def test_unknown_skill_lists_the_valid_ones():
    with pytest.raises(UnknownSkill) as info:
        SkillVocabulary.builtin().resolve("tari jaipong")
    assert "barista" in str(info.value) and "legalitas-usaha" in str(info.value)
