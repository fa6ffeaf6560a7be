"""Live case events over server-sent events: scoped to the caller, staff only, clean disconnect.

The SSE stream never ends by itself, and the test client buffers whole responses, so these tests
drive the app's ASGI interface directly (the app's lifespan is running inside the test client).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.db.models import Role
from backend.live.events import CaseEvent, publish_events
from backend.live.hub import _LiveRedisBackend
from tests.backend.factories import (
    BA_DINH,
    HOAN_KIEM,
    OTHER_PROVINCE_COMMUNE,
    bearer,
    create_user,
    submit,
)


class EventStream:
    """An open GET /api/v1/events: its status, headers and the parsed events as they come."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.started = asyncio.Event()
        self.events: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.body = b""
        self._buffer = ""

    def start(self, status: int, headers: dict[str, str]) -> None:
        self.status, self.headers = status, headers
        self.started.set()

    def feed(self, chunk: bytes) -> None:
        self.body += chunk
        self._buffer += chunk.decode()
        while "\r\n\r\n" in self._buffer or "\n\n" in self._buffer:
            sep = "\r\n\r\n" if "\r\n\r\n" in self._buffer else "\n\n"
            block, self._buffer = self._buffer.split(sep, 1)
            name, data = "message", []
            for line in block.splitlines():
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line.startswith(":"):
                    name = "comment"
            self.events.put_nowait((name, "\n".join(data)))

    async def next(self, skip: tuple[str, ...] = ("comment",)) -> tuple[str, str]:
        while True:
            name, data = await asyncio.wait_for(self.events.get(), timeout=10)
            if name not in skip:
                return name, data


@asynccontextmanager
async def open_stream(
    client: AsyncTestClient[Any], headers: dict[str, str]
) -> AsyncIterator[EventStream]:
    """GET /api/v1/events on the app's own loop (the test client's portal thread)."""
    stream = EventStream()
    here = asyncio.get_running_loop()
    disconnected = threading.Event()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/events",
        "raw_path": b"/api/v1/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"testserver"), (b"accept", b"text/event-stream")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent_request = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while not disconnected.is_set():
            await asyncio.sleep(0.02)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = {k.decode(): v.decode() for k, v in message["headers"]}
            here.call_soon_threadsafe(stream.start, message["status"], headers)
        elif message["type"] == "http.response.body":
            here.call_soon_threadsafe(stream.feed, message.get("body", b""))

    done = client.blocking_portal.start_task_soon(client.app, scope, receive, send)
    try:
        await asyncio.wait_for(stream.started.wait(), timeout=10)
        yield stream
    finally:
        disconnected.set()
        await asyncio.wait_for(asyncio.wrap_future(done), timeout=10)  # ends on disconnect


async def test_staff_receive_events_of_their_scope_only(client: AsyncTestClient[Any]) -> None:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "hanoi", Role.PROVINCE_STAFF, province="01")
    hk = await bearer(client, "hk")
    hanoi = await bearer(client, "hanoi")
    async with open_stream(client, hk) as mine, open_stream(client, hanoi) as province:
        assert mine.status == 200
        assert mine.headers["content-type"].startswith("text/event-stream")
        assert (await mine.next())[0] == "ready" and (await province.next())[0] == "ready"
        # Out of scope first: Ba Đình for the Hoàn Kiếm officer, another province for both.
        await submit(client, BA_DINH, text="Vỉa hè phố Đội Cấn bị lấn chiếm hết.")
        await submit(client, OTHER_PROVINCE_COMMUNE, text="Đường ven biển ngập nước.")
        receipt = await submit(client, HOAN_KIEM, text="Đèn đường ngõ 5 Hàng Bạc hỏng.")
        await client.app.state.resources.settle()
        name, data = await mine.next()
        event = json.loads(data)
        assert name == "case"
        assert event == {
            "case_id": event["case_id"],
            "tracking_code": receipt["tracking_code"],
            "commune_code": HOAN_KIEM,
            "status": "new",
            "change": "created",
        }
        # The province officer sees both Hà Nội cases, in order, and not the other province's.
        seen = [json.loads((await province.next())[1])["commune_code"] for _ in range(2)]
        assert seen == [BA_DINH, HOAN_KIEM]
        # A staff action is published too: the status change reaches the stream.
        changed = await client.patch(
            f"/api/v1/cases/{event['case_id']}/status", json={"status": "in_progress"}, headers=hk
        )
        assert changed.status_code == 200, changed.text
        name, data = await mine.next()
        assert (
            json.loads(data)["status"] == "in_progress" and json.loads(data)["change"] == "updated"
        )
        assert mine.events.empty()  # nothing from Ba Đình or the other province arrived
        assert (
            BA_DINH.encode() not in mine.body and OTHER_PROVINCE_COMMUNE.encode() not in mine.body
        )
    # Both handlers returned on disconnect (open_stream awaited them) and unsubscribed.
    assert not any(client.app.state.live_plugin._channels.values())


