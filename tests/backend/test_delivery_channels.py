"""Replies on real channels: windows and fallback, admin alerts, the OA's tokens in the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.engine import create_engine
from backend.db.models import ContactIdentity
from backend.db.types import utcnow
from backend.deliveries.locks import lock_for
from backend.deliveries.zalo_tokens import DatabaseZaloTokenStore
from backend.settings import Settings
from channels.zalo import ZaloChannel, ZaloTokens
from tests.backend.channel_events import messenger_items, messenger_text, zalo_info, zalo_text
from tests.backend.conftest import ZALO_USER, rows, settle
from tests.channels.fakes.meta import FakeMetaGraph
from tests.channels.fakes.smtp_capture import CaptureHandler
from tests.channels.fakes.zalo import FakeZalo


async def zalo_case(client: AsyncTestClient[Any], fake: FakeZalo, *bodies: bytes) -> int:
    """The citizen writes on Zalo (and sends any other events); returns their case id."""
    for body in (zalo_text("Cầu tràn thôn 4 bị sụt", "m1"), *bodies):
        response = await client.post("/webhooks/zalo", content=body, headers=fake.sign(body))
        assert response.status_code == 200, response.text
    await settle(client)
    [case] = await rows(client, "SELECT id FROM cases")
    return int(case.id)


async def last_interaction_days_ago(client: AsyncTestClient[Any], days: int) -> None:
    """As if the citizen had last written `days` ago (our record of the Zalo window)."""
    engine = create_engine(client.app.state.settings.database)
    identities = ContactIdentity.__table__  # type: ignore[attr-defined]
    async with engine.begin() as conn:
        await conn.execute(
            update(identities).values(last_interaction_at=utcnow() - timedelta(days=days))
        )
    await engine.dispose()


async def reply(
    client: AsyncTestClient[Any], staff: dict[str, str], case_id: int, text: str
) -> Any:
    response = await client.post(
        f"/api/v1/cases/{case_id}/replies", json={"text": text}, headers=staff
    )
    assert response.status_code == 201, response.text
    await settle(client)
    detail = await client.get(f"/api/v1/cases/{case_id}", headers=staff)
    return detail.json()


async def test_outside_the_zalo_window_the_answer_goes_by_email(
    channel_client: AsyncTestClient[Any],
    fake_zalo: FakeZalo,
    smtp_out: tuple[CaptureHandler, int],
    staff: dict[str, str],
) -> None:
    info = zalo_info("Trần Thị Bình", "0912345678", email="binh.tran@example.vn")
    case_id = await zalo_case(channel_client, fake_zalo, info)
    await last_interaction_days_ago(channel_client, 8)
    detail = await reply(channel_client, staff, case_id, "Xã đã gia cố cầu tràn.")
    routes = [(d["channel"], d["state"]) for d in detail["deliveries"]]
    assert routes == [("zalo", "sent"), ("zalo", "gone"), ("email", "sent")]
    assert "window closed" in detail["deliveries"][1]["last_error"]
    [mail] = [m.message for m in smtp_out[0].received]
    assert mail["To"] == "binh.tran@example.vn"
    assert "Xã đã gia cố cầu tràn." in mail.get_content()
    assert len(fake_zalo.sent) == 1  # only the acknowledgement: Zalo was never asked
    [contact] = await rows(channel_client, "SELECT display_name, phone FROM contacts")
    assert (contact.display_name, contact.phone) == ("Trần Thị Bình", "0912345678")


async def test_without_another_channel_the_answer_stays_on_the_status_page(
    channel_client: AsyncTestClient[Any], fake_zalo: FakeZalo, staff: dict[str, str]
) -> None:
    case_id = await zalo_case(channel_client, fake_zalo)
    # Our record says the window is open, but Zalo says it is not (-230): fall back all the same.
    fake_zalo.last_interaction[ZALO_USER] = fake_zalo.clock() - timedelta(days=8)
    detail = await reply(channel_client, staff, case_id, "Đã sửa xong.")
    routes = [(d["channel"], d["state"]) for d in detail["deliveries"]]
    assert routes == [("zalo", "sent"), ("zalo", "gone"), ("web", "sent")]
    assert "-230" in detail["deliveries"][1]["last_error"]
    assert detail["messages"][-1]["delivery_state"] == "sent"


async def test_refused_credentials_fail_the_delivery_and_alert_an_admin(
    channel_client: AsyncTestClient[Any], fake_meta: FakeMetaGraph
) -> None:
    fake_meta.page_token = "EAArevoked"  # the Page token was revoked on Meta's side
    body = fake_meta.notification(messenger_items(messenger_text("Có ai không?")))
    response = await channel_client.post(
        "/webhooks/messenger", content=body, headers=fake_meta.sign(body)
    )
    assert response.status_code == 200
    await settle(channel_client)
    [delivery] = await rows(channel_client, "SELECT state, last_error FROM deliveries")
    assert delivery.state == "failed" and "190" in delivery.last_error
    [alert] = await rows(
        channel_client, "SELECT object_id, detail FROM audit_events WHERE action = 'channel.alert'"
    )
    assert alert.object_id == "messenger"
    assert fake_meta.sent == []


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database)
    yield engine
    await engine.dispose()


async def test_the_oa_tokens_live_in_the_database_and_refresh_once(
    engine: AsyncEngine, settings: Settings, fake_zalo: FakeZalo
) -> None:
    connected = fake_zalo.connect()
    due = ZaloTokens(
        access_token=connected.access_token,
        refresh_token=connected.refresh_token,
        expires_at=connected.expires_at,
        refresh_after=fake_zalo.clock() - timedelta(minutes=1),
    )

    def store() -> DatabaseZaloTokenStore:  # one per process, one shared lock
        lock = lock_for(engine, settings.redis_url, "tiengdan:test-zalo-lock")
        return DatabaseZaloTokenStore(engine, "zalo:test", lock)

    await store().save(due)
    async with fake_zalo.client() as client:
        first, second = (
            ZaloChannel(fake_zalo.config(), client, store(), clock=fake_zalo.clock)
            for _ in range(2)
        )
        tokens = await asyncio.gather(first.tokens.access_token(), second.tokens.access_token())
    assert fake_zalo.refreshes == 1  # the second caller re-read the pair after the lock
    assert tokens[0] == tokens[1] == fake_zalo.access_token
    stored = await store().get()  # a restarted process finds the new pair
    assert stored is not None and stored.refresh_token == fake_zalo.refresh_token
