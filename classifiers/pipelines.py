"""One scikit-learn Pipeline per task: normalize → hashed word n-grams → TF-IDF → calibrated linear SVM.

Features come from both the normalized text and its diacritic-free form, in separate hash
spaces, so "đường" and "duong" share the folded features while the accented ones still count
(DESIGN §5). Hashing keeps the artifact small and quick to load: the model is the coefficient
matrix, no vocabulary (perf-limits §3: a vocabulary TF-IDF on 50k documents is a 468 MB skops
file that loads in 15 s; hashing loads in 0.03–0.3 s).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from typing import Final

from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from classifiers.linear import CalibratedLinearSVC
from classifiers.normalize import SYLLABLE_PATTERN, fold, normalize

# 2^17 hashed buckets shared by the accented and the folded n-grams (as many as two spaces of
# 2^16): (13 + 6 + 1) one-vs-rest float64 rows of coefficients stay near 20 MB
# (bench/classify.py measures the artifact).
HASH_BITS: Final = 17
CALIBRATION_FOLDS: Final = 3
# Folded n-grams carry this prefix, so "duong" typed without diacritics counts in both
# families and the accented family still tells "đường" from "dương".
FOLDED: Final = "~"

_SYLLABLE: Final = re.compile(SYLLABLE_PATTERN)


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """`normalize` applied to each text: the first step of models saved before the one-pass
    n-grams (two HashingVectorizers in a FeatureUnion), which still load and predict."""
    return [normalize(text) for text in texts]


def syllable_ngrams(texts: Sequence[str]) -> list[list[str]]:
    """For each text: its normalized syllables and syllable pairs, accented and folded.

    One tokenization serves both families (two HashingVectorizers tokenized every text twice
    and cost most of the batch time).
    """
    return [_ngrams(_SYLLABLE.findall(normalize(text))) for text in texts]


def _ngrams(words: list[str]) -> list[str]:
    folded = [_folded(word) for word in words]
    return [
        *words,
        *[f"{a} {b}" for a, b in itertools.pairwise(words)],
        *folded,
        *[f"{a} {b}" for a, b in itertools.pairwise(folded)],
    ]


@functools.lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    return FOLDED + fold(word)


def build_features() -> Pipeline:
    """normalized syllable n-grams (accented and folded) → hashing → TF-IDF.

    Character n-grams were measured and left out: on the corpus they did not raise held-out
    macro-F1 (0.868 with, 0.883 without) and tripled feature time (bench/classify.py).
    """
    return Pipeline(
        [
            ("ngrams", FunctionTransformer(syllable_ngrams)),
            (
                "hashing",
                FeatureHasher(n_features=2**HASH_BITS, input_type="string", alternate_sign=False),
            ),
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
