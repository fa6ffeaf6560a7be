"""Parsing real-looking mail: bodies, charsets, attachments, ids, threading, reply tokens."""

from __future__ import annotations

import unicodedata

import pytest

from channels.base import Channel, EventKind, PayloadInvalid
from channels.email import EmailChannel, MailEnvelope, SmtpSender, SmtpSettings, parse_mail
from channels.email.attachments import read_attachments
from channels.email.parse import parse_bytes
from tests.channels.email_support import CONFIG, NOW, eml, parsed


def test_gmail_vietnamese_reply_is_stripped_and_threaded() -> None:
    event = parsed("gmail_vi_reply.eml")
    assert event.kind is EventKind.MESSAGE
    assert event.channel == "email"
    assert event.external_id == "CAF3xK7q9v2mRz-Yb8wQ1p0=Lm5t_Xk8hGd2u@mail.gmail.com"
    assert event.sender_id == "nguyenvanan1987@gmail.com"
    assert event.sender_name == "Nguyễn Văn An"
    assert event.text.startswith("Dạ em chào anh chị,")
    assert event.text.endswith("Mong xã sớm cho người khơi thông cống.")
    assert "đã viết" not in event.text and "Mã theo dõi" not in event.text
    assert event.thread_refs == ("td.delivery-17@phananh.xaphuhoa.vn",)
    assert event.reply_token == "c42.mfrgg2lbmfrgg2lb"
    assert (
        event.raw["subject"] == "Re: [PA-7Q2K] Đã nhận ý kiến của bạn / We received your feedback"
    )
    assert "> Chúng tôi đã nhận" in event.raw["full_text"]  # the untrimmed body is kept
    assert event.raw["html"] is not None


def test_outlook_windows_1258_reply_is_decoded_to_nfc() -> None:
    event = parsed("outlook_vi_reply.eml")
    assert event.sender_name == "Trần Thị Bình"
    assert event.raw["subject"] == "RE: [PA-8M4T] Đã nhận ý kiến của bạn"
    assert "đèn đường trước số nhà 25 đường Lê Lợi" in event.text
    assert event.text.endswith("Trân trọng,\nTrần Thị Bình")
    assert "Chủ đề:" not in event.text and "_____" not in event.text
    for value in (event.text, event.sender_name or "", event.raw["subject"]):
        assert unicodedata.is_normalized("NFC", value)


def test_windows_1258_combining_tone_marks_become_precomposed() -> None:
    raw = eml("windows1258_new.eml")
    assert "\u0300".encode("cp1258") in raw  # the recorded body really has combining marks
    event = parsed("windows1258_new.eml")
    assert event.raw["subject"] == "Tiếng ồn xay xát ban đêm"
    assert event.sender_name == "Nguyễn Thị Hương"
    assert "Cơ sở xay xát lúa ở ấp Mỹ Lợi hoạt động suốt đêm" in event.text
    assert unicodedata.is_normalized("NFC", event.text)
    assert event.thread_refs == () and event.reply_token is None


def test_yahoo_base64_reply_drops_history_and_mobile_signature() -> None:
    event = parsed("yahoo_vi_reply.eml")
    assert event.text == "Cảm ơn xã. Nhưng đến nay rác ở chợ Phú Hòa vẫn chưa được thu gom."
    assert event.reply_token == "c63.k5xw4zlmnfzgk4dt"


def test_apple_mail_reply_with_photo() -> None:
    event = parsed("apple_mail_vi.eml")
    assert event.text == "Cống ở đầu hẻm 12 bị vỡ, nước thải chảy ra đường. Em gửi ảnh kèm theo."
    (photo,) = event.attachments
    assert (photo.kind, photo.name, photo.content_type) == ("image", "IMG_0412.jpeg", "image/jpeg")
    assert photo.size == 1051 and not photo.oversize


def test_english_gmail_reply_with_wrapped_attribution_and_signature() -> None:
    event = parsed("gmail_en_reply.eml")
    assert event.text == (
        "Hello,\n\nThe street light at 14 Hung Vuong street is still off after the repair visit."
        "\n\nBest regards,"
    )
    assert event.thread_refs == (
        "first-contact-2026-10-30@mail.gmail.com",
        "td.delivery-52@phananh.xaphuhoa.vn",
    )


def test_html_only_mail_is_rendered_as_text() -> None:
    event = parsed("html_only.eml")
    assert event.text == (
        "Chào xã,\nTrường tiểu học & mầm non ở thôn 2 thu thêm tiền học thêm.\n"
        "Thông báo của trường: xem ảnh (https://photos.example.org/album/abc123)"
    )
    assert "alert" not in event.raw["full_text"] and "ignored" not in event.raw["full_text"]
    assert "> Cũ cũ cũ" in event.raw["full_text"]  # <blockquote> became a quote, then was cut


def test_attachments_metadata_and_size_limit() -> None:
    event = parsed("attachments.eml")
    assert event.text == "Các hộ kinh doanh lấn chiếm vỉa hè trước chợ. Gửi kèm ảnh và biên bản."
    photo, report, clip = event.attachments
    assert (photo.name, photo.kind, photo.oversize) == ("ảnh hiện trường.jpg", "image", False)
    assert (report.name, report.kind, report.content_type) == (
        "Biên bản.pdf",
        "file",
        "application/pdf",
    )
    assert (clip.name, clip.kind, clip.size, clip.oversize) == ("clip.mp4", "video", 3072, True)


