"""Code tests: training refuses data it cannot learn from, with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.corpus import LabeledText
from classifiers.errors import DataFormatError
from classifiers.train import fit_pipelines, train_labeled


def test_one_label_only_is_refused() -> None:
    with pytest.raises(DataFormatError, match="needs at least two labels"):
        fit_pipelines(["a b", "c d", "e f"], {"label": ["x", "x", "x"]})


def test_labels_too_rare_to_calibrate_are_named() -> None:
    texts = [f"câu {n}" for n in range(8)]
    with pytest.raises(DataFormatError, match=r"labels \['y'\] have fewer than 3"):
        fit_pipelines(texts, {"label": ["x"] * 6 + ["y"] * 2})


def test_empty_test_split_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    rows = [LabeledText(f"câu {n}", "xy"[n % 2], "train") for n in range(12)]
    with pytest.raises(DataFormatError, match="test split is empty"):
        train_labeled(rows, tmp_path / "model")
    assert not (tmp_path / "model").exists()
