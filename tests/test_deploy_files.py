"""Static checks of the container files: Dockerfile, .dockerignore, docker-compose.yml.

No Docker engine is needed. When the `docker` CLI with the Compose v2 plugin is on the
PATH, `docker compose config -q` (which validates without an engine) is run as well.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


# ---------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    assert isinstance(data.get("services"), dict), "docker-compose.yml has no services"
    return data


def _environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whichever of the two Compose syntaxes it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        out: dict[str, str] = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _published_ports(service: dict) -> list[tuple[str | None, str]]:
    """(host_ip, published) for every published port, short or long syntax."""
    out: list[tuple[str | None, str]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            if entry.get("published") is None:
                continue
            out.append((entry.get("host_ip"), str(entry["published"])))
            continue
        spec = str(entry).split("/")[0]  # drop /tcp
        parts = spec.rsplit(":", 2)
        if len(parts) == 3:
            out.append((parts[0].strip("[]"), parts[1]))
        elif len(parts) == 2:
            out.append((None, parts[0]))
        else:
            out.append((None, parts[0]))  # container port only: published on all addresses
    return out


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if not full:
            continue
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def _exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value


# ----------------------------------------------------------------------- compose file


def test_neo4j_service_uses_the_official_community_image(compose: dict) -> None:
    assert compose["services"]["neo4j"]["image"] == "neo4j:5-community"


def test_neo4j_auth_and_password_shared_with_api(compose: dict) -> None:
    neo4j_env = _environment(compose["services"]["neo4j"])
    api_env = _environment(compose["services"]["api"])
    assert neo4j_env["NEO4J_AUTH"].startswith("neo4j/${TULAR_NEO4J_PASSWORD")
    assert neo4j_env["NEO4J_AUTH"] == "neo4j/" + api_env["TULAR_NEO4J_PASSWORD"]


# Compose's variable interpolation, as its specification defines it (`docker compose config` needs
# the docker CLI, which the test machines do not have): $$ is a $; $VAR and ${VAR}; ${VAR:-default}
# and ${VAR-default}; ${VAR:?error} and ${VAR?error} stop every command with the error;
# ${VAR:+other} and ${VAR+other}. The ":" forms treat an empty variable as unset. Anything else
# after a $ is an invalid interpolation format, which Compose refuses.
_INTERPOLATION = re.compile(r"\$(?:(?P<escaped>\$)|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
                            r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}$]*))?\}|(?P<invalid>))")


class ComposeError(Exception):
    """What `docker compose` would stop with."""


def interpolate(value, env: dict[str, str]):
    """``value`` (the parsed compose file, or any part of it) with its variables interpolated."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ComposeError(f"invalid interpolation format for {value!r}")
        name, op, arg = match["plain"] or match["braced"], match["op"], match["arg"]
        found = env.get(name)
        if op is None:
            return found or ""
        present = bool(found) if op.startswith(":") else found is not None
        if op.endswith("-"):
            return found if present else arg
        if op.endswith("?"):
            if not present:
                raise ComposeError(f"required variable {name} is missing a value: {arg}")
            return found
        return arg if present else ""

    return _INTERPOLATION.sub(one, value)


def test_the_interpolation_reads_compose_syntax() -> None:
    env = {"A": "x", "EMPTY": ""}
    assert interpolate("$$A ${A} $A ${B:-d} ${EMPTY:-d} ${EMPTY-d} ${A:+y} ${B+y}", env) == "$A x x d d  y "
    with pytest.raises(ComposeError, match="B is missing a value: say B"):
        interpolate("${B:?say B}", env)
    with pytest.raises(ComposeError, match="EMPTY"):
        interpolate("${EMPTY:?}", env)
    for bad in ("${A#*/}", "${A", "$ A", "${1A}"):
        with pytest.raises(ComposeError, match="invalid interpolation"):
            interpolate(bad, env)


def test_compose_requires_the_neo4j_password_and_has_no_default(compose: dict) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "change-me" not in text
    used = re.findall(r"(?<!\$)\$\{TULAR_NEO4J_PASSWORD([^}]*)\}", text)
    assert len(used) == 2 and all(op.startswith(":?") and "TULAR_NEO4J_PASSWORD" in op for op in used), used
    for env in ({}, {"TULAR_NEO4J_PASSWORD": ""}):
        with pytest.raises(ComposeError, match="TULAR_NEO4J_PASSWORD is missing a value: set TULAR_NEO4J_PASSWORD"):
            interpolate(compose, env)
    ready = interpolate(compose, {"TULAR_NEO4J_PASSWORD": "a-long-secret"})  # every other $ is valid too
    assert _environment(ready["services"]["neo4j"])["NEO4J_AUTH"] == "neo4j/a-long-secret"
    assert _environment(ready["services"]["api"])["TULAR_NEO4J_PASSWORD"] == "a-long-secret"
    # the healthcheck's $$ reaches the container's shell as one $, which expands NEO4J_AUTH there
    assert '"${NEO4J_AUTH#*/}"' in " ".join(ready["services"]["neo4j"]["healthcheck"]["test"])


def test_no_secret_in_compose_has_a_default(compose: dict) -> None:
    secrets_with_defaults = [m.group(0) for m in re.finditer(r"(?<!\$)\$\{(\w*(?:PASSWORD|SECRET|KEY|AUTH)\w*):?[-+][^}]*\}",
                                                             COMPOSE.read_text(encoding="utf-8"))]
    assert secrets_with_defaults == []


