"""The SMTP envelope that travels beside a raw message, and the callback that stores both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import msgspec

ENVELOPE_FROM = "x-envelope-from"
ENVELOPE_TO = "x-envelope-to"


class MailEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    """Sender and recipients from the transaction, which can differ from From/To."""

    mail_from: str | None = None  # "" is the null reverse-path <> (DSNs, RFC 5321 §4.5.5)
    rcpt_tos: tuple[str, ...] = ()
    source: str = "smtp"  # smtp, lmtp or imap

    def as_headers(self) -> dict[str, str]:
        """The mapping `EmailChannel.parse(headers, body)` reads the envelope from."""
        headers = {ENVELOPE_TO: ", ".join(self.rcpt_tos)}
        if self.mail_from is not None:
            headers[ENVELOPE_FROM] = self.mail_from
        return headers

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> MailEnvelope:
        """Read back what `as_headers` wrote; header names are matched case-insensitively."""
        lowered = {name.lower(): value for name, value in headers.items()}
        rcpts = tuple(r.strip() for r in lowered.get(ENVELOPE_TO, "").split(",") if r.strip())
        mail_from = lowered.get(ENVELOPE_FROM)
        return cls(
            mail_from=mail_from.strip("<> ") if mail_from is not None else None, rcpt_tos=rcpts
        )


# Stores the raw message (the backend's job). The receiver answers 250 and the poller marks
# the mail \Seen only after it returns, so a message is never acknowledged before it is kept.
MailHandler = Callable[[bytes, MailEnvelope], Awaitable[None]]