def test_attachment_contents_are_kept_only_under_the_limit() -> None:
    message = parse_bytes(eml("attachments.eml"))
    contents = [content for _, content in read_attachments(message, max_bytes=2048)]
    assert contents[0] is not None and contents[0].startswith(b"\xff\xd8")
    assert contents[1] is not None and contents[1].startswith(b"%PDF-1.4")
    assert contents[2] is None


def test_unknown_charset_falls_back_to_utf8() -> None:
    event = parsed("unknown_charset.eml")
    assert event.text == "Nước sinh hoạt ở khu phố 4 bị đục ba ngày nay."
    assert event.sender_name is None


def test_missing_message_id_is_synthesized_stably() -> None:
    raw = eml("no_message_id.eml")
    first = parse_mail(raw, CONFIG, MailEnvelope(), NOW)
    relayed = b"Received: from relay.example.vn by mx; Tue, 4 Nov 2026 05:00:00 +0000\r\n" + raw
    again = parse_mail(relayed, CONFIG, MailEnvelope(), NOW)
    assert first.raw["message_id_synthesized"] is True
    assert first.external_id.endswith("@synthesized.invalid")
    assert again.external_id == first.external_id
    changed = raw.replace("cưa dọn".encode(), "dọn dẹp".encode())
    assert parse_mail(changed, CONFIG, MailEnvelope(), NOW).external_id != first.external_id


def test_body_empty_falls_back_to_subject() -> None:
    raw = b"From: a@b.vn\r\nTo: phananh@phananh.xaphuhoa.vn\r\nSubject: Den duong hong\r\n\r\n\r\n"
    assert parse_mail(raw, CONFIG, MailEnvelope(), NOW).text == "Den duong hong"


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ("To: reply+c9.abc@phananh.xaphuhoa.vn", "c9.abc"),
        ("To: other@x.vn\r\nCc: Xa <REPLY+c9.abc@PhanAnh.XaPhuHoa.vn>", "c9.abc"),
        (
            "Delivered-To: reply+c9.abc@phananh.xaphuhoa.vn\r\nTo: undisclosed-recipients:;",
            "c9.abc",
        ),
        ("To: reply+c9.abc@someone-else.vn", None),
        ("To: reply+bad<token>@phananh.xaphuhoa.vn", None),
        ("To: replies+c9.abc@phananh.xaphuhoa.vn", None),
    ],
)
def test_reply_token_from_recipient_headers(headers: str, token: str | None) -> None:
    raw = f"From: a@b.vn\r\n{headers}\r\nSubject: x\r\n\r\nbody\r\n".encode()
    assert parse_mail(raw, CONFIG, MailEnvelope(), NOW).reply_token == token


def test_reply_token_from_the_smtp_envelope() -> None:
    raw = b"From: a@b.vn\r\nTo: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody\r\n"
    envelope = MailEnvelope(mail_from="a@b.vn", rcpt_tos=("reply+c7.xyz@phananh.xaphuhoa.vn",))
    event = parse_mail(raw, CONFIG, envelope, NOW)
    assert event.reply_token == "c7.xyz"
    assert event.contact["return_path"] == "a@b.vn"


def test_contact_carries_address_name_and_reply_to() -> None:
    raw = (
        b"From: =?utf-8?b?TMOqIFbEg24gQg==?= <LeVanB@Example.VN>\r\nReply-To: b.home@example.vn\r\n"
        b"To: phananh@phananh.xaphuhoa.vn\r\nSubject: x\r\n\r\nbody\r\n"
    )
    event = parse_mail(raw, CONFIG, MailEnvelope(), NOW)
    assert event.sender_id == "levanb@example.vn"
    assert dict(event.contact) == {
        "email": "levanb@example.vn",
        "name": "Lê Văn B",
        "reply_to": "b.home@example.vn",
    }


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n", b"just some text without any header\r\n"],
)
def test_not_a_message_is_refused(raw: bytes) -> None:
    with pytest.raises(PayloadInvalid):
        parse_mail(raw, CONFIG, MailEnvelope(), NOW)


def test_mail_without_any_sender_is_refused() -> None:
    raw = b"To: phananh@phananh.xaphuhoa.vn\r\nSubject: x\r\n\r\nbody\r\n"
    with pytest.raises(PayloadInvalid, match="sender"):
        parse_mail(raw, CONFIG, MailEnvelope(), NOW)


def test_hostile_headers_do_not_crash_the_parser() -> None:
    # An empty "<>" Message-ID makes the stdlib header parser raise IndexError.
    raw = (
        b'Message-ID: <<>>@@ x\r\nFrom: "unterminated <a@b.vn\r\nTo: ,,,@\r\n'
        b"References: (comment <x@y.vn>\r\nSubject: \xc4\x90\xc6\xb0\xe1\xbb\x9dng\r\n\r\nbody\r\n"
    )
    event = parse_mail(raw, CONFIG, MailEnvelope(mail_from="a@b.vn"), NOW)
    assert event.kind is EventKind.MESSAGE
    assert event.raw["subject"] == "Đường"  # raw UTF-8 header bytes decoded, not mangled
    assert event.external_id.endswith("@synthesized.invalid")


def test_email_channel_parses_through_the_protocol() -> None:
    channel = EmailChannel(
        CONFIG, SmtpSender(SmtpSettings(hostname="127.0.0.1")), clock=lambda: NOW
    )
    assert isinstance(channel, Channel)
    envelope = MailEnvelope(mail_from="", rcpt_tos=(f"phananh@{CONFIG.reply_domain}",))
    (event,) = channel.parse(envelope.as_headers(), eml("dsn_511.eml"))
    assert event.kind is EventKind.BOUNCED
    assert event.received_at == NOW
    assert event.raw["envelope_from"] == ""
