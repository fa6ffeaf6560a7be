"""One scikit-learn Pipeline per task: normalize → hashed word n-grams → TF-IDF → calibrated linear SVM.

Features come from both the normalized text and its diacritic-free form (folded n-grams carry
a prefix in the one hash space), so "đường" and "duong" share the folded features while the
accented ones still count (DESIGN §5). Hashing keeps the artifact small and quick to load: the model is the coefficient
matrix, no vocabulary (perf-limits §3: a vocabulary TF-IDF on 50k documents is a 468 MB skops
file that loads in 15 s; hashing loads in 0.03–0.3 s).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import Pipeline

from classifiers.hashing import SyllableHasher, folded_syllable, syllables
from classifiers.linear import CalibratedLinearSVC
from classifiers.normalize import normalize

# 2^17 hashed buckets shared by the accented and the folded n-grams (as many as two spaces of
# 2^16): (13 + 6 + 1) one-vs-rest float64 rows of coefficients stay near 20 MB
# (bench/classify.py measures the artifact).
HASH_BITS: Final = 17
CALIBRATION_FOLDS: Final = 3


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """`normalize` applied to each text: the first step of models saved before the one-pass
    n-grams (two HashingVectorizers in a FeatureUnion), which still load and predict."""
    return [normalize(text) for text in texts]


def syllable_ngrams(texts: Sequence[str]) -> list[list[str]]:
    """For each text: its syllables and syllable pairs, accented and folded, as strings.

    The first step of models saved before SyllableHasher (then hashed by a FeatureHasher into
    the same matrix SyllableHasher computes); they still load and predict.
    """
    return [_ngrams(syllables(text)) for text in texts]


def _ngrams(words: list[str]) -> list[str]:
    folded = [folded_syllable(word) for word in words]
    return [
        *words,
        *[f"{a} {b}" for a, b in itertools.pairwise(words)],
        *folded,
        *[f"{a} {b}" for a, b in itertools.pairwise(folded)],
    ]


def build_features() -> Pipeline:
    """normalized syllable n-grams (accented and folded), hashed → TF-IDF.

    Character n-grams were measured and left out: on the corpus they did not raise held-out
    macro-F1 (0.868 with, 0.883 without) and tripled feature time (bench/classify.py).
    """
    return Pipeline(
        [
            ("ngrams", SyllableHasher(n_features=2**HASH_BITS)),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ]
    )


def build_classifier(*, safety: bool = False) -> CalibratedLinearSVC:
    """The linear model of a task: an SVM with softmax-calibrated probabilities.

    `safety` (urgency) balances the classes and picks the decision threshold for F2, so a
    missed urgent message weighs four times a false alarm.
    """
    if safety:
        return CalibratedLinearSVC(C=0.5, balanced=True, folds=CALIBRATION_FOLDS, recall_weight=2.0)
    return CalibratedLinearSVC(C=0.5, folds=CALIBRATION_FOLDS)
