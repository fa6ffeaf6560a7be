"""Messenger: handshake (§2.1), HMAC signature (§2.2), events (§2.3), Send API (§2.4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from channels.base import (
    ChannelMisconfigured,
    CredentialsRejected,
    DeliveryStatus,
    EventKind,
    InboundEvent,
    PayloadInvalid,
    SignatureInvalid,
)
from channels.messenger import (
    MessengerChannel,
    appsecret_proof,
    messenger_verify_challenge,
    messenger_window_open,
)
from tests.channels.conftest import PSID, message, payload
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.meta import PAGE_ID, FakeMetaGraph, rate_limited


def parse_recorded(channel: MessengerChannel, fake: FakeMetaGraph, name: str) -> list[InboundEvent]:
    body = payload("messenger", name)
    return list(channel.parse(fake.sign(body), body))


def graph_error(status: int, code: int, subcode: int | None = None, **extra: Any) -> httpx.Response:
    error: dict[str, Any] = {"message": "scripted", "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return httpx.Response(status, json={"error": error})


# -- handshake and signature -----------------------------------------------------------------


def test_the_handshake_echoes_the_challenge_for_our_verify_token() -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "our-token",
        "hub.challenge": "1158201444",
    }
    assert messenger_verify_challenge(params, "our-token") == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "our-token", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "our-token"},
        {},
    ],
)
def test_the_handshake_refuses_anything_else(params: dict[str, str]) -> None:
    with pytest.raises(SignatureInvalid):
        messenger_verify_challenge(params, "our-token")


def test_the_signature_is_over_the_escaped_bytes_as_received(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    body = payload("messenger", "message_text.json")
    assert b"\\u0110" in body  # Meta escapes non-ASCII (§2.2)
    [event] = messenger.parse(fake_meta.sign(body), body)
    assert event.text == "Đèn đường ngõ 7 hỏng cả tuần nay"
    reencoded = json.dumps(json.loads(body), ensure_ascii=False).encode()
    with pytest.raises(SignatureInvalid):  # the same JSON re-encoded is not what was signed
        messenger.parse(fake_meta.sign(body), reencoded)


@pytest.mark.parametrize("value", ["sha1=" + "0" * 40, "sha256=" + "z" * 64, "mac=" + "0" * 64])
def test_a_malformed_signature_header_is_refused(messenger: MessengerChannel, value: str) -> None:
    body = payload("messenger", "message_text.json")
    with pytest.raises(SignatureInvalid, match="sha256="):
        messenger.parse({"X-Hub-Signature-256": value}, body)


def test_only_the_legacy_sha1_header_is_not_enough(messenger: MessengerChannel) -> None:
    body = payload("messenger", "message_text.json")
    with pytest.raises(SignatureInvalid, match="X-Hub-Signature-256"):
        messenger.parse({"X-Hub-Signature": "sha1=" + "0" * 40}, body)


def test_a_signature_made_with_another_secret_is_refused(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    body = payload("messenger", "message_text.json")
    fake_meta.app_secret = "someone-elses-secret"
    with pytest.raises(SignatureInvalid):
        messenger.parse(fake_meta.sign(body), body)


def test_a_signed_item_of_the_wrong_shape_is_refused(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    item = {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "message": {"text": "no mid"}}
    body = fake_meta.notification({"id": PAGE_ID, "time": 1772438400000, "messaging": [item]})
    with pytest.raises(PayloadInvalid, match="mid"):
        messenger.parse(fake_meta.sign(body), body)


# -- events ------------------------------------------------------------------------------------


def test_a_text_message(messenger: MessengerChannel, fake_meta: FakeMetaGraph) -> None:
    [event] = parse_recorded(messenger, fake_meta, "message_text.json")
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == "m_AbC1dEf2GhI3jKl4MnO5pQr6StU7vWx8"
    assert event.sender_id == PSID
    assert event.received_at == datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC)


def test_a_reply_keeps_the_quoted_mid(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "message_reply.json")
    assert event.thread_refs == ("m_PgS3nt1dK0qLm2Nb4Vc6Xz8",)


@pytest.mark.parametrize(
    ("name", "kind", "url"),
    [
        (
            "message_image.json",
            "image",
            "https://scontent.xx.fbcdn.net/v/t1.15752-9/ngap.jpg?_nc_cat=1",
        ),
        ("message_file.json", "file", "https://cdn.fbsbx.com/v/t59.2708-21/don.pdf"),
        ("message_fallback.json", "fallback", "https://vnexpress.net/ngap.html"),
    ],
)
def test_attachments_carry_their_urls(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph, name: str, kind: str, url: str
) -> None:
    [event] = parse_recorded(messenger, fake_meta, name)
    [attachment] = event.attachments
    assert (attachment.kind, attachment.url) == (kind, url)


def test_a_location_carries_coordinates(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "message_location.json")
    [attachment] = event.attachments
    assert (attachment.name, attachment.latitude, attachment.longitude) == (
        "Chợ Sóc Sơn",
        21.2568,
        105.8491,
    )


def test_an_echo_is_recorded_against_the_citizen(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "message_echo.json")
    assert (event.kind, event.sender_id) == (EventKind.ECHO, PSID)


def test_a_delivery_lists_mids_and_its_watermark(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "delivery.json")
    assert event.kind is EventKind.DELIVERED
    assert event.refers_to == ("m_Ech0AbCdEfGhIjKlMnOpQrStUv",)
    assert event.watermark == datetime(2026, 3, 2, 8, 4, 10, tzinfo=UTC)


def test_a_delivery_without_mids_or_timestamp_still_has_a_watermark(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "delivery_watermark_only.json")
    assert event.refers_to == ()
    assert event.watermark == datetime(2026, 3, 2, 8, 4, 10, tzinfo=UTC)
    assert event.received_at == datetime(2026, 3, 2, 8, 0, 0, 500000, tzinfo=UTC)  # entry.time


def test_an_item_without_any_time_is_stamped_on_arrival(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    item = {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "read": {"watermark": 1}}
    body = fake_meta.notification({"id": PAGE_ID, "messaging": [item]})
    [event] = messenger.parse(fake_meta.sign(body), body)
    assert event.received_at == clock()


def test_a_read_marks_everything_before_its_watermark(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "read.json")
    assert (event.kind, event.sender_id) == (EventKind.SEEN, PSID)
    assert event.watermark == datetime(2026, 3, 2, 8, 4, 10, tzinfo=UTC)


def test_a_postback_opens_the_window_but_is_not_feedback(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    [event] = parse_recorded(messenger, fake_meta, "postback.json")
    assert (event.kind, event.text, event.external_id) == (
        EventKind.FOLLOW,
        "Bắt đầu",
        "m_P0stAbCdEfGhIjKlMnOpQrStU",
    )


def test_batched_entries_give_one_event_per_item(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    events = parse_recorded(messenger, fake_meta, "batched.json")
    assert [(e.kind, e.sender_id) for e in events] == [
        (EventKind.MESSAGE, PSID),
        (EventKind.MESSAGE, "7019284456120093"),
        (EventKind.DELIVERED, PSID),
    ]


def test_events_for_another_page_are_ignored(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    item = {
        "sender": {"id": PSID},
        "recipient": {"id": "999"},
        "timestamp": 1,
        "message": {"mid": "m_x"},
    }
    body = fake_meta.notification({"id": "999", "time": 1772438400000, "messaging": [item, item]})
    events = messenger.parse(fake_meta.sign(body), body)
    assert [e.kind for e in events] == [EventKind.IGNORED, EventKind.IGNORED]
    assert len({e.external_id for e in events}) == 2


# -- Send API ----------------------------------------------------------------------------------


async def test_a_reply_inside_the_window_is_a_response(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    last = clock() - timedelta(hours=23)
    result = await messenger.send(message("messenger", PSID, "Đã sửa đèn.", last_inbound_at=last))
    assert result.status is DeliveryStatus.OK
    [sent] = fake_meta.sent
    assert (sent["type"], sent["text"], result.provider_message_id) == (
        "RESPONSE",
        "Đã sửa đèn.",
        sent["mid"],
    )
    [request] = fake_meta.requests
    assert "access_token" not in request.url.params  # the token never sits in a URL
    proof = appsecret_proof(fake_meta.page_token, fake_meta.app_secret)
    assert request.url.params["appsecret_proof"] == proof


async def test_outside_the_window_falls_back_without_calling_meta(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    last = clock() - timedelta(hours=24)
    result = await messenger.send(message("messenger", PSID, last_inbound_at=last))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, True)
    assert fake_meta.requests == []


async def test_human_agent_tag_extends_the_window_to_seven_days_when_enabled(
    fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    fake_meta.human_agent_approved = True
    clock.advance(days=3)
    async with fake_meta.client() as client:
        channel = MessengerChannel(fake_meta.config(human_agent_tag=True), client, clock=clock)
        result = await channel.send(
            message("messenger", PSID, last_inbound_at=clock() - timedelta(days=3))
        )
        late = await channel.send(
            message("messenger", PSID, last_inbound_at=clock() - timedelta(days=7))
        )
    assert result.status is DeliveryStatus.OK
    assert (fake_meta.sent[0]["type"], fake_meta.sent[0]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert (late.status, late.fallback_allowed) == (DeliveryStatus.GONE, True)


async def test_meta_saying_the_window_closed_falls_back_and_is_not_retried(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    clock.advance(hours=25)  # the backend did not pass last_inbound_at: Meta decides
    result = await messenger.send(message("messenger", PSID))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, True)
    assert "2018278" in result.detail


@pytest.mark.parametrize(
    ("answer", "status", "fallback"),
    [
        (graph_error(400, 551), DeliveryStatus.GONE, True),
        (graph_error(400, 100, 2018001), DeliveryStatus.GONE, True),
        (graph_error(400, 100), DeliveryStatus.GONE, False),
        (graph_error(500, 2, is_transient=True), DeliveryStatus.RETRYABLE, False),
        (graph_error(400, 1234, is_transient=True), DeliveryStatus.RETRYABLE, False),
        (httpx.Response(502, text="Bad Gateway"), DeliveryStatus.RETRYABLE, False),
        (httpx.Response(200, json={"recipient_id": PSID}), DeliveryStatus.RETRYABLE, False),
        (httpx.ReadTimeout("timed out"), DeliveryStatus.RETRYABLE, False),
    ],
)
async def test_error_answers_map_to_results(
    messenger: MessengerChannel,
    fake_meta: FakeMetaGraph,
    answer: httpx.Response | Exception,
    status: DeliveryStatus,
    fallback: bool,
) -> None:
    fake_meta.script(answer)
    result = await messenger.send(message("messenger", PSID))
    assert (result.status, result.fallback_allowed) == (status, fallback)
    assert result.detail


async def test_rate_limits_are_retried_later(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    fake_meta.script(rate_limited())
    result = await messenger.send(message("messenger", PSID))
    assert (result.status, result.retry_after) == (DeliveryStatus.RETRYABLE, 60.0)


async def test_an_invalid_page_token_raises_for_an_admin(
    fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    async with fake_meta.client() as client:
        channel = MessengerChannel(
            fake_meta.config(page_access_token="EAAexpired"), client, clock=clock
        )
        with pytest.raises(CredentialsRejected, match="190"):
            await channel.send(message("messenger", PSID))


async def test_a_missing_permission_raises_for_an_admin(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    fake_meta.script(graph_error(403, 200))
    with pytest.raises(ChannelMisconfigured, match="permission"):
        await messenger.send(message("messenger", PSID))


async def test_a_wrong_app_secret_fails_the_appsecret_proof(
    fake_meta: FakeMetaGraph, clock: FakeClock
) -> None:
    async with fake_meta.client() as client:
        channel = MessengerChannel(fake_meta.config(app_secret="wrong"), client, clock=clock)
        with pytest.raises(ChannelMisconfigured, match="app secret"):
            await channel.send(message("messenger", PSID))


async def test_a_long_reply_is_cut_to_2000_characters(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    result = await messenger.send(
        message("messenger", PSID, "Rất dài. " * 400, url="https://t.example/c/1")
    )
    assert result.status is DeliveryStatus.OK  # the fake refuses anything over 2000
    assert len(fake_meta.sent[0]["text"]) <= 2000


async def test_an_empty_recipient_is_gone_without_a_call(
    messenger: MessengerChannel, fake_meta: FakeMetaGraph
) -> None:
    result = await messenger.send(message("messenger", " "))
    assert result.status is DeliveryStatus.GONE
    assert fake_meta.requests == []


def test_the_window_is_24_hours(clock: FakeClock) -> None:
    now = clock()
    assert messenger_window_open(now - timedelta(hours=23, minutes=59), now)
    assert not messenger_window_open(now - timedelta(hours=24), now)
