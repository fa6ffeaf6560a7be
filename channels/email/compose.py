"""Outbound mail: our Message-ID, thread headers, reply address, RFC 3834 markers, UTF-8."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import msgspec

from channels.base import OutboundMessage
from channels.email.config import EmailConfig

AUTO_SUBMITTED_VALUES = frozenset({"auto-replied", "auto-generated"})  # RFC 3834 §5
_MAX_REFERENCES = 20  # RFC 5322 §3.6.4 lets us trim; keep the root and the newest ones
_SAFE_KEY = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ComposedText(msgspec.Struct, frozen=True, kw_only=True):
    """A subject and a plain-text body."""

    subject: str
    text: str


def acknowledgement(tracking_code: str, url: str) -> ComposedText:
    """The automatic receipt for a new case: Vietnamese first, English second."""
    subject = f"[{tracking_code}] Đã nhận ý kiến của bạn / We received your feedback"
    text = (
        "Xin chào,\n\n"
        f"Chúng tôi đã nhận được ý kiến của bạn. Mã theo dõi: {tracking_code}\n"
        f"Xem tình trạng xử lý tại: {url}\n"
        "Bạn có thể trả lời thư này để bổ sung thông tin.\n\n"
        "---\n\n"
        "Hello,\n\n"
        f"We have received your feedback. Tracking code: {tracking_code}\n"
        f"Follow its progress at: {url}\n"
        "You can reply to this e-mail to add information.\n\n"
        "Thư này được gửi tự động. / This message was sent automatically."
    )
    return ComposedText(subject=subject, text=text)


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The same id for every attempt of one delivery, so a repeated send can be deduplicated."""
    local = idempotency_key if _SAFE_KEY.fullmatch(idempotency_key) else _digest(idempotency_key)
    return f"td.{local}@{domain}"


def compose_message(message: OutboundMessage, config: EmailConfig, now: datetime) -> EmailMessage:
    """Build the RFC 5322 message for one outbound e-mail."""
    if message.auto_submitted is not None and message.auto_submitted not in AUTO_SUBMITTED_VALUES:
        raise ValueError(f"Auto-Submitted must be one of {sorted(AUTO_SUBMITTED_VALUES)}")
    mail = EmailMessage()
    mail["From"] = Address(display_name=config.from_name, addr_spec=config.from_address)
    mail["To"] = message.recipient
    mail["Subject"] = _subject(message)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = f"<{message_id_for(message.idempotency_key, config.message_id_domain)}>"
    refs = _references(message.thread_refs)
    if refs:
        mail["In-Reply-To"] = f"<{refs[-1]}>"
        mail["References"] = " ".join(f"<{ref}>" for ref in refs)
    if message.reply_token:
        reply_to = f"{config.reply_local_part}+{message.reply_token}@{config.reply_domain}"
        mail["Reply-To"] = Address(display_name=config.from_name, addr_spec=reply_to)
    if message.auto_submitted:
        mail["Auto-Submitted"] = message.auto_submitted
        mail["X-Auto-Response-Suppress"] = "All"  # no out-of-office answers to our receipts
    mail["X-Loop"] = config.from_address  # lets us recognise our own mail if it comes back
    mail.set_content(_body(message), charset="utf-8")
    return mail


def _subject(message: OutboundMessage) -> str:
    code = message.tracking_code
    subject = message.subject or (
        "Phản hồi ý kiến của bạn / Reply to your feedback" if code else "Tiếng Dân"
    )
    if code and code not in subject:
        subject = f"[{code}] {subject}"  # the tag routes a reply even without our headers
    return subject


def _body(message: OutboundMessage) -> str:
    text = message.text.rstrip()
    if message.url and message.url not in text:
        text += f"\n\nXem tình trạng / View status: {message.url}"
    return text + "\n"


def _references(refs: tuple[str, ...]) -> list[str]:
    unique = list(dict.fromkeys(ref.strip("<> ") for ref in refs if ref.strip("<> ")))
    if len(unique) > _MAX_REFERENCES:
        unique = unique[:1] + unique[-(_MAX_REFERENCES - 1) :]
    return unique


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]
