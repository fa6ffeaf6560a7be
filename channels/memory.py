"""An in-memory channel for tests and the demo: records what it sends, fails on request."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from channels.base import (
    Clock,
    DeliveryResult,
    DeliveryStatus,
    EventKind,
    InboundEvent,
    OutboundMessage,
    PayloadInvalid,
    utc_now,
)
from channels.wire import check_size

DEFAULT_MAX_BODY_BYTES = 64 * 1024


class MemoryInbound(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a test posts to the memory channel: the fields of an event, minus the channel."""

    external_id: str
    sender_id: str
    text: str = ""
    kind: EventKind = EventKind.MESSAGE
    sender_name: str | None = None
    received_at: datetime | None = None
    refers_to: tuple[str, ...] = ()


class MemoryChannel:
    """Keeps every message it is asked to send; scripted results make sends fail."""

    def __init__(
        self,
        name: str = "memory",
        *,
        clock: Clock = utc_now,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.name = name
        self.sent: list[OutboundMessage] = []  # delivered, in order
        self.attempts: list[OutboundMessage] = []  # every call to send, failed or not
        self._scripted: deque[DeliveryResult] = deque()
        self._clock = clock
        self._max_body_bytes = max_body_bytes

    def fail_next(
        self,
        status: DeliveryStatus,
        *,
        times: int = 1,
        detail: str = "scripted failure",
        retry_after: float | None = None,
        fallback_allowed: bool = False,
    ) -> None:
        """Make the next `times` sends answer `status` instead of OK."""
        if status is DeliveryStatus.OK:
            raise ValueError("fail_next needs a failing status")
        result = DeliveryResult(
            status=status,
            detail=detail,
            retry_after=retry_after,
            fallback_allowed=fallback_allowed,
        )
        self._scripted.extend([result] * times)

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """Decode one JSON event (see MemoryInbound); nothing is signed."""
        check_size(body, self._max_body_bytes)
        try:
            item = msgspec.json.decode(body, type=MemoryInbound)
        except msgspec.DecodeError as exc:
            raise PayloadInvalid(f"memory event: {exc}") from exc
        return [
            InboundEvent(
                channel=self.name,
                kind=item.kind,
                external_id=item.external_id,
                sender_id=item.sender_id,
                sender_name=item.sender_name,
                received_at=item.received_at or self._clock(),
                text=item.text,
                refers_to=item.refers_to,
                raw=msgspec.to_builtins(item),
            )
        ]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Record the message; answer the next scripted result, or OK."""
        self.attempts.append(message)
        if self._scripted:
            return self._scripted.popleft()
        self.sent.append(message)
        return DeliveryResult(
            status=DeliveryStatus.OK,
            detail="kept in memory",
            provider_message_id=f"{self.name}-{len(self.sent)}",
        )
