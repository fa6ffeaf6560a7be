"""The public Q&A page shows only what staff published, without personal data, searchable
without accents; the case page's suggestions insert into the reply box and send nothing."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import StaffApi
from tests.pwa.test_staff_pages import HOAN_KIEM, log_in

pytestmark = pytest.mark.browser


def staff_api_cases(api: StaffApi) -> list[dict[str, Any]]:
    """The newest cases in the caller's scope."""
    answer = api.client.get("/cases", params={"page_size": 50})
    answer.raise_for_status()
    return list(answer.json()["items"])


def grouped_case(base_url: str, api: StaffApi, text: str) -> dict[str, Any]:
    """Send feedback as a citizen and wait until the worker classified and grouped it."""
    sent = httpx.post(
        f"{base_url}/api/v1/feedback", json={"text": text, "commune_code": HOAN_KIEM}, timeout=10
    )
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        newest = staff_api_cases(api)
        found = [c for c in newest if c["tracking_code"] == code]
        if found and found[0]["group_id"] is not None:
            return found[0]
        time.sleep(0.2)
    pytest.fail("the case was never grouped")


def test_public_answers_page(page: Any, base_url: str, staff_api: StaffApi) -> None:
    marker = f"dendoi{uuid.uuid4().hex[:8]}"
    case = grouped_case(
        base_url, staff_api, f"Đèn đường phố Đinh Tiên Hoàng tắt cả tuần, tối rất tối ({marker})."
    )
    staff_api.client.post(
        f"/cases/{case['id']}/replies",
        json={"text": "Phường đã thay bóng đèn phố Đinh Tiên Hoàng.", "answer": True},
    ).raise_for_status()
    group = case["group_id"]
    # Not published yet: the page does not show it.
    page.goto(f"/answers.html?commune={HOAN_KIEM}")
    expect(page.locator("#answers-title")).to_contain_text("Hoàn Kiếm")
    expect(page.locator("#answer-list")).not_to_contain_text(marker)
    published = staff_api.client.post(
        f"/groups/{group}/publication/publish",
        json={
            "question": f"Đèn đường Đinh Tiên Hoàng tắt ({marker}). Tôi tên là Lê Thị Hoa, "
            "sđt 0987654321.",
            "answer": "Phường đã thay bóng đèn phố Đinh Tiên Hoàng.",
        },
    )
    published.raise_for_status()
    page.reload()
    item = page.locator("#answer-list li", has_text=marker)
    expect(item).to_be_visible()
    expect(item.locator(".citizens")).to_contain_text("người dân đã nêu vấn đề này")
    assert "Lê Thị Hoa" not in page.content() and "0987654321" not in page.content()
    # Accent-insensitive search over question and answer.
    page.fill("#answer-search", "dinh tien hoang thay bong")
    expect(page.locator("#answer-list li", has_text=marker)).to_be_visible()
    page.fill("#answer-search", "khong co cau nay")
    expect(page.locator("#answer-list li")).to_have_count(0)
    expect(page.locator("#answer-count")).to_have_text("Chưa có câu hỏi nào được công khai")
    staff_api.client.post(f"/groups/{group}/publication/unpublish").raise_for_status()
    page.goto(f"/answers.html?commune={HOAN_KIEM}")
    expect(page.locator("#answer-count")).to_be_visible()
    expect(page.locator("#answer-list")).not_to_contain_text(marker)


def test_suggestions_insert_into_the_reply_box(
    page: Any, base_url: str, staff_api: StaffApi
) -> None:
    title = f"Mẫu {uuid.uuid4().hex[:6]}"
    created = staff_api.client.post(
        "/canned-responses",
        json={
            "title": title,
            "body": "Kính gửi {ten_cong_dan}, mã {ma_theo_doi} đã được tiếp nhận.",
        },
    )
    created.raise_for_status()
    case = grouped_case(base_url, staff_api, "Thẻ BHYT của cả nhà tôi hết hạn, gia hạn thế nào?")
    before = len(staff_api.detail(case["id"])["messages"])
    log_in(page, f"/case.html?id={case['id']}")
    canned = page.locator("#suggestion-list li", has_text=title)
    expect(canned).to_be_visible()
    page.fill("#reply-text", "Chào ông/bà.")
    canned.get_by_role("button", name="Chèn vào ô trả lời").click()
    expected = f"Chào ông/bà.\nKính gửi ông/bà, mã {case['tracking_code']} đã được tiếp nhận."
    expect(page.locator("#reply-text")).to_have_value(expected)
    guide = page.locator("#suggestion-list li.suggestion-guide", has_text="BHYT")
    expect(guide.first).to_be_visible()
    guide.first.get_by_role("button", name="Chèn vào ô trả lời").click()
    assert "/guide.html?id=bhyt-renewal" in page.locator("#reply-text").input_value()
    # Inserting never sends: the thread is unchanged until staff press "send".
    assert len(staff_api.detail(case["id"])["messages"]) == before
    staff_api.client.delete(f"/canned-responses/{created.json()['id']}").raise_for_status()


def test_staff_review_and_publish_from_the_group_page(
    page: Any, browser: Any, base_url: str, staff_api: StaffApi
) -> None:
    marker = f"vahe{uuid.uuid4().hex[:8]}"
    case = grouped_case(
        base_url,
        staff_api,
        f"Vỉa hè phố Hàng Trống bị lấn chiếm hết ({marker}). Tôi tên là Đỗ Văn Nam, sđt 0911222333.",
    )
    group = case["group_id"]
    log_in(page, f"/groups.html?id={group}")
    expect(page.locator("#publish-state")).to_contain_text("Trả lời nhóm này trước")
    page.fill("#answer-text", "Phường đã ra quân dẹp lấn chiếm vỉa hè phố Hàng Trống.")
    page.get_by_role("button", name="Gửi trả lời cho cả nhóm").click()
    expect(page.locator("#publish-state")).to_have_attribute("data-published", "false")
    assert "0911222333" not in page.locator("#publish-question").input_value()
    page.fill("#publish-question", f"Vỉa hè Hàng Trống bị lấn chiếm ({marker}), sđt 0911222333?")
    page.get_by_role("button", name="Công khai", exact=True).click()
    expect(page.locator("#publish-state")).to_have_attribute("data-published", "true")
    assert "0911222333" not in page.locator("#publish-question").input_value()  # redacted again
    citizen = browser.new_context(base_url=base_url, locale="vi-VN")
    try:
        public = citizen.new_page()
        public.goto(f"/answers.html?commune={HOAN_KIEM}")
        expect(public.locator("#answer-list li", has_text=marker)).to_be_visible()
        assert "0911222333" not in public.content() and "Đỗ Văn Nam" not in public.content()
        page.get_by_role("button", name="Thôi công khai").click()
        expect(page.locator("#publish-state")).to_have_attribute("data-published", "false")
        public.reload()
        expect(public.locator("#answer-count")).to_be_visible()
        expect(public.locator("#answer-list")).not_to_contain_text(marker)
    finally:
        citizen.close()
