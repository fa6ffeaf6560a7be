"""Shared helpers of the e-mail tests: the recorded payloads and a configured channel."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from channels.base import InboundEvent
from channels.email import EmailConfig, MailEnvelope, parse_mail

PAYLOADS = Path(__file__).parent / "payloads" / "email"
DOMAIN = "phananh.xaphuhoa.vn"
NOW = datetime(2026, 11, 4, 3, 0, tzinfo=UTC)
CONFIG = EmailConfig(
    from_address=f"phananh@{DOMAIN}",
    message_id_domain=DOMAIN,
    reply_domain=DOMAIN,
    max_attachment_bytes=2048,
)


def eml(name: str) -> bytes:
    """The raw bytes of a recorded payload."""
    return (PAYLOADS / name).read_bytes()


def parsed(name: str, envelope: MailEnvelope | None = None) -> InboundEvent:
    """A recorded payload through the parser, with the test configuration."""
    return parse_mail(eml(name), CONFIG, envelope or MailEnvelope(), NOW)
