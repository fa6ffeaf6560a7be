"""Staff pages in a real browser: live inbox, synthesis dashboard, issue groups (split + merge)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import DEMO_PASSWORD, StaffApi

pytestmark = pytest.mark.browser

HOAN_KIEM = "00070"


def log_in(page: Any, path: str, username: str = "hoankiem") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\.html\?next="))
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))


def test_inbox_shows_new_feedback_live(page: Any, browser: Any, base_url: str) -> None:
    log_in(page, "/inbox.html")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    marker = f"truclive{uuid.uuid4().hex[:10]}"
    citizen = browser.new_context(base_url=base_url, locale="vi-VN")
    try:
        form = citizen.new_page()
        form.goto(f"/feedback.html?commune={HOAN_KIEM}")
        expect(form.locator("#commune-chosen")).to_contain_text("Hoàn Kiếm")
        form.fill("#text", f"Nắp cống phố Hàng Bông bị vỡ, rất nguy hiểm ({marker}).")
        form.get_by_role("button", name="Gửi ý kiến").click()
        expect(form.locator(".receipt.sent")).to_be_visible()
    finally:
        citizen.close()
    # No reload: the event stream brings it into the open list, marked as new.
    fresh = page.locator("#cases li.fresh", has_text=marker)
    expect(fresh).to_be_visible()
    expect(fresh.locator(".badge.live")).to_have_text("Mới")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_dashboard_draws_chart_and_coloured_communes(page: Any) -> None:
    log_in(page, "/dashboard.html", "hanoi")
    expect(page.locator("#dash-status")).to_contain_text("Số liệu lúc")
    chart = page.locator("svg#trend-chart")
    expect(chart).to_be_visible()
    assert chart.locator("polyline").count() >= 1
    assert chart.get_attribute("role") == "img"
    # The same numbers as a table for screen readers.
    assert page.locator(".chart-box table tbody tr").count() == chart.locator("polyline").count()
    rows = page.locator("#coverage tbody tr")
    expect(rows.first).to_be_visible()
    names = rows.locator("th").all_inner_texts()
    assert any("Hoàn Kiếm" in n for n in names) and any("Ba Đình" in n for n in names)
    colours = {"green": "rgb(27, 94, 32)", "yellow": "rgb(138, 75, 0)", "red": "rgb(176, 0, 32)"}
    for row in rows.all():
        status = row.get_attribute("data-status")
        assert status in colours
        light = row.locator(".light")
        assert light.evaluate("e => getComputedStyle(e).color") == colours[status]
        expect(light).to_have_text(
            {"green": "Tốt", "yellow": "Cần chú ý", "red": "Chậm trễ"}[status]
        )
    # Exports link to the report endpoint and really download a file.
    docx = page.locator("#exports a[data-format=docx]")
    with page.expect_download() as download:
        docx.click()
    assert download.value.suggested_filename.endswith(".docx")
    # Filters: one commune only.
    page.fill("#commune-search", "Ba Đình")
    page.locator("#commune-options li", has_text="Phường Ba Đình").first.click()
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page).to_have_url(re.compile(r"commune_code=00004"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_contain_text("Ba Đình")


def test_an_admin_sees_the_country_by_province_and_drills_into_one(page: Any) -> None:
    with page.expect_response(lambda r: "/api/v1/stats/coverage/provinces" in r.url) as country:
        log_in(page, "/dashboard.html", "admin")
    expect(page.locator("#dash-status")).to_contain_text("Số liệu lúc")
    expect(page.locator("#h-communes")).to_have_text("Tình hình theo tỉnh, thành phố")
    provinces = {row["province_code"]: row for row in country.value.json()}
    rows = page.locator("#coverage tbody tr")
    expect(rows).to_have_count(len(provinces))
    assert "01" in provinces
    hanoi_row = page.locator("#coverage tr[data-province='01']")
    expect(hanoi_row.locator("th")).to_have_text("Thành phố Hà Nội")
    expect(hanoi_row.locator("td").nth(1)).to_have_text(str(provinces["01"]["cases"]))
    # A province's link opens its communes, read for that province by the server.
    with page.expect_response(
        lambda r: "/api/v1/stats/coverage?" in r.url and "province_code=01" in r.url
    ) as communes:
        hanoi_row.locator("a").click()
    expect(page.locator("#h-communes")).to_have_text("Tình hình theo xã, phường")
    shown = {row["commune_code"] for row in communes.value.json()}
    hanoi = {c["code"] for c in page.request.get("/api/v1/communes?province=01").json()}
    assert shown and shown <= hanoi
    expect(page.locator("#d-province")).to_have_value("01")
    # One commune chosen with no province: the server reads that commune's province only.
    page.select_option("#d-province", "")
    page.fill("#commune-search", "Ba Đình")
    page.locator("#commune-options li", has_text="Phường Ba Đình").first.click()
    with page.expect_response(
        lambda r: "/api/v1/stats/coverage?" in r.url and "province_code=01" in r.url
    ):
        page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("#coverage tbody tr")).to_have_count(1)
    expect(page.locator("#coverage tbody tr th")).to_contain_text("Ba Đình")


def test_an_admin_drills_into_one_province_on_the_server(page: Any) -> None:
    log_in(page, "/dashboard.html", "admin")
    expect(page.locator("#dash-status")).to_contain_text("Số liệu lúc")
    page.select_option("#d-province", "01")
    with page.expect_response(
        lambda r: "/api/v1/stats/coverage" in r.url and "province_code=01" in r.url
    ) as coverage:
        page.get_by_role("button", name="Xem", exact=True).click()
    assert coverage.value.status == 200
    shown = {row["commune_code"] for row in coverage.value.json()}
    hanoi = {c["code"] for c in page.request.get("/api/v1/communes?province=01").json()}
    assert shown and shown <= hanoi
    expect(page).to_have_url(re.compile(r"province=01"))


def _group_of(api: StaffApi, marker: str) -> dict[str, Any]:
    """Wait until the in-process worker classified and grouped both marked cases."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        cases = api.cases(marker)
        ids = {c["group_id"] for c in cases}
        if len(cases) == 2 and len(ids) == 1 and None not in ids:
            return {"id": ids.pop(), "cases": cases}
        time.sleep(0.3)
    pytest.fail(f"the marked cases were not grouped together: {api.cases(marker)}")


