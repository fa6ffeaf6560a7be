"""One scikit-learn Pipeline per task: normalize → hashed word n-grams → TF-IDF → calibrated linear SVM.

Features come from both the normalized text and its diacritic-free form, in separate hash
spaces, so "đường" and "duong" share the folded features while the accented ones still count
(DESIGN §5). Hashing keeps the artifact small and quick to load: the model is the coefficient
matrix, no vocabulary (perf-limits §3: a vocabulary TF-IDF on 50k documents is a 468 MB skops
file that loads in 15 s; hashing loads in 0.03–0.3 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from classifiers.linear import CalibratedLinearSVC
from classifiers.normalize import SYLLABLE_PATTERN, fold, normalize

# 2^16 buckets per feature family: two families × (13 + 6 + 1) one-vs-rest float64 rows of
# coefficients stay near 20 MB (bench/classify.py measures the artifact).
HASH_BITS: Final = 16
CALIBRATION_FOLDS: Final = 3


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """`normalize` applied to each text (the first step of every pipeline)."""
    return [normalize(text) for text in texts]


def build_features() -> Pipeline:
    """normalize → FeatureUnion(accented word n-grams, folded word n-grams) → TF-IDF.

    Character n-grams were measured and left out: on the corpus they did not raise held-out
    macro-F1 (0.868 with, 0.883 without) and tripled feature time (bench/classify.py).
    """

    def words(preprocessor: Callable[[str], str] | None) -> HashingVectorizer:
        return HashingVectorizer(
            preprocessor=preprocessor,
            token_pattern=SYLLABLE_PATTERN,
            ngram_range=(1, 2),
            n_features=2**HASH_BITS,
            alternate_sign=False,
            norm=None,
        )

    union = FeatureUnion([("words", words(None)), ("folded_words", words(fold))])
    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_texts)),
            ("ngrams", union),
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
