"""The contract every registered channel keeps, run against its recorded payloads and fake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.base import (
    Channel,
    DeliveryResult,
    DeliveryStatus,
    EventKind,
    PayloadInvalid,
    PayloadTooLarge,
    SignatureInvalid,
)
from channels.registry import CHANNEL_FACTORIES
from tests.channels.contract_cases import CONTRACT_CASES, ContractCase


@pytest.fixture(params=sorted(CHANNEL_FACTORIES))
async def case(request: pytest.FixtureRequest) -> AsyncIterator[ContractCase]:
    name = str(request.param)
    builder = CONTRACT_CASES.get(name)
    assert builder is not None, f"channel {name!r} is registered but has no contract case"
    async with builder() as built:
        yield built


def recorded(case: ContractCase) -> list[tuple[Path, list[EventKind]]]:
    manifest = json.loads((case.payload_dir / "manifest.json").read_text())
    return [
        (case.payload_dir / name, [EventKind(k) for k in kinds]) for name, kinds in manifest.items()
    ]


def headers_for(case: ContractCase, body: bytes) -> dict[str, str]:
    return case.sign(body) if case.sign else {"Content-Type": "application/json"}


def test_every_registered_channel_has_a_contract_case() -> None:
    assert sorted(CONTRACT_CASES) == sorted(CHANNEL_FACTORIES)


def test_channel_keeps_the_interface(case: ContractCase) -> None:
    assert isinstance(case.channel, Channel)
    assert case.channel.name in CHANNEL_FACTORIES  # registered under its own name


def test_every_payload_file_is_in_the_manifest(case: ContractCase) -> None:
    listed = {path.name for path, _ in recorded(case)}
    on_disk = {p.name for p in case.payload_dir.iterdir() if p.name != "manifest.json"}
    assert listed == on_disk
    assert listed, "a channel needs recorded payloads"


def test_recorded_payloads_parse_to_their_kinds(case: ContractCase) -> None:
    for path, kinds in recorded(case):
        body = path.read_bytes()
        events = case.channel.parse(headers_for(case, body), body)
        assert [e.kind for e in events] == kinds, path.name
        for event in events:
            assert event.channel == case.channel.name
            assert event.external_id, path.name
            assert event.received_at.tzinfo is not None, path.name


def test_parsing_the_same_bytes_twice_gives_identical_events(case: ContractCase) -> None:
    # Redeliveries carry the same provider id: the backend dedupes on external_id.
    for path, _ in recorded(case):
        body = path.read_bytes()
        first = case.channel.parse(headers_for(case, body), body)
        again = case.channel.parse(headers_for(case, body), body)
        assert first == again, path.name


def test_bad_signatures_are_refused(case: ContractCase) -> None:
    if case.sign is None:
        pytest.skip(f"{case.channel.name} carries no signature")
    path = next(p for p, kinds in recorded(case) if EventKind.MESSAGE in kinds)
    body = path.read_bytes()
    good = case.sign(body)
    tampered_body = body.replace(b"}", b" }", 1)
    with pytest.raises(SignatureInvalid):
        case.channel.parse({"Content-Type": "application/json"}, body)  # no signature header
    with pytest.raises(SignatureInvalid):
        case.channel.parse(good, tampered_body)  # signed bytes differ from received bytes
    other_bodys_signature = case.sign(tampered_body)
    with pytest.raises(SignatureInvalid):
        case.channel.parse(other_bodys_signature, body)


def test_malformed_bodies_are_refused(case: ContractCase) -> None:
    for body in case.malformed:
        with pytest.raises(PayloadInvalid):
            case.channel.parse(headers_for(case, body), body)


def test_oversized_bodies_are_refused_before_anything_else(case: ContractCase) -> None:
    body = b"{" + b" " * case.max_body_bytes + b"}"
    with pytest.raises(PayloadTooLarge):
        case.channel.parse({}, body)


async def test_a_deliverable_message_is_sent(case: ContractCase) -> None:
    result = await case.channel.send(case.deliverable)
    assert isinstance(result, DeliveryResult)
    assert result.status is DeliveryStatus.OK, result.detail
    assert result.ok


async def test_an_undeliverable_message_comes_back_gone(case: ContractCase) -> None:
    if case.undeliverable is None:
        pytest.skip(f"{case.channel.name} always delivers")
    result = await case.channel.send(case.undeliverable)
    assert result.status is DeliveryStatus.GONE
    assert not result.ok
    assert result.detail
