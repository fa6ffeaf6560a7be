"""Campaigns, follow-ups and the staff pages' Content Security Policy, in a real browser."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import StaffApi, wait_until_controlled
from tests.pwa.test_staff_pages import log_in

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_staff_pages_keep_the_content_security_policy(page: Any) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, "/dashboard.html", "hanoi")
    expect(page.locator("#dash-status")).to_contain_text("Số liệu lúc")
    for path, ready in [
        ("/dashboard.html", "#trend-chart"),
        ("/groups.html", "#groups li"),
        ("/campaigns.html", "#campaigns li"),
        ("/notifications.html", "#push-panel *"),
        ("/inbox.html", "#cases li"),
    ]:
        page.goto(path)
        expect(page.locator(ready).first).to_be_visible()
        assert page.evaluate("window.__cspViolations") == [], path
        nav = page.get_by_role("navigation", name="Điều hướng chính")
        expect(nav.get_by_role("link", name="Chiến dịch")).to_be_visible()


def test_campaign_compose_preview_send_shows_counts(page: Any, base_url: str) -> None:
    title = f"Nhắc gia hạn BHYT {uuid.uuid4().hex[:6]}"
    log_in(page, "/campaigns.html", "hoankiem")
    page.fill("#c-title", title)
    page.fill("#c-body", "Tuần này hướng dẫn bà con gia hạn thẻ BHYT trên VssID.")
    page.fill("#c-url", "/guides.html")
    page.get_by_label("Tình nguyện viên").check()
    page.fill("#c-quiet-start", "21:00")
    page.fill("#c-quiet-end", "07:00")
    page.get_by_role("button", name="Lưu và xem trước").click()
    preview = page.locator("#preview")
    expect(preview).to_be_visible()
    expect(page.locator("#preview-count")).to_contain_text("người sẽ nhận")
    expect(preview.locator(".n-title")).to_have_text(title)
    api = StaffApi(base_url, "hoankiem")
    try:
        [stored] = [c for c in api.client.get("/campaigns").json()["items"] if c["title"] == title]
        assert stored["state"] == "draft" and stored["roles"] == ["volunteer"]
        assert (stored["quiet_start"], stored["quiet_end"]) == ("21:00", "07:00")
        expected = api.client.post(f"/campaigns/{stored['id']}/preview").json()["recipients"]
        expect(page.locator("#preview-count")).to_have_text(f"{expected} người sẽ nhận")
        page.locator("#p-send").click()
        expect(page.locator("#campaign-line")).to_have_text(f"Đã gửi “{title}”.")
        item = page.locator(f"#campaigns li[data-id='{stored['id']}']")
        expect(item).to_have_attribute("data-state", re.compile("scheduled|sending|sent"))
        for key in ("recipients", "sent", "delivered", "expired", "failed"):
            expect(item.locator(f"[data-count={key}] dd")).to_have_text(re.compile(r"^\d+$"))
        assert api.client.get(f"/campaigns/{stored['id']}").json()["state"] != "draft"
    finally:
        api.client.close()


def test_volunteer_adds_and_completes_a_follow_up(page: Any) -> None:
    note = f"Xem lại hồ sơ cấp đổi CCCD của bác Lan ({uuid.uuid4().hex[:6]})"
    log_in(page, "/volunteer.html", "tinhnguyen")
    page.fill("#fu-note", note)
    page.fill("#fu-days", "3")
    page.get_by_role("button", name="Thêm lời nhắc").click()
    expect(page.locator("#fu-status")).to_have_text("Đã thêm lời nhắc.")
    item = page.locator("#fu-list li", has_text=note)
    expect(item).to_have_attribute("data-state", "pending")
    item.get_by_role("button", name="Đã xong").click()
    expect(item).to_have_attribute("data-state", "done")
    page.reload()  # stored on the server, not only on the page
    expect(item).to_have_attribute("data-state", "done")
    item.get_by_role("button", name="Xóa").click()
    expect(page.locator("#fu-status")).to_have_text("Đã xóa lời nhắc.")
    expect(item).to_have_count(0)


STAFF_PAGES = [
    ("/dashboard.html", "Tổng hợp ý kiến"),
    ("/groups.html", "Nhóm vấn đề"),
    ("/campaigns.html", "Chiến dịch nhắc nhở"),
    ("/notifications.html", "Thông báo trên thiết bị này"),
    ("/inbox.html", "Hộp thư ý kiến"),
]


def test_staff_pages_open_offline_and_say_so(page: Any) -> None:
    log_in(page, "/dashboard.html", "hanoi")
    wait_until_controlled(page)
    page.context.set_offline(True)
    for path, heading in STAFF_PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
        expect(page.locator("#offline-notice")).to_be_visible()
        expect(page.locator("#gate")).to_contain_text("Cần có mạng")
    page.context.set_offline(False)


def test_staff_pages_fit_a_small_phone(browser: Any, base_url: str) -> None:
    """320 CSS pixels wide: nothing wider than the screen (tables scroll inside their box)."""
    small = browser.new_context(
        base_url=base_url, locale="vi-VN", viewport={"width": 320, "height": 640}
    )
    try:
        page = small.new_page()
        log_in(page, "/dashboard.html", "hanoi")
        expect(page.locator("#trend-chart")).to_be_visible()
        for path, ready in [
            ("/dashboard.html", "#coverage"),
            ("/groups.html", "#groups li"),
            ("/campaigns.html", "#campaign-form"),
            ("/inbox.html", "#cases li"),
        ]:
            page.goto(path)
            expect(page.locator(ready).first).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width} px wide"
    finally:
        small.close()
