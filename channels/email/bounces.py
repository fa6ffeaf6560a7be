"""Delivery status notifications: who could not be reached, about which of our messages."""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from email.parser import HeaderParser

import msgspec

from channels.email.bodies import part_text
from channels.email.headers import header_text, header_texts
from channels.email.loops import is_delivery_report
from channels.email.threads import message_ids


class BounceReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a bounce says: failed recipients, whether for good, and our original ids."""

    failed_recipients: tuple[str, ...] = ()
    permanent: bool = False
    status: str | None = None  # RFC 3463 enhanced code of the first failure, e.g. "5.1.1"
    original_ids: tuple[str, ...] = ()


def read_bounce(message: EmailMessage, own_domain: str) -> BounceReport:
    """Read a DSN (RFC 3464), or an older bounce carrying X-Failed-Recipients (Exim)."""
    failed: list[str] = []
    statuses: list[str] = []
    if is_delivery_report(message):
        for block in _status_blocks(message):
            if (str(block.get("Action", "")).strip().lower()) != "failed":
                continue  # "delayed" / "delivered" / "relayed" are not failures
            recipient = _recipient(block)
            if recipient:
                failed.append(recipient)
            statuses.append(str(block.get("Status", "")).strip())
    else:
        for value in header_texts(message, "X-Failed-Recipients"):
            failed += [r.strip() for r in value.split(",") if "@" in r]
        statuses.append("5.0.0" if failed else "")
    status = next((s for s in statuses if s), None)
    return BounceReport(
        failed_recipients=tuple(dict.fromkeys(failed)),
        permanent=any(s.startswith("5") for s in statuses),
        status=status,
        original_ids=_original_ids(message, own_domain),
    )


def _status_blocks(message: EmailMessage) -> list[Message]:
    blocks: list[Message] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # the parser splits the per-recipient field groups
            blocks += [b for b in payload if isinstance(b, Message)]
    return blocks


def _recipient(block: Message) -> str | None:
    # Final-Recipient: rfc822; someone@example.org (RFC 3464 §2.3.2)
    for name in ("Final-Recipient", "Original-Recipient"):
        value = str(block.get(name, ""))
        address = value.partition(";")[2].strip() or value.strip()
        if "@" in address:
            return address.strip("<>")
    return None


def _original_ids(message: EmailMessage, own_domain: str) -> tuple[str, ...]:
    """Our Message-IDs quoted by the bounce: returned headers first, then anywhere in the text."""
    ids: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822" and isinstance(part, EmailMessage):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                ids += message_ids(header_text(inner[0], "Message-ID"))
        elif kind == "text/rfc822-headers" and isinstance(part, EmailMessage):
            headers = HeaderParser().parsestr(part_text(part))
            ids += message_ids(str(headers.get("Message-ID", "")))
        elif kind == "text/plain" and isinstance(part, EmailMessage):
            ids += _ids_on_domain(part_text(part), own_domain)
    return tuple(
        dict.fromkeys(i for i in ids if i.rpartition("@")[2].lower() == own_domain.lower())
    )


def _ids_on_domain(text: str, domain: str) -> list[str]:
    pattern = re.compile(r"<([^<>\s]+@" + re.escape(domain) + r")>", re.IGNORECASE)
    return pattern.findall(text)
