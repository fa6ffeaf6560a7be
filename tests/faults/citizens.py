"""Sustained web intake for the fault tests: citizens who retry until their feedback is accepted.

Each citizen posts feedback with a fresh idempotency key and, like the PWA's outbox, retries the
SAME key on connection errors and on 503 until it gets 201/200. Every other answer is recorded
as unexpected (a 500 is a bug, not an outage).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from tests.backend.factories import HOAN_KIEM

TEXTS = [
    "Cống ngõ 12 bị tắc, nước tràn vào nhà dân",
    "Đèn đường thôn 3 hỏng cả tháng nay",
    "Bãi rác cạnh chợ bốc mùi hôi thối",
    "Xe tải chở quá tải làm hỏng đường liên xã",
]


class Citizens:
    """`count` concurrent citizens posting to `url` until `stop` is set."""

    def __init__(self, url: str, prefix: str, count: int = 4) -> None:
        self.url = url
        self.prefix = prefix
        self.count = count
        self.stop = asyncio.Event()
        self.accepted: dict[str, str] = {}  # idempotency key -> tracking code answered
        self.statuses: Counter[int] = Counter()
        self.transport_errors = 0
        self.unexpected: list[str] = []
        self.refusals_without_retry_after = 0
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._citizen(n)) for n in range(self.count)]

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.gather(*self._tasks)

    async def _citizen(self, n: int) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30.0) as client:
            i = 0
            while not self.stop.is_set():
                key = f"{self.prefix}-{n}-{i:05d}"
                await self._until_accepted(client, key, TEXTS[i % len(TEXTS)] + f" ({key})")
                i += 1

    async def _until_accepted(self, client: httpx.AsyncClient, key: str, text: str) -> None:
        body = {"text": text, "commune_code": HOAN_KIEM, "idempotency_key": key}
        while True:
            try:
                response = await client.post("/api/v1/feedback", json=body)
            except httpx.TransportError:
                self.transport_errors += 1
                await asyncio.sleep(0.1)
                continue
            self.statuses[response.status_code] += 1
            if response.status_code in (200, 201):
                self.accepted[key] = response.json()["tracking_code"]
                return
            if response.status_code == 503:
                if "retry-after" not in response.headers:
                    self.refusals_without_retry_after += 1
                await asyncio.sleep(0.2)
                continue
            self.unexpected.append(f"{response.status_code}: {response.text[:300]}")
            await asyncio.sleep(0.2)

    async def accepted_at_least(self, n: int) -> bool:
        return len(self.accepted) >= n

    def __repr__(self) -> str:
        return (
            f"<{len(self.accepted)} accepted, answers {dict(self.statuses)}, "
            f"{self.transport_errors} connection errors, unexpected {self.unexpected[-3:]}>"
        )