async def test_events_from_another_process_reach_the_stream(client: AsyncTestClient[Any]) -> None:
    """What a worker process publishes (Redis in production, the same plugin when embedded)."""
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    hk = await bearer(client, "hk")
    publisher: Any = None
    async with open_stream(client, hk) as stream:
        assert (await stream.next())[0] == "ready"
        events = [
            CaseEvent(
                case_id=n,
                tracking_code=f"CODE{n}",
                commune_code=commune,
                province_code="01",
                status="triaged",
                change="assigned",
            )
            for n, commune in ((1, BA_DINH), (2, HOAN_KIEM))
        ]
        if settings.redis_url is None:  # embedded: jobs run on the app's loop, same plugin
            jobs = client.app.state.resources.jobs
            client.blocking_portal.call(publish_events, jobs, events)
        else:  # a worker process: its own Redis connection, no plugin
            from backend.jobs.context import JobContext
            from backend.live.hub import RedisPublisher

            publisher = RedisPublisher(settings.redis_url)
            worker = client.app.state.resources.jobs
            ctx = JobContext(**{**worker.__dict__, "extra": {"live": publisher}})
            await publish_events(ctx, events)
        name, data = await stream.next()
        assert name == "case" and json.loads(data)["case_id"] == 2
    if publisher is not None:
        await publisher.close()


@pytest.mark.parametrize("who", ["anonymous", "volunteer"])
async def test_only_staff_may_listen(client: AsyncTestClient[Any], who: str) -> None:
    headers: dict[str, str] = {}
    if who == "volunteer":
        await create_user(client.app.state.settings, "tn", Role.VOLUNTEER, communes=(HOAN_KIEM,))
        headers = await bearer(client, "tn")
    response = await client.get("/api/v1/events", headers=headers)
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert response.headers["content-type"].startswith("application/problem+json")


class _CancelAsTimeoutPubSub:
    """A pub/sub whose read turns a cancellation into a timeout, as redis-py's can."""

    channels = {b"cases": None}
    pending_unsubscribe_channels: set[bytes] = set()

    async def get_message(self, ignore_subscribe_messages: bool, timeout: float) -> None:  # noqa: ASYNC109 (redis-py's signature)
        try:
            await asyncio.sleep(timeout)
        except asyncio.CancelledError:
            raise RedisTimeoutError("Timeout reading from socket") from None


async def test_the_live_stream_ends_when_cancelled_even_if_redis_swallows_the_cancel() -> None:
    """Otherwise the channels plugin waits for it forever and the app never shuts down."""
    backend = _LiveRedisBackend(redis=Redis.from_url("redis://127.0.0.1:6379/0"))
    backend._RedisChannelsPubSubBackend__pub_sub = _CancelAsTimeoutPubSub()  # type: ignore[attr-defined]
    backend._wanted = {"cases"}
    backend._has_subscribed.set()

    async def consume() -> None:
        async for _ in backend.stream_events():
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)  # inside the read
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done and task.cancelled()
    await backend._redis.aclose()
