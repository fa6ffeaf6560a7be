"""Web Push in the browser: the tracking page subscribes with the case's code and token; a
push delivered to the service worker (DevTools Protocol) shows a notification whose click
opens the case's tracking page.

Chromium can only create a real subscription by registering with Google's push service
(FCM), which cannot be reached here and which Playwright's incognito profiles refuse anyway;
the page's PushManager.subscribe is replaced by one that hands back a subscription made in the
test (a real P-256 key and auth secret on an FCM endpoint). Everything else is the real page,
the real service worker and the real backend."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import httpx
import pytest

from channels.webpush.keys import b64url_encode, public_point
from tests.pwa.conftest import wait_until_controlled

pytestmark = pytest.mark.browser


def _browser_subscription() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{b64url_encode(os.urandom(12))}",
        "expirationTime": None,
        "keys": {
            "p256dh": b64url_encode(public_point(key.public_key())),
            "auth": b64url_encode(os.urandom(16)),
        },
    }


STUB_PUSH_MANAGER = """
(() => {
  const made = %s;
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    self.__pushKey = btoa(String.fromCharCode(...key)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    current = { endpoint: made.endpoint, toJSON: () => made, unsubscribe: async () => true };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


def _activated_registration_id(page: Any, cdp: Any, scope: str) -> str:
    """The id of the registration for `scope` once its worker version is activated.

    A push delivered to a registration whose worker is still installing or activating can be
    dropped by the browser, so the test waits for the protocol to report the activated version.
    """
    registrations: set[str] = set()
    activated: set[str] = set()

    def registration_seen(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                registrations.add(registration["registrationId"])

    def version_seen(event: dict[str, Any]) -> None:
        for version in event["versions"]:
            if version["status"] == "activated":
                activated.add(version["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", registration_seen)
    cdp.on("ServiceWorker.workerVersionUpdated", version_seen)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 15
    while not registrations & activated:
        assert time.monotonic() < deadline, "no activated service worker registration reported"
        page.wait_for_timeout(50)  # lets Playwright take the protocol's events
    return min(registrations & activated)


def _shown_notifications(page: Any) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((all) =>
                 all.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})))"""
        )
    )


def test_tracking_page_subscribes_and_a_push_shows_and_opens_the_case(
    context: Any, page: Any, base_url: str
) -> None:
    receipt = httpx.post(
        f"{base_url}/api/v1/feedback",
        json={"text": "Cống thoát nước ngõ 12 bị tắc.", "commune_code": "00070"},
    ).json()
    code, token = receipt["tracking_code"], receipt["status_token"]
    context.grant_permissions(["notifications"], origin=base_url)
    context.add_init_script(STUB_PUSH_MANAGER % json.dumps(_browser_subscription()))
    page.goto(f"/track/{code}#{token}")
    wait_until_controlled(page)
    page.reload()
    button = page.locator("#push-button")
    assert button.is_visible()
    with page.expect_response("**/api/v1/push/subscriptions") as stored:
        button.click()
    assert stored.value.status == 201, stored.value.text()
    assert stored.value.request.post_data_json["tracking_code"] == code
    assert (
        page.locator("#push-status").inner_text() == "Đã bật: bạn sẽ nhận thông báo khi có trả lời."
    )
    server_key = httpx.get(f"{base_url}/api/v1/push/key").json()["public_key"]
    assert page.evaluate("self.__pushKey") == server_key

    cdp = context.new_cdp_session(page)
    notice = {
        "title": "Góp ý của bạn đã có trả lời",
        "body": f"Mã theo dõi {code}.",
        "url": f"/track/{code}",
        "tag": code,
    }
    push = {
        "origin": base_url,
        "registrationId": _activated_registration_id(page, cdp, f"{base_url}/"),
        "data": json.dumps(notice),
    }
    # Delivered again every few seconds until shown: on a loaded machine the protocol has been
    # seen to drop a delivery to a worker it was still starting. Same tag, so one notification.
    shown: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while not shown:
        assert time.monotonic() < deadline, "no notification was shown"
        cdp.send("ServiceWorker.deliverPushMessage", push)
        redeliver_at = time.monotonic() + 5
        while not shown and time.monotonic() < redeliver_at:
            page.wait_for_timeout(100)
            shown = _shown_notifications(page)
    assert shown == [
        {
            "title": notice["title"],
            "body": notice["body"],
            "tag": code,
            "url": f"{base_url}/track/{code}",
        }
    ]

    # The click. Only a real click on a system notification may open or focus a window, and
    # no browser automation can click one: the handler's logic runs with a recording `clients`.
    [worker] = context.service_workers
    clicked = worker.evaluate(
        """async () => {
             const [notification] = await self.registration.getNotifications();
             const url = notification.data.url, opened = [], focused = [];
             await self.openNotificationUrl(url, {
               matchAll: async () => [{url: "/other", focus: async () => focused.push("/other")}],
               openWindow: async (target) => opened.push(target),
             });
             await self.openNotificationUrl(url, {
               matchAll: async () => [{url: `${url}#secret`, focus: async () => focused.push(url)}],
               openWindow: async (target) => opened.push(target),
             });
             return {opened, focused};
           }"""
    )
    target = f"{base_url}/track/{code}"
    assert clicked == {"opened": [target], "focused": [target]}
    # The window it opens shows the case, with no token in the URL: the page uses the one
    # saved when the citizen asked to be notified.
    tab = context.new_page()
    tab.goto(target)
    tab.locator("#case-status").wait_for()
    assert tab.locator("#case-status").get_attribute("data-status") == "new"
