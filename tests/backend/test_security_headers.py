"""Security headers: CSP for the PWA, framing, sniffing, referrer, permissions, HSTS over TLS."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.system.pwa import PWA_DIR
from tests.conftest import make_settings

# What a CSP without 'unsafe-inline' blocks: inline scripts, style elements and attributes,
# event-handler attributes and javascript: URLs.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def directives(csp: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in csp.split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_pwa_has_nothing_inline_that_the_policy_would_block() -> None:
    pages = sorted(PWA_DIR.glob("*.html"))
    assert len(pages) >= 5
    offenders = {p.name: INLINE.findall(p.read_text(encoding="utf-8")) for p in pages}
    assert {name: found for name, found in offenders.items() if found} == {}
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in (PWA_DIR / "js").rglob("*.js"))
    assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style", scripts)


async def test_pwa_pages_carry_a_strict_content_security_policy(
    client: AsyncTestClient[Any],
) -> None:
    for path in ("/", "/feedback.html", "/track/ABCDE-FGHIJ", "/js/api.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        csp = directives(response.headers["content-security-policy"])
        assert csp["script-src"] == "'self'"  # no inline script, no eval, no other origin
        assert csp["style-src"] == "'self'"
        assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe" not in response.headers["content-security-policy"]


async def test_every_answer_forbids_framing_and_sniffing(client: AsyncTestClient[Any]) -> None:
    answers = [
        await client.get("/"),
        await client.get("/api/v1/provinces"),
        await client.post("/api/v1/feedback", json={"text": ""}),  # 400 problem+json
        await client.get("/no/such/page"),  # 404 from routing
        await client.post("/webhooks/nochannel", content=b"{}"),  # 404 of a webhook
    ]
    assert [a.status_code for a in answers[:4]] == [200, 200, 400, 404]
    assert answers[4].status_code >= 400
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "strict-transport-security" not in answer.headers  # plain HTTP: no HSTS


async def test_pages_keep_referrers_and_device_permissions_to_themselves(
    client: AsyncTestClient[Any],
) -> None:
    for path in ("/", "/login.html", "/track/ABCDE-FGHIJ", "/no/such/page"):
        page = await client.get(path)
        assert page.headers["referrer-policy"] == "same-origin", path  # tracking codes stay
        permissions = page.headers["permissions-policy"]
        assert "camera=()" in permissions and "geolocation=()" in permissions
        assert page.headers["cross-origin-opener-policy"] == "same-origin"


async def test_api_answers_may_load_nothing(client: AsyncTestClient[Any]) -> None:
    """JSON is never rendered: the API gets the shortest policy (the intake hot path)."""
    for answer in (
        await client.get("/api/v1/provinces"),
        await client.get("/health"),
        await client.get("/metrics"),
    ):
        assert (
            answer.headers["content-security-policy"]
            == "default-src 'none'; frame-ancestors 'none'"
        )
        assert "permissions-policy" not in answer.headers


async def test_api_documentation_keeps_its_viewer_working(client: AsyncTestClient[Any]) -> None:
    docs = await client.get("/schema/openapi.json")
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers  # its viewer loads from a CDN
    assert docs.headers["x-frame-options"] == "DENY"
    assert docs.headers["referrer-policy"] == "same-origin"


async def test_hsts_only_over_tls_from_a_trusted_proxy(database_url: str) -> None:
    # The test client's peer address is "testclient": trust it as the reverse proxy.
    settings = make_settings(database_url, TIENGDAN_TRUSTED_PROXIES="10.0.0.1, testclient")
    async with AsyncTestClient(create_app(settings)) as client:
        proxied = await client.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")
        plain = await client.get("/health", headers={"X-Forwarded-Proto": "http"})
        assert "strict-transport-security" not in plain.headers
    untrusted = make_settings(database_url, TIENGDAN_TRUSTED_PROXIES="10.0.0.1")
    async with AsyncTestClient(create_app(untrusted)) as client:
        spoofed = await client.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in spoofed.headers


async def test_hsts_on_every_answer_when_the_site_is_https_only(database_url: str) -> None:
    settings = make_settings(database_url, TIENGDAN_BASE_URL="https://gopy.example.vn")
    assert settings.ops.hsts_always
    async with AsyncTestClient(create_app(settings)) as client:
        response = await client.get("/")
        assert "includeSubDomains" in response.headers["strict-transport-security"]
    off = make_settings(database_url, TIENGDAN_BASE_URL="https://x.vn", TIENGDAN_HSTS="false")
    assert not off.ops.hsts_always
