"""Text normalization for the models: NFC, masking, lowercase, teencode expansion, folding."""

from __future__ import annotations

import functools
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
_REPEATED: Final = re.compile(r"(\w)\1\1+")
_PUNCTUATION: Final = ".,;:!?…\"'()[]{}-–/*~"


def _folding_table() -> dict[int, str]:
    # Every precomposed Latin letter (U+00C0–U+024F, Vietnamese U+1EA0–U+1EF9) to its base.
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in [*range(0xC0, 0x250), *range(0x1EA0, 0x1EFA)]:
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


_FOLD: Final = _folding_table()


def normalize(text: str) -> str:
    """NFC, contacts masked, lowercase, chat abbreviations expanded, whitespace collapsed."""
    text = mask_contacts(unicodedata.normalize("NFC", text), MODEL_PLACEHOLDERS).lower()
    tokens = text.split()
    if _REPEATED.search(text):
        tokens = [_collapse(token) for token in tokens]
    return " ".join([_expand(token) for token in tokens])


def _collapse(token: str) -> str:
    # Acronyms keep their letters ("cccd"); digits are never emphasis ("1000").
    if token.strip(_PUNCTUATION) in ABBREVIATIONS:
        return token
    return _REPEATED.sub(lambda m: m.group(0) if m.group(1).isdigit() else m.group(1), token)


@functools.lru_cache(maxsize=1 << 16)
def _expand(token: str) -> str:
    # Cached: a few thousand syllables make up almost every message.
    core = token.strip(_PUNCTUATION)
    expansion = ABBREVIATIONS.get(core)
    if expansion is None:
        return token
    return token.replace(core, expansion, 1)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (đ → d), as people type on phones without an IME."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    if text.isascii():
        return text
    # Rare leftovers (combining marks typed separately): drop the marks themselves.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_and_fold(text: str) -> str:
    """The folded form of the normalized text (what the diacritic-free features see)."""
    return fold(normalize(text))
