"""Turning corpus or generic rows into per-task texts and labels, split for training."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from classifiers.corpus import CorpusRecord, LabeledText, SplitName, data_hash
from classifiers.labels import CORPUS_TASKS, KINDS, LABEL_TASK, TOPICS, URGENCY, urgency_label
from classifiers.splits import split_assignments


class TaskTable(msgspec.Struct, frozen=True):
    """Texts with one label per task, each row assigned to a split."""

    texts: list[str]
    targets: dict[str, list[str]]
    splits: list[SplitName]
    label_sets: dict[str, list[str]]
    data_hash: str

    def rows(self, *names: SplitName) -> list[int]:
        """Indices of the rows in the given splits."""
        return [i for i, split in enumerate(self.splits) if split in names]

    def split_sizes(self) -> dict[str, int]:
        """How many rows each split has."""
        return {name: self.splits.count(name) for name in ("train", "validation", "test")}


def corpus_table(records: Sequence[CorpusRecord]) -> TaskTable:
    """The three tasks (topic, kind, urgency) of corpus records, split stratified by topic."""
    texts = [r.text for r in records]
    topics = [r.topic for r in records]
    targets = {
        CORPUS_TASKS[0]: topics,
        CORPUS_TASKS[1]: [r.kind for r in records],
        CORPUS_TASKS[2]: [urgency_label(r.urgent) for r in records],
    }
    label_sets = dict(zip(CORPUS_TASKS, (list(TOPICS), list(KINDS), list(URGENCY)), strict=True))
    return TaskTable(
        texts, targets, split_assignments(texts, topics), label_sets, data_hash(records)
    )


def labeled_table(rows: Sequence[LabeledText]) -> TaskTable:
    """The single task of generic rows; their own `split` fields are kept when every row has one."""
    texts = [r.text for r in rows]
    labels = [r.label for r in rows]
    pinned = [r.split for r in rows]
    splits: list[SplitName]
    if all(split is not None for split in pinned):
        splits = [split for split in pinned if split is not None]
    else:
        splits = split_assignments(texts, labels)
    return TaskTable(
        texts, {LABEL_TASK: labels}, splits, {LABEL_TASK: sorted(set(labels))}, data_hash(rows)
    )
