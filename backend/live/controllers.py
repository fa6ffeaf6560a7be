"""GET /api/v1/events: case changes in the caller's scope as server-sent events (staff only)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator

import msgspec
from litestar import Controller, get
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.accounts.principal import Principal
from backend.deps import CurrentPrincipal
from backend.live.events import CASES_CHANNEL, CaseEvent, decode_events

PING_SECONDS = 15.0
# A stream ends by itself after this long; EventSource reconnects (re-checking the session)
# after RETRY_MS, and a server shutdown never waits on a forgotten browser tab for long.
MAX_STREAM_SECONDS = 600.0
RETRY_MS = 3000


async def case_events(
    plugin: ChannelsPlugin,
    principal: Principal,
    ping_seconds: float = PING_SECONDS,
    max_seconds: float = MAX_STREAM_SECONDS,
) -> AsyncGenerator[ServerSentEventMessage, None]:
    """The stream of one connection: "ready" once subscribed, then scoped "case" events and pings.

    Leaving the generator (client gone, lifetime over, shutdown) unsubscribes.
    """
    inbox: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)

    async def receive(data: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stuck client loses events, not memory
            inbox.put_nowait(data)

    async with contextlib.AsyncExitStack() as stack:
        subscriber = await stack.enter_async_context(plugin.start_subscription(CASES_CHANNEL))
        await stack.enter_async_context(subscriber.run_in_background(receive, join=False))
        yield ServerSentEventMessage(event="ready", data="{}", retry=RETRY_MS)
        ends = time.monotonic() + max_seconds
        while (left := ends - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(inbox.get(), timeout=min(ping_seconds, left))
            except TimeoutError:
                yield ServerSentEventMessage(comment="ping", data=None)
                continue
            for event in decode_events(data):
                if principal.allows(event.commune_code, event.province_code):
                    yield ServerSentEventMessage(event="case", data=_json(event))


def _json(event: CaseEvent) -> str:
    """The browser's view of an event: no province code."""
    body = {
        "case_id": event.case_id,
        "tracking_code": event.tracking_code,
        "commune_code": event.commune_code,
        "status": event.status,
        "change": event.change,
    }
    return msgspec.json.encode(body).decode()


class LiveController(Controller):
    path = "/api/v1"
    tags = ["live"]

    @get("/events", cache=False)
    async def events(
        self, principal: CurrentPrincipal, channels: NamedDependency[ChannelsPlugin]
    ) -> ServerSentEvent:
        """Case changes in the caller's scope (event "case"), a comment ping every 15 s."""
        principal.require_staff()
        return ServerSentEvent(
            case_events(channels, principal),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
