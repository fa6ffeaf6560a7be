"""An in-memory index of open groups that finds a new case's group without scanning them all.

Groups are bucketed by (topic, commune), or by topic alone for topics that span communes
(`policy.place_bound`). Inside a bucket an inverted index maps each centroid term to the groups
holding it, with their weights, so the dot products with all groups that share a term with
the case come from the postings of the case's few dozen terms: no scan of the bucket.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

from classifiers.grouping.policy import GroupingPolicy, OpenGroup, best_group, place_bound
from classifiers.grouping.vectors import CaseVector, GroupCentroid

_ANY_COMMUNE: Final = "*"


class _Bucket:
    """Inverted index of one bucket: term → {group id: the centroid's summed weight}."""

    def __init__(self) -> None:
        self.postings: dict[int, dict[int, float]] = defaultdict(dict)
        self.norms: dict[int, float] = {}

    def add(self, group: OpenGroup) -> None:
        for term, weight in group.centroid.sums.items():
            self.postings[term][group.id] = weight
        self.norms[group.id] = group.centroid.norm

    def remove(self, group: OpenGroup) -> None:
        for term in group.centroid.sums:
            ids = self.postings.get(term)
            if ids is not None:
                ids.pop(group.id, None)
                if not ids:
                    del self.postings[term]
        del self.norms[group.id]

    def similarities(self, vector: CaseVector) -> dict[int, float]:
        """Cosine similarity to every group sharing a term (exactly `centroid.similarity`)."""
        dots: dict[int, float] = defaultdict(float)
        for term, weight in vector.terms.items():
            for group_id, summed in self.postings.get(term, {}).items():
                dots[group_id] += weight * summed
        norms = self.norms
        return {
            group_id: dot / norms[group_id] for group_id, dot in dots.items() if norms[group_id]
        }


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
        self._buckets[_bucket_key(group.topic, group.commune)].add(group)

    def remove(self, group_id: int) -> OpenGroup:
        """Remove a group (closed, merged away); returns it."""
        group = self._groups.pop(group_id)
        self._buckets[_bucket_key(group.topic, group.commune)].remove(group)
        return group

    def choose(
        self, vector: CaseVector, topic: str, commune: str, at: datetime, policy: GroupingPolicy
    ) -> int | None:
        """Same answer as `choose_group` over every open group, from a few candidates."""
        bucket = self._buckets.get(_bucket_key(topic, commune))
        if bucket is None:
            return None
        scored = ((self._groups[i], score) for i, score in bucket.similarities(vector).items())
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
