"""A volunteer records a resident's feedback offline, with a photo resized on the device."""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import DEMO_PASSWORD, StaffApi, wait_until_controlled

pytestmark = pytest.mark.browser

PHOTO_OF_STORED_ITEM = """async (marker) => {
  const outbox = await import("/js/outbox.js");
  const item = (await outbox.listItems()).find((i) => i.payload.text.includes(marker));
  const bitmap = await createImageBitmap(item.photo.blob);
  return { type: item.photo.blob.type, width: bitmap.width, height: bitmap.height,
           assisted: item.assisted, consent: item.payload.consent };
}"""


def big_png(path: Path, width: int, height: int) -> Path:
    """A plain RGB PNG larger than the 1280 px limit (RFC 2083 chunks, stdlib only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes((30, 120, 200)) * width
    body = zlib.compress(row * height, 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
    return path


def test_volunteer_records_assisted_feedback_with_photo_offline(
    page: Any, staff_api: StaffApi, tmp_path: Path
) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    page.goto("/login.html")
    page.fill("#username", "tinhnguyen")
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/volunteer\.html$"))
    wait_until_controlled(page)
    # The volunteer's scope is one ward: it is chosen already.
    expect(page.locator("#commune-chosen")).to_contain_text("Phường Hoàn Kiếm")

    page.context.set_offline(True)
    page.reload()  # opens offline with the account saved on the device
    expect(page.locator("#who")).to_contain_text("Ngoại tuyến")
    expect(page.locator("#commune-chosen")).to_contain_text("Phường Hoàn Kiếm")
    page.fill("#text", f"Bà Lan (80 tuổi) đề nghị hỗ trợ làm thẻ BHYT, chưa có VNeID ({marker}).")
    page.set_input_files("#photo", str(big_png(tmp_path / "giay-to.png", 2400, 1200)))
    expect(page.locator("#photo-preview")).to_contain_text("1280×640")

    page.get_by_role("button", name="Gửi ý kiến").click()
    assert page.evaluate("document.getElementById('resident-agreed').validationMessage") != ""
    expect(page.locator(".outbox li.empty")).to_have_count(1)
    page.check("#resident-agreed")
    page.get_by_role("button", name="Gửi ý kiến").click()
    item = page.locator(".outbox li", has_text=marker)
    expect(item).to_have_attribute("data-status", "waiting")
    expect(item).to_contain_text("Ý kiến ghi hộ người dân")
    expect(item.locator("img.thumb")).to_be_visible()
    photo = page.evaluate(PHOTO_OF_STORED_ITEM, marker)
    assert photo == {
        "type": "image/jpeg",
        "width": 1280,
        "height": 640,
        "assisted": True,
        "consent": True,
    }

    page.context.set_offline(False)
    expect(item).to_have_attribute("data-status", "sent", timeout=15_000)
    [case] = staff_api.cases(marker)
    assert case["commune_code"] == "00070" and case["channel"] == "web"
    [message] = staff_api.detail(case["id"])["messages"]
    assert message["assisted_by"] == "Tổ công nghệ số cộng đồng"
    [stored] = message["attachments"]
    assert (stored["content_type"], stored["width"], stored["height"]) == ("image/jpeg", 1280, 640)
    served = staff_api.client.get(f"/cases/{case['id']}/photos/{stored['sha256']}")
    assert served.status_code == 200 and served.content[:3] == b"\xff\xd8\xff"  # JPEG
    # Sent: the device keeps neither the photo nor contact details.
    assert (
        page.evaluate(
            "async (m) => (await (await import('/js/outbox.js')).listItems())"
            ".find((i) => i.payload.text.includes(m)).photo",
            marker,
        )
        is None
    )


def test_volunteer_page_offline_without_a_saved_account_asks_to_log_in_once(page: Any) -> None:
    page.goto("/")
    wait_until_controlled(page)
    page.context.set_offline(True)
    page.goto("/volunteer.html")
    expect(page.locator("#gate")).to_contain_text("đăng nhập một lần")
    expect(page.locator("#main-content")).to_be_hidden()
