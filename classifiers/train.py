"""Training: fit one pipeline per task, calibrate its confidence, score the test split, save."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sklearn.pipeline import Pipeline

from classifiers.artifacts import save_model
from classifiers.card import ModelCard, TaskMetrics, library_versions, new_version
from classifiers.corpus import CorpusRecord, LabeledText, SplitName
from classifiers.errors import DataFormatError
from classifiers.evaluate import task_metrics
from classifiers.labels import URGENCY_TASK
from classifiers.normalize import fold
from classifiers.pipelines import CALIBRATION_FOLDS, build_classifier, build_features
from classifiers.training_data import TaskTable, corpus_table, labeled_table

# Up to this many training rows, the SVMs learn from train+validation and are calibrated by
# cross-validation (better held-out scores on the corpus: macro-F1 topic 0.860 vs 0.854, kind
# 0.898 vs 0.837, urgency 0.857 vs 0.825). Beyond it, CALIBRATION_FOLDS + 1 fits per task
# cost too much (50k messages: ~70 s), so the SVMs learn from train and are calibrated on the
# validation split.
CROSS_VALIDATION_MAX_ROWS = 20_000
# Tasks whose rare labels matter most: an urgent message missed is worse than a false alarm.
_SAFETY_TASKS = frozenset({URGENCY_TASK})


def train_models(records: Sequence[CorpusRecord], out_dir: Path) -> ModelCard:
    """Train topic, kind and urgency models on the shipped-corpus format and save them."""
    return _train_and_save(corpus_table(records), "corpus", out_dir)


def train_labeled(rows: Sequence[LabeledText], out_dir: Path) -> ModelCard:
    """Train the single task of a generic {"text", "label"} file and save it."""
    return _train_and_save(labeled_table(rows), "labeled", out_dir)


def _train_and_save(table: TaskTable, source: str, out_dir: Path) -> ModelCard:
    pipelines, card = train_table(table, source)
    save_model(pipelines, card, out_dir)
    return card


def train_table(table: TaskTable, source: str) -> tuple[dict[str, Pipeline], ModelCard]:
    """Fit (see CROSS_VALIDATION_MAX_ROWS), score on test; returns the pipelines and card."""
    started = time.perf_counter()
    if len(table.rows("train", "validation")) <= CROSS_VALIDATION_MAX_ROWS:
        calibration = "cross-validated"
        pipelines = fit_pipelines(
            _texts(table, "train", "validation"), _targets(table, "train", "validation")
        )
    else:
        calibration = "held-out validation split"
        pipelines = fit_pipelines(
            _texts(table, "train"),
            _targets(table, "train"),
            _texts(table, "validation"),
            _targets(table, "validation"),
        )
    seconds = time.perf_counter() - started
    metrics = score_pipelines(
        pipelines, _texts(table, "test"), _targets(table, "test"), table.label_sets
    )
    created = datetime.now(UTC)
    card = ModelCard(
        version=new_version(created, table.data_hash),
        created_at=created,
        labels=table.label_sets,
        metrics=metrics,
        data_hash=table.data_hash,
        data_source=source,
        split_rows=table.split_sizes(),
        library_versions=library_versions(),
        training_seconds=round(seconds, 3),
        calibration=calibration,
    )
    return pipelines, card


def _texts(table: TaskTable, *splits: SplitName) -> list[str]:
    return [table.texts[i] for i in table.rows(*splits)]


def _targets(table: TaskTable, *splits: SplitName) -> dict[str, list[str]]:
    rows = table.rows(*splits)
    return {task: [labels[i] for i in rows] for task, labels in table.targets.items()}


def fit_pipelines(
    texts: Sequence[str],
    targets: dict[str, list[str]],
    held_out_texts: Sequence[str] = (),
    held_out_targets: dict[str, list[str]] | None = None,
) -> dict[str, Pipeline]:
    """One fitted pipeline per task, sharing one feature pipeline fitted once.

    Every text is also learnt in its diacritic-free form, as citizens often type it. A task
    whose held-out rows have CALIBRATION_FOLDS of every label is calibrated on them (one SVM
    fit); otherwise by cross-validation (CALIBRATION_FOLDS + 1 fits).
    """
    features = build_features()
    augmented, copies = _with_folded(texts)
    matrix = features.fit_transform(augmented)
    held_out, held_out_copies = _with_folded(held_out_texts)
    held_out_matrix = features.transform(held_out) if held_out else None
    pipelines: dict[str, Pipeline] = {}
    for task, labels in targets.items():
        _check_trainable(task, labels)
        y = list(labels) + [labels[i] for i in copies]
        held_labels = list((held_out_targets or {}).get(task, []))
        held_labels += [held_labels[i] for i in held_out_copies]
        classifier = build_classifier(safety=task in _SAFETY_TASKS)
        if held_out_matrix is not None and _covers(Counter(held_labels), set(labels)):
            classifier.fit_held_out(matrix, y, held_out_matrix, held_labels)
        else:
            classifier.fit(matrix, y)
        pipelines[task] = Pipeline([*features.steps, ("classifier", classifier)])
    return pipelines


def _covers(counts: Counter[str], labels: set[str]) -> bool:
    """Whether every label has enough held-out rows for calibration."""
    return all(counts[label] >= CALIBRATION_FOLDS for label in labels)


def _with_folded(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The texts followed by the folded copies of those that have diacritics, and their indices."""
    copies = [i for i, text in enumerate(texts) if fold(text) != text]
    return [*texts, *(fold(texts[i]) for i in copies)], copies


def score_pipelines(
    pipelines: dict[str, Pipeline],
    texts: Sequence[str],
    targets: dict[str, list[str]],
    label_sets: dict[str, list[str]],
) -> dict[str, TaskMetrics]:
    """Held-out metrics of every task, on the texts as written and folded."""
    if not texts:
        raise DataFormatError("the test split is empty: too few rows to hold any out")
    first = next(iter(pipelines.values()))
    features = first[:-1]
    original = features.transform(list(texts))
    folded = features.transform([fold(text) for text in texts])
    return {
        task: task_metrics(
            targets[task],
            list(pipeline[-1].predict(original)),
            list(pipeline[-1].predict(folded)),
            label_sets[task],
        )
        for task, pipeline in pipelines.items()
    }


def _check_trainable(task: str, labels: Sequence[str]) -> None:
    counts = Counter(labels)
    if len(counts) < 2:
        raise DataFormatError(f"{task}: needs at least two labels to train, got {sorted(counts)}")
    rare = sorted(label for label, count in counts.items() if count < CALIBRATION_FOLDS)
    if rare:
        raise DataFormatError(
            f"{task}: labels {rare} have fewer than {CALIBRATION_FOLDS} training rows "
            "(needed to calibrate confidence)"
        )
