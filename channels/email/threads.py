"""Message-IDs, thread references and plus-address reply tokens (RFC 5322 §3.6.4)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from email.message import EmailMessage

from channels.email.headers import addresses, header_text

_BRACKETED_ID = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_BARE_ID = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=-]{0,127}")
# Headers that name where a message was delivered, most reliable first (envelope comes before).
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
# Headers a relay may add or rewrite; left out of the synthesized id so redelivery keeps it.
_STABLE_HEADERS = ("From", "To", "Cc", "Subject", "Date")
SYNTHESIZED_DOMAIN = "synthesized.invalid"


def message_ids(value: str | None) -> list[str]:
    """The ids in a Message-ID/In-Reply-To/References value, without angle brackets."""
    if not value:
        return []
    found = _BRACKETED_ID.findall(value)
    if found:
        return found
    # Some clients drop the brackets; accept a lone bare id, never free text.
    bare = value.strip()
    return [bare] if _BARE_ID.match(bare) else []


def thread_refs(message: EmailMessage) -> tuple[str, ...]:
    """References (oldest first) then In-Reply-To, de-duplicated in order."""
    refs = message_ids(header_text(message, "References")) + message_ids(
        header_text(message, "In-Reply-To")
    )
    return tuple(dict.fromkeys(refs))


def message_id(message: EmailMessage, raw: bytes) -> tuple[str, bool]:
    """(id, synthesized): the Message-ID, or a stable one made from the message's content."""
    ids = message_ids(header_text(message, "Message-ID"))
    if ids:
        return ids[0], False
    return synthesize_message_id(message, raw), True


def synthesize_message_id(message: EmailMessage, raw: bytes) -> str:
    """A deterministic id from the stable headers and the body, so redelivery dedupes."""
    digest = hashlib.sha256()
    for name in _STABLE_HEADERS:
        digest.update(
            f"{name}:{header_text(message, name) or ''}\n".encode("utf-8", "surrogateescape")
        )
    body = _body_bytes(raw).replace(b"\r\n", b"\n").rstrip()
    digest.update(body)
    return f"{digest.hexdigest()[:40]}@{SYNTHESIZED_DOMAIN}"


def reply_token(
    message: EmailMessage, envelope_rcpts: Iterable[str], *, local_part: str, domain: str
) -> str | None:
    """TOKEN of the first `local_part+TOKEN@domain` among the envelope and recipient headers."""
    candidates = list(envelope_rcpts)
    for name in _RECIPIENT_HEADERS:
        candidates += [address for _, address in addresses(message, name)]
    prefix = f"{local_part.lower()}+"
    for address in candidates:
        local, _, host = address.strip().strip("<>").rpartition("@")
        if host.lower() != domain.lower() or not local.lower().startswith(prefix):
            continue
        token = local[len(prefix) :]
        if _TOKEN.fullmatch(token):
            return token
    return None


def _body_bytes(raw: bytes) -> bytes:
    """Everything after the first empty line, whichever line ending the message uses."""
    ends = [(i, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep)) >= 0]
    if not ends:
        return b""
    start, length = min(ends)
    return raw[start + length :]
