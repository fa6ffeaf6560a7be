"""Images citizens send on Zalo are downloaded (size-limited, checked) and shown to staff."""

from __future__ import annotations

import asyncio
import io
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from backend.app import create_app
from backend.db.models import Role
from tests.backend.channel_events import APP_ID, OA_ID, ZALO_USER, now_ms, zalo_body
from tests.backend.conftest import rows, settle
from tests.backend.factories import HOAN_KIEM, bearer, create_user
from tests.backend.provider_server import serve
from tests.channels.fakes.zalo import FakeZalo
from tests.conftest import REDIS_URL, make_settings

PHOTO_LIMIT = 100_000


def jpeg(colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class Cdn:
    """A provider CDN on loopback: a few files, a broken link, a flaky one, a huge one."""

    def __init__(self) -> None:
        self.files = {"/ok.jpg": jpeg(), "/huge.jpg": b"\xff" * (PHOTO_LIMIT + 1)}
        self.flaky_failures = 2
        self.requests: list[str] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append(path)
        if path == "/flaky.jpg" and self.flaky_failures > 0:
            self.flaky_failures -= 1
            return httpx.Response(503)
        if path == "/flaky.jpg":
            return httpx.Response(200, content=jpeg("blue"), headers={"content-type": "image/jpeg"})
        if path == "/text.jpg":
            return httpx.Response(200, content=b"<html>", headers={"content-type": "image/jpeg"})
        if path not in self.files:
            return httpx.Response(404)
        return httpx.Response(200, content=self.files[path], headers={"content-type": "image/jpeg"})


def zalo_image(*urls: str) -> bytes:
    return zalo_body(
        {
            "event_name": "user_send_image",
            "app_id": APP_ID,
            "sender": {"id": ZALO_USER},
            "recipient": {"id": OA_ID},
            "message": {
                "text": "Ảnh cống bị tắc ở ngõ 12",
                "msg_id": secrets.token_hex(10),
                "attachments": [
                    {"type": "image", "payload": {"thumbnail": url, "url": url}} for url in urls
                ],
            },
            "timestamp": str(now_ms()),
        }
    )


@pytest.fixture
async def cdn() -> AsyncIterator[tuple[Cdn, str]]:
    fake = Cdn()
    async with serve(fake.handle) as url:
        yield fake, url


@pytest.fixture
async def media_client(
    database_url: str,
    backend_name: str,
    channel_env: dict[str, str],
    tmp_path: Path,
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = make_settings(
        database_url,
        REDIS_URL if backend_name == "postgres" else None,
        **channel_env,
        TIENGDAN_MEDIA_DIR=str(tmp_path / "media"),
        TIENGDAN_MEDIA_HOSTS="127.0.0.1",
        TIENGDAN_MAX_PHOTO_BYTES=str(PHOTO_LIMIT),
    )
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def stored_attachments(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    [row] = await rows(client, "SELECT attachments FROM messages WHERE direction = 'in'")
    value = row[0]
    return value if isinstance(value, list) else json.loads(value)


async def run_fetch(client: AsyncTestClient[Any]) -> None:
    """Wake the job as the sweep does, on the app's own loop (the test's loop serves the CDN)."""
    queue = client.app.state.resources.queue
    await asyncio.wrap_future(client.blocking_portal.start_task_soon(queue.wake, "fetch_media"))
    await settle(client)


async def test_images_are_kept_and_bad_links_are_marked(
    media_client: AsyncTestClient[Any], fake_zalo: FakeZalo, cdn: tuple[Cdn, str]
) -> None:
    fake_cdn, base = cdn
    urls = [
        f"{base}/{name}" for name in ("ok.jpg", "gone.jpg", "huge.jpg", "text.jpg", "flaky.jpg")
    ]
    body = zalo_image(*urls, "https://evil.example/x.jpg")
    answer = await media_client.post("/webhooks/zalo", content=body, headers=fake_zalo.sign(body))
    assert answer.status_code == 200, answer.text
    await settle(media_client)  # process_inbound made the case and woke fetch_media

    ok, gone, huge, text, flaky, evil = await stored_attachments(media_client)
    assert ok["sha256"] and (ok["width"], ok["height"]) == (40, 30)
    assert gone["fetch_error"] == "HTTP 404" and "sha256" not in gone
    assert huge["oversize"] is True and "sha256" not in huge
    assert text["fetch_error"] == "the body is not a readable image"
    assert "not on the media allow-list" in evil["fetch_error"]
    assert "/x.jpg" not in fake_cdn.requests  # never asked
    assert "sha256" not in flaky and flaky["fetch_attempts"] == 1  # 503: later

    await run_fetch(media_client)  # the sweep's wake-up: 503 again
    await run_fetch(media_client)  # now it answers
    *_, flaky, _ = await stored_attachments(media_client)
    assert flaky["sha256"] and flaky["fetch_attempts"] == 2
    requests_before = list(fake_cdn.requests)
    await run_fetch(media_client)
    assert fake_cdn.requests == requests_before  # nothing pending: nothing fetched again

    settings = media_client.app.state.settings
    await create_user(settings, "hoankiem", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(media_client, "hoankiem")
    [case] = (await media_client.get("/api/v1/cases", headers=staff)).json()["items"]
    served = await media_client.get(
        f"/api/v1/cases/{case['id']}/photos/{ok['sha256']}", headers=staff
    )
    assert served.status_code == 200 and served.content == fake_cdn.files["/ok.jpg"]


async def test_an_image_behind_thousands_of_newer_messages_is_still_fetched(
    media_client: AsyncTestClient[Any], fake_zalo: FakeZalo, cdn: tuple[Cdn, str]
) -> None:
    """The work list is the pending mark, not a window of the newest messages."""
    fake_cdn, base = cdn
    fake_cdn.flaky_failures = 1
    body = zalo_image(f"{base}/flaky.jpg")
    answer = await media_client.post("/webhooks/zalo", content=body, headers=fake_zalo.sign(body))
    assert answer.status_code == 200, answer.text
    await settle(media_client)  # the first try meets a 503: still pending
    pending_sql = "SELECT id, media_pending FROM messages WHERE direction = 'in'"
    [(message_id, pending)] = await rows(media_client, pending_sql)
    assert pending
    # A busy day: six thousand messages arrive after it before the next try.
    newer = await rows(
        media_client,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)"
        " INSERT INTO messages (case_id, direction, channel, text, public, media_pending,"
        " created_at) SELECT m.case_id, 'out', 'web', 'Đã nhận', true, false, m.created_at"
        " FROM n CROSS JOIN messages m WHERE m.id = :id RETURNING id",
        id=message_id,
    )
    assert len(newer) == 6000 and min(row[0] for row in newer) > message_id
    await run_fetch(media_client)
    [flaky] = await stored_attachments(media_client)
    assert flaky["sha256"] and flaky["fetch_attempts"] == 1
    assert [tuple(row) for row in await rows(media_client, pending_sql)] == [(message_id, False)]
    assert fake_cdn.requests == ["/flaky.jpg", "/flaky.jpg"]
