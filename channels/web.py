"""The web form channel: replies are shown on the citizen's status page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from channels.base import DeliveryResult, DeliveryStatus, InboundEvent, OutboundMessage, PayloadInvalid


class WebChannel:
    """Inbound web feedback arrives through the JSON API; outbound is read on the status page."""

    name = "web"

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        raise PayloadInvalid("web feedback is accepted by POST /api/v1/feedback")

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        return DeliveryResult(status=DeliveryStatus.OK, detail="visible on status page")
