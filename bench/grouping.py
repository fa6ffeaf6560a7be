"""Grouping benchmark: place one new case among 100,000 open groups (GroupIndex.add_case).

Run: `python bench/grouping.py` (prints a markdown table). Groups are made from the shipped
corpus: a random record, perturbed (bench/_synthetic.py), in one of 3,321 communes (the
number of communes in Vietnam since 2025), last active within the 30-day window. The timed
operation includes vectorizing the case's text.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quiet import wait_for_quiet
from _synthetic import perturb

from classifiers.corpus import SHIPPED_CORPUS, load_corpus
from classifiers.grouping import GroupCentroid, GroupIndex, GroupingPolicy, OpenGroup, vectorize
from classifiers.grouping.policy import place_bound

OPEN_GROUPS = 100_000
COMMUNES = 3_321
NEW_CASES = 2_000
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    rng = random.Random(11)
    records = load_corpus(SHIPPED_CORPUS)
    policy = GroupingPolicy()
    index = GroupIndex()
    started = time.perf_counter()
    for group_id in range(OPEN_GROUPS):
        record = rng.choice(records)
        members = [vectorize(perturb(record.text, rng)) for _ in range(rng.randint(1, 3))]
        index.add(
            OpenGroup(
                group_id,
                record.topic,
                f"{rng.randrange(COMMUNES):05d}",
                NOW - timedelta(days=rng.uniform(0, 29)),
                GroupCentroid.of(members),
                len(members),
            )
        )
    index.compact()  # as a worker does after loading the open groups
    build = time.perf_counter() - started
    load = wait_for_quiet()
    local: list[float] = []
    cross: list[float] = []
    joined = 0
    cpu_ms: list[float] = []
    for n in range(NEW_CASES):
        record = rng.choice(records)
        text = perturb(record.text, rng)
        commune = f"{rng.randrange(COMMUNES):05d}"
        started, cpu = time.perf_counter(), time.thread_time()
        group = index.add_case(
            vectorize(text), record.topic, commune, NOW, policy, new_id=OPEN_GROUPS + n
        )
        elapsed = (time.perf_counter() - started) * 1000
        cpu_ms.append((time.thread_time() - cpu) * 1000)
        (local if place_bound(record.topic) else cross).append(elapsed)
        joined += group < OPEN_GROUPS
    every = local + cross
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| open groups in the index | {OPEN_GROUPS:,} (built in {build:.1f} s) | |")
    print(
        f"| assign one case, p50 / p99 (all {NEW_CASES:,}) | "
        f"{percentile(every, 0.5):.2f} / {percentile(every, 0.99):.2f} ms | p99 ≤ 20 ms |"
    )
    print(
        f"| … place-bound topics ({len(local):,} cases), p50 / p99 | "
        f"{percentile(local, 0.5):.2f} / {percentile(local, 0.99):.2f} ms | |"
    )
    print(
        f"| … cross-commune topics ({len(cross):,} cases), p50 / p99 | "
        f"{percentile(cross, 0.5):.2f} / {percentile(cross, 0.99):.2f} ms | |"
    )
    print(
        f"| … all, CPU time of the calling thread, p50 / p99 | "
        f"{percentile(cpu_ms, 0.5):.2f} / {percentile(cpu_ms, 0.99):.2f} ms | |"
    )
    print(f"| mean | {statistics.fmean(every):.2f} ms | |")
    print(f"| cases that joined an existing group | {joined / NEW_CASES:.0%} | |")
    print(f"| 1-min load average before timing (others' work) | {load:.2f} | < 1 |")


if __name__ == "__main__":
    main()
