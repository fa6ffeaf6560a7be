"""Replaying a labelled grouping set through the production grouping, for tuning and evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import msgspec

from classifiers.errors import DataFormatError
from classifiers.grouping.bcubed import BCubed, bcubed
from classifiers.grouping.index import GroupIndex
from classifiers.grouping.policy import GroupingPolicy
from classifiers.grouping.vectors import vectorize

# The set has no timestamps: cases arrive in file order, ten minutes apart, all in one window.
REPLAY_START: Final = datetime(2026, 1, 1, tzinfo=UTC)
REPLAY_STEP: Final = timedelta(minutes=10)


class GroupingCase(msgspec.Struct, frozen=True):
    """One line of a grouping set: a case, its commune and its gold cluster."""

    text: str
    commune: str
    cluster: str | int
    channel: str | None = None
    topic: str | None = None


def load_grouping_set(path: Path) -> list[GroupingCase]:
    """Every case of a grouping JSONL file, in order."""
    decoder = msgspec.json.Decoder(GroupingCase)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: cannot read ({exc})") from None
    cases: list[GroupingCase] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                cases.append(decoder.decode(line))
            except msgspec.DecodeError as exc:
                raise DataFormatError(f"{path}:{number}: {exc}") from None
    if not cases:
        raise DataFormatError(f"{path}: no cases")
    return cases


def replay(
    cases: Sequence[GroupingCase], topics: Sequence[str], policy: GroupingPolicy
) -> list[int]:
    """The group id each case gets when the cases arrive in order with the given topics."""
    if len(cases) != len(topics):
        raise ValueError("one topic per case is needed")
    index = GroupIndex()
    assigned: list[int] = []
    for number, (case, topic) in enumerate(zip(cases, topics, strict=True)):
        at = REPLAY_START + number * REPLAY_STEP
        assigned.append(
            index.add_case(vectorize(case.text), topic, case.commune, at, policy, number)
        )
    return assigned


def score_grouping(
    cases: Sequence[GroupingCase], topics: Sequence[str], policy: GroupingPolicy
) -> BCubed:
    """B-cubed scores of the replayed grouping against the gold clusters."""
    return bcubed(replay(cases, topics, policy), [str(case.cluster) for case in cases])
