"""The web form channel: JSON in, replies shown on the citizen's status page."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated

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
from channels.wire import check_size, header

# The same limits as the public API's FeedbackCreate, so both doors accept the same input.
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
CommuneCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")]
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=r"^[\w.:-]+$")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 .()-]{8,20}$")]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Name = Annotated[str, msgspec.Meta(max_length=120)]

DEFAULT_MAX_BODY_BYTES = 64 * 1024


class WebFeedback(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The web form's JSON body; `commune_code` is accepted as the API's name for `commune`."""

    text: Text
    commune: CommuneCode | None = None
    commune_code: CommuneCode | None = None
    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    consent: bool = False
    idempotency_key: IdempotencyKey | None = None


class WebChannel:
    """Inbound web feedback as events; outbound replies are read on the status page."""

    name = "web"

    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._clock = clock
        self._new_id = new_id
        self._max_body_bytes = max_body_bytes

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """Validate the form's JSON; the idempotency key (body or header) is the external id."""
        check_size(body, self._max_body_bytes)
        try:
            form = msgspec.json.decode(body, type=WebFeedback)
        except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
            raise PayloadInvalid(f"web feedback: {exc}") from exc
        commune = _one_commune(form)
        external_id = _idempotency_key(form, header(headers, "Idempotency-Key"))
        contact = {
            key: value
            for key, value in (("name", form.name), ("phone", form.phone), ("email", form.email))
            if value
        }
        # Without a key two submissions can never be told apart, so the id is fresh each time.
        external_id = external_id or f"web-{self._new_id()}"
        return [
            InboundEvent(
                channel=self.name,
                kind=EventKind.MESSAGE,
                external_id=external_id,
                # The form has no lasting identity: every submission is its own sender, so a
                # backend that threads by sender never merges two anonymous citizens.
                sender_id=f"web:{external_id}",
                sender_name=form.name,
                received_at=self._clock(),
                text=form.text,
                contact=contact,
                consent=form.consent,
                commune_code=commune,
                raw=msgspec.to_builtins(form),
            )
        ]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Nothing to transmit: the status page shows the reply."""
        return DeliveryResult(status=DeliveryStatus.OK, detail="visible on status page")


def _one_commune(form: WebFeedback) -> str:
    if form.commune and form.commune_code and form.commune != form.commune_code:
        raise PayloadInvalid("web feedback: `commune` and `commune_code` disagree")
    commune = form.commune or form.commune_code
    if commune is None:
        raise PayloadInvalid("web feedback: `commune` is required")
    return commune


def _idempotency_key(form: WebFeedback, from_header: str | None) -> str | None:
    if from_header is None:
        return form.idempotency_key
    try:
        key = msgspec.convert(from_header.strip(), IdempotencyKey)
    except msgspec.ValidationError as exc:
        raise PayloadInvalid(f"Idempotency-Key header: {exc}") from exc
    if form.idempotency_key is not None and form.idempotency_key != key:
        raise PayloadInvalid("Idempotency-Key header and body idempotency_key disagree")
    return key
