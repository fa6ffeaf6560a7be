"""B-cubed precision, recall and F1 of a clustering against gold clusters (Bagga & Baldwin 1998)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import msgspec


class BCubed(msgspec.Struct, frozen=True):
    """Item-averaged precision and recall of the predicted clusters, and their harmonic mean."""

    precision: float
    recall: float
    f1: float


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> BCubed:
    """Scores of `predicted` cluster ids against `gold` ones, item by item."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold differ in length")
    if not gold:
        raise ValueError("nothing to score")
    pairs = Counter(zip(predicted, gold, strict=True))
    predicted_sizes = Counter(predicted)
    gold_sizes = Counter(gold)
    # For every item in (p, g): precision = |p ∩ g| / |p|, recall = |p ∩ g| / |g|.
    precision = sum(n * n / predicted_sizes[p] for (p, _), n in pairs.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (_, g), n in pairs.items()) / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    return BCubed(precision, recall, f1)
