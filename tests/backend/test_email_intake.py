"""E-mail end to end over real SMTP: our receiver takes the citizen's mail, we answer in thread."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.backend.channel_events import citizen_mail
from tests.backend.conftest import MAIL_DOMAIN, OUR_ADDRESS, rows, settle
from tests.channels.fakes.imap_server import FakeMailbox, imap_server
from tests.channels.fakes.smtp_capture import CaptureHandler
from tests.conftest import make_settings

PAYLOADS = Path(__file__).parent.parent / "channels" / "payloads" / "email"
CITIZEN = "an.nguyen@example.vn"


async def send_to_us(
    client: AsyncTestClient[Any], mail: EmailMessage | bytes, *, sender: str = CITIZEN
) -> None:
    """Hand a mail to the app's SMTP receiver, as the citizen's provider would."""
    port = client.app.state.channel_runtime.receiver.port
    await aiosmtplib.send(
        mail,
        sender=sender,
        recipients=[OUR_ADDRESS],
        hostname="127.0.0.1",
        port=port,
        start_tls=False,
    )
    await settle(client)


async def test_a_mail_opens_a_case_and_is_acknowledged_in_its_thread(
    channel_client: AsyncTestClient[Any], smtp_out: tuple[CaptureHandler, int]
) -> None:
    mail = citizen_mail("Đèn đường ngõ 5 Hàng Bạc hỏng ba hôm nay.")
    await send_to_us(channel_client, mail)
    [case] = await rows(channel_client, "SELECT tracking_code, channel, contact_id FROM cases")
    assert case.channel == "email"
    [contact] = await rows(channel_client, "SELECT email, display_name FROM contacts")
    assert (contact.email, contact.display_name) == (CITIZEN, "Nguyễn Văn An")

    [ack] = [m.message for m in smtp_out[0].received]
    assert ack["To"] == CITIZEN
    assert case.tracking_code in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"  # RFC 3834: no auto-reply loops
    assert ack["In-Reply-To"] == mail["Message-ID"]
    assert ack["Reply-To"].addresses[0].addr_spec.startswith("reply+")
    assert ack["Reply-To"].addresses[0].domain == MAIL_DOMAIN


async def test_replies_join_their_case_by_references_or_by_reply_address(
    channel_client: AsyncTestClient[Any], smtp_out: tuple[CaptureHandler, int]
) -> None:
    first = citizen_mail("Cống ngõ 12 bị tắc.")
    await send_to_us(channel_client, first)
    [ack] = [m.message for m in smtp_out[0].received]
    by_refs = citizen_mail(
        "Hôm nay nước còn tràn vào nhà.",
        subject=f"Re: {ack['Subject']}",
        In_Reply_To=ack["Message-ID"],
        References=f"{first['Message-ID']} {ack['Message-ID']}",
    )
    await send_to_us(channel_client, by_refs)
    # A client that drops the headers but writes to the reply+TOKEN address still threads.
    reply_to = ack["Reply-To"].addresses[0].addr_spec
    await send_to_us(channel_client, citizen_mail("Xin gửi thêm ảnh.", to=reply_to))
    messages = await rows(
        channel_client, "SELECT case_id FROM messages WHERE direction = 'in' ORDER BY id"
    )
    assert len(messages) == 3 and len({m.case_id for m in messages}) == 1
    # A new subject without references is a new matter: a new case, but within minutes of
    # the last acknowledgement the sender gets no second automatic mail (loop protection).
    await send_to_us(channel_client, citizen_mail("Chuyện khác: chó thả rông.", subject="Chó"))
    assert len(await rows(channel_client, "SELECT id FROM cases")) == 2
    assert len(smtp_out[0].received) == 1


async def test_the_staff_reply_arrives_in_the_citizens_thread(
    channel_client: AsyncTestClient[Any],
    smtp_out: tuple[CaptureHandler, int],
    staff: dict[str, str],
) -> None:
    mail = citizen_mail("Trường học thu thêm phí không rõ lý do.", subject="Phí trường học")
    await send_to_us(channel_client, mail)
    [case] = await rows(channel_client, "SELECT id FROM cases")
    response = await channel_client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Phòng giáo dục xã đã làm việc với nhà trường."},
        headers=staff,
    )
    assert response.status_code == 201
    await settle(channel_client)
    answer = smtp_out[0].received[-1].message
    assert answer["To"] == CITIZEN
    assert answer["Subject"].endswith("Re: Phí trường học")
    assert answer["In-Reply-To"] == mail["Message-ID"]
    assert "Auto-Submitted" not in answer  # a person wrote it
    assert "Phòng giáo dục xã" in answer.get_content()


async def test_a_redelivered_mail_is_stored_once(
    channel_client: AsyncTestClient[Any], smtp_out: tuple[CaptureHandler, int]
) -> None:
    mail = citizen_mail("Karaoke hát đến 1 giờ sáng.")
    await send_to_us(channel_client, mail)
    await send_to_us(channel_client, mail)  # the sending server retried after a timeout
    assert len(await rows(channel_client, "SELECT id FROM inbound_events")) == 1
    assert len(await rows(channel_client, "SELECT id FROM messages WHERE direction = 'in'")) == 1
    assert len(smtp_out[0].received) == 1


async def test_automatic_mail_never_opens_a_case_nor_gets_an_answer(
    channel_client: AsyncTestClient[Any], smtp_out: tuple[CaptureHandler, int]
) -> None:
    for name in ("auto_reply_ooo.eml", "bulk.eml", "mailing_list.eml", "x_autoreply.eml"):
        await send_to_us(channel_client, (PAYLOADS / name).read_bytes())
    assert await rows(channel_client, "SELECT id FROM cases") == []
    assert smtp_out[0].received == []


async def test_a_bounce_marks_our_mail_and_opens_nothing(
    channel_client: AsyncTestClient[Any], smtp_out: tuple[CaptureHandler, int]
) -> None:
    await send_to_us(channel_client, citizen_mail("Đường thôn 2 sạt lở."))
    [ack] = [m.message for m in smtp_out[0].received]
    ours = ack["Message-ID"].strip("<>")
    dsn = (
        (PAYLOADS / "dsn_511.eml")
        .read_bytes()
        .replace(b"td.delivery-61@phananh.xaphuhoa.vn", ours.encode())
        .replace(b"phananh.xaphuhoa.vn", MAIL_DOMAIN.encode())
    )
    await send_to_us(channel_client, dsn, sender="MAILER-DAEMON@mx.example.vn")
    [delivery] = await rows(channel_client, "SELECT state, last_error FROM deliveries")
    assert delivery.state == "gone" and delivery.last_error == "bounced 5.1.1"
    [message] = await rows(
        channel_client, "SELECT delivery_state FROM messages WHERE direction = 'out'"
    )
    assert message.delivery_state == "bounced"
    assert len(await rows(channel_client, "SELECT id FROM cases")) == 1
    assert len(smtp_out[0].received) == 1


async def test_mail_for_another_domain_is_refused(channel_client: AsyncTestClient[Any]) -> None:
    port = channel_client.app.state.channel_runtime.receiver.port
    try:
        await aiosmtplib.send(
            citizen_mail("relay me"),
            sender=CITIZEN,
            recipients=["someone@elsewhere.example"],
            hostname="127.0.0.1",
            port=port,
            start_tls=False,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        assert exc.recipients[0].code == 550
    else:
        raise AssertionError("the receiver relayed mail for a foreign domain")
    assert await rows(channel_client, "SELECT id FROM inbound_events") == []


@asynccontextmanager
async def imap_server_thread(box: FakeMailbox) -> AsyncIterator[int]:
    """The fake IMAP server on its own loop: the app's shutdown blocks the test's loop, and
    the poller logs out while it shuts down."""
    ports: queue.Queue[int] = queue.Queue()
    done = threading.Event()

    async def serve() -> None:
        async with imap_server(box) as port:
            ports.put(port)
            while not done.is_set():
                await asyncio.sleep(0.01)

    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    try:
        yield await asyncio.to_thread(ports.get, timeout=5)
    finally:
        done.set()
        await asyncio.to_thread(thread.join, 5)


async def test_a_polled_mailbox_feeds_the_same_intake(
    database_url: str, channel_env: dict[str, str], smtp_out: tuple[CaptureHandler, int]
) -> None:
    box = FakeMailbox(user=OUR_ADDRESS, password="hộp-thư-2026")
    mail = citizen_mail("Bãi rác tự phát ở cuối thôn.")
    uid = box.deliver(bytes(mail))
    async with imap_server_thread(box) as port:
        env = channel_env | {
            "TIENGDAN_EMAIL_RECEIVER": "false",
            "TIENGDAN_IMAP_HOST": "127.0.0.1",
            "TIENGDAN_IMAP_PORT": str(port),
            "TIENGDAN_IMAP_USER": box.user,
            "TIENGDAN_IMAP_PASSWORD": box.password,
            "TIENGDAN_IMAP_SSL": "false",
        }
        async with AsyncTestClient(create_app(make_settings(database_url, **env))) as client:
            assert client.app.state.channel_runtime.receiver is None
            while not box.seen(uid):  # \Seen is set only once the mail is stored
                await asyncio.sleep(0.02)
            await settle(client)
            [case] = await rows(client, "SELECT channel FROM cases")
    assert case.channel == "email"
    assert [m.message["To"] for m in smtp_out[0].received] == [CITIZEN]
