"""Settings of the e-mail channel, built by the backend from its own configuration."""

from __future__ import annotations

import msgspec


class SmtpSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where outbound mail is submitted: a relay or the provider's submission port."""

    hostname: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # implicit TLS (port 465)
    start_tls: bool | None = None  # None: upgrade when the server offers STARTTLS
    timeout: float = 30.0
    local_hostname: str | None = None  # EHLO name; None would make aiosmtplib ask DNS (getfqdn)


class EmailConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Our addresses and limits; every domain comparison is case-insensitive."""

    from_address: str  # the From of everything we send
    message_id_domain: str  # right-hand side of our Message-IDs: mail carrying it is ours
    reply_domain: str  # where reply+TOKEN@ addresses are delivered (our inbound domain)
    from_name: str = "Tiếng Dân"
    reply_local_part: str = "reply"
    own_addresses: tuple[str, ...] = ()  # other addresses we send from (loop detection)
    max_attachment_bytes: int = 10 * 1024 * 1024  # larger ones are kept as metadata only
    max_message_bytes: int = 25 * 1024 * 1024  # whole raw message; the receiver's SIZE too
    smtp: SmtpSettings | None = None  # outbound submission; None: this deployment only receives

    def is_own_address(self, address: str) -> bool:
        """True for the From address and every other address we send from."""
        wanted = address.strip().lower()
        return wanted in {a.lower() for a in (self.from_address, *self.own_addresses)}
