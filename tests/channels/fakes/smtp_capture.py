"""A real aiosmtpd server on 127.0.0.1 that records what our sender submits.

It checks what a submission server checks on the way: a well-formed transaction, a size limit,
and it can refuse recipients (550 5.1.1) or fail DATA (451 / 554) on request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session


@dataclass
class CapturedMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.content)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class CaptureHandler:
    received: list[CapturedMail] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> SMTP reply
    data_reply: str | None = None  # e.g. "451 4.3.0 try later" or "554 5.7.1 spam"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        content = envelope.original_content or b""
        self.received.append(
            CapturedMail(envelope.mail_from or "", list(envelope.rcpt_tos), content)
        )
        return "250 2.0.0 Message accepted for delivery"


def _refuse_every_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    return AuthResult(success=False, handled=False)


@asynccontextmanager
async def smtp_capture(*, auth: bool = False) -> AsyncIterator[tuple[CaptureHandler, int]]:
    """(handler, port) of a running capture server; with `auth`, every login is refused (535)."""
    handler = CaptureHandler()
    loop = asyncio.get_running_loop()
    options: dict[str, Any] = {"hostname": "capture.test", "enable_SMTPUTF8": True, "loop": loop}
    if auth:  # plain-text AUTH is fine on loopback; real relays demand TLS first
        options.update(authenticator=_refuse_every_login, auth_require_tls=False)
    server = await loop.create_server(lambda: SMTP(handler, **options), "127.0.0.1", 0)
    try:
        yield handler, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
