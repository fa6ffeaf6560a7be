"""Text helpers the backend needs on the request path (tracking codes, folding for search)."""

from __future__ import annotations

import secrets

from classifiers.normalize import fold as fold_diacritics

# Crockford-style alphabet: no I, L, O, U, so codes survive being read aloud or handwritten.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics (đ → d) for accent-insensitive matching."""
    return fold_diacritics(text).lower()


def new_tracking_code() -> str:
    """A 10-character code shown to citizens as XXXXX-XXXXX (50 random bits)."""
    number = secrets.randbits(50)
    chars = []
    for _ in range(10):
        number, digit = divmod(number, 32)
        chars.append(_CODE_ALPHABET[digit])
    return f"{''.join(chars[:5])}-{''.join(chars[5:])}"


def new_secret_token() -> str:
    return secrets.token_urlsafe(24)
