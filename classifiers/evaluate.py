"""Scoring predictions: accuracy, macro-F1, per-label P/R/F1, folded gap, confusion-matrix PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from classifiers.card import LabelScores, TaskMetrics
from classifiers.normalize import fold
from classifiers.predictor import LabelPredictor


def task_metrics(
    truth: Sequence[str],
    predicted: Sequence[str],
    predicted_folded: Sequence[str],
    labels: Sequence[str],
) -> TaskMetrics:
    """Scores of predictions on the texts as written and on the same texts folded."""
    if not truth:
        raise ValueError("nothing to evaluate: the split is empty")
    # Labels absent from both the truth and the predictions have no score worth showing.
    present = [label for label in labels if label in set(truth) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=present, zero_division=0
    )
    per_label = {
        label: LabelScores(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
    }
    return TaskMetrics(
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=_macro_f1(truth, predicted, labels),
        folded_accuracy=float(accuracy_score(truth, predicted_folded)),
        folded_macro_f1=_macro_f1(truth, predicted_folded, labels),
        rows=len(truth),
        per_label=per_label,
    )


class ModelScores(NamedTuple):
    """Metrics per task and the predictions they came from (for a confusion matrix)."""

    metrics: dict[str, TaskMetrics]
    predictions: dict[str, list[str]]


def score_model(
    model: LabelPredictor, texts: Sequence[str], targets: dict[str, list[str]]
) -> ModelScores:
    """Score a saved model on labelled texts; `targets` maps the model's task names to labels."""
    original = model.predict_tasks(texts)
    folded = model.predict_tasks([fold(text) for text in texts])
    metrics = {
        task: task_metrics(
            labels,
            original[task][0],
            folded[task][0],
            # Labels the model never learnt still count (as misses) in the scores.
            model.labels[task] + sorted(set(labels) - set(model.labels[task])),
        )
        for task, labels in targets.items()
    }
    return ModelScores(metrics, {task: original[task][0] for task in targets})


def _macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    # Only labels present in the truth or the predictions count, as in scikit-learn's default.
    present = [label for label in labels if label in set(truth) | set(predicted)]
    return float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))


def format_metrics(task: str, metrics: TaskMetrics) -> str:
    """A plain-text report of one task for the terminal."""
    lines = [
        f"{task}: accuracy {metrics.accuracy:.3f}  macro-F1 {metrics.macro_f1:.3f}  "
        f"(folded: accuracy {metrics.folded_accuracy:.3f}  macro-F1 {metrics.folded_macro_f1:.3f}, "
        f"gap {metrics.folded_gap * 100:+.1f} points)  on {metrics.rows} rows",
        f"  {'label':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}",
    ]
    for label, scores in metrics.per_label.items():
        lines.append(
            f"  {label:<28} {scores.precision:>9.3f} {scores.recall:>7.3f} "
            f"{scores.f1:>6.3f} {scores.support:>8}"
        )
    return "\n".join(lines)


def write_confusion_png(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str], path: Path, title: str
) -> None:
    """Save the confusion matrix (rows: truth, columns: prediction) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    from matplotlib import pyplot as plt

    matrix = confusion_matrix(truth, predicted, labels=list(labels))
    size = max(4.0, 0.55 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    try:
        axes.imshow(matrix, cmap="Blues")
        axes.set_xticks(np.arange(len(labels)), labels=list(labels), rotation=60, ha="right")
        axes.set_yticks(np.arange(len(labels)), labels=list(labels))
        axes.set_xlabel("predicted")
        axes.set_ylabel("true")
        axes.set_title(title)
        threshold = matrix.max() / 2 if matrix.size else 0
        for (row, column), count in np.ndenumerate(matrix):
            colour = "white" if count > threshold else "black"
            axes.text(column, row, str(count), ha="center", va="center", color=colour, fontsize=8)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
    finally:
        plt.close(figure)
