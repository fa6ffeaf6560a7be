"""Zalo OA webhooks: signature (§1.2), the registration probe (§1.1), and every event (§1.4)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from channels.base import EventKind, InboundEvent, PayloadInvalid, SignatureInvalid
from channels.zalo import ZaloChannel, zalo_signature
from tests.channels.conftest import CITIZEN, payload, payload_json
from tests.channels.fakes.zalo import APP_ID, OA_ID, FakeZalo


def parse_recorded(zalo: ZaloChannel, fake: FakeZalo, name: str) -> InboundEvent:
    body = payload("zalo", name)
    [event] = zalo.parse(fake.sign(body), body)
    return event


def parse_event(zalo: ZaloChannel, fake: FakeZalo, event: dict[str, Any]) -> InboundEvent:
    body = json.dumps(event, ensure_ascii=False).encode()
    [parsed] = zalo.parse(fake.sign(body), body)
    return parsed


# -- signature -----------------------------------------------------------------------------


def test_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret() -> None:
    body = b'{"timestamp":"1"}'
    expected = hashlib.sha256(b"app" + body + b"1" + b"secret").hexdigest()
    assert zalo_signature("app", body, "1", "secret") == f"mac={expected}"


def test_uppercase_hex_and_spaces_around_mac_are_accepted(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    body = payload("zalo", "user_send_text.json")
    value = fake_zalo.sign(body)["X-ZEvent-Signature"]
    loose = "mac = " + value.removeprefix("mac=").upper()
    [event] = zalo.parse({"x-zevent-signature": loose}, body)  # header names are case-blind
    assert event.kind is EventKind.MESSAGE


@pytest.mark.parametrize(
    "value",
    [
        "",
        "sha256=" + "0" * 64,  # Messenger's format, not Zalo's
        "mac=" + "0" * 63,
        "mac=" + "g" * 64,
    ],
)
def test_malformed_signature_headers_are_refused(zalo: ZaloChannel, value: str) -> None:
    body = payload("zalo", "user_send_text.json")
    with pytest.raises(SignatureInvalid):
        zalo.parse({"X-ZEvent-Signature": value}, body)


def test_signed_with_the_app_secret_instead_of_the_oa_secret_is_refused(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    # Open question §6.1: the alternative key is not accepted until a real event proves it.
    body = payload("zalo", "user_send_text.json")
    wrong = zalo_signature(APP_ID, body, "1772438400123", fake_zalo.app_secret_key)
    with pytest.raises(SignatureInvalid):
        zalo.parse({"X-ZEvent-Signature": wrong}, body)


def test_signed_with_oa_id_instead_of_app_id_is_refused(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    body = payload("zalo", "user_send_text.json")
    wrong = zalo_signature(OA_ID, body, "1772438400123", fake_zalo.oa_secret_key)
    with pytest.raises(SignatureInvalid):
        zalo.parse({"X-ZEvent-Signature": wrong}, body)


def test_an_event_for_another_app_is_refused_even_if_correctly_signed(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = payload_json("zalo", "user_send_text.json") | {"app_id": "999000111222333444"}
    body = json.dumps(event).encode()
    signature = zalo_signature(
        "999000111222333444", body, event["timestamp"], fake_zalo.oa_secret_key
    )
    with pytest.raises(SignatureInvalid, match="not ours"):
        zalo.parse({"X-ZEvent-Signature": signature}, body)


def test_an_event_without_app_id_is_refused(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = payload_json("zalo", "user_send_text.json")
    del event["app_id"]
    body = json.dumps(event).encode()
    with pytest.raises(SignatureInvalid):
        zalo.parse(fake_zalo.sign(body), body)


def test_header_timestamp_is_used_only_when_the_body_has_none(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = payload_json("zalo", "user_send_text.json")
    del event["timestamp"]
    body = json.dumps(event).encode()
    signature = zalo_signature(APP_ID, body, "1772438400999", fake_zalo.oa_secret_key)
    with pytest.raises(SignatureInvalid, match="no timestamp"):
        zalo.parse({"X-ZEvent-Signature": signature}, body)
    headers = {"X-ZEvent-Signature": signature, "X-ZEvent-Timestamp": "1772438400999"}
    [parsed] = zalo.parse(headers, body)
    assert parsed.received_at == datetime(2026, 3, 2, 8, 0, 0, 999000, tzinfo=UTC)


# -- probe and malformed bodies ----------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{}", b" { } \n"])
def test_the_unsigned_registration_probe_is_acknowledged_and_ignored(
    zalo: ZaloChannel, body: bytes
) -> None:
    [event] = zalo.parse({}, body)
    assert event.kind is EventKind.IGNORED
    assert event.sender_id == ""
    assert event.raw == {}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"timestamp": "yesterday"}, "epoch milliseconds"),
        ({"message": {"text": "no id"}}, "msg_id"),
        ({"sender": None}, "sender"),
        ({"event_name": 7}, "event_name"),
        ({"event_name": "user_received_message", "message": None}, "no message"),
    ],
)
def test_signed_but_malformed_events_are_refused(
    zalo: ZaloChannel, fake_zalo: FakeZalo, change: dict[str, Any], error: str
) -> None:
    event = payload_json("zalo", "user_send_text.json") | change
    body = json.dumps(event).encode()
    with pytest.raises(PayloadInvalid, match=error):
        zalo.parse(fake_zalo.sign(body), body)


@pytest.mark.parametrize("latitude", ["190.5", "north"])
def test_a_location_outside_the_globe_or_not_a_number_is_refused(
    zalo: ZaloChannel, fake_zalo: FakeZalo, latitude: str
) -> None:
    event = payload_json("zalo", "user_send_location.json")
    event["message"]["attachments"][0]["payload"]["coordinates"]["latitude"] = latitude
    body = json.dumps(event).encode()
    with pytest.raises(PayloadInvalid, match="zalo location"):
        zalo.parse(fake_zalo.sign(body), body)


# -- the event catalogue -------------------------------------------------------------------------


def test_text_message(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_send_text.json")
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == "96d3cdf3af150460909a"
    assert event.sender_id == CITIZEN
    assert event.text.startswith("Đường vào thôn 3")
    assert event.received_at == datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC)
    assert event.raw["user_id_by_app"] == "7300442764876318465"


def test_ids_sent_as_big_numbers_stay_exact_strings(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    body = payload("zalo", "user_send_text.json").replace(f'"{CITIZEN}"'.encode(), CITIZEN.encode())
    assert int(CITIZEN) > 2**53
    [event] = zalo.parse(fake_zalo.sign(body), body)
    assert event.sender_id == CITIZEN


def test_a_reply_keeps_the_quoted_message_id(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_send_text_no_diacritics_reply.json")
    assert event.thread_refs == ("5f2b8c7d9e0a1b2c3d4e",)


@pytest.mark.parametrize(
    ("name", "kind", "url"),
    [
        ("user_send_image.json", "image", "https://photo-stal-9.zdn.vn/full/1.jpg"),
        ("user_send_gif.json", "gif", "https://gif.zdn.vn/2.gif"),
        ("user_send_link.json", "link", "https://baomoi.com/ngap-ung.epi"),
        (
            "user_send_sticker.json",
            "sticker",
            "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=2f8e1a",
        ),
        ("user_send_audio.json", "audio", "https://voice.zdn.vn/v/7.amr"),
        ("user_send_video.json", "video", "https://video.zdn.vn/8.mp4"),
        ("user_send_business_card.json", "link", "https://zalo.me/0912345678"),
    ],
)
def test_media_messages_carry_attachment_metadata(
    zalo: ZaloChannel, fake_zalo: FakeZalo, name: str, kind: str, url: str
) -> None:
    event = parse_recorded(zalo, fake_zalo, name)
    assert event.kind is EventKind.MESSAGE
    [attachment] = event.attachments
    assert (attachment.kind, attachment.url) == (kind, url)


def test_a_file_keeps_its_name_and_size(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    [attachment] = parse_recorded(zalo, fake_zalo, "user_send_file.json").attachments
    assert (attachment.kind, attachment.name, attachment.size) == (
        "file",
        "don-kien-nghi.pdf",
        184320,
    )


def test_a_location_becomes_coordinates_and_a_place_name(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_send_location.json")  # the real payload of §1.3
    [attachment] = event.attachments
    assert (attachment.latitude, attachment.longitude) == (10.7923119, 106.7820651)
    assert event.text == "Cơm Coffee New Sky"
    assert event.external_id == "b8de7d84fa1b3043690c"


def test_an_anonymous_chat_is_addressed_by_anonymous_and_conversation_id(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = parse_recorded(zalo, fake_zalo, "anonymous_send_text.json")
    assert event.kind is EventKind.MESSAGE
    assert event.sender_id == "anonymous:a83e1f77d2c4b5e6:5d9a37f0c1b2"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("follow.json", EventKind.FOLLOW),
        ("unfollow.json", EventKind.UNFOLLOW),
        ("user_click_chatnow.json", EventKind.FOLLOW),
    ],
)
def test_follow_events_name_the_user(
    zalo: ZaloChannel, fake_zalo: FakeZalo, name: str, kind: EventKind
) -> None:
    event = parse_recorded(zalo, fake_zalo, name)
    assert (event.kind, event.sender_id) == (kind, CITIZEN)


def test_submitted_info_fills_the_contact_with_consent(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_submit_info.json")
    assert event.kind is EventKind.CONTACT_INFO
    assert event.sender_id == CITIZEN
    assert event.consent is True
    assert event.sender_name == "Nguyễn Thị Bình"
    assert event.contact == {
        "name": "Nguyễn Thị Bình",
        "phone": "84912345678",
        "address": "Số 12 ngõ 5, thôn 3",
        "city": "Hà Nội",
        "ward": "Xã Sóc Sơn",  # the empty district is left out
    }


def test_received_marks_one_outbound_message_delivered(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_received_message.json")
    assert event.kind is EventKind.DELIVERED
    assert event.sender_id == CITIZEN  # the OA is the sender of receipts (§1.4)
    assert event.refers_to == ("7e3a9c1b5d8f2e4a6c0b",)
    assert event.external_id != "7e3a9c1b5d8f2e4a6c0b"  # never collides with the message's own id


def test_seen_marks_every_listed_message(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = parse_recorded(zalo, fake_zalo, "user_seen_message.json")
    assert event.kind is EventKind.SEEN
    assert event.sender_id == CITIZEN
    assert event.refers_to == ("7e3a9c1b5d8f2e4a6c0b", "8f4bad2c6e9a3f5b7d1c")


def test_an_oa_echo_is_recorded_against_the_citizen(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = parse_recorded(zalo, fake_zalo, "oa_send_text.json")
    assert event.kind is EventKind.ECHO
    assert event.sender_id == CITIZEN
    assert event.external_id == "7e3a9c1b5d8f2e4a6c0b"


@pytest.mark.parametrize("name", ["add_user_to_tag.json", "user_send_group_text.json"])
def test_other_events_are_acknowledged_and_ignored(
    zalo: ZaloChannel, fake_zalo: FakeZalo, name: str
) -> None:
    event = parse_recorded(zalo, fake_zalo, name)
    assert event.kind is EventKind.IGNORED


def test_a_call_consent_request_is_not_an_echo(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    event = {
        "event_name": "oa_send_consent",
        "app_id": APP_ID,
        "oa_id": OA_ID,
        "user_id": CITIZEN,
        "phone": "84912345678",
        "request_type": "SENT",
        "timestamp": "1772438400123",
    }
    assert parse_event(zalo, fake_zalo, event).kind is EventKind.IGNORED


def test_a_redelivery_gives_the_identical_event(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    body = payload("zalo", "user_send_image.json")
    [first] = zalo.parse(fake_zalo.sign(body), body)
    [again] = zalo.parse(fake_zalo.sign(body) | {"num_retry": "1"}, body)
    assert again == first
