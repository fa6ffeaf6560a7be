"""Text retrieval: rank documents by TF-IDF cosine similarity to a query (no external service).

The same normalization as the models (contacts masked, teencode expanded, diacritics folded),
word unigrams and bigrams, the grouping stopwords dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer

from classifiers.grouping.stopwords import STOPWORDS
from classifiers.normalize import normalize_and_fold

_WORD_PATTERN = r"(?u)\b[a-z0-9]{2,}\b"


def _analyzer() -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=normalize_and_fold,
        token_pattern=_WORD_PATTERN,
        stop_words=sorted(STOPWORDS),
        ngram_range=(1, 2),
        sublinear_tf=True,
    )


def rank(
    query: str, documents: Sequence[str], *, limit: int = 5, min_score: float = 0.0
) -> list[tuple[int, float]]:
    """(index, cosine) of the `limit` documents most similar to `query`, best first."""
    if not documents or not query.strip():
        return []
    vectorizer = _analyzer()
    try:
        matrix = vectorizer.fit_transform([*documents, query])
    except ValueError:  # nothing but stopwords anywhere
        return []
    scores = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    order = sorted(range(len(documents)), key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in order[:limit] if scores[i] > min_score]
