"""Text out of MIME parts, whatever charset they claim (RFC 2045/2046, RFC 2047 headers)."""

from __future__ import annotations

import codecs
import unicodedata
from email.message import EmailMessage

from channels.email.html_text import html_to_text

# Tried in order after the declared charset fails or is unknown: most mislabelled mail is
# UTF-8; Vietnamese legacy clients write windows-1258; latin-1 decodes anything.
_FALLBACKS = ("utf-8", "cp1258")


def nfc(text: str) -> str:
    """NFC form: windows-1258 stores tone marks as combining characters (27 vs 22 code points)."""
    return unicodedata.normalize("NFC", text)


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Decode with the declared charset, falling back to UTF-8, windows-1258 and latin-1."""
    candidates = [declared] if declared else []
    candidates += [c for c in _FALLBACKS if c != declared]
    for charset in candidates:
        try:
            codecs.lookup(charset)
            return nfc(payload.decode(charset))
        except (LookupError, UnicodeDecodeError):
            continue
    return nfc(payload.decode("latin-1"))


def part_text(part: EmailMessage) -> str:
    """The decoded, NFC-normalised text of a single text/* part."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def message_bodies(message: EmailMessage) -> tuple[str, str | None]:
    """(text, html): the text/plain body, or the HTML body rendered as text when there is none."""
    plain = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html = part_text(html_part) if isinstance(html_part, EmailMessage) else None
    if isinstance(plain, EmailMessage):
        return _normalise_newlines(part_text(plain)), html
    if html is not None:
        return html_to_text(html), html
    return "", None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
