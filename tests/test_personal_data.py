"""Personal data (UU 27/2022) and security (SPEC §9 "Secure"): erasure on request, parameterised
Cypher, hashed keys compared in constant time, no anonymous write."""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tular.graph.admin import api_keys as keys
from tular.graph.admin.erasure import forget
from tular.graph.io.backup import write_backup
from tular.graph.io.export import FORMATS, export_store
from tular.graph.io.ingest import import_files
from tular.graph.model.errors import InvalidData, UnknownIKM
from tular.graph.model.records import BatchMeta, placeholder
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore, GraphStore
from tular.graph.store.batches import erase_log
from tular.service.app import create_app

from .datafiles import TODAY, write_csv
from .factories import ikm, small_batik_program, teaching
from .skill_graph import edges

ROOT = Path(__file__).resolve().parents[1]

# The person who asks to be forgotten, and everything that identifies her.
NAME, OLD_NAME = "Siti Marlinah Zulaikha", "Siti Marlina Zulaika"
PHONE, OLD_PHONE = "081355577799", "081244466688"
BUSINESS = "Batik Tulis Zulaikha Jaya"
NOTE = "diajari Bu Zulaikha di rumahnya"
OUTCOME_NOTE, OLD_OUTCOME_NOTE = "stan Bu Zulaikha, Jl. Melati 7", "stan Bu Zulaika, Jl. Melati 7"
SECRETS = (NAME, OLD_NAME, PHONE, OLD_PHONE, BUSINESS, NOTE, OUTCOME_NOTE, OLD_OUTCOME_NOTE)


def import_ok(store: GraphStore, *paths: Path) -> str:
    report = import_files(store, list(paths), today=TODAY, who="petugas")
    assert report.ok, report.errors
    return report.batch_id


def person_with_history(store: GraphStore, folder: Path) -> None:
    """The small batik program, with 'a' (taught by s1, teacher of c) a named person who taught
    d and x packaging, with notes, and whose record was corrected once: the batch log keeps
    her earlier name and phone."""
    folder.mkdir()
    store.write(small_batik_program(), BatchMeta(who="setup"))
    import_ok(store, write_csv(folder, "ikm.csv", ["ikm_id", "name", "kelurahan", "business_name", "phone"],
                               [["a", OLD_NAME, "Bunulrejo", BUSINESS, OLD_PHONE]]))
    import_ok(store, write_csv(folder, "teachings.csv", ["learner_id", "teacher_id", "skill", "date", "note"],
                               [["d", "a", "kemasan", "2021-06-01", NOTE], ["x", "a", "kemasan", "2021-07-01", NOTE]]))
    import_ok(store, write_csv(folder, "outcomes.csv", ["ikm_id", "kind", "date", "note"],
                               [["a", "pameran", "2021-08-01", OLD_OUTCOME_NOTE]]))
    (folder / "fix").mkdir()
    import_ok(store, write_csv(folder / "fix", "ikm.csv", ["ikm_id", "name", "kelurahan", "business_name", "phone"],
                               [["a", NAME, "Bunulrejo", BUSINESS, PHONE]]))
    import_ok(store, write_csv(folder / "fix", "outcomes.csv", ["ikm_id", "kind", "date", "note"],
                               [["a", "pameran", "2021-08-01", OUTCOME_NOTE]]))


def texts_of_exports_and_backup(store: GraphStore, folder: Path) -> dict[str, str]:
    """Every export format and a backup of ``store``, as text (workbooks unzipped)."""
    folder.mkdir()
    found = {}
    for fmt in FORMATS:
        target = folder / (fmt if fmt == "csv" else f"export.{fmt}")
        export_store(store, target, fmt)
        files = sorted(target.iterdir()) if target.is_dir() else [target]
        for path in files:
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as book:
                    found[path.name] = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
            else:
                found[f"{fmt}/{path.name}"] = path.read_text("utf-8")
    write_backup(store, folder / "backup.json")
    found["backup.json"] = (folder / "backup.json").read_text("utf-8")
    return found


def leaks(texts: dict[str, str]) -> dict[str, list[str]]:
    return {name: hits for name, text in texts.items() if (hits := [s for s in SECRETS if s in text])}


