"""Photos on web feedback, and feedback a volunteer records for a resident."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from backend.app import create_app
from backend.db.models import Role
from backend.errors import NotFound
from backend.feedback.service import CitizenCaseService
from backend.media import MediaStore
from tests.backend.conftest import rows
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit
from tests.conftest import REDIS_URL, make_settings

MAX_BYTES = 200_000


@pytest.fixture
async def app_client(
    database_url: str, backend_name: str, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = make_settings(
        database_url,
        REDIS_URL if backend_name == "postgres" else None,
        TIENGDAN_MEDIA_DIR=str(tmp_path / "media"),
        TIENGDAN_MAX_PHOTO_BYTES=str(MAX_BYTES),
    )
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge size; its few bytes of pixel data never fill it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def post_photo(
    client: AsyncTestClient[Any],
    receipt: dict[str, Any],
    body: bytes,
    content_type: str = "image/jpeg",
    token: str | None = None,
) -> Any:
    return await client.post(
        f"/api/v1/feedback/{receipt['tracking_code']}/photos",
        content=body,
        headers={
            "Content-Type": content_type,
            "X-Status-Token": token or receipt["status_token"],
        },
    )


async def attachments(client: AsyncTestClient[Any], tracking_code: str) -> list[Any]:
    found = await rows(
        client,
        "SELECT m.attachments FROM messages m JOIN cases c ON c.id = m.case_id"
        " WHERE c.tracking_code = :code",
        code=tracking_code,
    )
    value = found[0][0]
    return value if isinstance(value, list) else __import__("json").loads(value or "[]")


async def test_a_photo_is_stored_once_and_served_to_the_citizen_and_staff(
    app_client: AsyncTestClient[Any],
) -> None:
    receipt = await submit(app_client)
    photo = image()
    first = await post_photo(app_client, receipt, photo)
    assert first.status_code == 201, first.text
    assert first.json()["width"] == 64 and first.json()["height"] == 48
    again = await post_photo(app_client, receipt, photo)
    assert again.status_code == 200  # a retried upload adds nothing
    assert len(await attachments(app_client, receipt["tracking_code"])) == 1

    served = await app_client.get(first.json()["url"], params={"token": receipt["status_token"]})
    assert served.status_code == 200
    assert served.content == photo and served.headers["content-type"] == "image/jpeg"
    wrong = await app_client.get(first.json()["url"], params={"token": "0" * 32})
    assert wrong.status_code == 404

    settings = app_client.app.state.settings
    await create_user(settings, "hoankiem", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "badinh", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    staff = await bearer(app_client, "hoankiem")
    case_id = (
        await rows(
            app_client, "SELECT id FROM cases WHERE tracking_code = :c", c=receipt["tracking_code"]
        )
    )[0][0]
    detail = (await app_client.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
    [stored] = detail["messages"][0]["attachments"]
    assert stored["sha256"] == first.json()["sha256"] and stored["content_type"] == "image/jpeg"
    url = f"/api/v1/cases/{case_id}/photos/{stored['sha256']}"
    assert (await app_client.get(url, headers=staff)).content == photo
    other = await bearer(app_client, "badinh")
    assert (await app_client.get(url, headers=other)).status_code == 404


async def test_bad_photos_get_clear_errors_and_change_nothing(
    app_client: AsyncTestClient[Any],
) -> None:
    receipt = await submit(app_client)
    cases = [
        (b"not an image at all", "image/jpeg", 422),
        (image("PNG"), "image/jpeg", 415),  # the body is not what it says
        (image(), "application/pdf", 415),
        (image("PNG", (1200, 1200), "blue") + b"\0" * MAX_BYTES, "image/png", 413),
        (image(size=(5000, 10)), "image/jpeg", 422),
        (png_header(12_000, 12_000), "image/png", 422),  # Pillow only warns at this size
        (png_header(40_000, 40_000), "image/png", 422),  # a "decompression bomb": Pillow refuses
    ]
    for body, content_type, status in cases:
        response = await post_photo(app_client, receipt, body, content_type)
        assert response.status_code == status, (content_type, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    wrong_token = await post_photo(app_client, receipt, image(), token="f" * 32)
    assert wrong_token.status_code == 404
    assert await attachments(app_client, receipt["tracking_code"]) == []


async def test_the_photo_is_read_only_once_code_and_token_are_good(
    app_client: AsyncTestClient[Any],
) -> None:
    """A wrong token costs the server no upload: the body stays unread (it can be megabytes)."""
    receipt = await submit(app_client)
    reads: list[int] = []

    async def read_body() -> bytes:
        reads.append(1)
        return image()

    settings = app_client.app.state.settings
    media = MediaStore(settings.media.dir)
    async with app_client.app.state.resources.sessions() as session:
        service = CitizenCaseService(session, settings.auth.secret_key)
        for code, token in [
            (receipt["tracking_code"], "f" * 32),
            ("AAAAA-AAAAA", receipt["status_token"]),
        ]:
            with pytest.raises(NotFound):
                await service.add_photo(code, token, read_body, "image/jpeg", media, settings.media)
        assert reads == []
        _, added = await service.add_photo(
            receipt["tracking_code"],
            receipt["status_token"],
            read_body,
            "image/jpeg",
            media,
            settings.media,
        )
    assert added and reads == [1]


async def test_a_case_holds_a_limited_number_of_photos(app_client: AsyncTestClient[Any]) -> None:
    receipt = await submit(app_client)
    for colour in ("red", "green", "blue"):
        assert (await post_photo(app_client, receipt, image(colour=colour))).status_code == 201
    fourth = await post_photo(app_client, receipt, image(colour="white"))
    assert fourth.status_code == 422
    assert len(await attachments(app_client, receipt["tracking_code"])) == 3


async def test_a_volunteer_records_feedback_for_a_resident_with_consent(
    app_client: AsyncTestClient[Any],
) -> None:
    settings = app_client.app.state.settings
    await create_user(settings, "tinhnguyen", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    await create_user(settings, "hoankiem", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    volunteer = await bearer(app_client, "tinhnguyen")
    body = {"text": "Bà Lan nhờ phản ánh: cống ngõ 12 tắc.", "commune_code": HOAN_KIEM}

    anonymous = await app_client.post("/api/v1/feedback", json={**body, "assisted": True})
    assert anonymous.status_code == 401
    no_consent = await app_client.post(
        "/api/v1/feedback", json={**body, "assisted": True}, headers=volunteer
    )
    assert no_consent.status_code == 422
    elsewhere = await app_client.post(
        "/api/v1/feedback",
        json={**body, "commune_code": BA_DINH, "assisted": True, "consent": True},
        headers=volunteer,
    )
    assert elsewhere.status_code == 403
    assert (await rows(app_client, "SELECT count(*) FROM cases"))[0][0] == 0

    done = await app_client.post(
        "/api/v1/feedback", json={**body, "assisted": True, "consent": True}, headers=volunteer
    )
    assert done.status_code == 201, done.text
    staff = await bearer(app_client, "hoankiem")
    [case] = (await app_client.get("/api/v1/cases", headers=staff)).json()["items"]
    detail = (await app_client.get(f"/api/v1/cases/{case['id']}", headers=staff)).json()
    assert detail["messages"][0]["assisted_by"] == "tinhnguyen"
