"""The e-mail channel adapter: raw RFC 5322 bytes in, SMTP submission out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address

from channels.base import (
    ChannelMisconfigured,
    Clock,
    DeliveryResult,
    DeliveryStatus,
    InboundEvent,
    OutboundMessage,
    PayloadTooLarge,
    utc_now,
)
from channels.email.compose import compose_message
from channels.email.config import EmailConfig
from channels.email.envelope import MailEnvelope
from channels.email.parse import CHANNEL, parse_mail
from channels.email.sender import SmtpSender


def is_mail_address(value: str) -> bool:
    """A bare addr-spec with a domain (RFC 5322 §3.4.1), nothing that could inject headers."""
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(address.username and "." in address.domain) and address.addr_spec == value.strip()


class EmailChannel:
    """Parses mail handed over by the SMTP receiver or the IMAP poller; sends through SMTP."""

    name = CHANNEL

    def __init__(
        self, config: EmailConfig, sender: SmtpSender | None = None, clock: Clock = utc_now
    ) -> None:
        self._config = config
        self._sender = sender or (SmtpSender(config.smtp) if config.smtp else None)
        self._clock = clock

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """`body` is the raw message; `headers` may carry its envelope (`MailEnvelope`)."""
        if len(body) > self._config.max_message_bytes:
            raise PayloadTooLarge(f"mail over {self._config.max_message_bytes} bytes")
        envelope = MailEnvelope.from_headers(headers)
        return [parse_mail(body, self._config, envelope, self._clock())]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Compose and submit one mail; the result carries our Message-ID."""
        if not is_mail_address(message.recipient):
            return DeliveryResult(
                status=DeliveryStatus.GONE, detail=f"not an e-mail address: {message.recipient!r}"
            )
        if self._sender is None:
            raise ChannelMisconfigured("email: no SMTP settings for outbound mail")
        mail = compose_message(message, self._config, self._clock())
        return await self._sender.send(
            mail, sender=self._config.from_address, recipients=[message.recipient]
        )
