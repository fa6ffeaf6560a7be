"""The web form channel: the same validation as the public API, replies on the status page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from channels.base import DeliveryStatus, EventKind, PayloadInvalid, PayloadTooLarge
from channels.web import WebChannel
from tests.channels.conftest import message, payload
from tests.channels.fakes.clock import FakeClock


@pytest.fixture
def web(clock: FakeClock) -> WebChannel:
    ids = iter(["a1", "b2", "c3"])
    return WebChannel(clock=clock, new_id=lambda: next(ids))


def body(**fields: Any) -> bytes:
    return json.dumps({"text": "Đèn đường hỏng", "commune": "00070"} | fields).encode()


def test_a_full_form_becomes_one_message_with_contact_and_consent(
    web: WebChannel, clock: FakeClock
) -> None:
    [event] = web.parse({}, payload("web", "feedback.json"))
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == "pwa-01J9Z8K3QX4M5N6P7R8S9T0V1W"
    assert event.sender_id == "web:pwa-01J9Z8K3QX4M5N6P7R8S9T0V1W"
    assert event.commune_code == "00070"
    assert event.consent is True
    assert event.sender_name == "Trần Văn Cường"
    assert event.contact == {
        "name": "Trần Văn Cường",
        "phone": "0912 345 678",
        "email": "cuong.tran@example.vn",
    }
    assert event.received_at == clock()


def test_commune_code_is_accepted_as_the_api_spells_it(web: WebChannel) -> None:
    [event] = web.parse({}, payload("web", "feedback_commune_code.json"))
    assert event.commune_code == "00070"


def test_the_idempotency_key_header_is_the_external_id(web: WebChannel) -> None:
    [event] = web.parse({"idempotency-key": "header-key-0001"}, body())
    assert event.external_id == "header-key-0001"


def test_without_a_key_every_submission_gets_its_own_id_and_sender(web: WebChannel) -> None:
    [first], [second] = web.parse({}, body()), web.parse({}, body())
    assert (first.external_id, second.external_id) == ("web-a1", "web-b2")
    assert first.sender_id != second.sender_id  # two anonymous citizens never merge
    assert first.consent is False and first.contact == {}


@pytest.mark.parametrize(
    ("raw", "headers", "error"),
    [
        (body(commune="70"), {}, "commune"),
        (body(commune=None), {}, "`commune` is required"),
        (body(commune_code="00073"), {}, "disagree"),
        (body(text=""), {}, "text"),
        (body(text="x" * 5001), {}, "text"),
        (body(phone="call me"), {}, "phone"),
        (body(email="not-an-address"), {}, "email"),
        (body(idempotency_key="short"), {}, "idempotency_key"),
        (body(idempotency_key="body-key-0001"), {"Idempotency-Key": "header-key-0001"}, "disagree"),
        (body(), {"Idempotency-Key": "bad key with spaces"}, "Idempotency-Key"),
        (body(status="resolved"), {}, "status"),  # unknown fields are refused
        (b"\xff\xfe", {}, "web feedback"),
    ],
)
def test_bad_input_gets_a_clear_error(
    web: WebChannel, raw: bytes, headers: dict[str, str], error: str
) -> None:
    with pytest.raises(PayloadInvalid, match=error):
        web.parse(headers, raw)


def test_a_body_over_the_limit_is_refused(clock: FakeClock) -> None:
    with pytest.raises(PayloadTooLarge):
        WebChannel(clock=clock, max_body_bytes=100).parse({}, body(text="x" * 100))


async def test_a_reply_is_shown_on_the_status_page(web: WebChannel) -> None:
    result = await web.send(message("web", "case-42"))
    assert (result.status, result.detail) == (DeliveryStatus.OK, "visible on status page")


def test_the_default_constructor_still_works() -> None:
    [event] = WebChannel().parse({}, body(idempotency_key="default-ctor-01"))
    assert event.received_at.tzinfo is not None
