"""schemathesis over the OpenAPI schema: every operation, generated requests, every response
must conform (status code documented, problem+json or the declared body, no server error)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from tular.graph.admin import api_keys as keys
from tular.graph.demo.generator import build_demo
from tular.graph.model.settings import Settings
from tular.graph.store import EmbeddedStore
from tular.service.app import create_app

MAX_EXAMPLES = 40
#: Skill, kelurahan and IKM names are checked against the store's vocabulary, which the schema
#: cannot list (skills and aliases are added at run time): a schema-valid but unknown name is a
#: correct 422, not a failure.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def make_app():
    store = EmbeddedStore(Path(tempfile.mkdtemp(prefix="tular-schema-")) / "tular.db")
    store.init_schema()
    demo = build_demo()
    store.write(demo.model_copy(update={"ikm": demo.ikm[:400], "teachings": [], "attendance": [], "outcomes": []}))
    key, _ = keys.create_key(store, "admin", "schemathesis")
    return key, create_app(Settings(), store=store)


def test_every_operation_conforms_to_the_schema():
    key, app = make_app()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tried: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            tried[operation.label] = tried.get(operation.label, 0) + 1
            case.call_and_validate(headers={"X-API-Key": key}, excluded_checks=EXCLUDED)

        run()
    assert len(tried) >= 16 and min(tried.values()) >= 1, tried
    print(f"schemathesis: {sum(tried.values())} cases over {len(tried)} operations, zero failures")
