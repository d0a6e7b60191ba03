"""The skill vocabulary: built-in skills, aliases, and name matching.

>>> v = SkillVocabulary.builtin()
>>> v.resolve("Membatik")
'batik'
>>> v.resolve("Olahan Makanan")
'olahan-makanan'
>>> v.resolve("batk")  # said in TULAR_LANG, Indonesian unless set
Traceback (most recent call last):
...
tular.graph.model.errors.UnknownSkill: keterampilan 'batk' tidak dikenal; maksudnya 'batik'? keterampilan yang ada: barista, batik, fesyen-muslim, home-decor, kemasan, legalitas-usaha, lukis-kain, olahan-makanan
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UnknownSkill, UsageError, said
from tular.graph.model.gazetteer import closest
from tular.graph.model.records import Skill

BUILTIN_SKILLS: tuple[Skill, ...] = (
    Skill(skill_id="batik", name_id="Batik", name_en="Batik",
          aliases=("membatik", "batik-tulis", "batik-cap")),
    Skill(skill_id="olahan-makanan", name_id="Olahan makanan lanjutan", name_en="Advanced food processing",
          aliases=("olahan-makanan-lanjutan", "pengolahan-makanan", "food-processing")),
    Skill(skill_id="fesyen-muslim", name_id="Fesyen muslim", name_en="Muslim fashion",
          aliases=("fashion-muslim", "busana-muslim", "muslim-fashion")),
    Skill(skill_id="home-decor", name_id="Dekorasi rumah (home decor)", name_en="Home decor",
          aliases=("homedecor", "dekorasi-rumah")),
    Skill(skill_id="lukis-kain", name_id="Lukis kain", name_en="Fabric painting",
          aliases=("melukis-kain", "fabric-painting")),
    Skill(skill_id="barista", name_id="Barista", name_en="Barista",
          aliases=("peracik-kopi",)),
    Skill(skill_id="kemasan", name_id="Kemasan (pengemasan produk)", name_en="Packaging",
          aliases=("packaging", "pengemasan")),
    Skill(skill_id="legalitas-usaha", name_id="Legalitas usaha", name_en="Business legality",
          aliases=("legalitas", "business-legality", "perizinan-usaha")),
)


def skill_key(name: str) -> str:
    """Case-insensitive, spaces or underscores read as hyphens: ``Olahan Makanan`` → ``olahan-makanan``."""
    return re.sub(r"[\s_\-]+", "-", name.strip().casefold()).strip("-")


class SkillVocabulary:
    def __init__(self, skills: Iterable[Skill]):
        self.skills = {s.skill_id: s for s in skills}
        self._keys: dict[str, str] = {}
        for s in self.skills.values():
            for key in (s.skill_id, *s.aliases):
                self._keys[skill_key(key)] = s.skill_id

    @classmethod
    def builtin(cls) -> SkillVocabulary:
        return cls(BUILTIN_SKILLS)

    @property
    def ids(self) -> list[str]:
        return sorted(self.skills)

    def resolve(self, name: str) -> str:
        """The skill id for a name or alias; :class:`UnknownSkill` (listing valid ones) otherwise."""
        found = self._keys.get(skill_key(name))
        if found is None:
            raise UnknownSkill(name, self.ids, closest(name, self._keys, skill_key))
        return found

    def check_new(self, skill: Skill) -> None:
        """Refuse a new skill or alias that would make an existing name ambiguous."""
        for key in (skill.skill_id, *skill.aliases):
            owner = self._keys.get(skill_key(key))
            if owner is not None and owner != skill.skill_id:
                raise said(UsageError, N_("error.name_taken"), {"name": key, "skill": owner})
