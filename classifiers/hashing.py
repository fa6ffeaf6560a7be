"""Syllable 1–2-grams, accented and folded, hashed straight into a sparse count matrix.

The same matrix as `FeatureHasher(alternate_sign=False)` over `pipelines.syllable_ngrams`
(tests/classifiers/test_hashing.py compares them), without building an n-gram string per
feature and hashing it on every call: a few thousand tokens and syllable pairs make up almost
every message, so each raw token's syllables and their hashes, and each pair's two hashes, are
computed once and remembered. Tokenizing, n-gram strings and hashing were most of
the batch time (bench/classify.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any, Final, NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

from classifiers.normalize import SYLLABLE_PATTERN, fold, normal_token, normalize, raw_tokens

# Folded n-grams carry this prefix, so "duong" typed without diacritics counts in both
# families and the accented family still tells "đường" from "dương".
FOLDED: Final = "~"
# Remembered syllables and pairs; past this many the memory starts over (a bound, not a tuning).
_MAX_REMEMBERED: Final = 1 << 20

_SYLLABLE: Final = re.compile(SYLLABLE_PATTERN)


class _Token(NamedTuple):
    """What one raw token contributes: its syllables' hashes and its inner pairs' hashes."""

    first: str | None  # its first and last syllable, to pair with the neighbouring tokens
    last: str | None
    hashes: tuple[int, ...]


_tokens: dict[str, _Token] = {}
_pairs: dict[tuple[str, str], tuple[int, int]] = {}


class SyllableHasher(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """texts → (n, n_features) counts of their normalized syllables and syllable pairs,
    each once as written and once folded (prefixed FOLDED), in one hash space."""

    def __init__(self, n_features: int = 2**17) -> None:
        self.n_features = n_features

    def fit(self, texts: Sequence[str], y: Any = None) -> SyllableHasher:
        return self  # stateless: hashing needs no vocabulary

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        hashes: list[int] = []
        ends = [0]
        tokens, pairs = _tokens, _pairs
        for text in texts:
            previous = None
            for raw in raw_tokens(text):
                token = tokens.get(raw) or _remember_token(raw)
                if token.first is None:
                    continue  # punctuation only: no syllable, and no pair across it either
                if previous is not None:
                    pair = (previous, token.first)
                    hashes += pairs.get(pair) or _remember_pair(pair)
                hashes += token.hashes
                previous = token.last
            ends.append(len(hashes))
        # FeatureHasher's bucket: |h| mod n (int64, so |-2^31| is 2^31 as it defines it).
        columns = np.abs(np.array(hashes, dtype=np.int64)) % self.n_features
        matrix = sparse.csr_matrix(
            (np.ones(len(hashes)), columns.astype(np.int32), np.array(ends, dtype=np.int64)),
            shape=(len(ends) - 1, self.n_features),
        )
        matrix.sum_duplicates()  # counts, with sorted column indices
        return matrix


def syllables(text: str) -> list[str]:
    """The syllables of `normalize(text)`, in order."""
    return _SYLLABLE.findall(normalize(text))


def folded_syllable(word: str) -> str:
    return FOLDED + fold(word)


def _hash(feature: str) -> int:
    return int(murmurhash3_32(feature, seed=0))


def _remember_token(raw: str) -> _Token:
    if len(_tokens) >= _MAX_REMEMBERED:
        _tokens.clear()
    words = _SYLLABLE.findall(normal_token(raw))
    hashes: list[int] = []
    for word in words:
        hashes += (_hash(word), _hash(folded_syllable(word)))
    for pair in itertools.pairwise(words):
        hashes += _remember_pair(pair)
    first, last = (words[0], words[-1]) if words else (None, None)
    token = _tokens[raw] = _Token(first, last, tuple(hashes))
    return token


def _remember_pair(pair: tuple[str, str]) -> tuple[int, int]:
    if len(_pairs) >= _MAX_REMEMBERED:
        _pairs.clear()
    first, second = pair
    folded = f"{folded_syllable(first)} {folded_syllable(second)}"
    hashes = _pairs[pair] = (_hash(f"{first} {second}"), _hash(folded))
    return hashes
