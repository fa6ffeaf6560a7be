"""An in-memory index of open groups that finds a new case's group without scanning them all.

Groups are bucketed by (topic, commune), or by topic alone for topics that span communes
(`policy.place_bound`). A small bucket (one commune's groups of one topic) is scored directly.
A large one (a cross-commune topic can hold thousands of groups) keeps its centroids in a
sparse term-column matrix, so the dot products with every group come from the case's few
dozen term columns in one C-level product; groups changed since the matrix was built are
scored directly until the next rebuild (after a bounded number of changes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from classifiers.grouping.policy import GroupingPolicy, OpenGroup, best_group, place_bound
from classifiers.grouping.vectors import HASH_SPACE, CaseVector, GroupCentroid

_ANY_COMMUNE: Final = "*"
# Buckets below this size are scored group by group; above it through the matrix.
_MATRIX_MIN_GROUPS: Final = 256
# The matrix is rebuilt once this share of its groups (or this many) changed since.
_REBUILD_SHARE: Final = 16
_REBUILD_MIN_CHANGES: Final = 256


class _Bucket:
    """The open groups of one bucket, with a lazily rebuilt centroid matrix."""

    def __init__(self) -> None:
        self.centroids: dict[int, GroupCentroid] = {}
        self._matrix: sparse.csc_matrix | None = None
        self._ids: NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._norms: NDArray[np.float64] = np.empty(0)
        self._changed: set[int] = set()

    def put(self, group_id: int, centroid: GroupCentroid) -> None:
        self.centroids[group_id] = centroid
        self._changed.add(group_id)

    def drop(self, group_id: int) -> None:
        del self.centroids[group_id]
        self._changed.add(group_id)

    def compact(self) -> None:
        """Rebuild the matrix from every centroid (no group left to score one by one)."""
        ids = np.fromiter(self.centroids, dtype=np.int64, count=len(self.centroids))
        rows: list[int] = []
        columns: list[int] = []
        weights: list[float] = []
        for row, group_id in enumerate(ids.tolist()):
            sums = self.centroids[group_id].sums
            rows.extend([row] * len(sums))
            columns.extend(sums)
            weights.extend(sums.values())
        self._matrix = sparse.csc_matrix(
            (weights, (rows, columns)), shape=(len(ids), HASH_SPACE), dtype=np.float64
        )
        self._ids = ids
        self._norms = np.sqrt(np.asarray(self._matrix.multiply(self._matrix).sum(axis=1)).ravel())
        self._changed = set()

    def similarities(self, vector: CaseVector, floor: float) -> Iterator[tuple[int, float]]:
        """(group id, cosine) for every group whose similarity may reach `floor`."""
        if len(self.centroids) < _MATRIX_MIN_GROUPS:
            for group_id, centroid in self.centroids.items():
                yield group_id, centroid.similarity(vector)
            return
        limit = max(_REBUILD_MIN_CHANGES, len(self.centroids) // _REBUILD_SHARE)
        if self._matrix is None or len(self._changed) > limit:
            self.compact()
        assert self._matrix is not None  # built just above when missing
        terms = np.fromiter(vector.terms, dtype=np.int64, count=len(vector.terms))
        weights = np.fromiter(vector.terms.values(), dtype=np.float64, count=len(terms))
        dots = self._matrix[:, terms] @ weights
        with np.errstate(divide="ignore", invalid="ignore"):
            cosines = np.where(self._norms > 0, dots / self._norms, 0.0)
        for row in np.flatnonzero(cosines >= floor).tolist():
            group_id = int(self._ids[row])
            if group_id not in self._changed:
                yield group_id, float(cosines[row])
        for group_id in self._changed:
            changed = self.centroids.get(group_id)
            if changed is not None:
                yield group_id, changed.similarity(vector)


class GroupIndex:
    """Open groups by bucket, with `choose` (find) and `add_case` (join or start) operations."""

    def __init__(self) -> None:
        self._groups: dict[int, OpenGroup] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = defaultdict(_Bucket)

    def __len__(self) -> int:
        return len(self._groups)

    def __contains__(self, group_id: object) -> bool:
        return group_id in self._groups

    def get(self, group_id: int) -> OpenGroup:
        """The group with this id (KeyError if it is not open here)."""
        return self._groups[group_id]

    def add(self, group: OpenGroup) -> None:
        """Add (or replace) an open group."""
        if group.id in self._groups:
            self.remove(group.id)
        self._groups[group.id] = group
        self._buckets[_bucket_key(group.topic, group.commune)].put(group.id, group.centroid)

    def remove(self, group_id: int) -> OpenGroup:
        """Remove a group (closed, merged away); returns it."""
        group = self._groups.pop(group_id)
        self._buckets[_bucket_key(group.topic, group.commune)].drop(group_id)
        return group

    def compact(self) -> None:
        """Build every large bucket's matrix now (e.g. after loading), not on first use."""
        for bucket in self._buckets.values():
            if len(bucket.centroids) >= _MATRIX_MIN_GROUPS:
                bucket.compact()

    def choose(
        self, vector: CaseVector, topic: str, commune: str, at: datetime, policy: GroupingPolicy
    ) -> int | None:
        """Same answer as `choose_group` over every open group, from a few candidates."""
        bucket = self._buckets.get(_bucket_key(topic, commune))
        if bucket is None:
            return None
        floor = min(policy.threshold, policy.cross_commune_threshold)
        scored = ((self._groups[i], score) for i, score in bucket.similarities(vector, floor))
        return best_group(scored, topic, commune, at, policy)

    def add_case(
        self,
        vector: CaseVector,
        topic: str,
        commune: str,
        at: datetime,
        policy: GroupingPolicy,
        new_id: int,
    ) -> int:
        """Put a case into its group (or a new group with `new_id`); returns the group id."""
        chosen = self.choose(vector, topic, commune, at, policy)
        if chosen is None:
            centroid = GroupCentroid.of([vector])
            self.add(OpenGroup(new_id, topic, commune, at, centroid, 1))
            return new_id
        group = self._groups[chosen]
        self.add(
            OpenGroup(
                group.id,
                group.topic,
                group.commune,
                max(group.last_seen, at),
                group.centroid.add(vector),
                group.size + 1,
            )
        )
        return chosen


def _bucket_key(topic: str, commune: str) -> tuple[str, str]:
    return (topic, commune if place_bound(topic) else _ANY_COMMUNE)
