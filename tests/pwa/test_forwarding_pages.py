"""The case page forwards and escalates and shows the unit's answer; the tracking page rates."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import DEMO_PASSWORD, StaffApi

pytestmark = pytest.mark.browser


def new_case(base_url: str, text: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{base_url}/api/v1/feedback",
        json={"text": text, "commune_code": "00070", "idempotency_key": uuid.uuid4().hex},
        timeout=10,
    )
    answer.raise_for_status()
    return dict(answer.json())


def test_forward_escalate_and_the_units_answer_on_the_case_page(
    page: Any, browser: Any, base_url: str, staff_api: StaffApi
) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    new_case(base_url, f"Cây đổ chắn ngõ giáp ranh hai phường ({marker}).")
    [case] = staff_api.cases(marker)
    page.goto("/login.html")
    page.fill("#username", "hoankiem")
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/inbox\.html"))
    page.goto(f"/case.html?id={case['id']}")
    expect(page.locator("#forwarding-list")).to_contain_text("Chưa chuyển cho đơn vị nào.")
    page.select_option("#forward-kind", "commune")
    page.fill("#forward-commune", "00004")
    page.fill("#forward-note", "Cây thuộc địa bàn Ba Đình")
    page.get_by_role("button", name="Chuyển", exact=True).click()
    forwarded = page.locator("#forwarding-list li").first
    expect(forwarded).to_contain_text("UBND Phường Ba Đình")
    expect(forwarded).to_have_attribute("data-deadline", "on_time")

    # The receiving ward answers from its "forwarded to us" page.
    unit = browser.new_context(base_url=base_url, locale="vi-VN")
    try:
        ward = unit.new_page()
        ward.goto("/login.html")
        ward.fill("#username", "badinh")
        ward.fill("#password", DEMO_PASSWORD)
        ward.get_by_role("button", name="Đăng nhập").click()
        expect(ward).to_have_url(re.compile(r"/inbox\.html"))
        ward.goto("/forwarded.html")
        incoming = ward.locator("#forwarded li", has_text=f"#{case['id']}")
        expect(incoming).to_have_attribute("data-deadline", "on_time")
        expect(incoming).to_contain_text("Cây thuộc địa bàn Ba Đình")
        incoming.get_by_role("button", name="Xem và trả lời").click()
        expect(incoming.locator(".thread")).to_contain_text(marker)
        incoming.locator("textarea").fill(f"Ba Đình đã cưa cây ({marker}).")
        incoming.get_by_role("button", name="Gửi trả lời").click()
        expect(ward.locator("#forwarded-status")).to_contain_text("Đã trả lời")
        expect(ward.locator("#forwarded li", has_text=f"#{case['id']}")).to_have_count(0)
    finally:
        unit.close()
    page.reload()
    expect(page.locator("#forwarding-list")).to_contain_text(f"Ba Đình đã cưa cây ({marker}).")
    expect(page.locator("#case-state")).to_have_attribute("data-status", "answered")

    page.get_by_role("button", name="Chuyển lên tỉnh").click()
    expect(page.locator("#forwarding-list li")).to_have_count(2)
    expect(page.locator("#forwarding-list li").nth(1)).to_contain_text("Hà Nội")


def test_citizen_rates_the_answer_and_not_resolved_reopens(
    page: Any, base_url: str, staff_api: StaffApi
) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    receipt = new_case(base_url, f"Đèn đường ngõ 7 hỏng ({marker}).")
    [case] = staff_api.cases(marker)
    replied = staff_api.client.post(
        f"/cases/{case['id']}/replies", json={"text": "Đã thay bóng đèn."}
    )
    assert replied.status_code == 201
    page.goto(f"/track/{receipt['tracking_code']}#{receipt['status_token']}")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "answered")
    page.select_option("#rate-stars", "2")
    page.check("#rate-no")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#rate-status")).to_have_text("Cảm ơn bạn đã đánh giá.")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "reopened")
    assert staff_api.detail(case["id"])["case"]["status"] == "reopened"
