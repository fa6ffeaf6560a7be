"""Classifier benchmark: artifact size and load time, latency, throughput, training at 50k, quality.

Run: `python bench/classify.py` (prints a markdown table). One process, single-threaded
scikit-learn, wall-clock medians: run it on a quiet machine. The 50,000 training messages
are synthesised from the shipped corpus by bench/_synthetic.py (random records with Zalo-style
edits: diacritics dropped, teencode, a word dropped or swapped, greeting, hamlet number).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quiet import wait_for_quiet
from _synthetic import synthesise

from classifiers.artifacts import MODEL_FILE, save_model
from classifiers.card import ModelCard
from classifiers.corpus import SHIPPED_CORPUS, CorpusRecord, load_corpus
from classifiers.predictor import Predictor
from classifiers.train import train_models, train_table
from classifiers.training_data import corpus_table

SYNTHETIC_ROWS = 50_000
Row = tuple[str, str, str]


def median_seconds(
    action: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    times = []
    for _ in range(repeat):
        started = clock()
        action()
        times.append(clock() - started)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def shipped_rows(records: list[CorpusRecord], directory: Path) -> tuple[ModelCard, list[Row]]:
    started, cpu = time.perf_counter(), time.process_time()
    card = train_models(records, directory)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = (directory / MODEL_FILE).stat().st_size / 1e6
    load = median_seconds(lambda: Predictor.load(directory), 5)
    predictor = Predictor.load(directory)
    texts = [r.text for r in records]
    sample = (texts * (1000 // len(texts) + 1))[:1000]
    for text in sample[:50]:
        predictor.predict([text])
    singles, single_cpu = [], []
    for text in sample:
        started, cpu = time.perf_counter(), time.thread_time()
        predictor.predict([text])
        singles.append((time.perf_counter() - started) * 1000)
        single_cpu.append((time.thread_time() - cpu) * 1000)
    batch = median_seconds(lambda: predictor.predict(sample), 10)
    batch_cpu = median_seconds(lambda: predictor.predict(sample), 10, clock=time.thread_time)
    split = card.split_rows
    return card, [
        (
            "corpus rows: train+validation / test",
            f"{split['train'] + split['validation']} / {split['test']}",
            "",
        ),
        (
            "training on the corpus (split + fit + scoring)",
            f"{seconds:.1f} s ({card.calibration} calibration)",
            "",
        ),
        ("artifact size", f"{size:.1f} MB", "≤ 50 MB"),
        ("artifact load (median of 5)", f"{load * 1000:.0f} ms", "≤ 1 s"),
        (
            "one message, p50 / p99 (3 tasks, incl. normalization), wall",
            f"{percentile(singles, 0.5):.2f} / {percentile(singles, 0.99):.2f} ms",
            "p99 ≤ 3 ms",
        ),
        (
            "  … same calls, CPU time of the calling thread",
            f"{percentile(single_cpu, 0.5):.2f} / {percentile(single_cpu, 0.99):.2f} ms",
            "",
        ),
        (
            "batch of 1,000 (median of 10), wall / CPU",
            f"{1000 / batch:,.0f} / {1000 / batch_cpu:,.0f} messages/s",
            "≥ 10,000/s",
        ),
    ]


def scale_rows(records: list[CorpusRecord], directory: Path) -> list[Row]:
    synthetic = synthesise(records, SYNTHETIC_ROWS)
    started, cpu = time.perf_counter(), time.process_time()
    table = corpus_table(synthetic)
    split = time.perf_counter() - started
    pipelines, card = train_table(table, "synthetic")
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    save_model(pipelines, card, directory)
    size = (directory / MODEL_FILE).stat().st_size / 1e6
    load = median_seconds(lambda: Predictor.load(directory), 5)
    return [
        (
            f"training on {SYNTHETIC_ROWS:,} synthetic messages (split + fit + scoring)",
            f"{total:.1f} s",
            "≤ 60 s",
        ),
        (
            "  … near-duplicate split / fit of 3 tasks",
            f"{split:.1f} s / {card.training_seconds:.1f} s ({card.calibration} calibration)",
            "",
        ),
        (
            f"artifact size / load at {SYNTHETIC_ROWS:,}",
            f"{size:.1f} MB / {load * 1000:.0f} ms",
            "≤ 50 MB / ≤ 1 s",
        ),
    ]


def quality_rows(card: ModelCard) -> list[Row]:
    topic = card.metrics["topic"]
    return [
        ("topic macro-F1, held-out test split", f"{topic.macro_f1:.3f}", "≥ 0.85"),
        (
            "topic macro-F1, same texts folded (gap)",
            f"{topic.folded_macro_f1:.3f} ({topic.folded_gap * 100:+.1f} points)",
            "gap ≤ 3 points",
        ),
        (
            "kind / urgency macro-F1, held-out",
            f"{card.metrics['kind'].macro_f1:.3f} / {card.metrics['urgency'].macro_f1:.3f}",
            "",
        ),
    ]


def main() -> None:
    records = load_corpus(SHIPPED_CORPUS)
    loads = [wait_for_quiet()]
    with tempfile.TemporaryDirectory() as tmp:
        card, rows = shipped_rows(records, Path(tmp) / "shipped")
        loads.append(wait_for_quiet())
        rows += scale_rows(records, Path(tmp) / "synthetic")
    rows += quality_rows(card)
    rows.append(
        (
            "1-min load average before each part (others' work)",
            " / ".join(f"{load:.2f}" for load in loads),
            "< 1",
        )
    )
    print("| measure | value | target |")
    print("|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
