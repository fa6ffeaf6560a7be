"""What the evaluate commands compute and print, kept apart from click for reuse and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from classifiers.corpus import is_corpus_source, load_corpus, load_labeled
from classifiers.errors import ArtifactError, ClassifierError, DataFormatError
from classifiers.evaluate import format_metrics, score_model, write_confusion_png
from classifiers.grouping.bcubed import bcubed
from classifiers.grouping.policy import GroupingPolicy
from classifiers.grouping.replay import load_grouping_set, replay
from classifiers.labels import LABEL_TASK, TOPIC_TASK
from classifiers.predictor import LabelPredictor
from classifiers.train import train_table
from classifiers.training_data import corpus_table, labeled_table


def evaluation_report(
    data: Path, model_dir: Path | None, split: str, confusion: Path | None
) -> tuple[dict[str, Any], str]:
    """Scores of a saved model (or of one trained on the file's train split) on `data`."""
    corpus = is_corpus_source(data)
    table = corpus_table(load_corpus(data)) if corpus else labeled_table(load_labeled(data))
    if model_dir is None:
        if split == "all":
            raise ClassifierError(
                "--split all needs --model: a fresh model trains on part of the file"
            )
        model = LabelPredictor(*train_table(table, "corpus" if corpus else "labeled"))
    else:
        model = LabelPredictor.load(model_dir)
    rows = table.rows("test") if split == "test" else list(range(len(table.texts)))
    if not rows:
        raise DataFormatError(f"{data}: no rows in the {split} split")
    targets = {
        _model_task(model, task): [labels[i] for i in rows]
        for task, labels in table.targets.items()
    }
    scores = score_model(model, [table.texts[i] for i in rows], targets)
    main = next(iter(targets))
    if confusion is not None:
        labels = model.labels[main] + sorted(set(targets[main]) - set(model.labels[main]))
        write_confusion_png(
            targets[main],
            scores.predictions[main],
            labels,
            confusion,
            f"{main} — model {model.version}",
        )
    metrics = {task: msgspec.to_builtins(m) for task, m in scores.metrics.items()}
    report = {
        "task": main,
        "model_version": model.version,
        "split": split,
        **metrics[main],
        "folded_gap": scores.metrics[main].folded_gap,
        "tasks": metrics,
    }
    text = "\n\n".join(format_metrics(task, m) for task, m in scores.metrics.items())
    return report, f"model {model.version} on {data} ({split} split)\n\n{text}"


def _model_task(model: LabelPredictor, task: str) -> str:
    if task in model.labels:
        return task
    # A generic {text, label} file can be scored on a three-task model's topic task.
    if task == LABEL_TASK and TOPIC_TASK in model.labels:
        return TOPIC_TASK
    raise ArtifactError(
        f"model {model.version} has no {task!r} task (it has {sorted(model.labels)})"
    )


def grouping_report(data: Path, model_dir: Path | None) -> dict[str, Any]:
    """B-cubed scores of the grouping replayed on `data`, topics from the model (or the file)."""
    cases = load_grouping_set(data)
    if model_dir is None:
        missing = [n for n, case in enumerate(cases, start=1) if case.topic is None]
        if missing:
            raise DataFormatError(f"{data}: lines {missing[:5]} have no topic for --gold-topics")
        topics = [str(case.topic) for case in cases]
        version = "gold topics"
    else:
        model = LabelPredictor.load(model_dir)
        topics = model.predict_tasks([case.text for case in cases])[_model_task(model, TOPIC_TASK)][
            0
        ]
        version = model.version
    policy = GroupingPolicy()
    assigned = replay(cases, topics, policy)
    scores = bcubed(assigned, [str(case.cluster) for case in cases])
    return {
        "bcubed_precision": scores.precision,
        "bcubed_recall": scores.recall,
        "bcubed_f1": scores.f1,
        "cases": len(cases),
        "groups": len(set(assigned)),
        "clusters": len({str(case.cluster) for case in cases}),
        "model_version": version,
        "policy": msgspec.to_builtins(policy),
    }