def test_split_and_merge_groups_in_the_ui(page: Any, base_url: str, staff_api: StaffApi) -> None:
    marker = f"nhom{uuid.uuid4().hex[:10]}"
    texts = [
        f"Cống thoát nước đầu ngõ 48 Hàng Đào bị tắc, mưa xuống nước tràn vào nhà ({marker}).",
        f"Ngõ 48 Hàng Đào cống tắc, nước tràn vào nhà dân mỗi khi mưa ({marker}).",
    ]
    for text in texts:
        answer = httpx.post(
            f"{base_url}/api/v1/feedback", json={"text": text, "commune_code": HOAN_KIEM}
        )
        assert answer.status_code == 201, answer.text
    group = _group_of(staff_api, marker)
    log_in(page, f"/groups.html?id={group['id']}")
    detail = page.locator("#group-detail")
    expect(detail).to_have_attribute("data-id", str(group["id"]))
    size = len(staff_api.client.get(f"/groups/{group['id']}").json()["cases"])
    assert size >= 2  # the two marked cases, maybe with an older case about the same drain
    members = page.locator("#group-cases li.case")
    expect(members).to_have_count(size)
    # Split a marked member into a group of its own.
    first = members.filter(has_text=marker).first
    moved_id = first.get_attribute("data-id")
    first.locator("select").select_option("")
    first.get_by_role("button", name="Chuyển").click()
    expect(page.locator("#group-line")).to_contain_text("Đã tách ý kiến thành nhóm riêng")
    expect(members).to_have_count(size - 1)
    split_group = staff_api.detail(int(moved_id))["case"]["group_id"]
    assert split_group != group["id"]
    # Merge the split-off group back into this one.
    page.select_option("#merge-other", str(split_group))
    page.get_by_role("button", name="Gộp", exact=True).click()
    expect(page.locator("#group-line")).to_have_text(f"Đã gộp: nhóm có {size} ý kiến.")
    expect(members).to_have_count(size)
    assert {c["group_id"] for c in staff_api.cases(marker)} == {group["id"]}
