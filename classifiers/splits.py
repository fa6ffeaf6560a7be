"""A deterministic train/validation/test split that never puts near-duplicates on both sides."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from classifiers.corpus import SplitName
from classifiers.normalize import SYLLABLE_PATTERN, normalize_and_fold

SPLIT_NAMES: Final[tuple[SplitName, ...]] = ("train", "validation", "test")
DEFAULT_FRACTIONS: Final = (0.70, 0.15, 0.15)
# Cosine of binary word 1–2-gram sets above which two texts count as near-duplicates
# (same complaint re-sent with a greeting, a typo, or without diacritics).
NEAR_DUPLICATE_COSINE: Final = 0.8
_BANDS: Final = 14
_BAND_ROWS: Final = 3
_VERIFY_CHUNK: Final = 100_000
_PRIME: Final = np.uint64(2**31 - 1)
_MAX_PAIRED: Final = 64
_MIXER: Final = np.uint64(0x9E3779B97F4A7C15)


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
    """Index pairs (i < j) whose texts are near-duplicates, in ascending order.

    Candidates come from MinHash banding (a product of all vectors would be quadratic: 150 s
    for 50k messages, since almost every pair shares some common word); each candidate's
    exact cosine is then checked. With 14 bands of 3 hashes, a pair at the threshold (Jaccard
    about 0.67) becomes a candidate with probability 1 - (1 - 0.67³)¹⁴ ≈ 0.993, and closer
    pairs more surely; a pair at Jaccard 0.3 only with probability 0.3.
    """
    vectors = near_duplicate_vectors(texts)
    candidates = _candidate_pairs(_minhash_signatures(vectors))
    if not len(candidates):
        return []
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(candidates), _VERIFY_CHUNK):
        chunk = candidates[start : start + _VERIFY_CHUNK]
        first, second = chunk[:, 0], chunk[:, 1]
        cosine = np.asarray(vectors[first].multiply(vectors[second]).sum(axis=1)).ravel()
        keep = cosine >= threshold - 1e-9
        pairs.extend(zip(first[keep].tolist(), second[keep].tolist(), strict=True))
    return pairs


def _minhash_signatures(vectors: sparse.csr_matrix) -> NDArray[np.uint64]:
    """(n, BANDS × ROWS) MinHash values of each row's feature set."""
    rng = np.random.default_rng(20260101)
    hashes = _BANDS * _BAND_ROWS
    a = rng.integers(1, _PRIME, hashes, dtype=np.uint64)
    b = rng.integers(0, _PRIME, hashes, dtype=np.uint64)
    counts = np.diff(vectors.indptr)
    filled = np.flatnonzero(counts)
    starts = vectors.indptr[filled]
    features = vectors.indices.astype(np.uint64)
    # Rows without features get their own index as signature: they match nothing.
    signatures = np.repeat(
        (np.arange(vectors.shape[0], dtype=np.uint64) + _PRIME)[:, None], hashes, axis=1
    )
    for k in range(hashes):
        values = (a[k] * features + b[k]) % _PRIME
        if len(filled):
            signatures[filled, k] = np.minimum.reduceat(values, starts)
    return signatures


def _candidate_pairs(signatures: NDArray[np.uint64]) -> NDArray[np.int64]:
    """Unique (i < j) pairs that agree on all hashes of at least one band.

    Rows are sorted by their band key; rows up to _MAX_PAIRED places apart with equal keys
    are paired, so a bucket of any size is linked (a huge bucket as a chain of windows)
    without listing every pair in it.
    """
    found: list[NDArray[np.int64]] = []
    rows = signatures.shape[0]
    for band in range(_BANDS):
        key = np.zeros(rows, dtype=np.uint64)
        for column in range(band * _BAND_ROWS, (band + 1) * _BAND_ROWS):
            key = key * _MIXER + signatures[:, column]  # wraps modulo 2^64; collisions are
            # only extra candidates, rejected by the exact cosine check
        order = np.argsort(key, kind="stable").astype(np.int64)
        ordered = key[order]
        for distance in range(1, _MAX_PAIRED + 1):
            same = ordered[distance:] == ordered[:-distance]
            if not same.any():
                break  # equal keys are contiguous: no pair is farther apart either
            left, right = order[:-distance][same], order[distance:][same]
            # One int64 per pair (i · n + j) makes de-duplication a 1-D unique.
            found.append(np.minimum(left, right) * rows + np.maximum(left, right))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // rows, codes % rows], axis=1)


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
