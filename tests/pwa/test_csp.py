"""The PWA under its Content Security Policy: every page loads and runs with no violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import wait_until_controlled

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/feedback.html",
    "/guides.html",
    "/login.html",
    "/volunteer.html",
    "/inbox.html",
    "/track/ABCDE-FGHIJ",
]
# Runs before any page script and is not subject to the page's policy (DevTools protocol).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_no_page_breaks_the_content_security_policy(page: Any) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == [], path
        assert page.locator("main, body > *").first.is_visible(), path
    wait_until_controlled(page)  # the service worker registered and took over under the policy
    assert [text for text in console if "Content Security Policy" in text] == []


def test_the_policy_is_enforced_in_the_browser(page: Any) -> None:
    """Without this, the test above could pass with a policy the browser ignores."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/feedback.html")
    page.wait_for_load_state("networkidle")
    ran = page.evaluate(
        """() => {
          window.__inlineRan = false;
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.body.append(script);
          return window.__inlineRan;
        }"""
    )
    assert ran is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))
