"""Zalo OAuth v4 token lifecycle (§1.6): early, serialized, save-before-use refreshes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from channels.base import ChannelMisconfigured, CredentialsRejected, DeliveryStatus
from channels.zalo import (
    InMemoryZaloTokenStore,
    ZaloChannel,
    ZaloTokenManager,
    ZaloTokens,
    new_pkce_pair,
    zalo_consent_url,
)
from tests.channels.conftest import CITIZEN, message
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.zalo import APP_ID, FakeZalo


class UnlockedStore(InMemoryZaloTokenStore):
    """A store whose lock does nothing: shows what the lock prevents."""

    @asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        yield


class SaveBeforeUseStore(InMemoryZaloTokenStore):
    """Fails the test if a token reaches Zalo before it was saved."""

    def __init__(self, fake: FakeZalo, tokens: ZaloTokens) -> None:
        super().__init__(tokens)
        self.fake = fake

    async def save(self, tokens: ZaloTokens) -> None:
        used = [r.headers.get("access_token") for r in self.fake.requests]
        assert tokens.access_token not in used, "a new token was used before it was saved"
        await super().save(tokens)


async def test_a_fresh_token_is_used_without_refreshing(
    zalo: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    assert (await zalo.send(message("zalo", CITIZEN))).ok
    assert fake_zalo.refreshes == 0


async def test_the_token_is_refreshed_early_and_saved_before_use(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    first = fake_zalo.connect()
    store = SaveBeforeUseStore(fake_zalo, first)
    channel = ZaloChannel(fake_zalo.config(), zalo_client, store, clock=clock)
    clock.advance(hours=20, minutes=1)  # past 80 % of the 25 h life, not yet expired
    fake_zalo.user_interacts(CITIZEN)
    assert (await channel.send(message("zalo", CITIZEN))).ok
    assert fake_zalo.refreshes == 1
    stored = await store.get()
    assert stored is not None
    assert stored.access_token == fake_zalo.access_token != first.access_token
    assert first.refresh_token in fake_zalo.used_refresh_tokens  # single-use: now dead
    assert stored.expires_at == clock() + timedelta(seconds=90000)  # "90000" was a string
    assert stored.refresh_after == clock() + timedelta(seconds=72000)


async def test_two_concurrent_sends_with_an_expired_token_refresh_once(
    zalo: ZaloChannel, fake_zalo: FakeZalo, zalo_store: InMemoryZaloTokenStore, clock: FakeClock
) -> None:
    clock.advance(hours=26)
    fake_zalo.user_interacts(CITIZEN)
    results = await asyncio.gather(
        zalo.send(message("zalo", CITIZEN, "một")), zalo.send(message("zalo", CITIZEN, "hai"))
    )
    assert [r.status for r in results] == [DeliveryStatus.OK, DeliveryStatus.OK]
    assert fake_zalo.refreshes == 1
    assert zalo_store.saves == 1


async def test_without_the_lock_the_race_reuses_a_refresh_token(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    # The same race as above with a lock that does nothing: the fake catches the reuse.
    store = UnlockedStore(fake_zalo.connect())
    channel = ZaloChannel(fake_zalo.config(), zalo_client, store, clock=clock)
    clock.advance(hours=26)
    fake_zalo.user_interacts(CITIZEN)
    results = await asyncio.gather(
        channel.send(message("zalo", CITIZEN)),
        channel.send(message("zalo", CITIZEN)),
        return_exceptions=True,
    )
    assert any(isinstance(r, CredentialsRejected) and "-14020" in str(r) for r in results)


async def test_a_reused_refresh_token_is_rejected_and_needs_an_admin(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    stale = fake_zalo.connect()
    fake_zalo.connect()  # someone else refreshed: `stale.refresh_token` is spent
    store = InMemoryZaloTokenStore(stale)
    channel = ZaloChannel(fake_zalo.config(), zalo_client, store, clock=clock)
    clock.advance(hours=26)
    with pytest.raises(CredentialsRejected, match=r"-14020.*reconnect"):
        await channel.send(message("zalo", CITIZEN))
    assert await store.get() == stale  # nothing overwritten
    assert store.saves == 0


async def test_a_concurrent_rejection_reuses_the_token_another_caller_refreshed(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient, zalo_store: InMemoryZaloTokenStore
) -> None:
    manager = ZaloTokenManager(fake_zalo.config(), zalo_client, zalo_store, clock=fake_zalo.clock)
    old = await manager.access_token()
    renewed = await manager.replace_rejected(old)
    assert await manager.replace_rejected(old) == renewed  # a late caller with the old token
    assert fake_zalo.refreshes == 1


async def test_an_unreachable_token_endpoint_keeps_using_a_still_valid_token(
    fake_zalo: FakeZalo, zalo_store: InMemoryZaloTokenStore, clock: FakeClock
) -> None:
    async def token_endpoint_down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v4/oa/access_token":
            raise httpx.ConnectError("oauth.zaloapp.com unreachable")
        return await fake_zalo.handle(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint_down)) as client:
        channel = ZaloChannel(fake_zalo.config(), client, zalo_store, clock=clock)
        clock.advance(hours=21)  # due for refresh, still valid
        fake_zalo.user_interacts(CITIZEN)
        assert (await channel.send(message("zalo", CITIZEN))).ok
        clock.advance(hours=5)  # now expired as well
        result = await channel.send(message("zalo", CITIZEN))
    assert result.status is DeliveryStatus.RETRYABLE
    assert "unreachable" in result.detail
    assert zalo_store.saves == 0


async def test_a_wrong_app_secret_is_refused_by_the_token_endpoint(
    fake_zalo: FakeZalo,
    zalo_client: httpx.AsyncClient,
    zalo_store: InMemoryZaloTokenStore,
    clock: FakeClock,
) -> None:
    config = fake_zalo.config(app_secret_key="not-the-secret")
    channel = ZaloChannel(config, zalo_client, zalo_store, clock=clock)
    clock.advance(hours=26)
    with pytest.raises(CredentialsRejected):
        await channel.send(message("zalo", CITIZEN))


async def test_sending_before_the_oa_is_connected_is_a_misconfiguration(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient
) -> None:
    channel = ZaloChannel(fake_zalo.config(), zalo_client, InMemoryZaloTokenStore())
    with pytest.raises(ChannelMisconfigured, match="not connected"):
        await channel.send(message("zalo", CITIZEN))


async def test_connecting_exchanges_the_code_with_pkce(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    store = InMemoryZaloTokenStore()
    manager = ZaloTokenManager(fake_zalo.config(), zalo_client, store, clock=clock)
    verifier, challenge = new_pkce_pair()
    code = fake_zalo.new_code(challenge)
    tokens = await manager.exchange_code(code, verifier)
    assert tokens.access_token == fake_zalo.access_token
    assert await store.get() == tokens
    with pytest.raises(CredentialsRejected):  # a code works once
        await manager.exchange_code(code, verifier)


async def test_a_code_with_the_wrong_verifier_is_refused(
    fake_zalo: FakeZalo, zalo_client: httpx.AsyncClient
) -> None:
    manager = ZaloTokenManager(fake_zalo.config(), zalo_client, InMemoryZaloTokenStore())
    _, challenge = new_pkce_pair()
    other_verifier, _ = new_pkce_pair()
    with pytest.raises(CredentialsRejected):
        await manager.exchange_code(fake_zalo.new_code(challenge), other_verifier)


def test_the_consent_url_carries_app_redirect_challenge_and_state(fake_zalo: FakeZalo) -> None:
    url = zalo_consent_url(fake_zalo.config(), "https://x.example/cb", "chal", "st4te")
    parts = urlsplit(url)
    assert parts.path == "/v4/oa/permission"
    assert parse_qs(parts.query) == {
        "app_id": [APP_ID],
        "redirect_uri": ["https://x.example/cb"],
        "code_challenge": ["chal"],
        "state": ["st4te"],
    }


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"error": -32, "error_name": "rate_limit"}),
        httpx.Response(500, json={"error": -5000, "error_name": "server"}),
        httpx.Response(503, text="busy"),
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json={"access_token": "a", "expires_in": "90000"}),
        httpx.Response(200, json={"access_token": "a", "refresh_token": "b", "expires_in": "soon"}),
        httpx.Response(302, json={"note": "no error field"}),
    ],
)
async def test_a_busy_or_unreadable_token_endpoint_defers_the_send(
    fake_zalo: FakeZalo,
    zalo_store: InMemoryZaloTokenStore,
    clock: FakeClock,
    answer: httpx.Response,
) -> None:
    async def token_endpoint(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v4/oa/access_token":
            return answer
        return await fake_zalo.handle(request)

    before = await zalo_store.get()
    async with httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint)) as client:
        channel = ZaloChannel(fake_zalo.config(), client, zalo_store, clock=clock)
        clock.advance(hours=26)
        result = await channel.send(message("zalo", CITIZEN))
    assert result.status is DeliveryStatus.RETRYABLE
    assert await zalo_store.get() == before
