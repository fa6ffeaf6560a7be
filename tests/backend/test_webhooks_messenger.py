"""Messenger end to end: the handshake, signed events, echoes, watermark receipts, replies."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.backend.channel_events import (
    messenger_delivery,
    messenger_echo,
    messenger_items,
    messenger_text,
    now_ms,
)
from tests.backend.conftest import PSID, rows, settle
from tests.channels.fakes.meta import FakeMetaGraph

URL = "/webhooks/messenger"


async def post_meta(
    client: AsyncTestClient[Any], fake: FakeMetaGraph, *items: dict[str, Any]
) -> Any:
    body = fake.notification(messenger_items(*items))
    return await client.post(URL, content=body, headers=fake.sign(body))


async def test_the_handshake_echoes_the_challenge_only_for_our_verify_token(
    channel_client: AsyncTestClient[Any], fake_meta: FakeMetaGraph
) -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    ok = await channel_client.get(URL, params=params | {"hub.verify_token": fake_meta.verify_token})
    assert ok.status_code == 200
    assert ok.text == "1158201444"
    wrong = await channel_client.get(URL, params=params | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403


async def test_a_citizen_writes_and_gets_the_staff_reply(
    channel_client: AsyncTestClient[Any], fake_meta: FakeMetaGraph, staff: dict[str, str]
) -> None:
    response = await post_meta(
        channel_client, fake_meta, messenger_text("Xe tải quá tải chạy đêm", "m_1")
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    await settle(channel_client)
    [case] = await rows(channel_client, "SELECT id, tracking_code, channel FROM cases")
    assert case.channel == "messenger"
    [ack] = fake_meta.sent
    assert ack["psid"] == PSID and case.tracking_code in ack["text"]

    reply = await channel_client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": "Đã báo công an xã."}, headers=staff
    )
    assert reply.status_code == 201
    await settle(channel_client)
    assert fake_meta.sent[-1]["text"] == "Đã báo công an xã."
    assert fake_meta.sent[-1]["type"] == "RESPONSE"


async def test_echoes_are_not_citizen_input_and_watermarks_mark_delivery(
    channel_client: AsyncTestClient[Any], fake_meta: FakeMetaGraph
) -> None:
    await post_meta(channel_client, fake_meta, messenger_text("Mất điện cả xóm", "m_1"))
    await settle(channel_client)
    # Batched: an echo of what a moderator typed in the Page inbox, and a delivery watermark.
    await post_meta(
        channel_client,
        fake_meta,
        messenger_echo("Điện lực đang sửa", "m_page_1"),
        messenger_delivery(now_ms() + 1000),
    )
    await settle(channel_client)
    messages = await rows(
        channel_client, "SELECT direction, text, delivery_state FROM messages ORDER BY id"
    )
    assert [(m.direction, m.delivery_state) for m in messages] == [
        ("in", None),
        ("out", "delivered"),  # the acknowledgement, delivered by watermark
        ("out", "sent"),  # the echo: recorded as ours, not the citizen's
    ]
    assert len(await rows(channel_client, "SELECT id FROM cases")) == 1


async def test_a_bad_signature_is_refused_and_nothing_is_stored(
    channel_client: AsyncTestClient[Any], fake_meta: FakeMetaGraph
) -> None:
    body = fake_meta.notification(messenger_items(messenger_text("giả mạo")))
    headers = {"X-Hub-Signature-256": "sha256=" + "0" * 64, "Content-Type": "application/json"}
    assert (await channel_client.post(URL, content=body, headers=headers)).status_code == 403
    assert await rows(channel_client, "SELECT id FROM inbound_events") == []
