"""Cutting replies to a provider's limit."""

from __future__ import annotations

import unicodedata

import pytest

from channels.textfit import fit_text


def test_short_text_is_left_alone_but_normalized() -> None:
    decomposed = unicodedata.normalize("NFD", "Xã đã tiếp nhận")
    assert fit_text(decomposed, 50) == "Xã đã tiếp nhận"
    assert len(decomposed) > len(fit_text(decomposed, 50))


def test_long_text_ends_on_a_word_with_a_link_to_the_rest() -> None:
    text = "một hai ba bốn năm sáu bảy tám chín mười " * 10
    fitted = fit_text(text, 80, "https://t.example/c/1")
    assert len(fitted) <= 80
    assert fitted.endswith("…\nXem đầy đủ: https://t.example/c/1")
    head = fitted.split("…")[0]
    assert text.startswith(head) and text[len(head)] == " "  # cut between words


def test_without_a_link_only_an_ellipsis_is_added() -> None:
    assert fit_text("abcdefghij", 5) == "abcd…"


def test_a_link_longer_than_the_limit_is_dropped() -> None:
    fitted = fit_text("x" * 100, 20, "https://t.example/" + "y" * 50)
    assert fitted == "x" * 19 + "…"


def test_a_limit_below_one_is_a_bug() -> None:
    with pytest.raises(ValueError, match="positive"):
        fit_text("x", 0)
