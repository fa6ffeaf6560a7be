"""Serving imports no training code, and the package imports nothing from backend or channels."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import classifiers

PACKAGE = Path(classifiers.__file__).parent
TRAINING_MODULES = {
    "classifiers.train",
    "classifiers.evaluate",
    "classifiers.splits",
    "classifiers.reports",
    "classifiers.training_data",
    "classifiers.corpus",
    "classifiers.cli",
    "classifiers.sib200",
}


def test_loading_and_predicting_imports_no_training_module(tiny_model_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from classifiers.predictor import Predictor; "
        f"Predictor.load(Path({str(tiny_model_dir)!r})).predict(['mất điện']); "
        "print(' '.join(m for m in sys.modules if m.startswith('classifiers')))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "classifiers.predictor" in loaded
    assert loaded & TRAINING_MODULES == set()


def test_no_module_imports_backend_or_channels() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] in {"backend", "channels"} for n in names), path
