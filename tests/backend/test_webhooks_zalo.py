"""Zalo OA end to end: webhook → durable event → case → acknowledgement → staff reply."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from backend.cli import main
from backend.errors import TooLarge
from backend.raw_http import read_body
from backend.webhooks.controllers import MAX_BODY
from backend.webhooks.simulate import signed_zalo_text
from tests.backend.channel_events import zalo_echo, zalo_receipt, zalo_text
from tests.backend.conftest import ZALO_USER, rows, settle
from tests.backend.factories import HOAN_KIEM
from tests.channels.fakes.zalo import FakeZalo

URL = "/webhooks/zalo"


async def post_zalo(client: AsyncTestClient[Any], fake: FakeZalo, body: bytes) -> Any:
    return await client.post(URL, content=body, headers=fake.sign(body))


async def test_a_citizen_writes_is_acknowledged_and_gets_the_staff_reply(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo, staff: dict[str, str]
) -> None:
    response = await post_zalo(
        channel_client, fake_zalo, zalo_text("Đường vào thôn 3 bị ngập sâu", "msg-1")
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    await settle(channel_client)

    [case] = await rows(
        channel_client, "SELECT id, tracking_code, commune_code, channel, source_key FROM cases"
    )
    assert (case.commune_code, case.channel, case.source_key) == (HOAN_KIEM, "zalo", "zalo:msg-1")
    [identity] = await rows(
        channel_client, "SELECT external_id, last_interaction_at FROM contact_identities"
    )
    assert identity.external_id == ZALO_USER and identity.last_interaction_at is not None
    # The acknowledgement carries the tracking code and reached Zalo's API.
    [ack] = fake_zalo.sent
    assert ack["recipient"] == {"user_id": ZALO_USER}
    assert case.tracking_code in ack["text"]

    reply = await channel_client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Xã đã cử người khơi thông cống."},
        headers=staff,
    )
    assert reply.status_code == 201, reply.text
    await settle(channel_client)
    assert fake_zalo.sent[-1]["text"] == "Xã đã cử người khơi thông cống."
    detail = (await channel_client.get(f"/api/v1/cases/{case.id}", headers=staff)).json()
    assert [d["state"] for d in detail["deliveries"]] == ["sent", "sent"]
    assert fake_zalo.refreshes == 1  # the seeded refresh token was exchanged once, then stored
    [stored] = await rows(channel_client, "SELECT key FROM channel_credentials")
    assert stored.key.startswith("zalo:")


async def test_a_redelivered_event_stores_nothing_new(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    body = zalo_text("Rác thải ùn ứ ở chợ", "msg-dup")
    first = await post_zalo(channel_client, fake_zalo, body)
    again = await post_zalo(channel_client, fake_zalo, body)
    assert first.json()["accepted"] == 1
    assert again.status_code == 200
    assert again.json() == {"accepted": 0, "duplicates": 1, "ignored": 0}
    await settle(channel_client)
    counts = await rows(
        channel_client,
        "SELECT (SELECT count(*) FROM inbound_events), (SELECT count(*) FROM cases),"
        " (SELECT count(*) FROM messages WHERE direction = 'in')",
    )
    assert tuple(counts[0]) == (1, 1, 1)
    assert len(fake_zalo.sent) == 1  # one acknowledgement


async def test_later_messages_continue_the_open_case(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    await post_zalo(channel_client, fake_zalo, zalo_text("Cống bị tắc", "m1"))
    await settle(channel_client)
    await post_zalo(channel_client, fake_zalo, zalo_text("Nước đã tràn vào nhà", "m2"))
    await settle(channel_client)
    messages = await rows(
        channel_client, "SELECT case_id, text FROM messages WHERE direction = 'in' ORDER BY id"
    )
    assert [m.text for m in messages] == ["Cống bị tắc", "Nước đã tràn vào nhà"]
    assert len({m.case_id for m in messages}) == 1
    assert len(fake_zalo.sent) == 1  # only the case's opening message is acknowledged


async def test_a_bad_signature_is_refused_and_nothing_is_stored(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    body = zalo_text("Giả mạo", "forged")
    headers = fake_zalo.sign(body)
    tampered = body.replace("Giả mạo".encode(), b"Gia mao")
    response = await channel_client.post(URL, content=tampered, headers=headers)
    assert response.status_code == 403
    missing = await channel_client.post(
        URL, content=body, headers={"Content-Type": "application/json"}
    )
    assert missing.status_code == 403
    await settle(channel_client)
    assert await rows(channel_client, "SELECT id FROM inbound_events") == []
    assert await rows(channel_client, "SELECT id FROM cases") == []


async def test_malformed_and_oversized_bodies_are_refused(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    garbage = b'{"event_name": "user_send_text", "timestamp": "1"'  # cut off
    assert (await post_zalo(channel_client, fake_zalo, garbage)).status_code == 400
    no_message = json.loads(zalo_text("x"))
    del no_message["message"]
    signed_but_wrong = json.dumps(no_message).encode()
    assert (await post_zalo(channel_client, fake_zalo, signed_but_wrong)).status_code == 400
    huge = zalo_text("đ" * 140_000)  # ~280 KB of UTF-8
    assert (await post_zalo(channel_client, fake_zalo, huge)).status_code == 413
    assert await rows(channel_client, "SELECT id FROM inbound_events") == []


async def test_the_registration_probe_is_answered_and_ignored(
    channel_client: AsyncTestClient[Any],
) -> None:
    response = await channel_client.post(
        URL, content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 0, "ignored": 1}
    assert await rows(channel_client, "SELECT id FROM inbound_events") == []


async def test_an_echo_is_recorded_as_outbound_never_as_citizen_input(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    await post_zalo(channel_client, fake_zalo, zalo_text("Đèn đường hỏng", "m1"))
    await settle(channel_client)
    [before] = await rows(channel_client, "SELECT last_inbound_at FROM cases")
    # Staff typed an answer in the Zalo OA console: Zalo echoes it to the webhook.
    await post_zalo(channel_client, fake_zalo, zalo_echo("Chúng tôi sẽ kiểm tra", "console-1"))
    # The echo of our own acknowledgement (its provider id is known) is not stored twice.
    ack_id = fake_zalo.sent[0]["message_id"]
    await post_zalo(channel_client, fake_zalo, zalo_echo(fake_zalo.sent[0]["text"], ack_id))
    await settle(channel_client)
    messages = await rows(
        channel_client, "SELECT direction, text, author_id FROM messages ORDER BY id"
    )
    assert [m.direction for m in messages] == ["in", "out", "out"]
    assert messages[2].text == "Chúng tôi sẽ kiểm tra" and messages[2].author_id is None
    [after] = await rows(channel_client, "SELECT last_inbound_at FROM cases")
    assert after.last_inbound_at == before.last_inbound_at
    assert len(await rows(channel_client, "SELECT id FROM cases")) == 1


async def test_receipts_move_the_delivery_state_forward(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    await post_zalo(channel_client, fake_zalo, zalo_text("Mất nước hai ngày", "m1"))
    await settle(channel_client)
    ack_id = fake_zalo.sent[0]["message_id"]
    query = "SELECT delivery_state FROM messages WHERE direction = 'out'"
    assert [r.delivery_state for r in await rows(channel_client, query)] == ["sent"]
    await post_zalo(channel_client, fake_zalo, zalo_receipt("user_seen_message", [ack_id]))
    await settle(channel_client)
    assert [r.delivery_state for r in await rows(channel_client, query)] == ["seen"]
    # A late "received" never moves a seen message back.
    await post_zalo(channel_client, fake_zalo, zalo_receipt("user_received_message", [ack_id]))
    await settle(channel_client)
    assert [r.delivery_state for r in await rows(channel_client, query)] == ["seen"]


async def test_a_deployment_without_zalo_answers_404(client: AsyncTestClient[Any]) -> None:
    response = await client.post(URL, content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 404


async def test_the_simulated_event_is_signed_like_zalos(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo
) -> None:
    config = fake_zalo.config()
    body, signature = signed_zalo_text(config.app_id, config.oa_secret_key, ZALO_USER, "Thử")
    headers = {"X-ZEvent-Signature": signature, "Content-Type": "application/json"}
    response = await channel_client.post(URL, content=body, headers=headers)
    assert response.json()["accepted"] == 1


def test_simulate_zalo_needs_a_configured_oa() -> None:
    environment = {"TIENGDAN_ZALO_APP_ID": None}  # None: removed while the command runs
    result = CliRunner().invoke(main, ["simulate-zalo", "--text", "xin chào"], env=environment)
    assert result.exit_code == 2
    assert "Zalo is not configured" in result.output


async def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    chunks = iter([b" " * 8192] * 40)

    async def receive() -> Any:  # an ASGI server relaying a chunked body (no Content-Length)
        return {"type": "http.request", "body": next(chunks), "more_body": True}

    scope: Any = {"type": "http", "headers": []}
    with pytest.raises(TooLarge):
        await read_body(scope, receive, MAX_BODY)
    assert next(chunks)  # it stopped reading instead of buffering the rest


async def test_other_methods_are_refused(channel_client: AsyncTestClient[Any]) -> None:
    response = await channel_client.get(URL)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
