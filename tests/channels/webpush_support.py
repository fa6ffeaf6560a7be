"""Shared pieces of the Web Push tests: keys, a clock, a sender wired to a fake service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from channels.webpush import VapidKeys, VapidSigner, WebPushSender
from tests.channels.fakes.clock import FakeClock

PAYLOADS = Path(__file__).parent / "payloads" / "webpush"
KEYS = VapidKeys.generate()
SUBJECT = "mailto:ops@tiengdan.example.vn"
LOOPBACK = ("127.0.0.1",)  # the only host a test subscription may point at


@asynccontextmanager
async def push_sender(
    clock: FakeClock, keys: VapidKeys = KEYS, request_timeout: float = 5.0
) -> AsyncIterator[tuple[WebPushSender, VapidSigner]]:
    """A sender with its signer, over a fresh aiohttp session."""
    signer = VapidSigner(keys, SUBJECT, clock=clock)
    async with aiohttp.ClientSession() as session:
        yield WebPushSender(session, signer, timeout=request_timeout, clock=clock), signer
