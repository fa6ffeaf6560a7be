"""The process_inbound job and the sweeper: stored events become cases exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from sqlalchemy import select, update

from backend.classification.service import ModelCaseClassifier
from backend.db.engine import create_engine, create_session_factory
from backend.db.models import Case, ContactIdentity, InboundEventRecord, Message
from backend.db.types import utcnow
from backend.jobs.context import JobContext
from backend.jobs.sweep import sweep
from backend.settings import Settings, SettingsError, load_settings
from backend.webhooks.cases import SEARCH_TEXT_MAX
from backend.webhooks.jobs import MAX_ATTEMPTS, _by_sender, pending_events, process_inbound
from backend.webhooks.store import inbound_store
from channels.base import EventKind, InboundEvent
from tests.backend.factories import HOAN_KIEM

EVENTS = InboundEventRecord.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]


class RecordingQueue:
    def __init__(self) -> None:
        self.woken: list[tuple[str, dict[str, Any]]] = []

    async def wake(self, job: str, **kwargs: Any) -> None:
        self.woken.append((job, kwargs))


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[JobContext]:
    engine = create_engine(settings.database)
    yield JobContext(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        queue=RecordingQueue(),
        channels={},
        classifier=ModelCaseClassifier(settings.models_dir),
    )
    await engine.dispose()


def event(
    external_id: str,
    kind: EventKind = EventKind.MESSAGE,
    sender: str = "uid-1",
    commune: str | None = HOAN_KIEM,
) -> InboundEvent:
    return InboundEvent(
        channel="zalo",
        kind=kind,
        external_id=external_id,
        sender_id=sender,
        received_at=utcnow(),
        text=f"tin nhắn {external_id}",
        commune_code=commune,
    )


async def store(ctx: JobContext, *events: InboundEvent) -> list[bool]:
    writer = inbound_store(ctx.engine)
    try:
        return await writer.write(list(events))
    finally:
        await writer.close()


async def fetch(ctx: JobContext, query: Any) -> list[Any]:
    async with ctx.engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def test_a_batch_with_a_repeated_key_stores_it_once(ctx: JobContext) -> None:
    assert await store(ctx, event("a"), event("b"), event("a")) == [True, True, False]
    assert await store(ctx, event("b")) == [False]
    assert len(await fetch(ctx, select(EVENTS.c.id))) == 2


async def test_a_batch_is_stored_in_arrival_order(ctx: JobContext) -> None:
    """The consumer applies events by id: one citizen's messages must keep their order."""
    keys = [f"o{n}" for n in range(10)]
    await store(ctx, *[event(key) for key in keys], event("o3"))
    rows = await fetch(ctx, select(EVENTS.c.external_id).order_by(EVENTS.c.id))
    assert [row.external_id for row in rows] == keys


async def test_the_sweeper_refinds_events_nobody_processed(ctx: JobContext) -> None:
    await store(ctx, event("lost"))  # stored, but the wake-up was lost with a crash
    async with ctx.engine.begin() as conn:  # older than the grace period
        await conn.execute(update(EVENTS).values(received_at=utcnow() - timedelta(minutes=5)))
    found = await sweep(ctx)
    assert found["inbound"] == 1
    assert ("process_inbound", {}) in ctx.queue.woken  # type: ignore[attr-defined]
    assert await process_inbound(ctx) == 1
    [case] = await fetch(ctx, select(CASES.c.id, CASES.c.source_key))
    assert case.source_key == "zalo:lost"
    assert ("classify_cases", {"case_ids": [case.id]}) in ctx.queue.woken  # type: ignore[attr-defined]
    assert await pending_events(ctx) == 0
    assert (await sweep(ctx))["inbound"] == 0


async def test_concurrent_runs_open_one_case_for_one_citizen(ctx: JobContext) -> None:
    await store(ctx, event("m1"), event("m2"), event("m3"))
    counts = await asyncio.gather(process_inbound(ctx), process_inbound(ctx))
    assert sum(counts) == 3
    assert len(await fetch(ctx, select(CASES.c.id))) == 1


async def test_interleaved_citizens_each_get_one_case_with_their_messages_in_order(
    ctx: JobContext,
) -> None:
    senders = [f"uid-{n}" for n in range(12)]
    await store(ctx, *[event(f"{s}-{i}", sender=s) for i in range(3) for s in senders])
    assert await process_inbound(ctx) == 36
    cases = await fetch(ctx, select(CASES.c.id, CASES.c.source_key))
    assert sorted(case.source_key for case in cases) == sorted(f"zalo:{s}-0" for s in senders)
    for case in cases:
        texts = await fetch(
            ctx,
            select(MESSAGES.c.external_id)
            .where(MESSAGES.c.case_id == case.id, MESSAGES.c.direction == "in")
            .order_by(MESSAGES.c.id),
        )
        sender = case.source_key.removeprefix("zalo:").rsplit("-", 1)[0]
        assert [t.external_id for t in texts] == [f"{sender}-{i}" for i in range(3)]


