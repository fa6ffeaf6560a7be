"""An in-memory index of open groups that finds a new case's group without scanning them all.

Groups are bucketed by (topic, commune), or by topic alone for topics that span communes
(`policy.place_bound`). Inside a bucket an inverted index maps each group's heaviest terms to
the group, so only groups sharing a heavy term with the case are scored exactly.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

from classifiers.grouping.policy import GroupingPolicy, OpenGroup, choose_group, place_bound
from classifiers.grouping.vectors import CaseVector, GroupCentroid

# Terms of a centroid that go into the inverted index; a case matching none of a group's
# heaviest terms cannot reach the similarity thresholds in use (≥ 0.3).
INDEXED_TERMS: Final = 24
# At most this many candidates (by shared indexed weight) are scored exactly.
MAX_CANDIDATES: Final = 64
_ANY_COMMUNE: Final = "*"


class _Bucket:
    def __init__(self) -> None:
        self.postings: dict[int, set[int]] = defaultdict(set)

    def add(self, group: OpenGroup) -> None:
        for term in group.centroid.top_terms(INDEXED_TERMS):
            self.postings[term].add(group.id)

    def remove(self, group: OpenGroup) -> None:
        for term in group.centroid.top_terms(INDEXED_TERMS):
            ids = self.postings.get(term)
            if ids is not None:
                ids.discard(group.id)
                if not ids:
                    del self.postings[term]

    def candidates(self, vector: CaseVector) -> list[int]:
        shared: dict[int, float] = defaultdict(float)
        for term, weight in vector.terms.items():
            for group_id in self.postings.get(term, ()):
                shared[group_id] += weight
        return sorted(shared, key=shared.__getitem__, reverse=True)[:MAX_CANDIDATES]


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
        candidates = (self._groups[i] for i in bucket.candidates(vector))
        return choose_group(vector, topic, commune, at, candidates, policy)

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