def test_neo4j_has_a_healthcheck(compose: dict) -> None:
    hc = compose["services"]["neo4j"].get("healthcheck")
    assert hc, "neo4j needs a healthcheck for depends_on: service_healthy"
    assert not hc.get("disable", False)
    test = hc["test"]
    text = " ".join(test) if isinstance(test, list) else str(test)
    assert "cypher-shell" in text or "7474" in text
    for key in ("interval", "retries", "start_period"):
        assert key in hc, f"neo4j healthcheck lacks {key}"


def test_neo4j_data_is_on_a_named_volume(compose: dict) -> None:
    mounts = compose["services"]["neo4j"].get("volumes") or []
    named = set(compose.get("volumes") or {})
    data_sources = []
    for m in mounts:
        if isinstance(m, dict):
            if m.get("target") == "/data":
                data_sources.append(m.get("source"))
        else:
            parts = str(m).split(":")
            if len(parts) >= 2 and parts[1] == "/data":
                data_sources.append(parts[0])
    assert data_sources, "neo4j /data is not on a volume"
    assert data_sources[0] in named, "neo4j /data should be a named volume declared at top level"


def test_api_waits_for_a_healthy_neo4j(compose: dict) -> None:
    depends = compose["services"]["api"]["depends_on"]
    assert isinstance(depends, dict), "use the long depends_on syntax with a condition"
    assert depends["neo4j"]["condition"] == "service_healthy"


def test_api_points_at_the_neo4j_service(compose: dict) -> None:
    env = _environment(compose["services"]["api"])
    url = urlsplit(env["TULAR_DB"])
    assert url.scheme in {"neo4j", "bolt"}
    assert url.hostname == "neo4j" and url.hostname in compose["services"]
    assert url.port == 7687
    assert env["TULAR_NEO4J_USER"] == "neo4j"
    assert env["TULAR_NEO4J_DATABASE"] == "neo4j"
    assert env["TULAR_NEO4J_PASSWORD"].startswith("${TULAR_NEO4J_PASSWORD")


def test_api_is_built_here_and_restarts(compose: dict) -> None:
    api = compose["services"]["api"]
    build = api["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE
    assert api["restart"] == "unless-stopped"


def test_every_published_port_binds_loopback_only(compose: dict) -> None:
    seen = {}
    for name, service in compose["services"].items():
        for host_ip, published in _published_ports(service):
            assert host_ip == "127.0.0.1", f"{name} publishes {published} on {host_ip or 'all addresses'}"
            seen.setdefault(name, set()).add(published)
    assert seen.get("neo4j") == {"7474", "7687"}
    assert seen.get("api") == {"8000"}


# ------------------------------------------------------------------------- Dockerfile


def test_dockerfile_runs_tular_serve() -> None:
    instructions = _dockerfile_instructions()
    cmds = [args for kw, args in instructions if kw == "CMD"]
    assert cmds, "Dockerfile has no CMD"
    cmd = _exec_form(cmds[-1])
    assert cmd[:2] == ["tular", "serve"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert cmd[cmd.index("--port") + 1] == "8000"
    assert not [kw for kw, _ in instructions if kw == "ENTRYPOINT"]


def test_dockerfile_base_user_port_and_healthcheck() -> None:
    instructions = _dockerfile_instructions()
    froms = [args for kw, args in instructions if kw == "FROM"]
    assert froms[0].split()[0] == "python:3.11-slim"
    users = [args for kw, args in instructions if kw == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert any(kw == "EXPOSE" and "8000" in args.split() for kw, args in instructions)
    healthchecks = [args for kw, args in instructions if kw == "HEALTHCHECK"]
    assert healthchecks and "http://127.0.0.1:8000/healthz" in healthchecks[-1]
    assert "curl" not in healthchecks[-1]


def test_dockerfile_installs_weasyprint_libraries() -> None:
    runs = " ".join(args for kw, args in _dockerfile_instructions() if kw == "RUN")
    for pkg in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "libfontconfig1", "fonts-dejavu-core"):
        assert pkg in runs.split(), f"{pkg} not installed"


def _copy_sources() -> list[str]:
    sources: list[str] = []
    for kw, args in _dockerfile_instructions():
        if kw not in {"COPY", "ADD"}:
            continue
        words = [w for w in args.split() if not w.startswith("--")]
        sources.extend(w.rstrip("/") for w in words[:-1])
    return sources


def test_dockerfile_copies_what_the_package_needs_and_it_exists() -> None:
    sources = _copy_sources()
    for needed in ("pyproject.toml", "tular", "graph", "service", "visualizations"):
        assert needed in sources, f"Dockerfile does not copy {needed}"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert not missing, f"`docker build` would fail: COPY sources missing from the repo: {missing}"


# ---------------------------------------------------------------------- .dockerignore


def _dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [ln.strip().rstrip("/") for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def test_dockerignore_excludes_local_state() -> None:
    patterns = set(_dockerignore_patterns())
    for p in (".venv", ".git", "*.db", "tools/neo4j-test-server/target"):
        assert p in patterns, f".dockerignore does not exclude {p}"


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    patterns = [p for p in _dockerignore_patterns() if not p.startswith("!")]
    for source in _copy_sources():
        for p in patterns:
            assert not fnmatch.fnmatch(source, p.removeprefix("**/")), (
                f".dockerignore pattern {p!r} hides {source!r}, which the Dockerfile copies"
            )


# ------------------------------------------------------- docker compose, if available


def _compose_plugin_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin_available(), reason="docker CLI with the compose plugin not available")
def test_docker_compose_config_is_valid() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
