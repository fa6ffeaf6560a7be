"""One scikit-learn Pipeline per task: normalize → hashed word + char n-grams → TF-IDF → linear SVM.

Features come from both the normalized text and its diacritic-free form, in separate hash
spaces, so "đường" and "duong" share the folded features while the accented ones still count
(DESIGN §5). Hashing keeps the artifact small and quick to load: the model is the coefficient
matrix, no vocabulary (perf-limits §3: a vocabulary TF-IDF on 50k documents is a 468 MB skops
file that loads in 15 s; hashing loads in 0.03–0.3 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from classifiers.normalize import SYLLABLE_PATTERN, fold, normalize

# 2^16 buckets per feature family: three families × 13 topics of float64 coefficients stay
# around 20 MB, and 50k training messages collide in few buckets (measured in bench/classify.py).
HASH_BITS: Final = 16
CALIBRATION_FOLDS: Final = 3


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """`normalize` applied to each text (the first step of every pipeline)."""
    return [normalize(text) for text in texts]


def build_features() -> Pipeline:
    """normalize → FeatureUnion(accented words, folded words, folded chars) → TF-IDF."""

    def words(preprocessor: object) -> HashingVectorizer:
        return HashingVectorizer(
            preprocessor=preprocessor,
            token_pattern=SYLLABLE_PATTERN,
            ngram_range=(1, 2),
            n_features=2**HASH_BITS,
            alternate_sign=False,
            norm=None,
        )

    union = FeatureUnion(
        [
            ("words", words(None)),
            ("folded_words", words(fold)),
            (
                "folded_chars",
                HashingVectorizer(
                    analyzer="char_wb",
                    preprocessor=fold,
                    ngram_range=(2, 4),
                    n_features=2**HASH_BITS,
                    alternate_sign=False,
                    norm=None,
                ),
            ),
        ]
    )
    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_texts)),
            ("ngrams", union),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ]
    )


def build_classifier(*, balanced: bool = False) -> CalibratedClassifierCV:
    """A linear SVM with sigmoid-calibrated probabilities.

    `ensemble=False` keeps one SVM fitted on all the data (the folds only fit the calibration),
    so the artifact is not multiplied by the fold count.
    """
    svm = LinearSVC(C=0.5, class_weight="balanced" if balanced else None)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False)


def build_pipeline(*, balanced: bool = False) -> Pipeline:
    """The full pipeline for one task (features + calibrated classifier)."""
    return Pipeline([*build_features().steps, ("classifier", build_classifier(balanced=balanced))])
