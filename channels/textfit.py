"""Fit a reply into a chat provider's text limit without splitting it into several sends."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
MORE_PREFIX = "\nXem đầy đủ: "  # "read it all:" followed by the status-page link


def fit_text(text: str, limit: int, full_url: str | None = None) -> str:
    """NFC-normalize `text`; if longer than `limit` characters, cut it and point to `full_url`.

    Truncating (rather than splitting into several messages) keeps one provider call per
    delivery, so a retry after a timeout can never resend half a reply; the whole answer stays
    readable on the status page.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = unicodedata.normalize("NFC", text)
    if len(text) <= limit:
        return text
    tail = ELLIPSIS + (MORE_PREFIX + full_url if full_url else "")
    if len(tail) >= limit:  # a link longer than the limit cannot help; plain cut
        tail = ELLIPSIS
    room = limit - len(tail)
    head = text[:room]
    cut = max(head.rfind(" "), head.rfind("\n"))
    if cut >= room * 3 // 4:  # end on a word boundary unless that throws away too much
        head = head[:cut]
    return head.rstrip() + tail
