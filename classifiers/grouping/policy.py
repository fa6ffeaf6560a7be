"""Which open group a new case joins: same topic, same commune unless the topic spans communes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

import msgspec

from classifiers.grouping.vectors import CaseVector, GroupCentroid

# Topics whose problems are not tied to one place: the national portal or VNeID failing, a
# power or water outage of one network, an epidemic or a BHYT rule reach many communes at once.
# Everything else (a flooded road, a smelly factory, a karaoke bar, a land dispute) is local.
# security_order stays local: most of it is theft, gambling, fights; phone scams that span
# communes are grouped per commune, which staff can merge.
CROSS_COMMUNE_TOPICS: Final = frozenset({"admin_procedures", "utilities", "health"})


def place_bound(topic: str) -> bool:
    """True when cases of `topic` group only within one commune."""
    return topic not in CROSS_COMMUNE_TOPICS


class GroupingPolicy(msgspec.Struct, frozen=True):
    """How similar and how recent an open group must be for a case to join it."""

    # Tuned on classifiers/data/grouping.jsonl (170 cases, 70 clusters) with topics predicted
    # by the model: B-cubed F1 0.87 (precision 0.94, recall 0.81); 0.25 loses recall (F1 0.81).
    # Paraphrases of one problem ("cống tắc, phố ngập" / "nước tràn do cống") share few words.
    threshold: float = 0.15
    window_days: int = 30
    # Across communes only a closer match counts: the same words may be two local problems.
    cross_commune_threshold: float = 0.3

    def __post_init__(self) -> None:
        if not (0.0 < self.threshold <= 1.0 and 0.0 < self.cross_commune_threshold <= 1.0):
            raise ValueError("similarity thresholds must be in (0, 1]")
        if self.window_days <= 0:
            raise ValueError("window_days must be positive")

    @property
    def window(self) -> timedelta:
        """How long after its last case a group still accepts new ones."""
        return timedelta(days=self.window_days)


class OpenGroup(msgspec.Struct, frozen=True):
    """An open issue group as the backend stores it."""

    id: int
    topic: str
    commune: str
    last_seen: datetime
    centroid: GroupCentroid
    size: int


def eligible(
    group: OpenGroup, topic: str, commune: str, at: datetime, policy: GroupingPolicy
) -> bool:
    """Whether a case of `topic` in `commune` at `at` may join `group` at all."""
    if group.topic != topic or group.last_seen < at - policy.window:
        return False
    return group.commune == commune or not place_bound(topic)


def required_similarity(group: OpenGroup, commune: str, policy: GroupingPolicy) -> float:
    """The threshold for this pair: stricter when the group is another commune's."""
    return policy.threshold if group.commune == commune else policy.cross_commune_threshold


def choose_group(
    vector: CaseVector,
    topic: str,
    commune: str,
    at: datetime,
    candidates: Iterable[OpenGroup],
    policy: GroupingPolicy,
) -> int | None:
    """The id of the most similar eligible group above threshold, or None to start a new one."""
    scored = (
        (group, group.centroid.similarity(vector))
        for group in candidates
        if eligible(group, topic, commune, at, policy)
    )
    return best_group(scored, topic, commune, at, policy)


def best_group(
    scored: Iterable[tuple[OpenGroup, float]],
    topic: str,
    commune: str,
    at: datetime,
    policy: GroupingPolicy,
) -> int | None:
    """Among (group, similarity) pairs, the best eligible group above its threshold.

    Ties go to the most recently active group, then the lowest id, so replays are stable.
    """
    best: tuple[float, datetime, int] | None = None
    for group, score in scored:
        if score < required_similarity(group, commune, policy):
            continue
        if not eligible(group, topic, commune, at, policy):
            continue
        key = (score, group.last_seen, -group.id)
        if best is None or key > best:
            best = key
    return None if best is None else -best[2]
