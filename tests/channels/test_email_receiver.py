"""The built-in receiver end to end: an SMTP client, the aiosmtpd server, our callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiosmtplib
import msgspec
import pytest

from channels.base import EventKind
from channels.email import MailEnvelope, SmtpReceiver, parse_mail
from tests.channels.email_support import CONFIG, DOMAIN, NOW, eml

MAX_SIZE = 64 * 1024


class Store:
    """Plays the backend: keeps what it is given, or fails while `broken`."""

    def __init__(self) -> None:
        self.kept: list[tuple[bytes, MailEnvelope]] = []
        self.broken = False

    async def __call__(self, raw: bytes, envelope: MailEnvelope) -> None:
        if self.broken:
            raise RuntimeError("database is down")
        self.kept.append((raw, envelope))


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
async def receiver(store: Store) -> AsyncIterator[SmtpReceiver]:
    server = SmtpReceiver("127.0.0.1", 0, store, MAX_SIZE, accept_domains=(DOMAIN,))
    await server.start()
    yield server
    await server.stop()


async def submit(port: int, raw: bytes, rcpt: str = f"phananh@{DOMAIN}") -> str:
    _, reply = await aiosmtplib.send(
        raw,
        sender="an@gmail.com",
        recipients=[rcpt],
        hostname="127.0.0.1",
        port=port,
        local_hostname="client.test",
        start_tls=False,
        timeout=5,
    )
    return reply


async def test_mail_is_stored_before_it_is_accepted(receiver: SmtpReceiver, store: Store) -> None:
    raw = eml("gmail_vi_reply.eml")
    reply = await submit(receiver.port, raw, f"reply+c42.mfrgg2lbmfrgg2lb@{DOMAIN}")
    assert reply.startswith("2.0.0 Message accepted")
    ((kept, envelope),) = store.kept
    trace = f"Return-Path: <an@gmail.com>\r\nDelivered-To: reply+c42.mfrgg2lbmfrgg2lb@{DOMAIN}\r\n"
    assert kept == trace.encode() + raw  # byte for byte after the trace lines, dot-unstuffed
    assert envelope == MailEnvelope(
        mail_from="an@gmail.com", rcpt_tos=(f"reply+c42.mfrgg2lbmfrgg2lb@{DOMAIN}",), source="smtp"
    )


async def test_stored_bytes_alone_parse_like_bytes_with_envelope(
    receiver: SmtpReceiver, store: Store
) -> None:
    """The trace lines keep the envelope in the stored message: null sender, reply token."""
    body = b"From: An <an@gmail.com>\r\nTo: undisclosed-recipients:;\r\nSubject: x\r\n\r\nhi\r\n"
    await submit(receiver.port, body, f"reply+c5.abc@{DOMAIN}")
    await converse(
        receiver.port,
        [b"HELO c\r\n", b"MAIL FROM:<>\r\n", f"RCPT TO:<p@{DOMAIN}>\r\n".encode(), b"DATA\r\n",
         body + b".\r\n"],
    )  # fmt: skip
    for kept, envelope in store.kept:
        alone = parse_mail(kept, CONFIG, MailEnvelope(), NOW)
        together = parse_mail(kept, CONFIG, envelope, NOW)
        assert msgspec.structs.replace(alone, raw={}) == msgspec.structs.replace(together, raw={})
    replied, null_sender = (kept for kept, _ in store.kept)
    assert parse_mail(replied, CONFIG, MailEnvelope(), NOW).reply_token == "c5.abc"
    assert parse_mail(null_sender, CONFIG, MailEnvelope(), NOW).kind is EventKind.IGNORED


async def test_storage_failure_answers_451_so_the_sender_retries(
    receiver: SmtpReceiver, store: Store
) -> None:
    store.broken = True
    with pytest.raises(aiosmtplib.SMTPDataError) as failure:
        await submit(receiver.port, eml("windows1258_new.eml"))
    assert failure.value.code == 451
    store.broken = False
    await submit(receiver.port, eml("windows1258_new.eml"))
    assert len(store.kept) == 1


async def test_oversize_mail_is_refused_with_552(receiver: SmtpReceiver, store: Store) -> None:
    raw = eml("windows1258_new.eml") + b"x" * 70 + (b"y" * 998 + b"\r\n") * 70
    with pytest.raises(aiosmtplib.SMTPResponseException) as failure:
        await submit(receiver.port, raw)
    assert failure.value.code == 552
    assert store.kept == []


async def test_other_domains_are_not_relayed(receiver: SmtpReceiver, store: Store) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as failure:
        await submit(receiver.port, eml("bulk.eml"), "someone@gmail.com")
    assert failure.value.recipients[0].code == 550
    assert store.kept == []


async def read_reply(reader: asyncio.StreamReader) -> str:
    """One complete SMTP reply (continuation lines have "-" after the code); its last line."""
    while (line := (await reader.readline()).decode())[3:4] == "-":
        pass
    return line


async def converse(port: int, commands: list[bytes]) -> list[str]:
    """Send raw commands one by one; the last line of the greeting and of every reply."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = [await read_reply(reader)]
    for command in commands:
        writer.write(command)
        replies.append(await read_reply(reader))
    writer.close()
    await writer.wait_closed()
    return replies


async def test_size_limit_also_holds_when_the_client_does_not_declare_size(
    receiver: SmtpReceiver, store: Store
) -> None:
    big = b"Subject: x\r\n\r\n" + (b"z" * 900 + b"\r\n") * 80 + b".\r\n"
    replies = await converse(
        receiver.port,
        [
            b"HELO c\r\n",
            b"MAIL FROM:<an@gmail.com>\r\n",
            f"RCPT TO:<p@{DOMAIN}>\r\n".encode(),
            b"DATA\r\n",
            big,
        ],
    )
    assert replies[-1].startswith("552")
    assert store.kept == []


async def test_lmtp_answers_once_per_recipient(store: Store) -> None:
    server = SmtpReceiver("127.0.0.1", 0, store, MAX_SIZE, accept_domains=(DOMAIN,), lmtp=True)
    await server.start()
    try:
        commands = [b"LHLO c\r\n", b"MAIL FROM:<>\r\n", f"RCPT TO:<a@{DOMAIN}>\r\n".encode()]
        commands += [f"RCPT TO:<b@{DOMAIN}>\r\n".encode(), b"DATA\r\n"]
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        await read_reply(reader)
        for command in commands:
            writer.write(command)
            await read_reply(reader)
        writer.write(eml("dsn_511.eml").replace(b"\r\n.", b"\r\n..") + b".\r\n")
        first = await read_reply(reader)
        second = await asyncio.wait_for(read_reply(reader), 5)  # a plain SMTP server stops at one
        writer.close()
        await writer.wait_closed()
    finally:
        await server.stop()
    assert first.startswith("250 ") and second.startswith("250 ")  # RFC 2033 §4.2
    ((_, envelope),) = store.kept
    assert envelope.mail_from == "" and envelope.source == "lmtp"
    assert envelope.rcpt_tos == (f"a@{DOMAIN}", f"b@{DOMAIN}")


async def test_stop_closes_open_sessions(store: Store) -> None:
    server = SmtpReceiver("127.0.0.1", 0, store, MAX_SIZE)
    await server.start()
    port = server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert (await reader.readline()).startswith(b"220")
    await server.stop()
    assert await reader.read() == b""  # the session was closed, not left hanging
    writer.close()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
