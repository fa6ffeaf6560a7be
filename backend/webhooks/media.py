"""`fetch_media`: keep the photos citizens send on Zalo and Messenger in the media store.

Webhook events carry only links to the provider's CDN, which expire. The job downloads each
image of recent inbound messages (size-limited while streaming, checked like a web photo),
stores it content-addressed and records it on the message, so staff see it later like any
photo. Other media (files, audio, video) keep their metadata only. Only hosts in the settings'
allow-list are fetched (the links come from signed events, but the list keeps this job from
being pointed anywhere else). Provider trouble (429, 5xx, timeouts) is retried by later runs,
a few times; a link that answers 4xx is marked and left.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update

from backend.db.models import Message
from backend.errors import AppError
from backend.feedback.photos import inspect_photo
from backend.jobs.context import JobContext
from backend.media import MediaStore
from backend.settings import MediaSettings

log = logging.getLogger(__name__)

MESSAGES = Message.__table__  # type: ignore[attr-defined]
BATCH = 100  # messages read per query
MAX_ATTEMPTS = 5


class _TryLater(Exception):
    """Provider trouble (429, 5xx, network): a later run tries again."""


class _Refused(Exception):
    """The link answered 4xx: it will not get better."""


def pending(attachment: dict[str, Any]) -> bool:
    """An image with a link that was neither stored nor given up on yet."""
    return (
        attachment.get("kind") == "image"
        and bool(attachment.get("url"))
        and not attachment.get("sha256")
        and not attachment.get("oversize")
        and not attachment.get("fetch_error")
    )


async def fetch_media(ctx: JobContext) -> int:
    """Download the pending images of inbound messages; returns how many were stored.

    Each message marked media_pending is looked at once per run, oldest first; links that
    failed for a reason that may pass (429, 5xx, network) stay pending for a later run.
    """
    client: httpx.AsyncClient = ctx.extra["http_client"]
    media = MediaStore(ctx.settings.media.dir)
    stored, after = 0, 0
    while True:
        async with ctx.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(MESSAGES.c.id, MESSAGES.c.attachments)
                    .where(MESSAGES.c.media_pending, MESSAGES.c.id > after)
                    .order_by(MESSAGES.c.id)
                    .limit(BATCH)
                )
            ).all()
        if not rows:
            return stored
        after = rows[-1].id
        for message_id, attachments in rows:
            updated = [
                await _fetch(client, media, ctx.settings.media, a) if pending(a) else a
                for a in attachments or []
            ]
            stored += sum(
                1
                for a, b in zip(attachments or [], updated, strict=True)
                if b.get("sha256") and not a.get("sha256")
            )
            async with ctx.engine.begin() as conn:
                await conn.execute(
                    update(MESSAGES)
                    .where(MESSAGES.c.id == message_id)
                    .values(
                        attachments=updated if attachments is not None else None,
                        media_pending=any(pending(a) for a in updated),
                    )
                )


async def _fetch(
    client: httpx.AsyncClient, media: MediaStore, limits: MediaSettings, attachment: dict[str, Any]
) -> dict[str, Any]:
    url = str(attachment["url"])
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not _allowed(host, limits.fetch_hosts):
        return {**attachment, "fetch_error": f"host {host or '?'} is not on the media allow-list"}
    try:
        data, content_type = await _download(client, url, limits.max_photo_bytes)
    except _TryLater as exc:
        attempts = int(attachment.get("fetch_attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            return {**attachment, "fetch_attempts": attempts, "fetch_error": str(exc)}
        return {**attachment, "fetch_attempts": attempts}
    except _Refused as exc:
        return {**attachment, "fetch_error": str(exc)}
    if data is None:
        return {**attachment, "oversize": True}
    try:
        photo = inspect_photo(data, content_type, limits)
    except AppError as exc:
        return {**attachment, "fetch_error": exc.detail}
    await asyncio.to_thread(media.save, data, photo.content_type)
    return {
        **attachment,
        "sha256": photo.sha256,
        "content_type": photo.content_type,
        "size": photo.size,
        "width": photo.width,
        "height": photo.height,
    }


async def _download(client: httpx.AsyncClient, url: str, limit: int) -> tuple[bytes | None, str]:
    """(bytes, content type), or (None, "") when the body is over `limit` bytes."""
    try:
        async with client.stream("GET", url, timeout=httpx.Timeout(20.0, connect=5.0)) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise _TryLater(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise _Refused(f"HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return None, ""
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    return None, ""
            return bytes(body), response.headers.get("content-type", "")
    except httpx.HTTPError as exc:
        raise _TryLater(f"{type(exc).__name__}: {exc}") from exc


def _allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == suffix or host.endswith(f".{suffix}") for suffix in allowed)