def sqlite_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def neo4j_everything(url: str) -> str:
    """Every property of every node and relationship in the Neo4j database, as text (the
    compressed batch logs unpacked)."""
    from neo4j import GraphDatabase

    def text(value) -> str:
        if isinstance(value, (bytes, bytearray)):
            try:
                return zlib.decompress(value).decode("utf-8")
            except zlib.error:
                return value.decode("utf-8", "replace")
        return str(value)

    with GraphDatabase.driver(url) as driver:
        nodes, _, _ = driver.execute_query("MATCH (n) RETURN properties(n) AS p")
        rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN properties(r) AS p")
    return "\n".join(text(v) for record in [*nodes, *rels] for v in record["p"].values())


def shape(store: GraphStore) -> tuple:
    """The graph without personal data: ids, places, edges and dates."""
    return ([(i.ikm_id, i.kelurahan_code, i.sector, i.gender) for i in store.all_ikm()],
            [(t.learner_id, t.teacher_id, t.skill, t.date, t.source) for t in store.all_teachings()],
            store.all_attendance(), store.trainings())


@pytest.mark.usefixtures("english")
def test_forget_erases_the_person_everywhere_and_keeps_the_graphs_shape(store: GraphStore, tmp_path: Path,
                                                                        request: pytest.FixtureRequest):
    person_with_history(store, tmp_path / "in")
    logged_before = json.dumps([b.model_dump(mode="json") for b in store.batches(with_changes=True)])
    assert OLD_NAME in logged_before and OLD_PHONE in logged_before  # what undo would bring back
    assert leaks(texts_of_exports_and_backup(store, tmp_path / "before"))  # the check can fail
    before = shape(store)

    result = forget(store, "a", "petugas")

    # her two teaching notes and her outcome's note; her two earlier records and her outcome's first note
    assert (result.teachings, result.outcomes, result.logged_changes) == (2, 1, 3)
    erased = store.get_ikm("a")
    assert (erased.name, erased.business_name, erased.phone) == ("Dihapus (a)", None, None)
    assert shape(store) == before
    assert all(t.note is None for t in store.all_teachings() if "a" in (t.learner_id, t.teacher_id))
    assert [(o.kind, o.note) for o in store.all_outcomes() if o.ikm_id == "a"] == [("pameran", None)]
    logged = store.batches(with_changes=True)
    assert not [s for s in SECRETS if s in json.dumps([b.model_dump(mode="json") for b in logged])]
    audit = logged[-1]
    assert audit.batch_id == result.batch_id and "petugas" in audit.who and "forget a" in audit.who
    assert audit.changes == [] and audit.counts["ikm"].updated == 1
    assert leaks(texts_of_exports_and_backup(store, tmp_path / "after")) == {}
    # undoing the corrections puts back the versions before them: erased as well
    store.undo(logged[-2].batch_id)  # the outcome's
    store.undo(logged[-3].batch_id)  # the record's
    assert (store.get_ikm("a").name, store.get_ikm("a").phone) == ("Dihapus (a)", None)
    assert [o.note for o in store.all_outcomes() if o.ikm_id == "a"] == [None]
    # the erasure itself cannot be undone: nothing of what it erased is kept to put back
    with pytest.raises(InvalidData, match="erasure of personal data"):
        store.undo(result.batch_id)
    assert result.batch_id in [b.batch_id for b in store.batches()]

    if isinstance(store, EmbeddedStore):
        assert not [s for s in SECRETS if s.encode() in sqlite_bytes(store.path)]
    else:
        everything = neo4j_everything(request.getfixturevalue("neo4j_url"))
        assert "Dihapus (a)" in everything and not [s for s in SECRETS if s in everything]


def test_the_sqlite_file_held_the_values_before_the_erasure(tmp_path: Path):
    """The byte check above can fail: the same file holds them until ``forget``."""
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    person_with_history(store, tmp_path / "in")
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert {NAME, PHONE, BUSINESS, NOTE} <= {s for s in SECRETS if s.encode() in sqlite_bytes(store.path)}
    forget(store, "a", "petugas")
    assert not [s for s in SECRETS if s.encode() in sqlite_bytes(store.path)]
    store.close()


def test_forgetting_an_unknown_ikm_changes_nothing(store: GraphStore):
    store.write(small_batik_program())
    with pytest.raises(UnknownIKM):
        forget(store, "nobody", "petugas")
    assert store.batches() == []


