"""The in-memory channel used by tests and the demo."""

from __future__ import annotations

import pytest

from channels.base import DeliveryStatus, EventKind, PayloadInvalid
from channels.memory import MemoryChannel
from tests.channels.conftest import message
from tests.channels.fakes.clock import FakeClock


async def test_sent_messages_are_recorded_in_order() -> None:
    channel = MemoryChannel()
    first = await channel.send(message("memory", "a", "một"))
    second = await channel.send(message("memory", "b", "hai"))
    assert [m.text for m in channel.sent] == ["một", "hai"]
    assert (first.provider_message_id, second.provider_message_id) == ("memory-1", "memory-2")


async def test_scripted_failures_come_first_then_sends_succeed() -> None:
    channel = MemoryChannel("zalo")  # may stand in for a real channel in the demo
    channel.fail_next(DeliveryStatus.RETRYABLE, times=2, retry_after=5)
    channel.fail_next(DeliveryStatus.GONE, fallback_allowed=True)
    results = [await channel.send(message("zalo", "a")) for _ in range(4)]
    assert [r.status for r in results] == [
        DeliveryStatus.RETRYABLE,
        DeliveryStatus.RETRYABLE,
        DeliveryStatus.GONE,
        DeliveryStatus.OK,
    ]
    assert results[0].retry_after == 5
    assert results[2].fallback_allowed
    assert (len(channel.attempts), len(channel.sent)) == (4, 1)


def test_ok_cannot_be_scripted_as_a_failure() -> None:
    with pytest.raises(ValueError, match="failing status"):
        MemoryChannel().fail_next(DeliveryStatus.OK)


def test_an_event_is_parsed_with_the_channels_name(clock: FakeClock) -> None:
    channel = MemoryChannel("zalo", clock=clock)
    [event] = channel.parse({}, b'{"external_id": "e1", "sender_id": "u1", "kind": "follow"}')
    assert (event.channel, event.kind, event.received_at) == ("zalo", EventKind.FOLLOW, clock())


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(PayloadInvalid, match="kind"):
        MemoryChannel().parse({}, b'{"external_id": "e1", "sender_id": "u1", "kind": "poke"}')
