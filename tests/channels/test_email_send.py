"""Sending through a real aiosmtpd server: what arrives, and how SMTP failures are reported."""

from __future__ import annotations

import socket

import aiosmtplib
import pytest

from channels.base import CredentialsRejected, DeliveryStatus, OutboundMessage
from channels.email import (
    EmailChannel,
    MailClass,
    SmtpSender,
    SmtpSettings,
    classify_mail,
)
from channels.email.sender import result_for_smtp_error
from tests.channels.email_support import CONFIG, DOMAIN, NOW
from tests.channels.fakes.smtp_capture import smtp_capture


def channel(port: int, **settings: object) -> EmailChannel:
    smtp = SmtpSettings(
        hostname="127.0.0.1", port=port, timeout=5, local_hostname="sender.test", **settings
    )  # type: ignore[arg-type]
    return EmailChannel(CONFIG, SmtpSender(smtp), clock=lambda: NOW)


def message(recipient: str = "an@gmail.com", **changes: object) -> OutboundMessage:
    return OutboundMessage(
        channel="email",
        recipient=recipient,
        text="Cảm ơn bạn đã phản ánh.",
        idempotency_key="delivery-7",
        tracking_code="PA-1",
        **changes,  # type: ignore[arg-type]
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_mail_is_submitted_with_our_headers() -> None:
    async with smtp_capture() as (capture, port):
        result = await channel(port).send(
            message(auto_submitted="auto-replied", reply_token="c1.x")
        )
    assert result.status is DeliveryStatus.OK
    assert result.provider_message_id == f"<td.delivery-7@{DOMAIN}>"
    (mail,) = capture.received
    assert mail.mail_from == CONFIG.from_address and mail.rcpt_tos == ["an@gmail.com"]
    parsed = mail.message
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["Reply-To"].addresses[0].addr_spec == f"reply+c1.x@{DOMAIN}"
    # If this mail ever comes back to our inbox it is recognised as our own.
    assert classify_mail(parsed, own_domain=DOMAIN) is MailClass.OWN_LOOP


async def test_server_down_is_retryable() -> None:
    result = await channel(closed_port()).send(message())
    assert result.status is DeliveryStatus.RETRYABLE


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("550 5.1.1 No such user", DeliveryStatus.GONE),
        ("451 4.7.1 Greylisted, try later", DeliveryStatus.RETRYABLE),
    ],
)
async def test_refused_recipient(reply: str, status: DeliveryStatus) -> None:
    async with smtp_capture() as (capture, port):
        capture.refuse["ghost@gmail.com"] = reply
        result = await channel(port).send(message("ghost@gmail.com"))
    assert result.status is status
    assert reply.split()[0] in result.detail and "ghost@gmail.com" in result.detail
    assert capture.received == []


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("451 4.3.0 Local error, try later", DeliveryStatus.RETRYABLE),
        ("554 5.7.1 Message rejected as spam", DeliveryStatus.REJECTED),
    ],
)
async def test_failed_data(reply: str, status: DeliveryStatus) -> None:
    async with smtp_capture() as (capture, port):
        capture.data_reply = reply
        result = await channel(port).send(message())
    assert result.status is status


async def test_refused_login_is_a_configuration_error() -> None:
    async with smtp_capture(auth=True) as (_, port):
        with pytest.raises(CredentialsRejected, match="535"):
            await channel(port, username="u", password="wrong", start_tls=False).send(message())


@pytest.mark.parametrize("recipient", ["not-an-address", "a@b.vn\r\nBcc: x@y.vn", "An <a@b.vn>"])
async def test_bad_recipient_is_gone_without_contacting_the_server(recipient: str) -> None:
    async with smtp_capture() as (capture, port):
        result = await channel(port).send(message(recipient))
    assert result.status is DeliveryStatus.GONE
    assert capture.received == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (aiosmtplib.SMTPServerDisconnected("gone"), DeliveryStatus.RETRYABLE),
        (aiosmtplib.SMTPReadTimeoutError("slow"), DeliveryStatus.RETRYABLE),
        (aiosmtplib.SMTPSenderRefused(553, "sender not allowed", "x@y"), DeliveryStatus.REJECTED),
        (aiosmtplib.SMTPSenderRefused(421, "busy", "x@y"), DeliveryStatus.RETRYABLE),
        (aiosmtplib.SMTPRecipientRefused(550, "no user", "x@y"), DeliveryStatus.GONE),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "x@y")]
            ),
            DeliveryStatus.RETRYABLE,
        ),
    ],
)
def test_error_mapping(error: aiosmtplib.SMTPException, status: DeliveryStatus) -> None:
    assert result_for_smtp_error(error).status is status