def test_erase_log_leaves_other_people_alone():
    from tular.graph.model.records import Change
    from tular.graph.store.batches import encode_change_list

    other = Change(kind="ikm", key=("b",), before=ikm("b", phone="0811").model_dump(mode="json"))
    edge = Change(kind="teachings", key=("c", "b", "batik"),
                  before=teaching("c", "b", "2021-01-01", note="catatan").model_dump(mode="json"))
    assert erase_log(encode_change_list([other, edge]), "a") == (None, 0)
    erased, count = erase_log(encode_change_list([other, edge]), "b")
    assert count == 2 and b"0811" not in zlib.decompress(erased) and b"catatan" not in zlib.decompress(erased)
    assert placeholder("b").encode() in zlib.decompress(erased)


def tular(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tular", "--db", db, *args], capture_output=True, text=True,
                          timeout=120)


def test_forget_command(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "tular.db")
    store.init_schema()
    person_with_history(store, tmp_path / "in")
    store.close()
    db = f"sqlite:///{tmp_path / 'tular.db'}"
    missing = tular("forget", "nobody", db=db)
    assert missing.returncode == 1 and "nobody" in missing.stderr
    done = tular("forget", "a", "--who", "Bu Kabid", "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["teachings"] == 2
    listed = tular("import", "--list", "--json", db=db)
    assert "Bu Kabid" in listed.stdout and "forget a" in listed.stdout
    assert not [s for s in SECRETS if s in listed.stdout]
    assert not [s for s in SECRETS if s.encode() in sqlite_bytes(tmp_path / "tular.db")]


# --------------------------------------------------------------------------- the API
@pytest.fixture
def client(embedded_store: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    person_with_history(embedded_store, tmp_path / "in")
    made = {role: keys.create_key(embedded_store, role, f"{role} test")[0] for role in ("viewer", "editor", "admin")}
    with TestClient(create_app(Settings(public_read=True), store=embedded_store)) as test_client:
        yield test_client, made


def test_erasure_over_the_api_is_for_admins_only(client, embedded_store: EmbeddedStore):
    test_client, made = client
    for role, status in ((None, 401), ("viewer", 403), ("editor", 403)):
        headers = {"X-API-Key": made[role]} if role else {}
        response = test_client.delete("/api/v1/ikm/a/personal-data", headers=headers)
        assert response.status_code == status and response.headers["content-type"] == "application/problem+json"
    assert embedded_store.get_ikm("a").phone == PHONE
    assert test_client.delete("/api/v1/ikm/nobody/personal-data",
                              headers={"X-API-Key": made["admin"]}).status_code == 404
    done = test_client.delete("/api/v1/ikm/a/personal-data", headers={"X-API-Key": made["admin"]})
    assert done.status_code == 200 and done.json()["batch_id"]
    shown = test_client.get("/api/v1/ikm/a", headers={"X-API-Key": made["editor"]}).json()
    assert (shown["name"], shown["phone"], shown["business_name"]) == ("Dihapus (a)", None, None)


def _filled(path: str) -> str:
    values = {"ikm_id": "a", "learner_id": "c", "teacher_id": "a", "skill": "batik", "key_id": "nokey"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def test_no_route_writes_for_an_anonymous_caller_even_with_public_reads(client, embedded_store: EmbeddedStore):
    test_client, _ = client
    writes = [(method.upper(), path) for path, operations in test_client.app.openapi()["paths"].items()
              for method in operations if method.upper() not in ("GET", "HEAD")]
    assert {("POST", "/api/v1/teachings"), ("PATCH", "/api/v1/ikm/{ikm_id}"), ("POST", "/api/v1/imports"),
            ("DELETE", "/api/v1/ikm/{ikm_id}/personal-data")} <= set(writes)
    bodies = {"/api/v1/teachings": {"json": {"learner_id": "x", "teacher_id": "c", "skill": "batik",
                                             "date": "2023-01-01"}},
              "/api/v1/ikm/{ikm_id}": {"json": {"sector": "kuliner"}},
              "/api/v1/imports": {"files": [("files", ("ikm.csv", b"ikm_id,name,kelurahan\nz,Z,Dinoyo\n", "text/csv"))]},
              "/api/v1/keys": {"json": {"role": "admin", "name": "me"}}}
    before = (shape(embedded_store), embedded_store.batches(), embedded_store.api_keys())
    refused = []
    for method, path in writes:
        if not path.startswith("/api/"):
            continue  # the web pages' sign-in and forms are tested with their CSRF tokens
        response = test_client.request(method, _filled(path), **bodies.get(path, {}))
        assert response.status_code == 401, (method, path, response.text)
        refused.append((method, path))
    assert len(refused) >= 6
    assert (shape(embedded_store), embedded_store.batches(), embedded_store.api_keys()) == before


# --------------------------------------------------------------------------- keys
def test_api_keys_are_hashed_with_scrypt_and_compared_in_constant_time(embedded_store: EmbeddedStore, monkeypatch):
    plaintext, stored = keys.create_key(embedded_store, "viewer", "analis")
    secret = plaintext.split("_", 2)[2]
    assert secret not in stored.model_dump_json()
    assert stored.hash == hashlib.scrypt(secret.encode(), salt=bytes.fromhex(stored.salt), n=2**14, r=8, p=1,
                                         dklen=32).hex()
    assert keys.SCRYPT["n"] * keys.SCRYPT["r"] >= 2**14 * 8  # at least 16 MiB of memory per guess
    compared, real = [], hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    keys._cache.clear()
    monkeypatch.setattr(keys.hmac, "compare_digest", spy)
    assert keys.verify(embedded_store, plaintext).key_id == stored.key_id
    with pytest.raises(Exception, match="kunci API tidak dikenal"):
        keys.verify(embedded_store, f"tular_{stored.key_id}_wrong-secret")
    assert len(compared) == 2 and compared[0][1] == stored.hash


def test_verify_never_compares_secrets_or_hashes_with_equals():
    tree = ast.parse((ROOT / "graph" / "admin" / "api_keys.py").read_text("utf-8"))
    verify = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "verify")
    for node in ast.walk(verify):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            names = ast.unparse(node)
            assert "hash" not in names and "secret" not in names and "parts[2]" not in names, names


# --------------------------------------------------------------------------- Cypher
RUNNERS = {"run", "execute_query", "Query"}


def string_built_cypher(source: str, filename: str = "<code>") -> list[str]:
    """Calls of ``run``/``execute_query``/``Query`` whose query text is built from strings: an
    f-string, ``+``, ``%`` or ``.format`` (instead of a ``.cypher`` file and parameters)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in RUNNERS:
            continue
        text = node.args[0]
        built = (isinstance(text, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in text.values)
                 or isinstance(text, ast.BinOp)
                 or isinstance(text, ast.Call) and isinstance(text.func, ast.Attribute) and text.func.attr == "format")
        if built:
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


def test_the_cypher_check_finds_string_built_queries():
    bad = ('tx.run(f"MATCH (i:IKM {{ikm_id: \'{ikm_id}\'}}) RETURN i")\n'
           'session.run("MATCH (i) WHERE i.name = \'" + name + "\' RETURN i")\n'
           'driver.execute_query("MATCH (i {{id: {}}})".format(x))\n'
           'tx.run("MATCH (i) WHERE i.id = %s" % x)\n')
    assert len(string_built_cypher(bad)) == 4
    assert string_built_cypher('tx.run(query("get_ikm"), ikm_id=ikm_id)\ntx.run("RETURN 1")\n') == []


def test_no_cypher_is_built_from_strings_in_the_code():
    sources = [p for folder in ("graph", "service", "visualizations", "benchmarks", "tular")
               for p in sorted((ROOT / folder).rglob("*.py"))]
    assert len(sources) > 30
    found = [hit for path in sources for hit in string_built_cypher(path.read_text("utf-8"), str(path.relative_to(ROOT)))]
    assert found == []


def test_cypher_files_take_values_as_parameters():
    files = sorted((ROOT / "graph" / "store" / "queries").glob("*.cypher"))
    assert len(files) > 40
    for path in files:
        text = "\n".join(line for line in path.read_text("utf-8").splitlines() if not line.lstrip().startswith("//"))
        # a Python placeholder ({name}, %s, %(name)s) would mean the text is filled in before it is sent
        assert not re.search(r"\{\w+\}|%s|%\(\w+\)", text), path.name
        # a value compared or set is a $parameter, a row of UNWIND $rows, or a literal that never varies
        assert not re.search(r"=\s*'[^']*'\s*\+|\+\s*'[^']*'\s*$", text, re.M), path.name


# --------------------------------------------------------------------------- phone numbers on the demo data
@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory):
    from tular.graph.demo.generator import load_demo

    store = EmbeddedStore(tmp_path_factory.mktemp("demo") / "tular.db")
    store.init_schema()
    load_demo(store)
    made = {role: keys.create_key(store, role, f"{role} scan")[0] for role in ("viewer", "editor")}
    with TestClient(create_app(Settings(), store=store)) as test_client:
        yield test_client, made, store
    store.close()


def phone_leaks(text: str, phones: set[str]) -> set[str]:
    """Runs of 9 or more digits in ``text`` that are part of a stored phone number."""
    digits = {run for run in re.findall(r"\d{9,}", re.sub(r"(?<=\d)[ .-](?=\d)", "", text))}
    return {run for run in digits if any(run in phone for phone in phones)}


def test_viewers_maps_and_reports_never_show_a_phone_number(demo_client):
    from tular.graph.demo.generator import BUNULREJO, DEMO_AS_OF

    test_client, made, store = demo_client
    people = store.all_ikm()
    phones = {re.sub(r"\D", "", i.phone) for i in people if i.phone}
    assert len(phones) > 10_000
    # someone in the Bunulrejo batik story, with a phone, a lineage and a place on the map
    taught = edges(store, "batik", DEMO_AS_OF)
    teachers, learners = {u for u, _ in taught}, {v for _, v in taught}
    person = next(i for i in people if i.phone and i.kelurahan_code == BUNULREJO
                  and i.ikm_id in learners and i.ikm_id in teachers)
    viewer = {"X-API-Key": made["viewer"]}
    # refused to viewers; it carries names but never a phone, even to an editor (SPEC §13)
    editor_only = {"/api/v1/exports/odk-register"}
    as_of = DEMO_AS_OF.isoformat()
    fill = {"ikm_id": person.ikm_id, "skill": "batik", "year": str(DEMO_AS_OF.year), "seats": "10"}
    extra = {"/api/v1/reach": {"skill": "batik", "as_of": as_of},
             "/api/v1/broken-chains": {"skill": "batik", "as_of": as_of},
             "/api/v1/ikm/{ikm_id}/lineage": {"skill": "batik", "as_of": as_of},
             "/api/v1/maps/{skill}": {"as_of": as_of}}
    scanned = {}
    for path, operations in test_client.app.openapi()["paths"].items():
        if "get" not in operations or not path.startswith("/api/") or path.startswith("/api/v1/keys"):
            continue
        required = [p["name"] for p in operations["get"].get("parameters", []) if p.get("required")
                    and p["in"] == "query"]
        params = {**{name: fill.get(name, "batik") for name in required}, **extra.get(path, {})}
        url = re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], path)
        if path in editor_only:
            assert test_client.get(url, params=params, headers=viewer).status_code == 403, url
        response = test_client.get(url, params=params,
                                   headers={"X-API-Key": made["editor"]} if path in editor_only else viewer)
        assert response.status_code == 200, (url, response.text[:300])
        scanned[url] = phone_leaks(response.text, phones)
    for page in range(1, len(people) // 500 + 2):  # every IKM, page by page
        response = test_client.get("/api/v1/ikm", params={"page": page, "page_size": 500}, headers=viewer)
        scanned[f"/api/v1/ikm?page={page}"] = phone_leaks(response.text, phones)
    for public in (False, True):
        for lang in ("id", "en"):
            response = test_client.get(f"/api/v1/reports/{DEMO_AS_OF.year}",
                                       params={"lang": lang, "public": public}, headers=viewer)
            assert response.status_code == 200
            scanned[f"report {lang} public={public}"] = phone_leaks(response.text, phones)
    assert {"/api/v1/reach", "/api/v1/maps/batik", f"/api/v1/ikm/{person.ikm_id}/lineage",
            f"/api/v1/reports/{DEMO_AS_OF.year}", *editor_only} <= set(scanned)
    assert {url: found for url, found in scanned.items() if found} == {}
    # the scan finds a phone where one is shown: to an editor
    shown = test_client.get(f"/api/v1/ikm/{person.ikm_id}", headers={"X-API-Key": made["editor"]}).text
    assert phone_leaks(shown, phones) == {re.sub(r"\D", "", person.phone)}
    print(f"\nscanned for phone numbers: {len(scanned)} responses")


def test_forget_doctests_pass():
    import doctest

    from tular.graph.admin import erasure as forget_module

    assert doctest.testmod(forget_module).failed == 0
