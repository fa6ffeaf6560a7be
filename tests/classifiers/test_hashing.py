"""Code tests: SyllableHasher computes exactly the n-gram counts a FeatureHasher would."""

from __future__ import annotations

import pytest
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from classifiers.corpus import SHIPPED_CORPUS, load_corpus
from classifiers.hashing import SyllableHasher
from classifiers.pipelines import HASH_BITS, syllable_ngrams

EDGE_CASES = [
    "",
    "   ",
    "- , !",  # no syllable at all
    "đường - phố",  # a pair across a punctuation-only token
    "đường,phố;ngõ",  # several syllables in one token
    "ngậppppp quáaaa, cccd",  # emphasis collapsed, acronym kept
    "ko dc j mn ơi",  # teencode expanded into several syllables
    "liên hệ a@b.vn, 0912 345 678, https://x.vn/p?q=1, 012345678901",
    "ĐƯỜNG ĐI Đ",
    "e\u0301 cafe\u0301 dạ\u0323",  # decomposed marks
    "mưa mưa mưa mưa",  # repeated n-grams count
]


def _reference(texts: list[str]) -> sparse.csr_matrix:
    hasher = FeatureHasher(n_features=2**HASH_BITS, input_type="string", alternate_sign=False)
    return sparse.csr_matrix(hasher.transform(syllable_ngrams(texts)))


def _assert_same(texts: list[str]) -> None:
    ours = SyllableHasher(n_features=2**HASH_BITS).transform(texts)
    reference = _reference(texts)
    assert ours.shape == reference.shape
    assert (ours != reference).nnz == 0
    assert ours.has_sorted_indices


def test_the_corpus_hashes_exactly_as_feature_hasher_over_ngram_strings() -> None:
    _assert_same([record.text for record in load_corpus(SHIPPED_CORPUS)])


def test_edge_cases_hash_exactly_as_feature_hasher_over_ngram_strings() -> None:
    _assert_same(EDGE_CASES)
    counts = SyllableHasher(n_features=2**HASH_BITS).transform(EDGE_CASES)
    assert counts[0].nnz == 0 and counts[2].nnz == 0
    assert counts[-1].sum() == 4 + 3 + 4 + 3  # words, pairs, folded words, folded pairs


def test_results_stay_exact_when_the_remembered_tokens_start_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("classifiers.hashing._MAX_REMEMBERED", 3)
    _assert_same(EDGE_CASES * 2)


def test_no_texts_give_an_empty_matrix() -> None:
    assert SyllableHasher(n_features=16).transform([]).shape == (0, 16)
