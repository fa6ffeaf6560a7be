"""Outbound mail headers: ids, threading, reply address, RFC 3834 markers, UTF-8."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from channels.base import OutboundMessage
from channels.email import acknowledgement, compose_message, message_id_for
from tests.channels.email_support import CONFIG, DOMAIN, NOW


def outbound(**changes: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "channel": "email",
        "recipient": "an@gmail.com",
        "text": "Xã đã cử người khơi thông cống.",
        "idempotency_key": "delivery-42",
        "tracking_code": "PA-7Q2K",
        "subject": "Re: Đường ngập nước",
        "thread_refs": ("first@mail.gmail.com", "td.delivery-17@phananh.xaphuhoa.vn"),
        "reply_token": "c42.mfrgg2lbmfrgg2lb",
        "url": "https://tiengdan.example.vn/t/PA-7Q2K",
    }
    fields.update(changes)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def wire(message: OutboundMessage) -> EmailMessage:
    """Compose, serialise as SMTP would, and parse back."""
    raw = compose_message(message, CONFIG, NOW).as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_staff_reply_headers() -> None:
    mail = wire(outbound())
    assert mail["Message-ID"] == f"<td.delivery-42@{DOMAIN}>"
    assert mail["In-Reply-To"] == f"<td.delivery-17@{DOMAIN}>"
    assert mail["References"] == f"<first@mail.gmail.com> <td.delivery-17@{DOMAIN}>"
    assert mail["Reply-To"].addresses[0].addr_spec == f"reply+c42.mfrgg2lbmfrgg2lb@{DOMAIN}"
    assert mail["From"].addresses[0].display_name == "Tiếng Dân"
    assert mail["From"].addresses[0].addr_spec == CONFIG.from_address
    assert mail["Subject"] == "[PA-7Q2K] Re: Đường ngập nước"
    assert mail["Date"].datetime == NOW
    assert mail["Auto-Submitted"] is None  # a person wrote it (RFC 3834 §5)
    assert mail["X-Loop"] == CONFIG.from_address


def test_body_is_utf8_with_the_status_link() -> None:
    mail = wire(outbound())
    body = mail.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    assert body.get_content_charset() == "utf-8"
    assert body.get_content() == (
        "Xã đã cử người khơi thông cống.\n\n"
        "Xem tình trạng / View status: https://tiengdan.example.vn/t/PA-7Q2K\n"
    )


def test_subject_is_encoded_for_the_wire() -> None:
    raw = compose_message(outbound(), CONFIG, NOW).as_bytes()
    subject_line = next(line for line in raw.split(b"\n") if line.startswith(b"Subject:"))
    assert subject_line.isascii() and b"=?utf-8?" in subject_line.lower()


def test_acknowledgement_is_vietnamese_first_and_auto_submitted() -> None:
    ack = acknowledgement("PA-7Q2K", "https://tiengdan.example.vn/t/PA-7Q2K")
    assert ack.subject.startswith("[PA-7Q2K] Đã nhận ý kiến của bạn")
    assert ack.text.index("Mã theo dõi: PA-7Q2K") < ack.text.index("Tracking code: PA-7Q2K")
    assert ack.text.count("https://tiengdan.example.vn/t/PA-7Q2K") == 2
    mail = wire(outbound(subject=ack.subject, text=ack.text, auto_submitted="auto-replied"))
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert mail["Subject"] == ack.subject  # the code is already there: no second tag
    body = mail.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    assert "View status" not in body.get_content()  # the link is already in the text


def test_without_thread_or_token_no_such_headers() -> None:
    mail = wire(outbound(thread_refs=(), reply_token=None, subject=None))
    assert mail["In-Reply-To"] is None and mail["References"] is None and mail["Reply-To"] is None
    assert mail["Subject"] == "[PA-7Q2K] Phản hồi ý kiến của bạn / Reply to your feedback"


def test_references_are_deduplicated_and_capped_keeping_the_root() -> None:
    refs = (*(f"m{i}@x.vn" for i in range(30)), "m29@x.vn", "<m5@x.vn>")
    mail = wire(outbound(thread_refs=refs))
    ids = str(mail["References"]).split()
    assert len(ids) == 20
    assert ids[0] == "<m0@x.vn>" and ids[-1] == "<m29@x.vn>"
    assert mail["In-Reply-To"] == "<m29@x.vn>"


def test_message_id_is_stable_per_delivery_and_safe() -> None:
    assert message_id_for("delivery-42", DOMAIN) == message_id_for("delivery-42", DOMAIN)
    odd = message_id_for("delivery 42 <x>@y", DOMAIN)
    local = odd.split("@")[0]
    assert odd.endswith(f"@{DOMAIN}") and local.startswith("td.") and local[3:].isalnum()


def test_unknown_auto_submitted_value_is_a_bug() -> None:
    with pytest.raises(ValueError, match="Auto-Submitted"):
        compose_message(outbound(auto_submitted="yes"), CONFIG, NOW)
