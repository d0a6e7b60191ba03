"""The synthetic Kota Malang of ``tular demo``: 13,000 IKM, about 400 trainees, and how
their skills spread.

Everything is made from one ``random.Random(seed)`` and fixed dates, so the same seed
always gives the same records (no clock, no global RNG, no set iteration order). The data
set tells the stories of SPEC §1 — the 2020 batik workshop (one mother per kelurahan, two
in Bunulrejo, whose batik reached more than twenty neighbours who now exhibit), the 2021
programme for workers laid off by cigarette factories, smaller follow-up batches up to
2025 — and plants what an evaluator must be able to find: dead seeds, stalled lineages,
orphan fragments, a learner with two teachers, a seed taught by another seed, an edge
dated before its teacher learned, probable duplicate persons.

>>> records = build_demo()
>>> len(records.ikm), len({i.kelurahan_code for i in records.ikm})
(13000, 57)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from tular.graph.model.gazetteer import Gazetteer, normalise
from tular.graph.model.records import IKM, Attendance, Outcome, Records, Teaching, Training

DEMO_SEED = 2020
#: The last date of the data set: no training, teaching or registration after it.
DEMO_AS_OF = date(2026, 10, 31)
DEMO_IKM_COUNT = 13_000
BUNULREJO = "blimbing.bunulrejo"
BATIK_WORKSHOP_2020 = "TR-2020-BATIK"
#: The five skills of the 2021 programme for laid-off cigarette-factory workers.
PHK_2021_SKILLS = ("olahan-makanan", "fesyen-muslim", "home-decor", "lukis-kain", "barista")
DISKOPINDAG = "Diskopindag Kota Malang"

# ----------------------------------------------------------------------------- names
FEMALE_GIVEN = (
    "Sri", "Siti", "Endang", "Sumiati", "Suharti", "Suwarni", "Tutik", "Yuli", "Yuni", "Dwi", "Tri", "Eka",
    "Nur", "Rina", "Ratna", "Dewi", "Ani", "Ida", "Lilik", "Ninik", "Umi", "Rini", "Wiwik", "Titik", "Anik",
    "Lusi", "Novi", "Fitri", "Indah", "Ayu", "Putri", "Kartini", "Murni", "Sulastri", "Suparmi", "Jumiati",
    "Rukmini", "Heni", "Erna", "Evi", "Diah", "Retno", "Aminah", "Fatimah", "Aisyah", "Zulaikha", "Nurul",
    "Laila", "Rohmah", "Anisa", "Nabila", "Aulia", "Nadia", "Citra", "Intan", "Kirana", "Larasati", "Ernawati",
    "Mariyam", "Khoirun", "Lina", "Yayuk", "Sumarni", "Partini", "Warsini", "Kasiyem", "Musripah", "Hartini",
    "Wahyu", "Puji", "Endah", "Tatik", "Mamik", "Sundari", "Yanti", "Susi", "Lia", "Mega", "Vivi", "Dian",
    "Ira", "Nining", "Emi", "Hesti", "Kiki", "Maya", "Rosa", "Sinta", "Tia", "Uswatun", "Wulan", "Yeni", "Zahro",
)
FEMALE_SECOND = (
    "Wahyuni", "Rahayu", "Lestari", "Handayani", "Purwanti", "Susanti", "Wulandari", "Puspitasari", "Astuti",
    "Sulistyowati", "Rahmawati", "Kusumawati", "Setyaningsih", "Hidayati", "Fauziah", "Mulyani", "Suryani",
    "Yuliana", "Anggraini", "Pratiwi", "Kurniasih", "Maharani", "Safitri", "Nurhayati", "Khasanah", "Ningsih",
    "Rohmawati", "Winarti", "Utami", "Permatasari", "Aminah", "Hasanah", "Mardiyah", "Sholihah", "Indrawati",
    "Novitasari", "Agustina", "Febriani", "Oktaviani", "Kartikasari", "Damayanti", "Widyawati", "Zubaidah",
    "Latifah", "Musyarofah", "Rachmawati", "Setyowati", "Sugiarti", "Triana", "Wijayanti",
)
MALE_GIVEN = (
    "Budi", "Agus", "Bambang", "Joko", "Slamet", "Heru", "Hadi", "Eko", "Dwi", "Teguh", "Sugeng", "Rudi",
    "Imam", "Ahmad", "Muhammad", "Arif", "Andi", "Bayu", "Dimas", "Fajar", "Rizky", "Yusuf", "Hari", "Wahyu",
    "Gatot", "Sutrisno", "Suparman", "Mulyono", "Yanto", "Anton", "Hendra", "Dedi", "Rahmat", "Ilham", "Farid",
    "Lukman", "Sholeh", "Khoirul", "Syaiful", "Nanang", "Didik", "Priyo", "Cahyo", "Sutikno", "Samsul",
    "Mujiono", "Kusnadi", "Edi", "Totok", "Doni", "Rendra", "Yoga", "Galih", "Aris", "Bagus", "Catur",
    "Danang", "Feri", "Gilang", "Hendro", "Irfan", "Jefri", "Kukuh", "Lutfi", "Miftah", "Novan", "Oki",
    "Pandu", "Reza", "Sigit", "Taufik", "Umar", "Yudi", "Zainal",
)
MALE_SECOND = (
    "Santoso", "Prasetyo", "Setiawan", "Hidayat", "Wibowo", "Susanto", "Kurniawan", "Nugroho", "Saputra",
    "Hartono", "Purnomo", "Firmansyah", "Rahman", "Hakim", "Wijaya", "Utomo", "Suryadi", "Pratama",
    "Ramadhan", "Syahputra", "Sulistyo", "Hermawan", "Gunawan", "Budiman", "Hariyanto", "Efendi", "Mahmud",
    "Arifin", "Maulana", "Widodo", "Supriyadi", "Iskandar", "Junaedi", "Mustofa", "Abdillah", "Cahyono",
    "Darmawan", "Fauzi", "Haryono", "Irawan", "Kuncoro", "Lesmana", "Nurcahyo", "Prabowo", "Riyadi", "Sanjaya",
    "Triyono", "Wicaksono", "Yulianto",
)
#: Older Javanese often carry one name only.
FEMALE_ONLY_NAMES = ("Sumiati", "Suharti", "Suwarni", "Sulastri", "Suparmi", "Jumiati", "Partini", "Warsini",
                     "Kasiyem", "Musripah", "Hartini", "Ernawati", "Sumarni", "Sukarti", "Tumini", "Painah",
                     "Sumini", "Karsini", "Poniyem", "Sriyani", "Muntamah", "Juwariyah", "Suwarti", "Katmini")
MALE_ONLY_NAMES = ("Sutrisno", "Suparman", "Mulyono", "Slamet", "Sutikno", "Mujiono", "Kusnadi", "Samsul",
                   "Paijo", "Sumadi", "Sukardi", "Kasiman", "Supardi", "Wagiman", "Jumadi", "Sunarto")

# ------------------------------------------------------------------ sectors, businesses
SECTORS = ("kuliner", "fesyen", "kerajinan", "jasa")
SECTOR_WEIGHTS = (44, 20, 20, 16)
#: Share of women among the owners of each sector.
WOMEN_SHARE = {"kuliner": 0.68, "fesyen": 0.85, "kerajinan": 0.55, "jasa": 0.38}

BRAND_WORDS = (
    "Arum", "Lestari", "Ayu", "Sekar", "Mawar", "Kenanga", "Cahaya", "Barokah", "Amanah", "Berkah", "Sakinah",
    "Annisa", "Zahra", "Nusantara", "Arema", "Singhasari", "Kanjuruhan", "Bromo", "Semeru", "Kawi",
    "Panderman", "Brantas", "Tugu", "Ijen", "Melati", "Sejahtera", "Makmur", "Rejeki", "Abadi", "Jaya",
    "Mulia", "Kartika", "Sumber Rejeki", "Dewi Sri", "Sido Mampir", "Mekar Sari", "Tunas", "Ken Dedes",
)
BATIK_MOTIFS = (
    "Sekar Arum", "Kembang Setaman", "Sido Mukti", "Truntum", "Parang Sari", "Teratai", "Sekar Jagad",
    "Topeng Malangan", "Tugu", "Kawung", "Teplok", "Sekar Kedaton", "Bunga Tebu", "Singo Edan", "Rengganis",
)
BUSINESS_TEMPLATES = {
    "fesyen": (
        "Batik {motif}", "Batik Tulis {brand}", "Butik {brand}", "Hijab {brand}", "Konveksi {brand}",
        "Jahit {owner}", "Mukena {brand}", "Gamis {brand}", "Rajut {brand}", "Kaos Sablon {brand}",
    ),
    "kuliner": (
        "Keripik Tempe {owner}", "Kripik Apel {brand}", "Sambal {brand}", "Kue Kering {brand}", "Kopi {brand}",
        "Bakso {owner}", "Roti {brand}", "Pia {brand}", "Catering {owner}", "Jamu {brand}", "Kerupuk {brand}",
        "Dodol {brand}", "Cwie Mie {owner}", "Susu Kedelai {brand}", "Frozen Food {brand}", "Warung {owner}",
        "Rawon {brand}", "Sari Apel {brand}", "Kue Basah {owner}", "Tahu {brand}",
    ),
    "kerajinan": (
        "Topeng Malangan {brand}", "Kerajinan Bambu {brand}", "Gerabah {brand}", "Anyaman {brand}",
        "Souvenir {brand}", "Kerajinan Kayu {brand}", "Lukis Kain {brand}", "Dekorasi {brand}",
        "Sangkar Burung {owner}", "Keramik {brand}", "Bunga Kering {brand}", "Tas Rajut {owner}",
    ),
    "jasa": (
        "Laundry {brand}", "Bengkel {owner}", "Percetakan {brand}", "Sablon {brand}", "Salon {brand}",
        "Servis Elektronik {brand}", "Jahit Permak {owner}", "Desain Grafis {brand}", "Cuci Motor {brand}",
        "Rias Pengantin {owner}", "Fotokopi {brand}",
    ),
}
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0856", "0857",
                  "0858", "0877", "0878", "0895", "0896", "0897", "0838", "0831")

# --------------------------------------------------------------------------- the city
#: Large residential kelurahan and small central ones, so that sizes are realistically uneven.
LARGE_KELURAHAN = (
    "sawojajar", "bunulrejo", "purwantoro", "pandanwangi", "lesanpuro", "madyopuro", "buring",
    "bandungrejosari", "sukun", "mulyorejo", "dinoyo", "mojolangu", "tlogomas", "merjosari", "tunjungsekar",
    "kedungkandang", "tanjungrejo", "ciptomulyo", "gadang", "bandulan", "arjosari", "tulusrejo",
)
SMALL_KELURAHAN = (
    "klojen", "kiduldalem", "kauman", "sukoharjo", "rampal-celaket", "jodipan", "kesatrian", "samaan",
    "tlogowaru", "wonokoyo", "kasin", "penanggungan",
)
#: Where the laid-off cigarette-factory workers of 2021 live (weights per kecamatan).
PHK_KECAMATAN_WEIGHT = {"sukun": 1.5, "kedungkandang": 1.3, "blimbing": 1.3, "lowokwaru": 0.8, "klojen": 0.5}

# ----------------------------------------------------------------------- the cascade
#: Chance that an IKM of generation g teaches anyone, and the mean number of extra
#: learners beyond the first when it does: each generation teaches fewer on average.
P_TEACHES = (0.86, 0.42, 0.28, 0.18, 0.10, 0.05)
EXTRA_LEARNERS = (7.0, 1.2, 0.7, 0.5, 0.3, 0.1)
#: How readily a skill is passed on, relative to batik.
SKILL_VIGOUR = {
    "batik": 0.6, "olahan-makanan": 1.3, "fesyen-muslim": 0.9, "home-decor": 0.8, "lukis-kain": 0.8,
    "barista": 1.0, "kemasan": 0.7, "legalitas-usaha": 0.5,
}
P_SECOND_TEACHER = 0.035
#: Learners are mostly neighbours: same kelurahan, else the same kecamatan, rarely anywhere.
P_SAME_KELURAHAN = 0.72
P_SAME_KECAMATAN = 0.95


def _prefers(skill: str, sector: str, gender: str) -> bool:
    """Whom a skill usually travels to (its natural learners)."""
    if skill == "batik":
        return gender == "P" and sector in ("fesyen", "kerajinan")
    if skill == "fesyen-muslim":
        return sector == "fesyen" or (gender == "P" and sector == "kerajinan")
    if skill == "lukis-kain":
        return sector in ("kerajinan", "fesyen")
    if skill == "home-decor":
        return sector == "kerajinan"
    if skill == "olahan-makanan":
        return sector == "kuliner"
    if skill == "barista":
        return sector in ("kuliner", "jasa")
    if skill == "kemasan":
        return sector in ("kuliner", "kerajinan")
    return True


@dataclass
class _Person:
    ikm_id: str
    kelurahan_code: str
    kecamatan_code: str
    name: str = ""
    gender: str = "P"
    sector: str = "kuliner"
    business_name: str = ""
    phone: str | None = None
    joined_on: date = date(2015, 1, 1)


@dataclass
class _TrainingPlan:
    training_id: str
    title: str
    skill: str
    start: date
    end: date
    budget_idr: int | None
    organizer: str = DISKOPINDAG
    location: str = "Aula Diskopindag Kota Malang"
    target_group: str | None = None
    participants: list[int] = field(default_factory=list)
    dropouts: list[int] = field(default_factory=list)


def build_demo(seed: int = DEMO_SEED) -> Records:
    """The synthetic Kota Malang data set: IKM, trainings, attendance and teachings.

    Pure and deterministic: the same ``seed`` always gives equal records, and no date
    lies after :data:`DEMO_AS_OF`.

    >>> build_demo(7) == build_demo(7)
    True
    """
    return _DemoBuilder(seed).build()


def load_demo(store, seed: int = DEMO_SEED) -> Records:
    """Write the demo data set into ``store`` (schema created if missing) in one
    transaction, and return the records written."""
    records = build_demo(seed)
    store.init_schema()
    store.write(records)
    return records


#: Chance of each outcome for a trainee of the skill (SPEC §10), and how much of it each
#: further generation keeps.
OUTCOME_CHANCES: dict[str, dict[str, float]] = {
    "batik": {"pameran": 0.55, "marketplace": 0.25, "first_sale": 0.45},
    "fesyen-muslim": {"pameran": 0.35, "marketplace": 0.45, "first_sale": 0.5, "employees": 0.12},
    "home-decor": {"pameran": 0.4, "marketplace": 0.3, "first_sale": 0.45},
    "olahan-makanan": {"pameran": 0.3, "marketplace": 0.35, "first_sale": 0.6, "certification": 0.45,
                       "employees": 0.15, "revenue_band": 0.1},
    "lukis-kain": {"pameran": 0.45, "marketplace": 0.3, "first_sale": 0.4},
    "barista": {"pameran": 0.2, "first_sale": 0.55, "employees": 0.25, "revenue_band": 0.1},
    "kemasan": {"marketplace": 0.3, "first_sale": 0.3},
    "legalitas-usaha": {"certification": 0.6},
}
OUTCOME_DECAY: dict[str, float] = {
    "batik": 0.97, "fesyen-muslim": 0.95, "home-decor": 0.93, "olahan-makanan": 0.55, "lukis-kain": 0.6,
    "barista": 0.45, "kemasan": 0.8, "legalitas-usaha": 0.8,
}
EXHIBITIONS = ("Malang Creative Fusion", "Pameran UMKM Balai Kota", "Bazar Ramadan Alun-alun", "Malang Expo",
               "Pameran Dekranasda Kota Malang", "Gebyar UMKM Kecamatan", "Festival Kampung Tematik")


class _DemoBuilder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.gazetteer = Gazetteer.kota_malang()
        self.kelurahan_codes = [k.code for k in self.gazetteer.kelurahan_list]
        self.kecamatan_of = {k.code: k.kecamatan_code for k in self.gazetteer.kelurahan_list}
        self.kelurahan_in_kecamatan: dict[str, list[str]] = {}
        for code in self.kelurahan_codes:
            self.kelurahan_in_kecamatan.setdefault(self.kecamatan_of[code], []).append(code)
        self.people: list[_Person] = []
        self.by_kelurahan: dict[str, list[int]] = {c: [] for c in self.kelurahan_codes}
        self.trainings: list[_TrainingPlan] = []
        self.teachings: list[Teaching] = []
        self.name_keys: set[tuple[str, str]] = set()  # (kelurahan, normalised name), membership only
        self.phones: set[str] = set()
        # per skill: IKM index -> date learned / generation (insertion-ordered dicts)
        self.learned: dict[str, dict[int, date]] = {}
        self.generation: dict[str, dict[int, int]] = {}
        self.seeds: dict[str, dict[int, date]] = {}
        self.holders: dict[str, dict[str, list[int]]] = {}  # skill -> kelurahan -> IKM who know it
        self.pools: dict[str, dict[str, tuple[list[int], list[int]]]] = {}
        self.story: dict[str, int] = {}

    # =================================================================== orchestration
    def build(self) -> Records:
        self._make_people()
        self._plant_duplicate_persons()
        self._name_bunulrejo_mothers()
        self._plan_trainings()
        self._collect_seeds()
        self._make_pools()
        self._tell_bunulrejo_story()
        for skill in self.seeds:
            self._spread(skill)
        self._plant_orphan_fragments()
        self._plant_early_edge()
        self._plant_seed_taught_by_seed()
        records = self._records()
        records.outcomes = self._outcomes()
        return records

    # ========================================================================= people
    def _kelurahan_sizes(self) -> dict[str, int]:
        weights = []
        for code in self.kelurahan_codes:
            short = code.split(".", 1)[1]
            w = self.rng.lognormvariate(0.0, 0.35)
            if short in LARGE_KELURAHAN:
                w *= 1.7
            elif short in SMALL_KELURAHAN:
                w *= 0.55
            weights.append(max(w, 0.3))
        total = sum(weights)
        raw = [w / total * DEMO_IKM_COUNT for w in weights]
        sizes = [math.floor(r) for r in raw]
        # largest remainder, ties broken by gazetteer order
        order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - sizes[i]), i))
        for i in order[: DEMO_IKM_COUNT - sum(sizes)]:
            sizes[i] += 1
        return dict(zip(self.kelurahan_codes, sizes))

    def _make_people(self) -> None:
        # The story's two batik mothers keep their names: nobody else in Bunulrejo gets them.
        self.name_keys.update({(BUNULREJO, normalise("Sri Rahayu")), (BUNULREJO, normalise("Endang Sulistyowati"))})
        places = [code for code, n in self._kelurahan_sizes().items() for _ in range(n)]
        self.rng.shuffle(places)  # registry numbers do not follow kelurahan
        for index, code in enumerate(places):
            person = _Person(ikm_id=f"IKM-{index + 1:05d}", kelurahan_code=code, kecamatan_code=self.kecamatan_of[code])
            person.sector = self.rng.choices(SECTORS, weights=SECTOR_WEIGHTS)[0]
            person.gender = "P" if self.rng.random() < WOMEN_SHARE[person.sector] else "L"
            person.name = self._unique_name(person.gender, code)
            person.business_name = self._business_name(person.sector, person.name, person.gender)
            person.phone = None if self.rng.random() < 0.04 else self._unique_phone()
            person.joined_on = self._joined_on()
            self.people.append(person)
            self.by_kelurahan[code].append(index)

    def _person_name(self, gender: str) -> str:
        rng = self.rng
        r = rng.random()
        if gender == "P":
            given, second = FEMALE_GIVEN, FEMALE_SECOND
            if r < 0.10:
                return rng.choice(FEMALE_ONLY_NAMES)
            if r < 0.25:
                return f"{rng.choice(('Siti', 'Sri', 'Nur', 'Dwi', 'Tri'))} {rng.choice(('Nur', 'Ayu', 'Dewi', 'Tri'))} {rng.choice(second)}"
        else:
            given, second = MALE_GIVEN, MALE_SECOND
            if r < 0.10:
                return rng.choice(MALE_ONLY_NAMES)
            if r < 0.25:
                return f"{rng.choice(('Muhammad', 'Ahmad', 'Moh.'))} {rng.choice(('Nur', 'Ali', 'Fikri', 'Syaiful'))} {rng.choice(second)}"
        first = rng.choice(given)
        last = rng.choice(second)
        while last == first:
            last = rng.choice(second)
        return f"{first} {last}"

    def _unique_name(self, gender: str, kelurahan_code: str) -> str:
        """A name nobody else in the kelurahan has (probable duplicates are planted, not accidental)."""
        for _ in range(40):
            name = self._person_name(gender)
            key = (kelurahan_code, normalise(name))
            if key not in self.name_keys:
                self.name_keys.add(key)
                return name
        # a crowded kelurahan: add a third name until it is unique
        pool = FEMALE_SECOND if gender == "P" else MALE_SECOND
        while True:
            name = f"{self._person_name(gender)} {self.rng.choice(pool)}"
            key = (kelurahan_code, normalise(name))
            if key not in self.name_keys:
                self.name_keys.add(key)
                return name

    def _business_name(self, sector: str, name: str, gender: str) -> str:
        words = name.replace("Moh.", "Muhammad").split()
        call = words[1] if words[0] in ("Muhammad", "Ahmad", "Siti") and len(words) > 1 else words[0]
        honorific = self.rng.choice(("Bu", "Bu", "Mbak", "Ning")) if gender == "P" else self.rng.choice(("Pak", "Pak", "Mas", "Cak"))
        template = self.rng.choice(BUSINESS_TEMPLATES[sector])
        return template.format(owner=f"{honorific} {call}", brand=self.rng.choice(BRAND_WORDS),
                               motif=self.rng.choice(BATIK_MOTIFS))

    def _unique_phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _joined_on(self) -> date:
        years = list(range(2009, 2027))
        weights = (2, 3, 3, 4, 5, 6, 7, 8, 9, 8, 7, 9, 10, 10, 9, 8, 7, 4)
        year = self.rng.choices(years, weights=weights)[0]
        last = date(2026, 9, 30) if year == 2026 else date(year, 12, 31)
        first = date(year, 1, 1)
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def _plant_duplicate_persons(self) -> None:
        """Two people registered twice: once with the same name (new phone number, a
        re-spelt business), once copied from an ID card in capitals with the same phone."""
        for kelurahan_code, capitals in (("kedungkandang.sawojajar", False), ("sukun.gadang", True)):
            original_index, copy_index = self.by_kelurahan[kelurahan_code][3:5]
            original, copy = self.people[original_index], self.people[copy_index]
            copy.name = original.name.upper() if capitals else original.name
            copy.gender, copy.sector = original.gender, original.sector
            if capitals:
                copy.business_name = original.business_name
                copy.phone = original.phone
            else:
                respelt = original.business_name.replace("Keripik", "Kripik")
                copy.business_name = respelt if respelt != original.business_name else f"UD {respelt}"

    def _name_bunulrejo_mothers(self) -> None:
        """Sri Rahayu and Endang Sulistyowati, the two Bunulrejo women of SPEC §1."""
        mothers = [i for i in self.by_kelurahan[BUNULREJO] if self.people[i].gender == "P"][:2]
        for index, (name, business) in zip(mothers, (("Sri Rahayu", "Batik Sekar Arum"),
                                                     ("Endang Sulistyowati", "Batik Kembang Bunul"))):
            person = self.people[index]
            person.name, person.business_name, person.sector = name, business, "fesyen"
            person.joined_on = min(person.joined_on, date(2019, 8, 1))
        self.story["sri"], self.story["endang"] = mothers

    # ====================================================================== trainings
    def _pick_participants(self, plan: _TrainingPlan, count: int, *, weights: dict[str, float],
                           exclude: set[int], women_only: bool = False) -> list[int]:
        """``count`` new participants: kelurahan drawn by weight, people who fit the skill
        preferred, nobody in ``exclude`` (which grows with the picks)."""
        codes = [c for c in self.kelurahan_codes if weights.get(c, 0) > 0]
        cumulative = []
        total = 0.0
        for c in codes:
            total += weights[c]
            cumulative.append(total)
        chosen: list[int] = []
        while len(chosen) < count:
            code = self.rng.choices(codes, cum_weights=cumulative)[0]
            index = self.rng.choice(self.by_kelurahan[code])
            person = self.people[index]
            if index in exclude or (women_only and person.gender != "P"):
                continue
            if not _prefers(plan.skill, person.sector, person.gender) and self.rng.random() > 0.15:
                continue
            exclude.add(index)
            chosen.append(index)
        return chosen

    def _plan_trainings(self) -> None:
        rng = self.rng
        size = {c: float(len(v)) for c, v in self.by_kelurahan.items()}
        phk_weights = {c: size[c] * PHK_KECAMATAN_WEIGHT[self.kecamatan_of[c]] for c in self.kelurahan_codes}
        no_bunulrejo = {c: w for c, w in size.items() if c != BUNULREJO}
        trained: set[int] = set()  # anyone who attended so far (membership only)

        # 2020 — one mother per kelurahan; two in Bunulrejo.
        batik = _TrainingPlan(
            BATIK_WORKSHOP_2020, "Pelatihan Membatik untuk Ibu Rumah Tangga", "batik",
            date(2020, 10, 5), date(2020, 10, 16), 85_000_000,
            target_group="Ibu rumah tangga, satu orang per kelurahan (diusulkan kelurahan)",
        )
        for code in self.kelurahan_codes:
            if code == BUNULREJO:
                mothers = [self.story["sri"], self.story["endang"]]
            else:
                women = [i for i in self.by_kelurahan[code] if self.people[i].gender == "P"]
                crafty = [i for i in women if self.people[i].sector in ("fesyen", "kerajinan")]
                mothers = [rng.choice(crafty if crafty and rng.random() < 0.7 else women)]
            batik.participants += mothers
            trained.update(mothers)
        self.trainings.append(batik)

        # 2021 — workers laid off by cigarette factories and their neighbours (DBHCHT funds).
        phk_group = ("Pekerja korban PHK pabrik rokok dan warga sekitar; seleksi bersama Disnaker PMTSP "
                     "Kota Malang")
        phk_organizer = "Diskopindag Kota Malang bersama Disnaker PMTSP Kota Malang"
        core = (
            ("TR-2021-OLAHAN", "Pelatihan Olahan Makanan Lanjutan bagi Korban PHK dan Warga Sekitar",
             "olahan-makanan", date(2021, 3, 15), date(2021, 3, 26), 142_500_000, 36, 2),
            ("TR-2021-FESYEN", "Pelatihan Fesyen Muslim bagi Korban PHK dan Warga Sekitar",
             "fesyen-muslim", date(2021, 4, 5), date(2021, 4, 16), 128_000_000, 30, 1),
            ("TR-2021-HOMEDECOR", "Pelatihan Kerajinan Home Decor bagi Korban PHK dan Warga Sekitar",
             "home-decor", date(2021, 5, 31), date(2021, 6, 11), 96_000_000, 25, 0),
            ("TR-2021-LUKIS", "Pelatihan Lukis Kain bagi Korban PHK dan Warga Sekitar",
             "lukis-kain", date(2021, 6, 14), date(2021, 6, 25), 87_500_000, 25, 0),
            ("TR-2021-BARISTA", "Pelatihan Barista bagi Korban PHK dan Warga Sekitar",
             "barista", date(2021, 9, 6), date(2021, 9, 17), 118_000_000, 28, 1),
        )
        program: list[int] = []
        for tid, title, skill, start, end, budget, count, dropouts in core:
            plan = _TrainingPlan(tid, title, skill, start, end, budget, organizer=phk_organizer,
                                 location="UPT Balai Latihan Kerja Disnaker PMTSP Kota Malang", target_group=phk_group)
            plan.participants = self._pick_participants(plan, count + dropouts, weights=phk_weights, exclude=trained)
            plan.dropouts = plan.participants[-dropouts:] if dropouts else []
            program += plan.participants
            self.trainings.append(plan)
            for index in plan.participants:
                # they registered their new businesses after the training
                self.people[index].joined_on = min(end + timedelta(days=rng.randrange(10, 300)), date(2026, 9, 30))
        for tid, title, skill, start, end, budget, from_program, new in (
            ("TR-2021-KEMASAN", "Pelatihan Kemasan dan Label Produk bagi Peserta Program Korban PHK",
             "kemasan", date(2021, 10, 4), date(2021, 10, 8), 46_000_000, 45, 5),
            ("TR-2021-LEGALITAS", "Bimbingan Teknis Legalitas Usaha (NIB, PIRT, Halal) bagi Peserta Program Korban PHK",
             "legalitas-usaha", date(2021, 10, 18), date(2021, 10, 22), 38_000_000, 50, 5),
        ):
            plan = _TrainingPlan(tid, title, skill, start, end, budget, organizer=phk_organizer,
                                 location="Aula Diskopindag Kota Malang", target_group=phk_group)
            plan.participants = rng.sample(program, from_program)
            plan.participants += self._pick_participants(plan, new, weights=phk_weights, exclude=trained)
            self.trainings.append(plan)

        # 2022–2025 — smaller follow-up batches: new people, some repeats of the same skill
        # (their earliest training counts), some trainees of other skills.
        follow_ups = (
            ("TR-2022-BATIK", "Pelatihan Batik Tulis Lanjutan", "batik", date(2022, 3, 14), date(2022, 3, 18),
             48_000_000, "Diskopindag Kota Malang bersama Dekranasda Kota Malang", "Aula Diskopindag Kota Malang",
             "Perajin batik pemula dan alumni pelatihan 2020", 14, 4, 0, 0),
            ("TR-2022-OLAHAN", "Pelatihan Diversifikasi Olahan Pangan Lokal", "olahan-makanan",
             date(2022, 7, 11), date(2022, 7, 15), 52_000_000, DISKOPINDAG, "Aula Diskopindag Kota Malang",
             "Pelaku IKM pangan", 17, 3, 0, 0),
            ("TR-2022-KEMASAN", "Pelatihan Desain Kemasan dan Label Produk", "kemasan",
             date(2022, 9, 19), date(2022, 9, 21), None, "Rumah Kreatif BUMN Malang", "Rumah Kreatif BUMN Malang",
             "Pelaku IKM pangan dan kerajinan", 15, 0, 10, 0),
            ("TR-2023-FESYEN", "Pelatihan Desain Busana Muslim Modern", "fesyen-muslim",
             date(2023, 2, 6), date(2023, 2, 10), 45_000_000, DISKOPINDAG, "Malang Creative Center",
             "Pelaku IKM fesyen", 14, 2, 0, 0),
            ("TR-2023-BARISTA", "Pelatihan Barista dan Manajemen Kedai Kopi", "barista",
             date(2023, 5, 15), date(2023, 5, 19), 38_500_000, DISKOPINDAG, "Malang Creative Center",
             "Pemilik dan calon pemilik kedai kopi", 14, 2, 0, 1),
            ("TR-2023-LEGALITAS", "Bimbingan Teknis Legalitas Usaha: NIB, PIRT dan Sertifikasi Halal",
             "legalitas-usaha", date(2023, 8, 7), date(2023, 8, 8), None,
             "Diskopindag Kota Malang bersama Dinas Penanaman Modal dan PTSP Kota Malang", "Mal Pelayanan Publik Kota Malang",
             "Pelaku IKM yang belum memiliki NIB", 15, 0, 15, 0),
            ("TR-2023-HOMEDECOR", "Pelatihan Home Decor dari Bahan Daur Ulang", "home-decor",
             date(2023, 10, 9), date(2023, 10, 13), 32_000_000, DISKOPINDAG, "Malang Creative Center",
             "Perajin dan ibu rumah tangga", 11, 1, 0, 0),
            ("TR-2024-LUKIS", "Pelatihan Lukis Kain dan Ecoprint", "lukis-kain", date(2024, 3, 4), date(2024, 3, 8),
             29_500_000, DISKOPINDAG, "Malang Creative Center", "Perajin kain dan fesyen", 11, 1, 0, 0),
            ("TR-2024-BATIK", "Pelatihan Batik Ciprat dan Jumputan bagi Perempuan Pelaku IKM", "batik",
             date(2024, 7, 22), date(2024, 7, 26), 41_000_000, DISKOPINDAG, "Malang Creative Center",
             "Perempuan pelaku IKM; narasumber alumni pelatihan membatik 2020", 15, 2, 0, 1),
            ("TR-2024-KEMASAN", "Pelatihan Kemasan Produk untuk Pasar Daring", "kemasan", date(2024, 9, 9),
             date(2024, 9, 11), 27_000_000, DISKOPINDAG, "Aula Diskopindag Kota Malang",
             "Pelaku IKM yang berjualan daring", 12, 2, 6, 0),
            ("TR-2025-OLAHAN", "Pelatihan Olahan Makanan Lanjutan Angkatan II", "olahan-makanan",
             date(2025, 2, 17), date(2025, 2, 21), 55_000_000, DISKOPINDAG, "Aula Diskopindag Kota Malang",
             "Pelaku IKM pangan", 12, 3, 0, 0),
            ("TR-2025-BARISTA", "Pelatihan Barista Lanjutan: Manual Brew dan Roasting", "barista",
             date(2025, 6, 16), date(2025, 6, 20), 36_000_000, DISKOPINDAG, "Malang Creative Center",
             "Barista dan pemilik kedai kopi", 11, 1, 0, 0),
            ("TR-2025-FESYEN", "Pelatihan Fesyen Muslim dan Pemasaran Digital", "fesyen-muslim",
             date(2025, 8, 4), date(2025, 8, 8), 42_000_000, DISKOPINDAG, "Malang Creative Center",
             "Pelaku IKM fesyen", 11, 1, 0, 0),
        )
        for (tid, title, skill, start, end, budget, organizer, location, group,
             new, repeats, cross, dropouts) in follow_ups:
            plan = _TrainingPlan(tid, title, skill, start, end, budget, organizer=organizer, location=location,
                                 target_group=group)
            earlier_same = [i for t in self.trainings if t.skill == skill for i in t.participants
                            if i not in t.dropouts and self.people[i].kelurahan_code != BUNULREJO]
            earlier_same = list(dict.fromkeys(earlier_same))
            earlier_other = list(dict.fromkeys(
                i for t in self.trainings if t.skill != skill for i in t.participants if i not in earlier_same
            ))
            plan.participants = rng.sample(earlier_same, repeats) + rng.sample(earlier_other, cross)
            weights = no_bunulrejo if skill == "batik" else size
            plan.participants += self._pick_participants(plan, new + dropouts, weights=weights, exclude=trained,
                                                         women_only=skill == "batik")
            plan.dropouts = plan.participants[-dropouts:] if dropouts else []
            self.trainings.append(plan)

    def _collect_seeds(self) -> None:
        for plan in sorted(self.trainings, key=lambda t: (t.end, t.training_id)):
            seeds = self.seeds.setdefault(plan.skill, {})
            for index in plan.participants:
                if index not in plan.dropouts and index not in seeds:
                    seeds[index] = plan.end  # the earliest training counts
        for skill, seeds in self.seeds.items():
            self.learned[skill] = dict(seeds)
            self.generation[skill] = {i: 0 for i in seeds}
            holders = self.holders.setdefault(skill, {c: [] for c in self.kelurahan_codes})
            for index in seeds:
                holders[self.people[index].kelurahan_code].append(index)

    # ======================================================================= cascades
    def _make_pools(self) -> None:
        """Per skill and kelurahan, shuffled lists of IKM who may still learn it
        (natural learners first); a learner is popped, so nobody learns a skill twice."""
        for skill, seeds in self.seeds.items():
            pools = {c: ([], []) for c in self.kelurahan_codes}
            for index, person in enumerate(self.people):
                if index in seeds or (skill == "batik" and person.kelurahan_code == BUNULREJO):
                    continue
                natural, other = pools[person.kelurahan_code]
                (natural if _prefers(skill, person.sector, person.gender) else other).append(index)
            for natural, other in pools.values():
                self.rng.shuffle(natural)
                self.rng.shuffle(other)
            self.pools[skill] = pools

    def _take_learner(self, skill: str, near: str) -> int | None:
        rng = self.rng
        r = rng.random()
        if r < P_SAME_KELURAHAN:
            code = near
        elif r < P_SAME_KECAMATAN:
            code = rng.choice(self.kelurahan_in_kecamatan[self.kecamatan_of[near]])
        else:
            code = rng.choice(self.kelurahan_codes)
        pools = self.pools[skill]
        for candidate in (code, near, *self.kelurahan_in_kecamatan[self.kecamatan_of[near]]):
            natural, other = pools[candidate]
            if natural and (not other or rng.random() < 0.85):
                return natural.pop()
            if other:
                return other.pop()
        return None

    def _add_edge(self, skill: str, learner: int, teacher: int, day: date,
                  source: str | None = None, note: str | None = None) -> None:
        self.teachings.append(Teaching(
            learner_id=self.people[learner].ikm_id, teacher_id=self.people[teacher].ikm_id, skill=skill,
            date=day, source=source or self._source(day), note=note,
        ))

    def _learns(self, skill: str, learner: int, teacher: int, day: date, **edge) -> None:
        self._add_edge(skill, learner, teacher, day, **edge)
        self.learned[skill][learner] = day
        self.generation[skill][learner] = self.generation[skill][teacher] + 1
        self.holders[skill][self.people[learner].kelurahan_code].append(learner)

    def _source(self, day: date) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            return rng.choice(("laporan pendamping", "laporan pendamping", "formulir kelurahan",
                               "wawancara alumni pelatihan"))
        survey_years = [y for y in (2023, 2025, 2026) if y >= day.year and not (y == 2026 and day.month > 9)]
        return f"survei lapangan {survey_years[0]}" if survey_years else "laporan pendamping"

    def _note(self, learner: int) -> str | None:
        if self.rng.random() > 0.12:
            return None
        notes = ("tetangga satu RT", "masih saudara", "belajar di rumah produksi pengajar",
                 "dulu karyawan pengajar, kini usaha sendiri", "kini jual di marketplace", "diajari di balai RW")
        if self.people[learner].gender == "P":
            notes += ("anggota kelompok PKK", "kelompok pengajian ibu-ibu", "belajar lewat arisan RW")
        return self.rng.choice(notes)

    def _poisson(self, mean: float) -> int:
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _spread(self, skill: str) -> None:
        """Grow the skill's cascade breadth-first from its seeds (the Bunulrejo mothers'
        batik is told by hand). Learners are new to the skill, so no edge closes a cycle."""
        rng = self.rng
        vigour = SKILL_VIGOUR[skill]
        queue = [i for i in sorted(self.seeds[skill], key=lambda i: (self.seeds[skill][i], i))
                 if not (skill == "batik" and self.people[i].kelurahan_code == BUNULREJO)]
        position = 0
        while position < len(queue):
            teacher = queue[position]
            position += 1
            generation = self.generation[skill][teacher]
            if generation >= len(P_TEACHES) or rng.random() >= P_TEACHES[generation]:
                continue
            count = 1 + self._poisson(EXTRA_LEARNERS[generation] * vigour)
            start = self.learned[skill][teacher]
            mean_delay = 320 if generation == 0 else 300
            delays = sorted(20 + int(rng.expovariate(1 / mean_delay)) for _ in range(count))
            for delay in delays:
                day = start + timedelta(days=delay)
                if day > DEMO_AS_OF:
                    break
                learner = self._take_learner(skill, self.people[teacher].kelurahan_code)
                if learner is None:
                    break
                self._learns(skill, learner, teacher, day, note=self._note(learner))
                queue.append(learner)
                if rng.random() < P_SECOND_TEACHER:
                    self._second_teacher(skill, learner, teacher, day)

    def _second_teacher(self, skill: str, learner: int, first: int, day: date) -> None:
        later = day + timedelta(days=self.rng.randrange(0, 150))
        if later > DEMO_AS_OF:
            return
        known = self.learned[skill]
        candidates = [i for i in self.holders[skill][self.people[learner].kelurahan_code]
                      if i not in (learner, first) and known[i] <= later - timedelta(days=30)]
        if candidates:
            teacher = self.rng.choice(candidates)
            self._add_edge(skill, learner, teacher, later, note="diajari bersama dua pengajar")

    # ================================================================== the stories
    def _tell_bunulrejo_story(self) -> None:
        """Two mothers trained in 2020; by 2026, 22 more IKM in Bunulrejo make batik
        (four generations, one learner with two teachers) and exhibit; two learners
        carried it to neighbouring kelurahan."""
        sri, endang = self.story["sri"], self.story["endang"]
        women = [i for i in self.by_kelurahan[BUNULREJO] if i not in (sri, endang) and self.people[i].gender == "P"]
        crafty = [i for i in women if self.people[i].sector in ("fesyen", "kerajinan")]
        others = [i for i in women if i not in crafty]
        men = [i for i in self.by_kelurahan[BUNULREJO] if self.people[i].gender == "L"]
        local = self.rng.sample(crafty, min(len(crafty), 19))
        local += self.rng.sample(others, 20 - len(local)) + self.rng.sample(men, 2)
        self.rng.shuffle(local)
        labels = ("a1 a2 a3 a4 a5 b1 b2 b3 b4 c1 c2 c3 c4 c5 c6 c7 c8 d1 d2 d3 d4 e1").split()
        who = dict(zip(labels, local))
        who["sri"], who["endang"] = sri, endang
        who["x1"] = self._take_learner_in("batik", "blimbing.polehan")
        who["x2"] = self._take_learner_in("batik", "blimbing.purwantoro")
        for label in labels:
            person = self.people[who[label]]
            if label in ("a1", "b1", "c1", "c6", "d1"):
                person.sector = "fesyen"
                person.business_name = f"Batik {self.rng.choice(BATIK_MOTIFS)} Bunulrejo"
        survey = "survei lapangan 2023"
        story = (
            ("a1", "sri", date(2020, 11, 20), survey, "belajar di rumah Bu Sri, satu RW"),
            ("b1", "endang", date(2020, 11, 28), survey, None),
            ("a2", "sri", date(2020, 12, 5), survey, "anggota kelompok PKK RW 03"),
            ("b2", "endang", date(2021, 1, 16), survey, None),
            ("a3", "sri", date(2021, 2, 14), survey, None),
            ("b3", "endang", date(2021, 3, 20), survey, "ikut pameran batik Hari Kartini kelurahan"),
            ("a4", "sri", date(2021, 4, 10), survey, None),
            ("a5", "sri", date(2021, 6, 19), survey, "belajar bersama di balai RW 03"),
            ("a5", "endang", date(2021, 6, 26), survey, "belajar bersama di balai RW 03"),
            ("c1", "a1", date(2021, 8, 14), survey, None),
            ("b4", "endang", date(2021, 9, 4), survey, "persiapan pameran Hari Batik Nasional 2021"),
            ("c2", "a1", date(2021, 10, 2), survey, None),
            ("c6", "b1", date(2021, 11, 13), survey, None),
            ("x1", "a3", date(2021, 12, 11), survey, "saudara di Polehan"),
            ("c4", "a2", date(2022, 1, 8), survey, None),
            ("c3", "a1", date(2022, 2, 19), survey, "kini ikut pameran UMKM Kota Malang"),
            ("c7", "b1", date(2022, 3, 5), survey, None),
            ("c8", "b2", date(2022, 5, 21), survey, None),
            ("c5", "a2", date(2022, 6, 11), survey, "pameran batik Kampung Bunulrejo 2022"),
            ("d1", "c1", date(2022, 10, 15), survey, None),
            ("d3", "c6", date(2023, 1, 21), survey, None),
            ("d3", "c7", date(2023, 2, 4), survey, "dua pengajar, satu kelompok membatik"),
            ("d2", "c1", date(2023, 3, 18), survey, "karya dipamerkan di pameran Dekranasda 2023"),
            ("x2", "c2", date(2023, 4, 22), survey, "teman pengajian di Purwantoro"),
            ("d4", "c4", date(2023, 6, 10), survey, None),
            ("e1", "d1", date(2026, 7, 18), "laporan pendamping", "siap ikut pameran akhir tahun"),
        )
        for learner, teacher, day, source, note in story:
            if who[learner] in self.learned["batik"]:
                self._add_edge("batik", who[learner], who[teacher], day, source=source, note=note)
            else:
                self._learns("batik", who[learner], who[teacher], day, source=source, note=note)
        self.story.update({f"bunulrejo.{k}": v for k, v in who.items()})

    def _take_learner_in(self, skill: str, kelurahan_code: str) -> int:
        natural, other = self.pools[skill][kelurahan_code]
        return natural.pop() if natural else other.pop()

    def _plant_orphan_fragments(self) -> None:
        """Small groups who teach each other a skill although no trainee reaches them:
        their first teacher is unknown (SPEC §5 ``orphan``)."""
        shapes = (
            # (skill, kelurahan, [(learner, teacher, date)] with 0 the fragment's top)
            ("olahan-makanan", "kedungkandang.lesanpuro", ((1, 0, date(2023, 4, 2)), (2, 0, date(2023, 9, 17)))),
            ("olahan-makanan", "sukun.bandulan", ((1, 0, date(2022, 11, 5)), (2, 1, date(2023, 6, 24)),
                                                  (3, 1, date(2024, 1, 13)))),
            ("olahan-makanan", "lowokwaru.tunggulwulung", ((1, 0, date(2024, 2, 10)), (2, 0, date(2024, 5, 4)),
                                                           (3, 2, date(2025, 1, 18)), (4, 2, date(2025, 3, 1)),
                                                           (5, 0, date(2026, 6, 6)))),
            ("barista", "klojen.oro-oro-dowo", ((1, 0, date(2025, 8, 30)), (2, 0, date(2026, 2, 14)))),
        )
        for skill, kelurahan_code, edges in shapes:
            size = 1 + max(learner for learner, _, _ in edges)
            members = [self._take_learner_in(skill, kelurahan_code) for _ in range(size)]
            for learner, teacher, day in edges:
                self._add_edge(skill, members[learner], members[teacher], day, source="laporan pendamping",
                               note="pengajar belum pernah ikut pelatihan dinas")

    def _plant_early_edge(self) -> None:
        """A teaching recorded before its teacher had learned the skill (a data-quality
        warning, SPEC §4): a second-generation home-decor learner said to have taught a
        neighbour six weeks before she learned herself."""
        skill = "home-decor"
        candidates = [i for i, g in self.generation[skill].items() if g == 2 and self.learned[skill][i] >= date(2023, 1, 1)]
        teacher = candidates[0]
        learner = self._take_learner_in(skill, self.people[teacher].kelurahan_code)
        day = self.learned[skill][teacher] - timedelta(days=42)
        self._add_edge(skill, learner, teacher, day, source="formulir kelurahan")
        self.learned[skill][learner] = day
        self.generation[skill][learner] = 3

    def _plant_seed_taught_by_seed(self) -> None:
        """A learner of a 2021 trainee who later took the 2025 olahan-makanan training
        herself: a seed taught by another seed (the import warns; she stays generation 0)."""
        skill = "olahan-makanan"
        plan = next(t for t in self.trainings if t.training_id == "TR-2025-OLAHAN")
        teachers_of: dict[str, list[str]] = {}
        taught: set[str] = set()
        for edge in self.teachings:
            if edge.skill == skill:
                teachers_of.setdefault(edge.learner_id, []).append(edge.teacher_id)
                taught.add(edge.teacher_id)
        ids = {p.ikm_id: i for i, p in enumerate(self.people)}
        first_seeds = {self.people[i].ikm_id for i, d in self.seeds[skill].items() if d.year == 2021}
        for learner_id, teachers in teachers_of.items():
            index = ids[learner_id]
            if (len(teachers) == 1 and teachers[0] in first_seeds and learner_id not in taught
                    and self.learned[skill][index] < date(2024, 6, 1) and index not in plan.participants):
                plan.participants.append(index)
                return
        raise AssertionError("no learner fits the planted seed-taught-by-seed case")

    # ======================================================================= outcomes
    def _outcomes(self) -> list[Outcome]:
        """What the IKM achieved (SPEC §10), drawn from a random stream of its own so that the
        rest of the data set does not depend on it. Rates fall with each generation in food,
        barista and fabric painting (the recipe or the machine does not travel as well as the
        know-how) and hold in batik, fesyen muslim and home decor; every Bunulrejo batik
        learner exhibits, at the kelurahan's yearly batik exhibitions. A few IKM had sold or
        exhibited before they learned the skill, so "after learning" differs."""
        rng = random.Random(self.seed * 7919 + 10)
        found: dict[tuple, Outcome] = {}

        def add(index: int, kind: str, day: date, skill: str | None, value: str | None = None,
                note: str | None = None) -> None:
            if day > DEMO_AS_OF:
                return
            made = Outcome(ikm_id=self.people[index].ikm_id, kind=kind, date=day, skill=skill, value=value, note=note)
            found.setdefault((made.ikm_id, made.kind, made.skill_key, made.date), made)

        for skill in sorted(self.generation):
            decay = OUTCOME_DECAY[skill]
            for index, generation in self.generation[skill].items():
                learned = self.learned[skill][index]
                scale = decay ** generation
                for kind, chance in OUTCOME_CHANCES[skill].items():
                    if rng.random() >= chance * scale:
                        continue
                    before = rng.random() < 0.06  # already there before the training or teacher
                    day = learned + timedelta(days=-rng.randint(30, 300) if before else rng.randint(45, 1100))
                    value = note = None
                    if kind == "employees":
                        value = str(rng.randint(1, 6) + (2 if generation == 0 else 0))
                    elif kind == "certification":
                        value = rng.choice(("PIRT", "PIRT", "halal", "HKI"))
                    elif kind == "revenue_band":
                        value = rng.choice(("< 300 juta", "< 300 juta", "300 juta – 2,5 miliar"))
                    elif kind == "pameran":
                        note = rng.choice(EXHIBITIONS)
                    business_wide = kind in ("employees", "revenue_band", "marketplace")
                    add(index, kind, day, None if business_wide else skill, value, note)
        # Bunulrejo: the learners exhibit at the kelurahan's batik exhibitions after they learned
        shows = ((date(2021, 10, 2), "Pameran Hari Batik Nasional, balai RW 03 Bunulrejo"),
                 (date(2022, 6, 25), "Pameran batik Kampung Bunulrejo 2022"),
                 (date(2023, 8, 19), "Pameran Dekranasda Kota Malang 2023"),
                 (date(2024, 10, 2), "Pameran Hari Batik Nasional 2024, Kampung Bunulrejo"),
                 (date(2025, 10, 2), "Pameran Hari Batik Nasional 2025, Kampung Bunulrejo"))
        for label, index in sorted(self.story.items()):
            if not label.startswith("bunulrejo.") or self.people[index].kelurahan_code != BUNULREJO:
                continue
            learned = self.learned["batik"][index]
            exhibited = [(day, title) for day, title in shows if day > learned + timedelta(days=60)]
            for day, title in exhibited[:2]:
                add(index, "pameran", day, "batik", note=title)
        return sorted(found.values(), key=lambda o: (o.ikm_id, o.kind, o.skill_key, o.date))

    # ======================================================================== records
    def _records(self) -> Records:
        ikm = [
            IKM(ikm_id=p.ikm_id, name=p.name, kelurahan_code=p.kelurahan_code, business_name=p.business_name,
                sector=p.sector, gender=p.gender, phone=p.phone, joined_on=p.joined_on)
            for p in self.people
        ]
        trainings, attendance = [], []
        for plan in sorted(self.trainings, key=lambda t: (t.end, t.training_id)):
            trainings.append(Training(
                training_id=plan.training_id, title=plan.title, skills=(plan.skill,), end_date=plan.end,
                start_date=plan.start, organizer=plan.organizer, location=plan.location,
                budget_idr=plan.budget_idr, target_group=plan.target_group,
            ))
            for index in plan.participants:
                attendance.append(Attendance(training_id=plan.training_id, ikm_id=self.people[index].ikm_id,
                                             completed=index not in plan.dropouts))
        teachings = sorted(self.teachings, key=lambda t: (t.skill, t.date, t.learner_id, t.teacher_id))
        return Records(ikm=ikm, trainings=trainings, attendance=attendance, teachings=teachings)
