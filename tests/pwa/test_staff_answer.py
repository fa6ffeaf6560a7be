"""A citizen sends feedback, staff answer it in the inbox, and the tracking page shows the answer."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import DEMO_PASSWORD, StaffApi, wait_until_controlled

pytestmark = pytest.mark.browser


def send_feedback(page: Any, text: str) -> tuple[str, str]:
    """Fill the form as a citizen would (commune typed without accents); returns (code, link)."""
    page.goto("/feedback.html")
    wait_until_controlled(page)
    page.fill("#commune-search", "hoan kiem")
    page.get_by_role("option", name=re.compile("^Phường Hoàn Kiếm")).click()
    page.fill("#text", text)
    page.fill("#name", "Nguyễn Văn An")
    page.fill("#phone", "0912 345 678")
    page.get_by_role("button", name="Gửi ý kiến").click()
    # Without consent the browser's own validation stops the form: nothing is queued.
    assert page.evaluate("document.getElementById('consent').validationMessage") != ""
    expect(page.locator(".outbox li.empty")).to_have_count(1)
    page.check("#consent")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#receipt-code")).to_be_visible()
    return page.locator("#receipt-code").inner_text(), page.locator("#receipt-link").get_attribute(
        "href"
    )


def answer_in_inbox(page: Any, marker: str, answer: str) -> None:
    """Log in as commune staff, find the case with the filters, note, assign, reply."""
    page.goto("/inbox.html")
    expect(page).to_have_url(re.compile(r"/login\.html\?next="))
    page.fill("#username", "hoankiem")
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/inbox\.html"))
    page.locator("#filters summary").click()
    page.fill("#f-q", marker)
    page.select_option("#f-status", "new")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#inbox-status")).to_have_text("1 ý kiến")
    assert "status=new" in page.url and f"q={marker}" in page.url
    page.locator(".cases a").click()
    expect(page.locator("#case-state")).to_have_attribute("data-status", "new")
    page.fill("#note-text", "Đã chuyển tổ dân phố kiểm tra.")
    page.get_by_role("button", name="Thêm ghi chú").click()
    expect(page.locator("#case-notes")).to_contain_text("Đã chuyển tổ dân phố kiểm tra.")
    page.get_by_role("button", name="Giao cho tôi").click()
    expect(page.locator("#case-facts")).to_contain_text("Tôi")
    page.select_option("#fix-topic", "construction_infrastructure")
    page.get_by_role("button", name="Lưu phân loại").click()
    expect(page.locator("#case-facts")).to_contain_text("Xây dựng & hạ tầng")
    page.fill("#reply-text", answer)
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("#case-state")).to_have_attribute("data-status", "answered")
    expect(page.locator("#thread li.outbound")).to_contain_text(answer)


def test_staff_answer_shows_on_the_citizens_tracking_page(browser: Any, base_url: str) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    answer = f"Phường đã cử công nhân thông cống ngõ 12 sáng nay ({marker})."
    citizen = browser.new_context(base_url=base_url, locale="vi-VN")
    staff = browser.new_context(base_url=base_url, locale="vi-VN")
    try:
        citizen_page = citizen.new_page()
        code, link = send_feedback(
            citizen_page, f"Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà ({marker})."
        )
        assert link.startswith(f"/track.html?code={code}#")
        answer_in_inbox(staff.new_page(), marker, answer)

        citizen_page.goto(link)
        expect(citizen_page.locator("#case-status")).to_have_attribute("data-status", "answered")
        expect(citizen_page.locator("#thread li.outbound")).to_contain_text(answer)
        expect(citizen_page.locator("#case-view")).not_to_contain_text(
            "Đã chuyển tổ dân phố"
        )  # notes stay internal

        citizen_page.fill("#reopen-reason", "Mưa to lại tắc.")
        citizen_page.get_by_role("button", name="Chưa được giải quyết").click()
        expect(citizen_page.locator("#case-status")).to_have_attribute("data-status", "reopened")

        # The pretty link from the receipt's status_url opens the same page.
        token = link.split("#", 1)[1]
        citizen_page.goto(f"/track/{code}#{token}")
        expect(citizen_page.locator("#thread")).to_contain_text("Mưa to lại tắc.")
    finally:
        citizen.close()
        staff.close()


def test_citizen_follow_up_written_offline_joins_the_thread(page: Any, staff_api: StaffApi) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    _, link = send_feedback(page, f"Rác ở góc phố Hàng Mắm chưa được thu gom ({marker}).")
    kept = page.evaluate(
        """() => import("/js/outbox.js").then(async (o) => (await o.listItems())[0].payload)"""
    )
    assert (kept["name"], kept["phone"], kept["consent"]) == (
        None,
        None,
        True,
    )  # scrubbed once sent
    page.goto(link)
    expect(page.locator("#case-status")).to_have_attribute("data-status", "new")
    page.context.set_offline(True)
    page.reload()  # the last status seen is kept for offline reading
    expect(page.locator("#case-note")).to_contain_text("ngoại tuyến")
    page.fill("#follow-up-text", f"Bổ sung: rác đã bốc mùi ({marker}-2).")
    page.get_by_role("button", name="Gửi thêm").click()
    expect(page.locator("#follow-up-outbox li[data-status=waiting]")).to_have_count(1)
    page.context.set_offline(False)
    expect(page.locator("#thread")).to_contain_text(f"({marker}-2)", timeout=15_000)
    [case] = staff_api.cases(marker)
    texts = [m["text"] for m in staff_api.detail(case["id"])["messages"]]
    assert sum(f"({marker}-2)" in text for text in texts) == 1
