"""Zalo consultation messages (§1.5): request shape, window, errors in HTTP-200 bodies."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from channels.base import ChannelMisconfigured, CredentialsRejected, DeliveryStatus
from channels.zalo import InMemoryZaloTokenStore, ZaloChannel, zalo_window_free, zalo_window_open
from tests.channels.conftest import CITIZEN, message
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.zalo import FakeZalo


def zalo_error(code: int, text: str = "scripted") -> httpx.Response:
    return httpx.Response(200, json={"error": code, "message": text})


async def test_a_reply_is_sent_with_the_bare_access_token_header(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    result = await zalo.send(message("zalo", CITIZEN, "Xã đã cử cán bộ kiểm tra."))
    assert result.status is DeliveryStatus.OK
    [sent] = fake_zalo.sent
    assert result.provider_message_id == sent["message_id"]
    assert sent == {
        "recipient": {"user_id": CITIZEN},
        "text": "Xã đã cử cán bộ kiểm tra.",
        "message_id": sent["message_id"],
    }
    [request] = fake_zalo.requests
    assert request.headers["access_token"] == fake_zalo.access_token
    assert "authorization" not in request.headers


async def test_a_closed_window_falls_back_without_calling_zalo(
    zalo: ZaloChannel, fake_zalo: FakeZalo, clock: FakeClock
) -> None:
    last = clock() - timedelta(days=7, seconds=1)
    result = await zalo.send(message("zalo", CITIZEN, last_inbound_at=last))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, True)
    assert "window closed" in result.detail
    assert fake_zalo.requests == []


async def test_an_open_window_is_sent(
    zalo: ZaloChannel, fake_zalo: FakeZalo, clock: FakeClock
) -> None:
    last = clock() - timedelta(days=6, hours=23)
    result = await zalo.send(message("zalo", CITIZEN, last_inbound_at=last))
    assert result.status is DeliveryStatus.OK


async def test_zalo_saying_the_window_closed_falls_back(
    zalo: ZaloChannel, fake_zalo: FakeZalo, clock: FakeClock
) -> None:
    clock.advance(days=8)  # the backend did not know the last interaction: Zalo answers -230
    result = await zalo.send(message("zalo", CITIZEN))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, True)
    assert "-230" in result.detail
    assert fake_zalo.sent == []


@pytest.mark.parametrize("code", [-213, -227, -230, -232])
async def test_unreachable_users_are_gone_with_fallback(
    zalo: ZaloChannel, fake_zalo: FakeZalo, code: int
) -> None:
    fake_zalo.script(zalo_error(code))
    result = await zalo.send(message("zalo", CITIZEN))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, True)
    assert str(code) in result.detail


@pytest.mark.parametrize("code", [-201, -240])
async def test_our_own_bugs_are_gone_without_fallback(
    zalo: ZaloChannel, fake_zalo: FakeZalo, code: int
) -> None:
    fake_zalo.script(zalo_error(code))
    result = await zalo.send(message("zalo", CITIZEN))
    assert (result.status, result.fallback_allowed) == (DeliveryStatus.GONE, False)


@pytest.mark.parametrize(("code", "retry_after"), [(-32, 60.0), (-211, 3600.0), (-999, None)])
async def test_rate_limits_quota_and_unknown_codes_are_retried(
    zalo: ZaloChannel, fake_zalo: FakeZalo, code: int, retry_after: float | None
) -> None:
    fake_zalo.script(zalo_error(code))
    result = await zalo.send(message("zalo", CITIZEN))
    assert (result.status, result.retry_after) == (DeliveryStatus.RETRYABLE, retry_after)


@pytest.mark.parametrize("code", [-221, -223, -224])
async def test_oa_permission_problems_raise_for_an_admin(
    zalo: ZaloChannel, fake_zalo: FakeZalo, code: int
) -> None:
    fake_zalo.script(zalo_error(code))
    with pytest.raises(ChannelMisconfigured, match=str(code)):
        await zalo.send(message("zalo", CITIZEN))


async def test_server_errors_are_retried_after_retry_after(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    fake_zalo.script(httpx.Response(503, headers={"Retry-After": "7"}, text="busy"))
    result = await zalo.send(message("zalo", CITIZEN))
    assert (result.status, result.retry_after) == (DeliveryStatus.RETRYABLE, 7.0)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.Response(200, text="<html>gateway</html>"),
        httpx.Response(200, json={"message": "no error field"}),
    ],
)
async def test_timeouts_and_unreadable_answers_are_retried(
    zalo: ZaloChannel, fake_zalo: FakeZalo, answer: httpx.Response | Exception
) -> None:
    fake_zalo.script(answer)
    result = await zalo.send(message("zalo", CITIZEN))
    assert result.status is DeliveryStatus.RETRYABLE
    assert result.detail


async def test_a_long_reply_is_cut_to_the_limit_and_links_the_status_page(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    text = "Trả lời chi tiết về việc sửa đường. " * 200  # ~7000 characters
    url = "https://tiengdan.example/c/ABC123"
    result = await zalo.send(message("zalo", CITIZEN, text, url=url))
    assert result.status is DeliveryStatus.OK  # the fake refuses anything over 2000
    [sent] = fake_zalo.sent
    assert len(sent["text"]) <= 2000
    assert sent["text"].endswith(url)


async def test_an_anonymous_chat_is_answered_by_conversation(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    fake_zalo.user_interacts("a83e1f77d2c4b5e6")
    result = await zalo.send(message("zalo", "anonymous:a83e1f77d2c4b5e6:5d9a37f0c1b2"))
    assert result.status is DeliveryStatus.OK
    body = json.loads(fake_zalo.requests[-1].content)
    assert body["recipient"] == {
        "anonymous_id": "a83e1f77d2c4b5e6",
        "conversation_id": "5d9a37f0c1b2",
    }


@pytest.mark.parametrize("recipient", ["", "anonymous:only-one-part"])
async def test_a_malformed_recipient_is_gone_without_a_call(
    zalo: ZaloChannel, fake_zalo: FakeZalo, recipient: str
) -> None:
    result = await zalo.send(message("zalo", recipient))
    assert result.status is DeliveryStatus.GONE
    assert fake_zalo.requests == []


async def test_a_rejected_token_is_refreshed_once_and_the_send_retried(
    zalo: ZaloChannel, fake_zalo: FakeZalo, zalo_store: InMemoryZaloTokenStore
) -> None:
    fake_zalo.access_token = "revoked-by-zalo"  # the stored token no longer works: -216
    result = await zalo.send(message("zalo", CITIZEN))
    assert result.status is DeliveryStatus.OK
    assert fake_zalo.refreshes == 1
    assert len([r for r in fake_zalo.requests if r.url.path.endswith("/message/cs")]) == 2
    stored = await zalo_store.get()
    assert stored is not None and stored.access_token == fake_zalo.access_token


async def test_a_token_rejected_again_after_refresh_raises_for_an_admin(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    fake_zalo.script(zalo_error(-216), zalo_error(-220))
    with pytest.raises(CredentialsRejected, match="reconnect"):
        await zalo.send(message("zalo", CITIZEN))
    assert fake_zalo.refreshes == 1  # exactly one refresh, no loop


async def test_the_profile_is_read_from_user_detail(zalo: ZaloChannel, fake_zalo: FakeZalo) -> None:
    profile = await zalo.fetch_profile(CITIZEN)
    assert profile is not None
    assert profile.display_name == "Nguyễn Văn An"
    assert profile.avatar_url == f"https://s240-ava-talk.zadn.vn/{CITIZEN}.jpg"
    assert await zalo.fetch_profile("1234") is None


def test_the_window_is_seven_days_and_free_for_48_hours(clock: FakeClock) -> None:
    now = clock()
    assert zalo_window_open(now - timedelta(days=7) + timedelta(seconds=1), now)
    assert not zalo_window_open(now - timedelta(days=7), now)
    assert zalo_window_free(now - timedelta(hours=47, minutes=59), now)
    assert not zalo_window_free(now - timedelta(hours=48), now)


async def test_the_profile_survives_a_rejected_token_and_an_outage(
    fake_zalo: FakeZalo, zalo_store: InMemoryZaloTokenStore, clock: FakeClock
) -> None:
    outage = {"on": False}

    async def handler(request: httpx.Request) -> httpx.Response:
        if outage["on"]:
            raise httpx.ConnectError("openapi.zalo.me unreachable")
        return await fake_zalo.handle(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        zalo = ZaloChannel(fake_zalo.config(), client, zalo_store, clock=clock)
        fake_zalo.access_token = "revoked-by-zalo"
        profile = await zalo.fetch_profile(CITIZEN)
        assert profile is not None and fake_zalo.refreshes == 1
        outage["on"] = True
        assert await zalo.fetch_profile(CITIZEN) is None
