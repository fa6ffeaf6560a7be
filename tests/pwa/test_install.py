"""Install criteria: the manifest is linked and parses, the service worker is active and controls the page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.pwa.conftest import wait_until_controlled

pytestmark = pytest.mark.browser


def test_manifest_is_linked_parsed_and_the_app_is_installable(page: Any) -> None:
    page.goto("/")
    wait_until_controlled(page)
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    parsed = json.loads(manifest["data"])
    assert (parsed["name"], parsed["lang"], parsed["display"]) == ("Tiếng Dân", "vi", "standalone")
    # Chromium's own verdict on the install criteria (manifest fields, icons, service worker).
    # Playwright contexts are incognito profiles, which Chromium never installs from: that one
    # error is about the test browser, not the app.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []


def test_service_worker_is_active_and_controls_every_page(page: Any) -> None:
    page.goto("/feedback.html")
    wait_until_controlled(page)
    state = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.state)")
    assert state == "activated"
    page.goto("/guides.html")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    caches = page.evaluate("caches.keys()")
    assert [name for name in caches if name.startswith("tiengdan-shell-")] != []
    assert "tiengdan-data-v1" in caches
