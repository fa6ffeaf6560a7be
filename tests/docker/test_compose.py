"""docker/: the compose file against the Compose Specification, and our own rules for both files."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
COMPOSE_TEXT = (ROOT / "docker" / "compose.yaml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()


def schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft201909Validator(SCHEMA)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


def prod_local() -> ModuleType:
    spec = importlib.util.spec_from_file_location("prod_local", ROOT / "docker" / "prod_local.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def services_running(command: str) -> list[str]:
    return sorted(name for name, s in COMPOSE["services"].items() if s.get("command") == [command])


def test_compose_file_follows_the_compose_specification() -> None:
    assert schema_errors(COMPOSE) == []


def test_the_schema_really_rejects_a_broken_file() -> None:
    broken = {"services": {"api": {"image": "x", "ports": 8000, "restart": ["always"]}}}
    assert len(schema_errors(broken)) >= 2
    assert schema_errors({"services": {"api": {"imag": "x"}}}) != []  # unknown key


def test_two_api_processes_and_two_workers_from_one_image() -> None:
    assert services_running("serve") == ["api-1", "api-2"]
    assert services_running("worker") == ["worker-1", "worker-2"]
    images = {s.get("image") for s in COMPOSE["services"].values() if "build" in s}
    assert images == {"tiengdan:latest"}
    assert COMPOSE["services"]["migrate"]["command"] == ["migrate"]
    assert COMPOSE["services"]["migrate"]["restart"] == "no"


def test_every_service_has_a_health_check_and_waits_for_what_it_needs() -> None:
    for name, service in COMPOSE["services"].items():
        if name == "migrate":
            continue  # a one-shot
        assert service["healthcheck"]["test"], name
    for name in [*services_running("serve"), *services_running("worker")]:
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        env = COMPOSE["services"][name]["environment"]
        assert env["TIENGDAN_IN_PROCESS_WORKER"] == "false"
        assert env["PROMETHEUS_MULTIPROC_DIR"] == "/run/tiengdan/metrics"


def test_state_lives_in_volumes_and_secrets_are_never_defaulted() -> None:
    assert set(COMPOSE["volumes"]) == {"pgdata", "models", "media"}
    for name in [*services_running("serve"), *services_running("worker")]:
        service = COMPOSE["services"][name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        # Everything the processes write lives in a volume or a tmpfs.
        mounts = {v.split(":")[1] for v in service["volumes"]}
        assert mounts == {"/var/lib/tiengdan/models", "/var/lib/tiengdan/media"}
        assert {t.split(":")[0] for t in service["tmpfs"]} == {"/run/tiengdan/metrics", "/tmp"}
    assert "pgdata:/var/lib/postgresql/data" in COMPOSE["services"]["postgres"]["volumes"]
    # ${VAR:?message} makes compose refuse to start without them.
    assert re.search(r"TIENGDAN_SECRET_KEY: \$\{TIENGDAN_SECRET_KEY:\?", COMPOSE_TEXT)
    assert "${POSTGRES_PASSWORD:?" in COMPOSE_TEXT
    ports = [p for s in COMPOSE["services"].values() for p in s.get("ports", [])]
    assert ports and all(p.startswith("127.0.0.1:") for p in ports)  # behind the proxy only


def without_port(args: tuple[str, ...]) -> tuple[str, ...]:
    if "--port" not in args:
        return args
    at = args.index("--port")
    return args[:at] + args[at + 2 :]


def test_prod_local_runs_the_same_entry_points_as_the_compose_file() -> None:
    local = prod_local().processes(8001)
    compose_commands = sorted(
        tuple(s["command"])
        for n, s in COMPOSE["services"].items()
        if n.startswith(("api", "worker"))
    )
    # prod-local only adds a port per API process (the containers all listen on 8000).
    local_commands = sorted(without_port(p.args) for p in local)
    assert local_commands == compose_commands
    assert [p.name for p in local] == sorted(
        n for n in COMPOSE["services"] if n.startswith(("api", "worker"))
    )


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_is_multi_stage_non_root_with_a_health_check() -> None:
    steps = dockerfile_instructions()
    stages = [i for i, (op, _) in enumerate(steps) if op == "FROM"]
    assert len(stages) >= 2
    final = steps[stages[-1] :]
    users = [arg for op, arg in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(op == "HEALTHCHECK" for op, _ in final)
    assert ("ENTRYPOINT", '["tiengdan"]') in final and ("CMD", '["serve"]') in final
    # The runtime stage takes the built venv and code; it installs no compiler.
    assert any(op == "COPY" and arg.startswith("--from=build") for op, arg in final)
    assert not any("build-essential" in arg for op, arg in final if op == "RUN")
    # The volumes' mount points exist and belong to the runtime user (new volumes copy that).
    assert any(
        op == "RUN" and "/var/lib/tiengdan/media" in arg and "chown" in arg for op, arg in final
    )


def test_build_context_sends_only_the_sources() -> None:
    lines = (ROOT / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
    ignore = [line for line in lines if line and not line.startswith("#")]
    assert ignore[0] == "*"  # everything excluded, then the sources re-included
    sources = {
        source
        for op, arg in dockerfile_instructions()
        if op == "COPY" and not arg.startswith("--from")
        for source in arg.split()[:-1]
    }
    assert sources == {"pyproject.toml", "README.md", "backend", "channels", "classifiers", "pwa"}
    included = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert sources <= included


@pytest.mark.parametrize(
    "rule",
    ["pinned base image", "no ADD", "apt lists removed", "model trained at build"],
)
def test_dockerfile_lint_rules(rule: str) -> None:
    steps = dockerfile_instructions()
    if rule == "pinned base image":
        args = {arg for op, arg in steps if op == "ARG"}
        assert "PYTHON_IMAGE=python:3.11-slim-bookworm" in args
        assert all(":latest" not in arg for op, arg in steps if op == "FROM")
    elif rule == "no ADD":  # COPY only: no remote URLs or auto-extracted archives
        assert [arg for op, arg in steps if op == "ADD"] == []
    elif rule == "apt lists removed":
        for op, arg in steps:
            if op == "RUN" and "apt-get install" in arg:
                assert "--no-install-recommends" in arg and "rm -rf /var/lib/apt/lists/*" in arg
    elif rule == "model trained at build":
        assert any(op == "RUN" and arg.startswith("tiengdan train --out") for op, arg in steps)
