"""Classifier benchmark: artifact size and load time, latency, throughput, training at 50k, quality.

Run: `python bench/classify.py` (prints a markdown table). One process, single-threaded
scikit-learn; wall-clock medians, so run it on a quiet machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _synthetic import synthesise

from classifiers.artifacts import MODEL_FILE, save_model
from classifiers.corpus import SHIPPED_CORPUS, load_corpus
from classifiers.predictor import Predictor
from classifiers.train import train_models, train_table
from classifiers.training_data import corpus_table

SYNTHETIC_ROWS = 50_000


def _median_seconds(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    records = load_corpus(SHIPPED_CORPUS)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        started = time.perf_counter()
        card = train_models(records, shipped)
        shipped_train = time.perf_counter() - started
        topic = card.metrics["topic"]
        size = (shipped / MODEL_FILE).stat().st_size / 1e6
        load = _median_seconds(lambda: Predictor.load(shipped), 5)
        predictor = Predictor.load(shipped)
        texts = [r.text for r in records]
        for text in texts[:50]:
            predictor.predict([text])
        singles = []
        for text in (texts * (1000 // len(texts) + 1))[:1000]:
            started = time.perf_counter()
            predictor.predict([text])
            singles.append((time.perf_counter() - started) * 1000)
        batch = (texts * (1000 // len(texts) + 1))[:1000]
        batch_seconds = _median_seconds(lambda: predictor.predict(batch), 10)

        big = corpus_table(synthesise(records, SYNTHETIC_ROWS))
        started = time.perf_counter()
        pipelines, big_card = train_table(big, "synthetic")
        big_total = time.perf_counter() - started
        save_model(pipelines, big_card, Path(tmp) / "big")
        big_size = (Path(tmp) / "big" / MODEL_FILE).stat().st_size / 1e6
        big_load = _median_seconds(lambda: Predictor.load(Path(tmp) / "big"), 5)

    rows += [
        (
            "corpus rows (train+validation / test)",
            f"{card.split_rows['train'] + card.split_rows['validation']} / {card.split_rows['test']}",
            "",
        ),
        ("training time, shipped corpus (incl. split + scoring)", f"{shipped_train:.1f} s", ""),
        ("artifact size, shipped corpus", f"{size:.1f} MB", "≤ 50 MB"),
        ("load time, shipped corpus (median of 5)", f"{load * 1000:.0f} ms", "≤ 1 s"),
        (
            "single prediction p50 / p99 (3 tasks, incl. normalization)",
            f"{_percentile(singles, 0.5):.2f} / {_percentile(singles, 0.99):.2f} ms",
            "p99 ≤ 3 ms",
        ),
        ("batch of 1,000 (median of 10)", f"{1000 / batch_seconds:,.0f} messages/s", "≥ 10,000/s"),
        (
            f"training {SYNTHETIC_ROWS:,} synthetic messages: fit (3 tasks)",
            f"{big_card.training_seconds:.1f} s",
            "≤ 60 s",
        ),
        ("  … incl. near-duplicate split and held-out scoring", f"{big_total:.1f} s", ""),
        (
            "artifact size / load time at 50k",
            f"{big_size:.1f} MB / {big_load * 1000:.0f} ms",
            "≤ 50 MB / ≤ 1 s",
        ),
        ("topic macro-F1, held-out test split", f"{topic.macro_f1:.3f}", "≥ 0.85"),
        (
            "topic macro-F1 on the same texts folded (gap)",
            f"{topic.folded_macro_f1:.3f} ({topic.folded_gap * 100:+.1f} points)",
            "gap ≤ 3 points",
        ),
        (
            "kind / urgency macro-F1, held-out",
            f"{card.metrics['kind'].macro_f1:.3f} / {card.metrics['urgency'].macro_f1:.3f}",
            "",
        ),
    ]
    print("| measure | value | target |")
    print("|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
