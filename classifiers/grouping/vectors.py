"""Compact sparse text vectors of cases and group centroids, JSON-serialisable for the backend."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Final

import msgspec
from sklearn.utils import murmurhash3_32

from classifiers.grouping.stopwords import STOPWORDS
from classifiers.normalize import normalize_and_fold

# 2^20 hashed terms: collisions between the few hundred terms of one commune's groups are rare.
HASH_SPACE: Final = 2**20
# A centroid keeps its heaviest terms only, so a group's column stays a few kilobytes.
CENTROID_TERMS: Final = 128
_TOKEN: Final = re.compile(r"[a-z0-9]+")


class CaseVector(msgspec.Struct, frozen=True, array_like=True):
    """An L2-normalised sparse vector: hashed term ids and their weights."""

    terms: dict[int, float]

    def to_json(self) -> bytes:
        """Compact JSON for a database column."""
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> CaseVector:
        """The vector stored by `to_json`."""
        return msgspec.json.decode(data, type=cls)


class GroupCentroid(msgspec.Struct, frozen=True, array_like=True):
    """The sum of a group's case vectors (heaviest terms kept) and how many were added."""

    sums: dict[int, float]
    count: int

    @property
    def norm(self) -> float:
        """Euclidean length of the summed vector."""
        return math.sqrt(sum(w * w for w in self.sums.values()))

    def similarity(self, vector: CaseVector) -> float:
        """Cosine similarity between the group's mean direction and a case."""
        norm = self.norm
        if norm == 0.0:
            return 0.0
        sums = self.sums
        return sum(w * sums.get(t, 0.0) for t, w in vector.terms.items()) / norm

    def add(self, vector: CaseVector) -> GroupCentroid:
        """The centroid with one more case."""
        return _pruned(Counter(self.sums) + Counter(vector.terms), self.count + 1)

    def top_terms(self, limit: int) -> list[int]:
        """Ids of the `limit` heaviest terms."""
        return sorted(self.sums, key=self.sums.__getitem__, reverse=True)[:limit]

    def to_json(self) -> bytes:
        """Compact JSON for a database column."""
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> GroupCentroid:
        """The centroid stored by `to_json`."""
        return msgspec.json.decode(data, type=cls)

    @classmethod
    def of(cls, vectors: Iterable[CaseVector]) -> GroupCentroid:
        """The centroid of some case vectors."""
        total: Counter[int] = Counter()
        count = 0
        for vector in vectors:
            total.update(vector.terms)
            count += 1
        return _pruned(total, count)


def merge_centroids(a: GroupCentroid, b: GroupCentroid) -> GroupCentroid:
    """The centroid of two merged groups."""
    return _pruned(Counter(a.sums) + Counter(b.sums), a.count + b.count)


def vectorize(text: str) -> CaseVector:
    """Hashed word unigrams and bigrams of the folded normalized text, sublinear TF, L2-norm.

    Function words are dropped as unigrams and kept inside bigrams with a content word, so
    "thôn Đông" still tells one hamlet from another.
    """
    tokens = [t for t in _TOKEN.findall(normalize_and_fold(text)) if not t.startswith("__")]
    counts: Counter[str] = Counter(t for t in tokens if t not in STOPWORDS)
    counts.update(
        f"{a} {b}"
        for a, b in itertools.pairwise(tokens)
        if a not in STOPWORDS or b not in STOPWORDS
    )
    weights: dict[int, float] = {}
    for term, count in counts.items():
        key = murmurhash3_32(term, positive=True) % HASH_SPACE
        weights[key] = weights.get(key, 0.0) + 1.0 + math.log(count)
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return CaseVector({t: w / norm for t, w in weights.items()} if norm else {})


def _pruned(sums: Counter[int], count: int) -> GroupCentroid:
    heaviest = sums.most_common(CENTROID_TERMS)
    return GroupCentroid({t: round(w, 6) for t, w in heaviest if w > 0}, count)
