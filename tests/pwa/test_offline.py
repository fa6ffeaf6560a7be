"""After one visit every page opens offline and says so; locale text and guides come from the cache."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import wait_until_controlled

pytestmark = pytest.mark.browser

PAGES = [
    ("/", "Gửi ý kiến tới xã, phường"),
    ("/feedback.html", "Gửi ý kiến, phản ánh"),
    ("/track.html", "Tình trạng ý kiến"),
    ("/track/ABCDE-FGHJK", "Tình trạng ý kiến"),
    ("/guides.html", "Hướng dẫn dịch vụ công"),
    ("/guide.html?id=bhyt-renewal", "Gia hạn thẻ bảo hiểm y tế"),
    ("/login.html", "Đăng nhập"),
    ("/volunteer.html", "Tổ công nghệ số"),  # no saved account: asks to log in once online
]


def test_every_page_opens_offline_after_the_first_visit(page: Any) -> None:
    page.goto("/")
    wait_until_controlled(page)
    expect(page.locator("#offline-notice")).to_be_hidden()
    page.context.set_offline(True)
    for path, heading in PAGES:
        page.goto(path)
        expect(page.locator("h1").first).to_contain_text(heading)
        expect(page.locator("#offline-notice")).to_be_visible()
        expect(page.locator("#offline-notice")).to_contain_text("ngoại tuyến")


def test_tracking_page_offline_without_a_saved_copy_says_so(page: Any) -> None:
    page.goto("/")
    wait_until_controlled(page)
    page.context.set_offline(True)
    page.goto("/track/ABCDE-FGHJK#0123456789abcdef")
    expect(page.locator("#case-note")).to_contain_text("chưa lưu tình trạng")


def test_guides_are_searchable_without_diacritics_offline(page: Any) -> None:
    page.goto("/guides.html")
    wait_until_controlled(page)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#guide-list li")).to_have_count(5)
    page.fill("#guide-search", "bao hiem y te")
    expect(page.locator("#guide-list li")).to_have_count(1)
    page.locator("#guide-list a").click()
    expect(page.locator("h1")).to_contain_text("Gia hạn thẻ bảo hiểm y tế")
    page.locator(".steps input[type=checkbox]").first.check()
    expect(page.locator(".progress")).to_contain_text("Đã làm 1/")
    page.reload()  # ticked steps are remembered on the device
    expect(page.locator(".steps input[type=checkbox]").first).to_be_checked()


def test_language_switch_to_english_persists(page: Any) -> None:
    page.goto("/feedback.html")
    wait_until_controlled(page)
    page.locator("#lang-switch").click()
    expect(page.locator("h1")).to_have_text("Send feedback, a report or a recommendation")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.context.set_offline(True)
    page.reload()  # en.json came from the cache, and the choice was kept
    expect(page.locator("h1")).to_have_text("Send feedback, a report or a recommendation")
    expect(page.locator("#offline-notice")).to_contain_text("You are offline")