def test_a_senders_events_stay_in_one_part_in_their_order() -> None:
    rows = [
        SimpleNamespace(id=i, payload={"channel": "zalo", "sender_id": f"uid-{i % 5}"})
        for i in range(40)
    ]
    parts = _by_sender(rows, 4)
    assert sorted(row.id for part in parts for row in part) == list(range(40))
    for part in parts:
        assert [row.id for row in part] == sorted(row.id for row in part)
    homes = {row.payload["sender_id"]: n for n, part in enumerate(parts) for row in part}
    assert all(homes[row.payload["sender_id"]] == n for n, part in enumerate(parts) for row in part)


async def test_a_failing_event_keeps_its_error_and_does_not_block_the_others(
    ctx: JobContext,
) -> None:
    # No commune on the event and none configured for the channel: it cannot become a case.
    await store(ctx, event("bad", sender="uid-2", commune=None), event("good"))
    assert await process_inbound(ctx) == 1
    [bad] = await fetch(
        ctx, select(EVENTS.c.attempts, EVENTS.c.error).where(EVENTS.c.external_id == "bad")
    )
    assert bad.attempts == 1 and "no commune configured" in bad.error
    for _ in range(MAX_ATTEMPTS - 1):
        await process_inbound(ctx)
    assert await pending_events(ctx) == 0  # given up on; left with its error for an admin
    assert len(await fetch(ctx, select(CASES.c.id))) == 1


async def test_follow_and_unfollow_move_the_window_and_the_opt_out(ctx: JobContext) -> None:
    await store(ctx, event("f1", EventKind.FOLLOW))
    await process_inbound(ctx)
    [identity] = await fetch(
        ctx, select(IDENTITIES.c.last_interaction_at, IDENTITIES.c.opted_out_at)
    )
    assert identity.last_interaction_at is not None and identity.opted_out_at is None
    await store(ctx, event("u1", EventKind.UNFOLLOW))
    await process_inbound(ctx)
    [identity] = await fetch(ctx, select(IDENTITIES.c.opted_out_at))
    assert identity.opted_out_at is not None
    assert await fetch(ctx, select(CASES.c.id)) == []  # following is not feedback


async def test_follow_ups_join_the_case_its_search_text_and_its_latest_inbound_time(
    ctx: JobContext,
) -> None:
    first = event("q1")
    later = msgspec.structs.replace(event("q2"), text="Vẫn chưa sửa đèn", received_at=utcnow())
    # Delivered late: older than the message before it, it must not move the time back.
    late = msgspec.structs.replace(
        event("q0"), text="Ảnh chụp hôm qua", received_at=first.received_at - timedelta(hours=1)
    )
    for message in (first, later, late):
        await store(ctx, message)
        assert await process_inbound(ctx) == 1
    [case] = await fetch(ctx, select(CASES))
    assert case.search_text == "tin nhan q1\nvan chua sua den\nanh chup hom qua"
    assert case.last_inbound_at == later.received_at
    assert case.updated_at == late.received_at  # the last message applied
    [identity] = await fetch(ctx, select(IDENTITIES.c.last_interaction_at))
    assert identity.last_interaction_at == later.received_at


async def test_the_search_text_keeps_the_newest_characters(ctx: JobContext) -> None:
    long = "a" * (SEARCH_TEXT_MAX - 10)
    await store(ctx, msgspec.structs.replace(event("l1"), text=long))
    await process_inbound(ctx)
    await store(ctx, msgspec.structs.replace(event("l2"), text="b" * 30))
    await process_inbound(ctx)
    [case] = await fetch(ctx, select(CASES.c.search_text))
    assert len(case.search_text) == SEARCH_TEXT_MAX
    assert case.search_text.endswith("a\n" + "b" * 30)


def test_channels_are_absent_unless_configured_and_partial_config_is_refused() -> None:
    assert load_settings({}).channels.zalo is None
    with pytest.raises(SettingsError, match="TIENGDAN_ZALO_OA_SECRET_KEY"):
        load_settings({"TIENGDAN_ZALO_APP_ID": "1"})
    with pytest.raises(SettingsError, match="5-digit commune"):
        load_settings({"TIENGDAN_EMAIL_DOMAIN": "example.vn", "TIENGDAN_EMAIL_COMMUNE": "HN"})
    embedded = load_settings({"TIENGDAN_EMAIL_DOMAIN": "x.vn", "TIENGDAN_EMAIL_COMMUNE": "00070"})
    assert embedded.channels.email is not None and embedded.channels.email.receiver_enabled
    production = load_settings(
        {
            "TIENGDAN_EMAIL_DOMAIN": "x.vn",
            "TIENGDAN_EMAIL_COMMUNE": "00070",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert production.channels.email is not None
    assert not production.channels.email.receiver_enabled
