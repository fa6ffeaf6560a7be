"""MessengerChannel: verify + parse Page webhooks, answer through the Send API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
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
from channels.messenger.api import post_message
from channels.messenger.config import MessengerConfig
from channels.messenger.events import CHANNEL, to_inbound
from channels.messenger.signature import verify_messenger_signature
from channels.messenger.window import human_agent_window_open, messenger_window_open
from channels.textfit import fit_text
from channels.wire import check_size, ms_to_datetime


class Entry(msgspec.Struct, kw_only=True):
    id: str | int
    time: int = 0
    messaging: list[dict[str, Any]] = msgspec.field(default_factory=list)  # kept raw per item


class Notification(msgspec.Struct, kw_only=True):
    object: str
    entry: list[Entry]


class MessengerChannel:
    """One Facebook Page behind the Channel interface."""

    name = CHANNEL

    def __init__(
        self, config: MessengerConfig, client: httpx.AsyncClient, *, clock: Clock = utc_now
    ) -> None:
        self.config = config
        self._client = client
        self._clock = clock

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """Verify `X-Hub-Signature-256` over the raw bytes, then map every batched item."""
        check_size(body, self.config.max_body_bytes)
        verify_messenger_signature(headers, body, self.config.app_secret)
        try:
            notification = msgspec.json.decode(body, type=Notification)
        except msgspec.DecodeError as exc:
            raise PayloadInvalid(f"messenger notification: {exc}") from exc
        if notification.object != "page":
            raise PayloadInvalid(f"messenger notification for {notification.object!r}, not 'page'")
        events: list[InboundEvent] = []
        for entry in notification.entry:  # entries may be batched (§2.3)
            for index, item in enumerate(entry.messaging):
                if str(entry.id) != self.config.page_id:
                    events.append(self._other_page(entry, index, item))
                else:
                    events.append(to_inbound(item, entry.time, self.config.page_id, self._clock()))
        return events

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Answer inside the 24 h window (or with HUMAN_AGENT up to 7 days, if enabled)."""
        if not message.recipient.strip():
            return DeliveryResult(status=DeliveryStatus.GONE, detail="messenger: empty recipient")
        body: dict[str, Any] = {"recipient": {"id": message.recipient}}
        last, now = message.last_inbound_at, self._clock()
        if last is None or messenger_window_open(last, now):
            # Unknown last contact: let Meta decide; a closed window comes back as GONE.
            body["messaging_type"] = "RESPONSE"
        elif self.config.human_agent_tag and human_agent_window_open(last, now):
            body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        else:
            return DeliveryResult(
                status=DeliveryStatus.GONE,
                detail=f"messenger window closed: last user message {last.isoformat()}",
                fallback_allowed=True,
            )
        body["message"] = {"text": fit_text(message.text, self.config.max_text_chars, message.url)}
        return await post_message(self._client, self.config, body, self._clock)

    def _other_page(self, entry: Entry, index: int, item: dict[str, Any]) -> InboundEvent:
        # The app's webhook may also serve other Pages; their events are not ours to store.
        return InboundEvent(
            channel=self.name,
            kind=EventKind.IGNORED,
            external_id=f"other-page:{entry.id}:{entry.time}:{index}",
            sender_id="",
            received_at=ms_to_datetime(entry.time) if entry.time else self._clock(),
            raw=item,
        )
