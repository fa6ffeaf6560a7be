"""The notification payload: a short JSON notice that fits one push message."""

from __future__ import annotations

import unicodedata

import msgspec

# Push services must accept 4096-byte bodies (RFC 8030 §7.2); aes128gcm adds 86 bytes of
# header, a 16-byte tag and 1 padding delimiter (RFC 8188 §2, RFC 8291 §4). We aim lower,
# at 3 KB on the wire, so no service's stricter counting can push us over.
ENCRYPTION_OVERHEAD = 86 + 16 + 1
ENCRYPTED_BUDGET = 3072
PLAINTEXT_BUDGET = ENCRYPTED_BUDGET - ENCRYPTION_OVERHEAD
_ELLIPSIS = "…"


class PushNotice(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What the service worker shows: `showNotification(title, {body, tag, data: {url}})`."""

    title: str
    body: str = ""
    url: str | None = None
    tag: str | None = None  # same tag replaces the shown notification


def encode_notice(notice: PushNotice, budget: int = PLAINTEXT_BUDGET) -> bytes:
    """UTF-8 JSON (no \\u escapes) within `budget` bytes; the body, then the title, is cut."""
    notice = msgspec.structs.replace(
        notice,
        title=unicodedata.normalize("NFC", notice.title),
        body=unicodedata.normalize("NFC", notice.body),
    )
    for field in ("body", "title"):
        encoded = msgspec.json.encode(notice)
        if len(encoded) <= budget:
            return encoded
        text: str = getattr(notice, field)
        excess = len(encoded) - budget
        notice = msgspec.structs.replace(notice, **{field: _shorten(text, excess)})
    encoded = msgspec.json.encode(notice)
    if len(encoded) > budget:
        raise ValueError(
            f"notice does not fit {budget} bytes even without its text (url/tag too long)"
        )
    return encoded


def _shorten(text: str, excess: int) -> str:
    """Drop at least `excess` UTF-8 bytes (plus room for "…") from the end of `text`."""
    target = len(text.encode()) - excess - len(_ELLIPSIS.encode())
    if target <= 0:
        return ""
    cut = text.encode()[:target].decode("utf-8", "ignore")
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]  # never leave a tone mark without its letter
    return cut.rstrip() + _ELLIPSIS
