"""ZaloChannel: verify + parse OA webhooks, send consultation messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import httpx
import msgspec

from channels.base import (
    Clock,
    CredentialsRejected,
    DeliveryResult,
    DeliveryStatus,
    EventKind,
    InboundEvent,
    OutboundMessage,
    PayloadInvalid,
    utc_now,
)
from channels.textfit import fit_text
from channels.wire import check_size
from channels.zalo.api import ZaloProfile, get_profile, post_consultation, recipient_for
from channels.zalo.codes import AccessTokenRejected
from channels.zalo.config import ZaloConfig
from channels.zalo.events import CHANNEL, to_inbound
from channels.zalo.oauth import TokenRefreshDeferred
from channels.zalo.signature import verify_zalo_signature
from channels.zalo.tokens import ZaloTokenManager, ZaloTokenStore
from channels.zalo.window import zalo_window_open

T = TypeVar("T")


class ZaloChannel:
    """One Zalo Official Account behind the Channel interface."""

    name = CHANNEL

    def __init__(
        self,
        config: ZaloConfig,
        client: httpx.AsyncClient,
        token_store: ZaloTokenStore,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config
        self.tokens = ZaloTokenManager(config, client, token_store, clock=clock)
        self._client = client
        self._clock = clock

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """Verify `X-ZEvent-Signature` over the raw bytes and map the event (§1.2–1.4)."""
        check_size(body, self.config.max_body_bytes)
        try:
            data = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise PayloadInvalid(f"zalo webhook body is not JSON: {exc}") from exc
        if data == {}:
            # §1.1: saving the webhook URL may send an unsigned `{}`; answer 200, store nothing.
            return [self._probe()]
        if not isinstance(data, dict):
            raise PayloadInvalid("zalo webhook body is not a JSON object")
        timestamp = verify_zalo_signature(
            headers, body, data, self.config.app_id, self.config.oa_secret_key
        )
        # No replay window on `timestamp`: Zalo's retries (30 s … 1 h, open question §6.2)
        # reuse it, and the backend dedupes on external_id anyway.
        return [to_inbound(data, timestamp)]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send a consultation message; expected failures come back as results."""
        last = message.last_inbound_at
        if last is not None and not zalo_window_open(last, self._clock()):
            return DeliveryResult(
                status=DeliveryStatus.GONE,
                detail=f"zalo window closed: last interaction {last.isoformat()}",
                fallback_allowed=True,
            )
        try:
            recipient = recipient_for(message.recipient)
        except ValueError as exc:
            return DeliveryResult(status=DeliveryStatus.GONE, detail=f"zalo: {exc}")
        text = fit_text(message.text, self.config.max_text_chars, message.url)
        body = {"recipient": recipient, "message": {"text": text}}
        try:
            return await self._with_token(
                lambda token: post_consultation(self._client, self.config, token, body, self._clock)
            )
        except TokenRefreshDeferred as exc:
            return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=str(exc))

    async def fetch_profile(self, user_id: str) -> ZaloProfile | None:
        """The user's display name and avatar (GET user/detail), or None if unavailable."""
        try:
            return await self._with_token(
                lambda token: get_profile(self._client, self.config, token, user_id)
            )
        except TokenRefreshDeferred:
            return None

    async def _with_token(self, call: Callable[[str], Awaitable[T]]) -> T:
        """Run `call`; on a rejected token refresh once and retry once (§1.5, as Chatwoot)."""
        token = await self.tokens.access_token()
        try:
            return await call(token)
        except AccessTokenRejected:
            token = await self.tokens.replace_rejected(token)
        try:
            return await call(token)
        except AccessTokenRejected as exc:
            raise CredentialsRejected(
                "Zalo rejected a freshly refreshed access token; an admin must reconnect the OA"
            ) from exc

    def _probe(self) -> InboundEvent:
        return InboundEvent(
            channel=self.name,
            kind=EventKind.IGNORED,
            external_id="zalo-registration-probe",
            sender_id="",
            received_at=self._clock(),
            raw={},
        )
