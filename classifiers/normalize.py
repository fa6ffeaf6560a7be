"""Text normalization for the models: NFC, masking, lowercase, teencode expansion, folding."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from classifiers.abbreviations import ABBREVIATIONS
from classifiers.masking import MODEL_PLACEHOLDERS, mask_contacts
from classifiers.redact import redact

__all__ = ["SYLLABLE_PATTERN", "fold", "normalize", "normalize_and_fold", "redact"]

# Syllables, including one-letter ones ("ở", "đi" …), are the word unit of Vietnamese.
SYLLABLE_PATTERN: Final = r"(?u)\b\w+\b"

# Vietnamese never doubles a letter three times: "ngậppppp" is emphasis, not a word.
_REPEATED_LETTER: Final = re.compile(r"([^\W\d_])\1{2,}")
_WORD: Final = re.compile(r"\w+")
_SPACES: Final = re.compile(r"\s+")
_D_BAR: Final = str.maketrans({"đ": "d", "Đ": "D"})


def normalize(text: str) -> str:
    """NFC, contacts masked, lowercase, chat abbreviations expanded, whitespace collapsed."""
    text = mask_contacts(unicodedata.normalize("NFC", text), MODEL_PLACEHOLDERS).lower()
    text = _WORD.sub(_expand_token, text)
    return _SPACES.sub(" ", text).strip()


def _expand_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if token in ABBREVIATIONS:  # before collapsing letters: "cccd" is an acronym, not emphasis
        return ABBREVIATIONS[token]
    token = _REPEATED_LETTER.sub(r"\1", token)
    return ABBREVIATIONS.get(token, token)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (đ → d), as people type on phones without an IME."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_BAR))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def normalize_and_fold(text: str) -> str:
    """The folded form of the normalized text (what the diacritic-free features see)."""
    return fold(normalize(text))
