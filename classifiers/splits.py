"""A deterministic train/validation/test split that never puts near-duplicates on both sides."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Final

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from classifiers.corpus import SplitName
from classifiers.normalize import SYLLABLE_PATTERN, normalize_and_fold

SPLIT_NAMES: Final[tuple[SplitName, ...]] = ("train", "validation", "test")
DEFAULT_FRACTIONS: Final = (0.70, 0.15, 0.15)
# Cosine of binary word 1–2-gram sets above which two texts count as near-duplicates
# (same complaint re-sent with a greeting, a typo, or without diacritics).
NEAR_DUPLICATE_COSINE: Final = 0.8
_CHUNK: Final = 2048


def near_duplicate_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised binary word 1–2-gram vectors of the folded normalized texts."""
    vectorizer = HashingVectorizer(
        preprocessor=normalize_and_fold,
        token_pattern=SYLLABLE_PATTERN,
        ngram_range=(1, 2),
        binary=True,
        alternate_sign=False,
        n_features=2**20,
    )
    return sparse.csr_matrix(vectorizer.transform(texts))


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = NEAR_DUPLICATE_COSINE
) -> list[tuple[int, int]]:
    """Index pairs (i < j) whose texts are near-duplicates."""
    vectors = near_duplicate_vectors(texts)
    pairs: list[tuple[int, int]] = []
    for start in range(0, vectors.shape[0], _CHUNK):
        block = sparse.coo_matrix(vectors[start : start + _CHUNK] @ vectors.T)
        keep = (block.data >= threshold) & (block.row + start < block.col)
        pairs.extend(zip((block.row[keep] + start).tolist(), block.col[keep].tolist(), strict=True))
    return pairs


def near_duplicate_clusters(texts: Sequence[str]) -> list[int]:
    """A cluster number per text; near-duplicates (transitively) share one."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in near_duplicate_pairs(texts):
        parent[root(i)] = root(j)
    return [root(i) for i in range(len(texts))]


def split_assignments(
    texts: Sequence[str],
    strata: Sequence[str],
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
) -> list[SplitName]:
    """Train/validation/test per text: stratified by `strata`, near-duplicates kept together.

    Deterministic: clusters are ordered by a hash of their texts, then each goes to the split
    furthest below its target share of the cluster's stratum.
    """
    if len(texts) != len(strata):
        raise ValueError("texts and strata differ in length")
    members: dict[int, list[int]] = defaultdict(list)
    for index, cluster in enumerate(near_duplicate_clusters(texts)):
        members[cluster].append(index)
    by_stratum: dict[str, list[list[int]]] = defaultdict(list)
    for group in members.values():
        label = min(Counter(strata[i] for i in group).most_common(), key=lambda c: (-c[1], c[0]))[0]
        by_stratum[label].append(group)
    result: list[SplitName] = ["train"] * len(texts)
    for stratum in sorted(by_stratum):
        groups = sorted(by_stratum[stratum], key=lambda g: _order_key(texts, g))
        total = sum(len(g) for g in groups)
        targets = np.array(fractions) * total
        filled = np.zeros(len(SPLIT_NAMES))
        for group in groups:
            chosen = int(np.argmax(targets - filled))
            filled[chosen] += len(group)
            for index in group:
                result[index] = SPLIT_NAMES[chosen]
    return result


def _order_key(texts: Sequence[str], group: list[int]) -> str:
    joined = "\n".join(sorted(texts[i] for i in group))
    return hashlib.sha256(joined.encode()).hexdigest()
