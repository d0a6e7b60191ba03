"""Kecamatan and kelurahan of a region, with forgiving name matching.

Names match case-, space- and punctuation-insensitively (``Bunul Rejo`` is
``Bunulrejo``) and through known variant spellings (``Ksatrian`` is ``Kesatrian``).
Anything else is an error that suggests the closest name; nothing is silently corrected.

>>> g = Gazetteer.kota_malang()
>>> g.kelurahan("bunul rejo").name
'Bunulrejo'
>>> g.kelurahan("Ksatrian").name
'Kesatrian'
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import AmbiguousKelurahan, UnknownArea, UsageError, said
from tular.graph.model.records import Kecamatan, Kelurahan


def normalise(name: str) -> str:
    """The matching key of a place name: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", name.casefold())


def closest(name: str, choices: dict[str, str], key: Callable[[str], str]) -> str | None:
    """The choice whose key is nearest to ``key(name)`` (difflib, at least 60 % alike), or None:
    the suggestion of an unknown kelurahan and of an unknown skill.

    >>> closest("Bunul Rejoo", {"bunulrejo": "Bunulrejo", "sumbersari": "Sumbersari"}, normalise)
    'Bunulrejo'
    """
    match = difflib.get_close_matches(key(name), list(choices), n=1, cutoff=0.6)
    return choices[match[0]] if match else None


def slug(name: str) -> str:
    return re.sub(r"[\W_]+", "-", name.casefold()).strip("-")


class Gazetteer:
    def __init__(self, kecamatan: Iterable[Kecamatan], kelurahan: Iterable[Kelurahan]):
        self.kecamatan_list = sorted(kecamatan, key=lambda k: k.name)
        self.kelurahan_list = sorted(kelurahan, key=lambda k: (k.kecamatan_code, k.name))
        self._kec_by_code = {k.code: k for k in self.kecamatan_list}
        self._kel_by_code = {k.code: k for k in self.kelurahan_list}
        self._kec_keys = {normalise(k.name): k for k in self.kecamatan_list}
        self._kel_keys: dict[str, list[Kelurahan]] = {}
        for kel in self.kelurahan_list:
            for key in {normalise(kel.name), *(normalise(a) for a in kel.aliases)}:
                bucket = self._kel_keys.setdefault(key, [])
                if kel not in bucket:
                    bucket.append(kel)

    # ----------------------------------------------------------------- loading
    @classmethod
    @cache
    def kota_malang(cls) -> Gazetteer:
        """The gazetteer shipped with tular: Kota Malang, 5 kecamatan, 57 kelurahan."""
        text = resources.files("tular.graph").joinpath("data/kota_malang.csv").read_text("utf-8")
        return cls.from_csv_text(text)

    @classmethod
    def from_csv_text(cls, text: str, source: str = "gazetteer") -> Gazetteer:
        """Read ``kecamatan,kelurahan[,code[,aliases]]`` rows (aliases separated by ``|``)."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        fields = {f.strip().casefold() for f in reader.fieldnames or []}
        if not {"kecamatan", "kelurahan"} <= fields:
            raise said(UsageError, N_("error.gazetteer_columns"), {"source": source})
        kecamatan: dict[str, Kecamatan] = {}
        kelurahan: dict[str, Kelurahan] = {}
        for line, raw in enumerate(reader, start=2):
            row = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
            kec_name, kel_name = row.get("kecamatan", ""), row.get("kelurahan", "")
            if not kec_name or not kel_name:
                raise said(UsageError, N_("error.gazetteer_empty"), {"source": source, "line": line})
            kec = kecamatan.setdefault(normalise(kec_name), Kecamatan(code=slug(kec_name), name=kec_name))
            code = row.get("code") or f"{kec.code}.{slug(kel_name)}"
            if code in kelurahan:
                raise said(UsageError, N_("error.gazetteer_code_twice"), {"source": source, "line": line, "code": code})
            aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
            kelurahan[code] = Kelurahan(code=code, name=kel_name, kecamatan_code=kec.code, aliases=aliases)
        return cls(kecamatan.values(), kelurahan.values())

    # ---------------------------------------------------------------- matching
    def kecamatan(self, name: str) -> Kecamatan:
        found = self._kec_keys.get(normalise(name)) or self._kec_by_code.get(name)
        if found is None:
            raise UnknownArea("kecamatan", name, self._closest(name, [k.name for k in self.kecamatan_list]))
        return found

    def kelurahan(self, name: str, kecamatan: str | None = None) -> Kelurahan:
        """The kelurahan called ``name`` (or with that code), in ``kecamatan`` if given."""
        if name in self._kel_by_code:
            return self._kel_by_code[name]
        candidates = self._kel_keys.get(normalise(name), [])
        if kecamatan:
            kec = self.kecamatan(kecamatan)
            in_kec = [k for k in candidates if k.kecamatan_code == kec.code]
            if not in_kec and candidates:
                raise UnknownArea(
                    "kelurahan", f"{name} (kecamatan {kec.name})",
                    f"{candidates[0].name} (kecamatan {self._kec_by_code[candidates[0].kecamatan_code].name})",
                )
            candidates = in_kec
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise AmbiguousKelurahan(name, [self._kec_by_code[k.kecamatan_code].name for k in candidates])
        pool = self.kelurahan_list
        if kecamatan:
            pool = [k for k in pool if k.kecamatan_code == self.kecamatan(kecamatan).code]
        raise UnknownArea("kelurahan", name, self._closest(name, [k.name for k in pool]))

    def kecamatan_of(self, kelurahan_code: str) -> Kecamatan:
        return self._kec_by_code[self._kel_by_code[kelurahan_code].kecamatan_code]

    def by_code(self, kelurahan_code: str) -> Kelurahan:
        return self._kel_by_code[kelurahan_code]

    @staticmethod
    def _closest(name: str, names: list[str]) -> str | None:
        return closest(name, {normalise(n): n for n in names}, normalise)
