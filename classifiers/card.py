"""The model card written beside every artifact: what was trained, on what, and how well."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from typing import Final

import msgspec

# Libraries whose versions change what a saved model means (skops refuses nothing by version).
_LIBRARIES: Final = ("scikit-learn", "skops", "numpy", "scipy", "msgspec")


class LabelScores(msgspec.Struct, frozen=True):
    """Precision, recall and F1 of one label, with its support on the evaluated split."""

    precision: float
    recall: float
    f1: float
    support: int


class TaskMetrics(msgspec.Struct, frozen=True):
    """Scores of one task on one split, on the texts as written and on their folded form."""

    accuracy: float
    macro_f1: float
    folded_accuracy: float
    folded_macro_f1: float
    rows: int
    per_label: dict[str, LabelScores]

    @property
    def folded_gap(self) -> float:
        """How much macro-F1 is lost when the same texts are typed without diacritics."""
        return self.macro_f1 - self.folded_macro_f1


class ModelCard(msgspec.Struct, frozen=True):
    """Version, label sets, held-out metrics, data hash and library versions of one model."""

    version: str
    created_at: datetime
    labels: dict[str, list[str]]
    metrics: dict[str, TaskMetrics]
    data_hash: str
    data_source: str
    split_rows: dict[str, int]
    library_versions: dict[str, str]
    training_seconds: float
    # "cross-validated" or "held-out validation split" (see train.CROSS_VALIDATION_MAX_ROWS).
    calibration: str = ""


def library_versions() -> dict[str, str]:
    """The versions of Python and of the libraries a model depends on."""
    versions = {name: package_version(name) for name in _LIBRARIES}
    versions["python"] = platform.python_version()
    return versions


def new_version(created_at: datetime, data_hash: str) -> str:
    """A sortable, unique-enough model version: UTC time plus the start of the data hash."""
    return f"{created_at.astimezone(UTC):%Y%m%d-%H%M%S}-{data_hash[:8]}"


def is_not_worse(new_card: ModelCard, old_card: ModelCard, tolerance: float = 0.0) -> bool:
    """True when the new model's held-out topic macro-F1 is at least the old one's (DESIGN §5)."""
    task = "topic" if "topic" in new_card.metrics else next(iter(new_card.metrics))
    if task not in old_card.metrics:
        return True  # nothing comparable to lose
    return new_card.metrics[task].macro_f1 + tolerance >= old_card.metrics[task].macro_f1
