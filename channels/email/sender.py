"""Submit mail with aiosmtplib and turn SMTP replies into delivery results (RFC 5321 §4.2.1)."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

import aiosmtplib

from channels.base import CredentialsRejected, DeliveryResult, DeliveryStatus
from channels.email.config import SmtpSettings


class SmtpSender:
    """Sends one message per connection: volumes are receipts and answers, not campaigns."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(
        self, message: EmailMessage, *, sender: str, recipients: Sequence[str]
    ) -> DeliveryResult:
        """Submit; 2xx → OK, 4xx and lost connections → RETRYABLE, 5xx → GONE or REJECTED."""
        s = self._settings
        try:
            refused, reply = await aiosmtplib.send(
                message,
                sender=sender,
                recipients=list(recipients),
                hostname=s.hostname,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.use_tls,
                start_tls=s.start_tls,
                timeout=s.timeout,
                local_hostname=s.local_hostname,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise CredentialsRejected(f"SMTP login refused: {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPException as exc:
            return result_for_smtp_error(exc)
        except OSError as exc:  # refused connection, unreachable host, TLS failure
            return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=f"connection: {exc}")
        if refused:  # some recipients refused, the rest accepted: we only send to one
            detail = "; ".join(f"{r}: {resp.code} {resp.message}" for r, resp in refused.items())
            return DeliveryResult(status=DeliveryStatus.GONE, detail=detail)
        return DeliveryResult(
            status=DeliveryStatus.OK, detail=reply, provider_message_id=message["Message-ID"]
        )


def result_for_smtp_error(exc: aiosmtplib.SMTPException) -> DeliveryResult:
    """Map an aiosmtplib error: the reply code's first digit decides (RFC 5321 §4.2.1)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if codes and all(400 <= code < 500 for code in codes):
            return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail)
        return DeliveryResult(status=DeliveryStatus.GONE, detail=detail)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        detail = f"{type(exc).__name__}: {exc.code} {exc.message}"
        if 400 <= exc.code < 500:
            return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail)
        if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
            return DeliveryResult(status=DeliveryStatus.GONE, detail=detail)
        # 5xx on MAIL FROM or DATA: the content or our sender was refused, not the citizen.
        return DeliveryResult(status=DeliveryStatus.REJECTED, detail=detail)
    # Timeouts, disconnects, connect failures, unsupported extensions on a flaky relay.
    return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}")
