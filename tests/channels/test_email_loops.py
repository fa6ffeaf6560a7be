"""Loop and bounce safety: only mail a person wrote becomes citizen input."""

from __future__ import annotations

import pytest

from channels.base import EventKind
from channels.email import (
    MailClass,
    MailEnvelope,
    classify_mail,
    parse_bytes,
    parse_mail,
    read_bounce,
)
from tests.channels.email_support import CONFIG, DOMAIN, NOW, eml, parsed

CITIZEN = b"From: An <an@gmail.com>\r\nTo: phananh@phananh.xaphuhoa.vn\r\nSubject: x\r\n"


def classify(raw: bytes, envelope_from: str | None = None) -> MailClass:
    return classify_mail(
        parse_bytes(raw),
        own_domain=DOMAIN,
        own_addresses=(CONFIG.from_address,),
        envelope_from=envelope_from,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gmail_vi_reply.eml", MailClass.CITIZEN),
        ("outlook_vi_reply.eml", MailClass.CITIZEN),
        ("auto_reply_ooo.eml", MailClass.AUTO_REPLY),
        ("exchange_ooo.eml", MailClass.AUTO_REPLY),
        ("x_autoreply.eml", MailClass.AUTO_REPLY),
        ("dsn_511.eml", MailClass.BOUNCE),
        ("dsn_delayed.eml", MailClass.BOUNCE),
        ("exim_bounce.eml", MailClass.BOUNCE),
        ("mailing_list.eml", MailClass.MAILING_LIST),
        ("bulk.eml", MailClass.BULK),
        ("own_loop.eml", MailClass.OWN_LOOP),
    ],
)
def test_recorded_mail_is_classified(name: str, expected: MailClass) -> None:
    assert classify(eml(name)) is expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (b"Auto-Submitted: no\r\n", MailClass.CITIZEN),
        (b"Auto-Submitted: auto-generated\r\n", MailClass.AUTO_REPLY),
        (b"Auto-Submitted: auto-replied; owner-email=an@gmail.com\r\n", MailClass.AUTO_REPLY),
        (b"X-Autorespond: vacation\r\n", MailClass.AUTO_REPLY),
        (b"X-Autoreply: no\r\n", MailClass.CITIZEN),
        (
            b"X-Auto-Response-Suppress: All\r\n",
            MailClass.CITIZEN,
        ),  # Outlook sets it on people's mail too
        (b"X-Loop: helpdesk@elsewhere.vn\r\n", MailClass.AUTO_REPLY),
        (b"X-Loop: phananh@phananh.xaphuhoa.vn\r\n", MailClass.OWN_LOOP),
        (b"Precedence: junk\r\n", MailClass.BULK),
        (b"Precedence: list\r\n", MailClass.MAILING_LIST),
        (b"List-Unsubscribe: <mailto:u@list.vn>\r\n", MailClass.MAILING_LIST),
        (b"X-Failed-Recipients: gone@x.vn\r\n", MailClass.BOUNCE),
        (b"Message-ID: <td.delivery-9@phananh.xaphuhoa.vn>\r\n", MailClass.OWN_LOOP),
        (b"Message-ID: <abc@sub.phananh.xaphuhoa.vn.evil.vn>\r\n", MailClass.CITIZEN),
        (
            b"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n",
            MailClass.AUTO_REPLY,
        ),
    ],
)
def test_header_signals(extra: bytes, expected: MailClass) -> None:
    assert classify(CITIZEN + extra + b"\r\nbody\r\n") is expected


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.gmail.com", "postmaster@outlook.com"])
def test_daemon_senders_are_bounces(sender: str) -> None:
    raw = f"From: {sender}\r\nTo: phananh@{DOMAIN}\r\nSubject: failure\r\n\r\nbody\r\n".encode()
    assert classify(raw) is MailClass.BOUNCE
    assert classify(CITIZEN + b"\r\nbody\r\n", envelope_from=sender) is MailClass.BOUNCE


def test_null_return_path_is_automatic() -> None:
    assert classify(CITIZEN + b"\r\nbody\r\n", envelope_from="") is MailClass.AUTO_REPLY
    assert classify(CITIZEN + b"\r\nbody\r\n", envelope_from="an@gmail.com") is MailClass.CITIZEN


def test_mail_from_our_own_address_is_a_loop() -> None:
    raw = f"From: Tiếng Dân <PhanAnh@{DOMAIN}>\r\nTo: x@y.vn\r\nSubject: x\r\n\r\nbody\r\n"
    assert classify(raw.encode()) is MailClass.OWN_LOOP


@pytest.mark.parametrize(
    "name",
    ["auto_reply_ooo.eml", "exchange_ooo.eml", "mailing_list.eml", "bulk.eml", "own_loop.eml"],
)
def test_automatic_mail_becomes_an_ignored_event(name: str) -> None:
    event = parsed(name)
    assert event.kind is EventKind.IGNORED
    assert event.text == "" and event.reply_token is None
    assert event.raw["mail_class"] == classify(eml(name)).value


def test_permanent_dsn_names_recipient_and_our_message() -> None:
    event = parsed("dsn_511.eml", MailEnvelope(mail_from=""))
    assert event.kind is EventKind.BOUNCED
    assert event.refers_to == ("td.delivery-61@phananh.xaphuhoa.vn",)
    assert event.raw["failed_recipients"] == ["khongtontai.123@gmail.com"]
    assert (event.raw["permanent"], event.raw["status"]) == (True, "5.1.1")


def test_delayed_dsn_is_a_bounce_without_failures() -> None:
    report = read_bounce(parse_bytes(eml("dsn_delayed.eml")), DOMAIN)
    assert report.failed_recipients == () and report.permanent is False
    assert report.original_ids == ("td.delivery-70@phananh.xaphuhoa.vn",)


def test_non_dsn_bounce_uses_failed_recipients_and_quoted_headers() -> None:
    report = read_bounce(parse_bytes(eml("exim_bounce.eml")), DOMAIN)
    assert report.failed_recipients == ("hopthucu@vnpt.example.vn",)
    assert report.permanent is True
    assert report.original_ids == ("td.delivery-66@phananh.xaphuhoa.vn",)


def test_bounce_ignores_message_ids_of_other_domains() -> None:
    raw = eml("exim_bounce.eml").replace(DOMAIN.encode(), b"other.example.vn")
    assert read_bounce(parse_bytes(raw), DOMAIN).original_ids == ()


def test_suppression_header_is_passed_on_for_citizen_mail() -> None:
    raw = CITIZEN + b"X-Auto-Response-Suppress: All\r\n\r\nbody\r\n"
    event = parse_mail(raw, CONFIG, MailEnvelope(), NOW)
    assert event.kind is EventKind.MESSAGE and event.raw["no_auto_reply"] is True
