"""Feedback written offline waits in the IndexedDB outbox and reaches the backend exactly once."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import StaffApi, wait_until_controlled

pytestmark = pytest.mark.browser

# Simulates a lost response: the request reached the server, but the page never heard back,
# so the item is "waiting" again with the same idempotency key. Draining must not duplicate it.
RESEND_SAME_ITEM = """async (marker) => {
  const outbox = await import("/js/outbox.js");
  const item = (await outbox.listItems()).find((i) => i.payload.text.includes(marker));
  const db = await new Promise((ok) => { const r = indexedDB.open("tiengdan"); r.onsuccess = () => ok(r.result); });
  await new Promise((ok) => {
    const tx = db.transaction("outbox", "readwrite");
    tx.objectStore("outbox").put({ ...item, status: "waiting", result: null });
    tx.oncomplete = ok;
  });
  db.close();
  await outbox.drain();
  const again = (await outbox.listItems()).find((i) => i.id === item.id);
  return { status: again.status, code: again.result.tracking_code, key: again.idempotency_key };
}"""


def test_offline_feedback_is_queued_and_sent_exactly_once_after_reconnect(
    page: Any, staff_api: StaffApi
) -> None:
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    page.goto("/feedback.html?commune=00070")
    wait_until_controlled(page)
    expect(page.locator("#commune-chosen")).to_contain_text("Phường Hoàn Kiếm")

    page.context.set_offline(True)
    page.fill("#text", f"Đèn đường ngõ 5 phố Hàng Gai hỏng ba hôm nay ({marker}).")
    page.get_by_role("button", name="Gửi ý kiến").click()
    item = page.locator(".outbox li", has_text=marker)
    expect(item).to_have_attribute("data-status", "waiting")
    expect(item).to_contain_text("Đang chờ gửi")
    expect(page.locator("#receipt")).to_contain_text("ngoại tuyến")

    page.reload()  # the outbox survives a reload (and a closed app) while offline
    expect(item).to_have_attribute("data-status", "waiting")
    assert staff_api.cases(marker) == []

    page.context.set_offline(False)
    expect(item).to_have_attribute("data-status", "sent", timeout=15_000)
    code = item.locator(".code").inner_text()
    stored = staff_api.cases(marker)
    assert [case["tracking_code"] for case in stored] == [code]

    resent = page.evaluate(RESEND_SAME_ITEM, marker)
    assert resent["status"] == "sent" and resent["code"] == code
    assert [case["tracking_code"] for case in staff_api.cases(marker)] == [code]


def test_refused_feedback_is_marked_failed_with_the_reason(page: Any, staff_api: StaffApi) -> None:
    """A 4xx answer is final: the item is not retried forever and the citizen sees why."""
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    page.goto("/feedback.html")
    wait_until_controlled(page)
    # The form cannot produce this (it requires consent for a phone), so queue it directly.
    page.evaluate(
        """(text) => import("/js/outbox.js").then((o) => o.enqueueFeedback(
             { text, commune_code: "00070", phone: "0912345678", consent: false }))""",
        f"Xin số điện thoại cán bộ phường ({marker})",
    )
    page.evaluate("import('/js/autosend.js').then((a) => a.sendNow())")
    item = page.locator(".outbox li", has_text=marker)
    expect(item).to_have_attribute("data-status", "failed")
    expect(item).to_contain_text("consent")
    assert staff_api.cases(marker) == []


def outbox_items(page: Any) -> list[dict[str, Any]]:
    """Status, attempts and last error of every outbox item (for waits and failure messages)."""
    return list(
        page.evaluate(
            """() => import("/js/outbox.js").then(async (o) => (await o.listItems())
                 .map((i) => ({ status: i.status, attempts: i.attempts, error: i.error })))"""
        )
    )


def wait_for_statuses(page: Any, wanted: list[str], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if [item["status"] for item in outbox_items(page)] == wanted:
            return
        page.wait_for_timeout(200)
    pytest.fail(f"outbox never became {wanted}: {outbox_items(page)}")


def test_service_worker_alone_sends_the_outbox_on_background_sync(
    page: Any, staff_api: StaffApi
) -> None:
    """The guides page runs no sender of its own: only the worker's sync event can deliver."""
    marker = f"kiemthu{uuid.uuid4().hex[:12]}"
    page.goto("/guides.html")
    wait_until_controlled(page)
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => 'sync' in r)")
    page.context.set_offline(True)
    page.evaluate(
        """(text) => import("/js/outbox.js").then((o) => o.enqueueFeedback({ text, commune_code: "00004" }))""",
        f"Vỉa hè phố Đội Cấn bị lấn chiếm ({marker})",
    )
    wait_for_statuses(page, ["waiting"])
    assert staff_api.cases(marker) == []
    page.context.set_offline(False)
    wait_for_statuses(page, ["sent"])
    assert len(staff_api.cases(marker)) == 1
