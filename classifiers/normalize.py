"""Text normalization for the models: NFC, masking, lowercase, teencode expansion, folding."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from classifiers.abbreviations import ABBREVIATIONS
from classifiers.masking import MODEL_PLACEHOLDERS, mask_contacts
from classifiers.redact import redact

__all__ = [
    "SYLLABLE_PATTERN",
    "fold",
    "normal_token",
    "normalize",
    "normalize_and_fold",
    "raw_tokens",
    "redact",
]

# Syllables, including one-letter ones ("ở", "đi" …), are the word unit of Vietnamese.
SYLLABLE_PATTERN: Final = r"(?u)\b\w+\b"

# Vietnamese never doubles a letter three times: "ngậppppp" is emphasis, not a word.
_REPEATED: Final = re.compile(r"(\w)\1\1+")
_PUNCTUATION: Final = ".,;:!?…\"'()[]{}-–/*~"


# Combining diacritical marks (and their supplements): what NFD splits Vietnamese tones into.
_COMBINING: Final = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def normalize(text: str) -> str:
    """NFC, contacts masked, lowercase, chat abbreviations expanded, whitespace collapsed."""
    return " ".join([normal_token(token) for token in raw_tokens(text)])


def raw_tokens(text: str) -> list[str]:
    """NFC, contacts masked, lowercase, split on whitespace: what `normal_token` takes."""
    return mask_contacts(unicodedata.normalize("NFC", text), MODEL_PLACEHOLDERS).lower().split()


@functools.lru_cache(maxsize=1 << 16)
def normal_token(token: str) -> str:
    """One raw token with emphasis collapsed and a chat abbreviation expanded.

    Cached: a few thousand tokens make up almost every message.
    """
    if _REPEATED.search(token):
        token = _collapse(token)
    core = token.strip(_PUNCTUATION)
    expansion = ABBREVIATIONS.get(core)
    if expansion is None:
        return token
    return token.replace(core, expansion, 1)


def _collapse(token: str) -> str:
    # Acronyms keep their letters ("cccd"); digits are never emphasis ("1000").
    if token.strip(_PUNCTUATION) in ABBREVIATIONS:
        return token
    return _REPEATED.sub(lambda m: m.group(0) if m.group(1).isdigit() else m.group(1), token)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (đ → d), as people type on phones without an IME."""
    text = unicodedata.normalize("NFD", text)  # base letters, then their marks
    if text.isascii():
        return text
    folded = _COMBINING.sub("", text).replace("đ", "d").replace("Đ", "D")
    # Other scripts keep their letters, composed again.
    return folded if folded.isascii() else unicodedata.normalize("NFC", folded)


def normalize_and_fold(text: str) -> str:
    """The folded form of the normalized text (what the diacritic-free features see)."""
    return fold(normalize(text))
