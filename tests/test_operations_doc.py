"""docs/operations.md: the configuration table lists every setting the code reads, as generated."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def settings_table() -> ModuleType:
    path = ROOT / "docs" / "tools" / "settings_table.py"
    spec = importlib.util.spec_from_file_location("settings_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_settings_table_is_current() -> None:
    tool = settings_table()
    # Fails with the names to describe when a setting was added without a line in MEANINGS.
    expected = tool.render_table()
    assert tool.documented_table(DOC) == expected, (
        "docs/operations.md is stale: run .venv/bin/python docs/tools/settings_table.py"
    )


def test_every_variable_named_in_the_settings_code_has_a_row() -> None:
    """A plain text scan, independent of the generator's syntax-tree reading."""
    names: set[str] = set()
    for source in ("backend/settings.py", "backend/channel_settings.py"):
        text = (ROOT / source).read_text(encoding="utf-8")
        names |= set(re.findall(r"\"(TIENGDAN_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)\"", text))
    rows = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", DOC, re.M))
    assert len(names) > 40
    assert names - rows == set()


def test_the_generator_reads_defaults_from_the_code() -> None:
    tool = settings_table()
    variables = tool.code_variables()
    assert variables["TIENGDAN_PORT"] == "`8000`"
    assert variables["TIENGDAN_SMTP_TLS"] == "`auto`"  # the `or "auto"` fallback
    assert variables["TIENGDAN_ZALO_APP_ID"] == "unset"
    assert variables["TIENGDAN_IN_PROCESS_WORKER"] is None  # computed: MEANINGS describes it


def test_operations_guide_covers_what_operators_need() -> None:
    for needle in (
        "pg_dump",
        "pg_restore",
        "recovery_target_time",
        "TIENGDAN_VAPID_PRIVATE_KEY",
        "TIENGDAN_ZALO_OA_SECRET_KEY",
        "TIENGDAN_MESSENGER_PAGE_TOKEN",
        "auth_sessions",
        "Expand",
        "Contract",
        "34 provinces",
        "3,321 communes",
        "Partition `messages`",
        "read replicas",
        "PROMETHEUS_MULTIPROC_DIR",
    ):
        assert needle in DOC, needle
