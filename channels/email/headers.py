"""Header access that survives malformed mail: the policy parser can raise on odd input."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.message import EmailMessage
from email.utils import getaddresses

from channels.email.bodies import decode_bytes

# What email.headerregistry has been seen to raise on hostile values (an empty "<>" id, …).
_PARSE_ERRORS = (HeaderParseError, IndexError, ValueError, TypeError, AttributeError)


def clean_text(text: str) -> str:
    """Undo surrogate escapes of raw 8-bit header bytes by decoding them properly (NFC)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return decode_bytes(text.encode("utf-8", "replace"), "utf-8")
    return decode_bytes(raw, "utf-8")


def header_texts(message: EmailMessage, name: str) -> list[str]:
    """Every value of a header, decoded (RFC 2047) when possible and raw when not."""
    try:
        return [clean_text(str(value)) for value in message.get_all(name) or ()]
    except _PARSE_ERRORS:
        wanted = name.lower()
        return [clean_text(str(v)) for k, v in message.raw_items() if k.lower() == wanted]


def header_text(message: EmailMessage, name: str) -> str | None:
    """The first value of a header, or None."""
    values = header_texts(message, name)
    return values[0] if values else None


def addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; empty addresses are dropped."""
    pairs = getaddresses(header_texts(message, name))
    return [(display.strip(), address.strip()) for display, address in pairs if "@" in address]
