"""Webhook authentication (§2.1–2.2) and the appsecret_proof we add to Graph API calls."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from channels.base import SignatureInvalid
from channels.wire import header

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SHA256 = re.compile(r"^\s*sha256=([0-9a-fA-F]{64})\s*$")


def messenger_verify_challenge(params: Mapping[str, str], verify_token: str) -> str:
    """Answer Meta's GET handshake: the `hub.challenge` to echo (200), or SignatureInvalid (403)."""
    if params.get("hub.mode") != "subscribe":
        raise SignatureInvalid("hub.mode is not 'subscribe'")
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        raise SignatureInvalid("hub.verify_token does not match")
    challenge = params.get("hub.challenge", "")
    if not challenge:
        raise SignatureInvalid("hub.challenge is missing")
    return challenge


def messenger_signature(raw: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value for `raw`: HMAC-SHA256 keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def verify_messenger_signature(headers: Mapping[str, str], raw: bytes, app_secret: str) -> None:
    """Raise SignatureInvalid unless `raw` (bytes as received, never re-encoded) is signed."""
    given = header(headers, SIGNATURE_HEADER)
    if given is None:
        # The legacy SHA-1 X-Hub-Signature alone is not accepted (§2.2).
        raise SignatureInvalid(f"missing {SIGNATURE_HEADER}")
    match = _SHA256.match(given)
    if match is None:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} is not 'sha256=<64 hex>'")
    expected = messenger_signature(raw, app_secret).removeprefix("sha256=")
    if not hmac.compare_digest(match.group(1).lower(), expected):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the body")


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256(app secret, access token): required when the app enforces it."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
