"""The built-in SMTP/LMTP receiver: 250 only after the message is stored (aiosmtpd)."""

from __future__ import annotations

import asyncio
import logging
import ssl
import weakref
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.envelope import MailEnvelope, MailHandler

log = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted for delivery"
# RFC 5321 §4.2.2 / RFC 3463: 451 4.3.0 makes the sending MTA keep the mail and retry.
TRY_LATER = "451 4.3.0 Temporary failure storing the message, try again later"
NO_RELAY = "550 5.7.1 Relaying denied: not a local domain"


class _Handler:
    """aiosmtpd hooks: only our domains as recipients; DATA stored before 250."""

    def __init__(self, on_message: MailHandler, domains: frozenset[str], lmtp: bool) -> None:
        self._on_message = on_message
        self._domains = domains
        self._lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if self._domains and domain not in self._domains:
            return NO_RELAY  # never an open relay
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mail = MailEnvelope(
            mail_from=(envelope.mail_from or "").strip("<>"),
            rcpt_tos=tuple(envelope.rcpt_tos),
            source="lmtp" if self._lmtp else "smtp",
        )
        raw = trace_headers(mail) + (envelope.original_content or b"")
        try:
            await self._on_message(raw, mail)
            status = ACCEPTED
        except Exception:  # whatever failed, the mail is not ours yet: the sender must retry
            log.exception("storing inbound mail failed; answered 451")
            status = TRY_LATER
        # RFC 2033 §4.2: LMTP answers DATA once per accepted recipient, not once per message.
        count = len(envelope.rcpt_tos) if self._lmtp else 1
        return "\r\n".join([status] * max(count, 1))


def trace_headers(envelope: MailEnvelope) -> bytes:
    """Return-Path and Delivered-To, as the final delivery MTA adds them (RFC 5321 §4.4).

    Stored with the message, they keep the envelope: parsing the bytes alone later gives the
    same event (null sender, reply+TOKEN recipient) as parsing them with the envelope.
    """
    lines = [f"Return-Path: <{envelope.mail_from or ''}>"]
    lines += [f"Delivered-To: {rcpt}" for rcpt in envelope.rcpt_tos]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8", "surrogateescape")


class SmtpReceiver:
    """An SMTP (or LMTP) server on the running event loop; `on_message` stores each mail."""

    def __init__(
        self,
        host: str,
        port: int,
        on_message: MailHandler,
        max_size: int,
        *,
        accept_domains: tuple[str, ...] = (),
        lmtp: bool = False,
        hostname: str = "localhost",
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._handler = _Handler(on_message, frozenset(d.lower() for d in accept_domains), lmtp)
        self._protocol: type[SMTP] = LMTP if lmtp else SMTP
        self._options: dict[str, Any] = {
            "data_size_limit": max_size,  # over it: 552 5.3.4 (RFC 5321 §4.5.3.1.10), SIZE in EHLO
            "enable_SMTPUTF8": True,
            "hostname": hostname,  # never socket.getfqdn(): a DNS lookup per connection
            "tls_context": tls_context,
        }
        self._server: asyncio.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()  # open sessions, for stop()

    @property
    def port(self) -> int:
        """The bound port (useful when constructed with port 0)."""
        if self._server is None:
            raise RuntimeError("receiver is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen on host:port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._connection, self._host, self._port)

    async def stop(self) -> None:
        """Stop listening and close open sessions; a mail cut off before 250 is resent."""
        if self._server is None:
            return
        self._server.close()
        for protocol in list(self._connections):
            if protocol.transport is not None:
                protocol.transport.close()
        await self._server.wait_closed()
        self._server = None

    def _connection(self) -> SMTP:
        protocol = self._protocol(self._handler, loop=asyncio.get_running_loop(), **self._options)
        self._connections.add(protocol)
        return protocol
