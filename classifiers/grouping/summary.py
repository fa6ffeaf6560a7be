"""What a group shows staff: its keywords and a few representative, redacted quotes."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Final

from classifiers.grouping.stopwords import STOPWORDS
from classifiers.grouping.vectors import GroupCentroid, vectorize
from classifiers.normalize import fold, normalize
from classifiers.redact import redact

_WORD: Final = re.compile(r"[^\W\d_]+")
# Quotes this close to one already chosen add nothing.
_SAME_QUOTE: Final = 0.8
_QUOTE_CHARACTERS: Final = 280


def top_keywords(texts: Sequence[str], k: int = 8) -> list[str]:
    """The `k` words or two-word phrases found in most texts, shown with their diacritics."""
    documents: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        words = _WORD.findall(normalize(text))
        seen: set[str] = set()
        for size in (1, 2):
            for start in range(len(words) - size + 1):
                phrase = words[start : start + size]
                folded = [fold(w) for w in phrase]
                if all(w in STOPWORDS for w in folded) or (size == 1 and folded[0] in STOPWORDS):
                    continue
                key = " ".join(folded)
                surfaces[key][" ".join(phrase)] += 1
                seen.add(key)
        documents.update(seen)
    ranked = sorted(documents, key=lambda key: (-documents[key] * (1 + key.count(" ")), key))
    chosen: list[str] = []
    for key in ranked:
        # A phrase sharing a word with a chosen one ("phố tân" after "tân mai") is redundant.
        if any(set(key.split()) & set(other.split()) for other in chosen):
            continue
        chosen.append(key)
        if len(chosen) == k:
            break
    return [_display(surfaces[key]) for key in chosen]


def _display(forms: Counter[str]) -> str:
    # Prefer the most common form written with diacritics; citizens who typed them were exact.
    return max(forms, key=lambda form: (fold(form) != form, forms[form], form))


def representative_quotes(texts: Sequence[str], k: int = 3) -> list[str]:
    """Up to `k` redacted texts closest to the group's centre, no two saying the same thing."""
    vectors = [vectorize(text) for text in texts]
    centroid = GroupCentroid.of(vectors)
    order = sorted(range(len(texts)), key=lambda i: (-centroid.similarity(vectors[i]), i))
    chosen: list[int] = []
    for i in order:
        if any(_cosine(vectors[i].terms, vectors[j].terms) >= _SAME_QUOTE for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) == k:
            break
    return [_shorten(redact(texts[i])) for i in chosen]


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _QUOTE_CHARACTERS:
        return text
    return text[: _QUOTE_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"
