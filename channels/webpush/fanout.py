"""Sending one notice to many subscriptions without starving the event loop of CPU."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Protocol

from channels.base import DeliveryResult, DeliveryStatus
from channels.webpush.crypto import encrypt_batch
from channels.webpush.notice import PushNotice, encode_notice
from channels.webpush.sender import PushOptions, WebPushSender
from channels.webpush.subscription import PushSubscription

CHUNK = 256  # subscriptions per encryption job: amortises inter-process overhead
_INLINE_SLICE = 32  # ~3 ms of crypto between two chances for the loop to run


class Encryptor(Protocol):
    """Encrypts one plaintext for many (p256dh, auth) pairs."""

    async def encrypt(
        self, plaintext: bytes, keys: Sequence[tuple[bytes, bytes]]
    ) -> list[bytes | None]: ...


class InlineEncryptor:
    """Encrypts on the event loop thread in short slices, yielding between them."""

    async def encrypt(
        self, plaintext: bytes, keys: Sequence[tuple[bytes, bytes]]
    ) -> list[bytes | None]:
        bodies: list[bytes | None] = []
        for start in range(0, len(keys), _INLINE_SLICE):
            bodies += encrypt_batch(plaintext, keys[start : start + _INLINE_SLICE])
            await asyncio.sleep(0)
        return bodies


class ProcessPoolEncryptor:
    """Encrypts in worker processes so the loop's core only does HTTP; reuse it across sends."""

    def __init__(self, workers: int = 1) -> None:
        # spawn: forking a process that already runs threads (the app server's) is unsafe.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    async def encrypt(
        self, plaintext: bytes, keys: Sequence[tuple[bytes, bytes]]
    ) -> list[bytes | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, encrypt_batch, plaintext, list(keys))

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessPoolEncryptor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


async def send_many(
    sender: WebPushSender,
    subscriptions: Sequence[PushSubscription],
    notice: PushNotice,
    *,
    options: PushOptions = PushOptions(),
    concurrency: int = 64,
    encryptor: Encryptor | None = None,
    chunk_size: int = CHUNK,
) -> list[DeliveryResult]:
    """One result per subscription, in order; encryption runs ahead while requests fly."""
    if concurrency < 1 or chunk_size < 1:
        raise ValueError("concurrency and chunk_size must be >= 1")
    encryptor = encryptor or InlineEncryptor()
    plaintext = encode_notice(notice)
    results: list[DeliveryResult | None] = [None] * len(subscriptions)
    slots = asyncio.Semaphore(concurrency)
    in_flight: set[asyncio.Task[None]] = set()

    async def post(index: int, body: bytes) -> None:
        try:
            results[index] = await sender.post(subscriptions[index], body, options)
        finally:
            slots.release()

    starts = deque(range(0, len(subscriptions), chunk_size))
    ahead: deque[tuple[int, asyncio.Future[list[bytes | None]]]] = deque()
    lookahead = 4  # encrypted chunks waiting for sending: bounds memory on huge lists
    try:
        while starts or ahead:
            while starts and len(ahead) < lookahead:
                start = starts.popleft()
                keys = [_keys(s) for s in subscriptions[start : start + chunk_size]]
                ahead.append((start, asyncio.ensure_future(encryptor.encrypt(plaintext, keys))))
            start, pending = ahead.popleft()
            for offset, body in enumerate(await pending):
                index = start + offset
                if body is None:
                    results[index] = DeliveryResult(
                        status=DeliveryStatus.GONE, detail="unusable subscription keys"
                    )
                    continue
                await slots.acquire()
                task = asyncio.create_task(post(index, body))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.gather(*in_flight)
    finally:  # cancelled, or the pool broke: leave no encryption or request running
        for _, future in ahead:
            future.cancel()
        for task in list(in_flight):
            task.cancel()
    unsent = DeliveryResult(status=DeliveryStatus.RETRYABLE, detail="not sent")
    return [result or unsent for result in results]


def _keys(subscription: PushSubscription) -> tuple[bytes, bytes]:
    try:
        return subscription.key_bytes()
    except ValueError:
        return b"", b""  # fails encryption: reported GONE like any unusable key
