"""Security headers on every response (OWASP Secure Headers): CSP, framing, sniffing, HSTS."""

from __future__ import annotations

from typing import Literal

Kind = Literal["page", "api", "docs"]

# The PWA is build-free ES modules and one stylesheet, all same-origin: no inline script or
# style anywhere (tests/backend/test_security_headers.py keeps it so). Photos are previewed
# from blob: URLs.
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# JSON and webhook answers are never rendered: nothing may load, nothing may frame them
# (OWASP REST Security). A short set keeps the intake hot path light.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The photo field is a file input (the camera opens through the file picker), so the PWA needs
# no device permission at all.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"
API_PREFIXES = ("/api/", "/webhooks/", "/open311/", "/metrics", "/health", "/ready")
# The API documentation viewer (/schema) loads its script from a CDN with an inline script.
DOCS_PREFIX = "/schema"

_BASE: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)
_PAGE = (
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_EXTRA: dict[Kind, tuple[tuple[bytes, bytes], ...]] = {
    "page": _PAGE,
    "api": ((b"content-security-policy", API_POLICY.encode()),),
    "docs": _PAGE[1:],  # everything but the CSP
}
_HSTS = ((b"strict-transport-security", HSTS.encode()),)


def kind_of(path: str) -> Kind:
    if path.startswith(API_PREFIXES):
        return "api"
    if path.startswith(DOCS_PREFIX):
        return "docs"
    return "page"


def security_headers(*, https: bool, kind: Kind) -> tuple[tuple[bytes, bytes], ...]:
    """The headers for one response: HSTS only over TLS."""
    return _BASE + _EXTRA[kind] + (_HSTS if https else ())


# Every combination, built once (the middleware picks one per request).
HEADER_SETS = {
    (https, kind): security_headers(https=https, kind=kind)
    for https in (False, True)
    for kind in ("page", "api", "docs")
}
