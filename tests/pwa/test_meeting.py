"""A voter meeting entered offline in the PWA reaches the backend exactly once on reconnect."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import DEMO_PASSWORD, StaffApi, wait_until_controlled

pytestmark = pytest.mark.browser

# A lost answer: the meeting reached the server but the page never heard back, so the item is
# "waiting" again with the same key. Draining again must not store a second meeting.
RESEND_MEETING = """async (marker) => {
  const outbox = await import("/js/outbox.js");
  const item = (await outbox.listItems()).find((i) => i.kind === "meeting" && i.payload.place.includes(marker));
  const db = await new Promise((ok) => { const r = indexedDB.open("tiengdan"); r.onsuccess = () => ok(r.result); });
  await new Promise((ok) => {
    const tx = db.transaction("outbox", "readwrite");
    tx.objectStore("outbox").put({ ...item, status: "waiting", result: null });
    tx.oncomplete = ok;
  });
  db.close();
  await outbox.drain();
  const again = (await outbox.listItems()).find((i) => i.id === item.id);
  return { status: again.status, result: again.result };
}"""


def meetings_with(staff_api: StaffApi, marker: str) -> list[dict[str, Any]]:
    answer = staff_api.client.get("/meetings", params={"page_size": 200})
    answer.raise_for_status()
    return [m for m in answer.json()["items"] if marker in m["place"]]


def test_meeting_entered_offline_is_stored_once(page: Any, staff_api: StaffApi) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    page.goto("/login.html")
    page.fill("#username", "tinhnguyen")
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/volunteer\.html$"))
    page.goto("/meeting.html")
    wait_until_controlled(page)
    expect(page.locator("#commune-chosen")).to_contain_text("Phường Hoàn Kiếm")

    page.context.set_offline(True)
    page.reload()  # the page and the saved account open without a network
    expect(page.locator("#commune-chosen")).to_contain_text("Phường Hoàn Kiếm")
    page.fill("#place", f"Nhà văn hoá tổ dân phố 3 ({marker})")
    page.fill("#organizer", "Ban công tác Mặt trận tổ dân phố 3")
    page.fill("#attendance", "42")
    page.fill("#delegates", "Đại biểu Nguyễn Thị Hoa\nĐại biểu Trần Văn Nam")
    page.fill("#speaker-1", "Ông Lê Văn Tư")
    page.fill("#opinion-1", f"Cống ngõ 3 phố Hàng Bồ tắc, mưa là ngập ({marker}).")
    page.get_by_role("button", name="Thêm ý kiến").click()
    page.fill("#opinion-2", f"Đề nghị lắp thêm đèn đường ngõ 3 ({marker}).")
    page.get_by_role("button", name="Lưu biên bản").click()
    item = page.locator(".outbox li", has_text=marker)
    expect(item).to_have_attribute("data-status", "waiting")
    expect(item).to_contain_text("Biên bản tiếp xúc cử tri")
    page.reload()  # the outbox survives a reload while offline
    expect(item).to_have_attribute("data-status", "waiting")
    assert meetings_with(staff_api, marker) == []

    page.context.set_offline(False)
    expect(item).to_have_attribute("data-status", "sent", timeout=15_000)
    expect(item).to_contain_text("Đã lưu 2 ý kiến")
    [meeting] = meetings_with(staff_api, marker)
    assert meeting["commune_code"] == "00070" and meeting["attendance"] == 42
    assert meeting["delegates"] == ["Đại biểu Nguyễn Thị Hoa", "Đại biểu Trần Văn Nam"]
    cases = staff_api.cases(marker)
    assert len(cases) == 2 and {c["channel"] for c in cases} == {"meeting"}

    resent = page.evaluate(RESEND_MEETING, marker)
    assert resent["status"] == "sent" and resent["result"]["meeting_id"] == meeting["id"]
    assert len(meetings_with(staff_api, marker)) == 1 and len(staff_api.cases(marker)) == 2
