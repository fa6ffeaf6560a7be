"""Raw RFC 5322 bytes to one normalized `InboundEvent`."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import msgspec

from channels.base import EventKind, InboundEvent, PayloadInvalid
from channels.email.attachments import read_attachments
from channels.email.bodies import message_bodies
from channels.email.bounces import read_bounce
from channels.email.config import EmailConfig
from channels.email.envelope import MailEnvelope
from channels.email.headers import addresses, header_text
from channels.email.loops import MailClass, classify_mail, suppresses_auto_reply
from channels.email.strip import strip_reply
from channels.email.threads import message_id, reply_token, thread_refs

CHANNEL = "email"


def parse_bytes(raw: bytes) -> EmailMessage:
    """Parse with the modern policy (decoded headers, get_body); refuse what is not a message."""
    if not raw.strip():
        raise PayloadInvalid("empty mail")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise PayloadInvalid("not an RFC 5322 message: no header fields")
    return message


def parse_mail(
    raw: bytes, config: EmailConfig, envelope: MailEnvelope, received_at: datetime
) -> InboundEvent:
    """One event: MESSAGE for citizen mail, BOUNCED for DSNs, IGNORED for other automatic mail."""
    message = parse_bytes(raw)
    envelope = _with_return_path(message, envelope)
    external_id, synthesized = message_id(message, raw)
    mail_class = classify_mail(
        message,
        own_domain=config.message_id_domain,
        own_addresses=(config.from_address, *config.own_addresses),
        envelope_from=envelope.mail_from,
    )
    senders = addresses(message, "From")
    sender_name, sender = senders[0] if senders else ("", envelope.mail_from or "")
    raw_info: dict[str, Any] = {
        "mail_class": mail_class.value,
        "subject": header_text(message, "Subject") or "",
        "date": header_text(message, "Date"),
        "message_id_synthesized": synthesized,
        "envelope_from": envelope.mail_from,
        "envelope_to": list(envelope.rcpt_tos),
    }
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "external_id": external_id,
        "received_at": received_at,
        "sender_id": sender.lower() or "<>",
        "sender_name": sender_name or None,
    }
    if mail_class is MailClass.BOUNCE:
        report = read_bounce(message, config.message_id_domain)
        raw_info.update(
            failed_recipients=list(report.failed_recipients),
            permanent=report.permanent,
            status=report.status,
        )
        return InboundEvent(
            kind=EventKind.BOUNCED, refers_to=report.original_ids, raw=raw_info, **common
        )
    if not mail_class.is_citizen:
        return InboundEvent(kind=EventKind.IGNORED, raw=raw_info, **common)
    if "@" not in sender:
        raise PayloadInvalid("mail has no sender address (From or envelope)")
    return _citizen_event(message, raw_info, common, config, envelope)


def _with_return_path(message: EmailMessage, envelope: MailEnvelope) -> MailEnvelope:
    """Mail fetched over IMAP has no envelope; the final MTA kept it in Return-Path (§4.4)."""
    return_path = header_text(message, "Return-Path")
    if envelope.mail_from is not None or return_path is None:
        return envelope
    return msgspec.structs.replace(envelope, mail_from=return_path.strip().strip("<>").strip())


def _citizen_event(
    message: EmailMessage,
    raw_info: dict[str, Any],
    common: dict[str, Any],
    config: EmailConfig,
    envelope: MailEnvelope,
) -> InboundEvent:
    full_text, html = message_bodies(message)
    text = strip_reply(full_text) if full_text.strip() else raw_info["subject"]
    files = read_attachments(message, config.max_attachment_bytes)
    reply_to = addresses(message, "Reply-To")
    contact = {"email": common["sender_id"]}
    if common["sender_name"]:
        contact["name"] = common["sender_name"]
    if reply_to:
        contact["reply_to"] = reply_to[0][1].lower()
    if envelope.mail_from:
        contact["return_path"] = envelope.mail_from.lower()
    raw_info.update(full_text=full_text, html=html, no_auto_reply=suppresses_auto_reply(message))
    return InboundEvent(
        kind=EventKind.MESSAGE,
        text=text,
        attachments=tuple(metadata for metadata, _ in files),
        thread_refs=thread_refs(message),
        reply_token=reply_token(
            message,
            envelope.rcpt_tos,
            local_part=config.reply_local_part,
            domain=config.reply_domain,
        ),
        contact=contact,
        raw=raw_info,
        **common,
    )
