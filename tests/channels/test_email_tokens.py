"""Signed reply tokens for reply+TOKEN@ addresses."""

from __future__ import annotations

import pytest

from channels.email import ReplyTokens

tokens = ReplyTokens(b"0123456789abcdef-secret")


def test_a_token_round_trips_to_its_case() -> None:
    token = tokens.issue("c42")
    assert token.startswith("c42.") and token == token.lower()
    assert tokens.verify(token) == "c42"


def test_mtas_that_fold_case_do_not_break_tokens() -> None:
    assert tokens.verify(tokens.issue("c42").upper()) == "c42"


@pytest.mark.parametrize(
    "forged",
    ["c43." + "a" * 16, "c42", "", ".", "c42.", "c4 2.abcdefghabcdefgh", "../x.y"],
)
def test_forged_or_malformed_tokens_are_refused(forged: str) -> None:
    assert tokens.verify(forged) is None


def test_a_token_for_one_case_does_not_open_another() -> None:
    mac = tokens.issue("c42").split(".")[1]
    assert tokens.verify(f"c43.{mac}") is None


def test_another_secret_does_not_verify() -> None:
    assert ReplyTokens(b"another-secret-0123456").verify(tokens.issue("c42")) is None


@pytest.mark.parametrize("ref", ["", "C 1", "x" * 41, "a.b", "ảnh"])
def test_bad_case_references_are_refused(ref: str) -> None:
    with pytest.raises(ValueError, match="case reference"):
        tokens.issue(ref)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        ReplyTokens(b"short")
