"""Zalo OAuth v4 for Official Accounts (§1.6): consent URL, PKCE, and the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec

from channels.base import ChannelError, CredentialsRejected
from channels.zalo.config import ZaloConfig

TOKEN_PATH = "/v4/oa/access_token"  # noqa: S105 - a URL path, not a secret
PERMISSION_PATH = "/v4/oa/permission"
TRANSIENT_ERRORS = frozenset({-32})  # rate limited: try again later, the token is still good


class TokenRefreshDeferred(ChannelError):
    """The token endpoint could not be reached or was busy; the stored pair is untouched."""


class TokenGrant(msgspec.Struct, frozen=True, kw_only=True):
    """A fresh pair from the token endpoint."""

    access_token: str
    refresh_token: str
    lifetime: timedelta


def new_pkce_pair() -> tuple[str, str]:
    """A PKCE (verifier, challenge): challenge = base64url(SHA-256(verifier)), no padding."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def zalo_consent_url(config: ZaloConfig, redirect_uri: str, code_challenge: str, state: str) -> str:
    """Where an admin grants the app access to the OA; Zalo calls back with `code` and `oa_id`."""
    query = urlencode(
        {
            "app_id": config.app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": code_challenge,
            "state": state,
        }
    )
    return f"{config.oauth_base_url}{PERMISSION_PATH}?{query}"


async def request_tokens(
    client: httpx.AsyncClient, config: ZaloConfig, fields: dict[str, str]
) -> TokenGrant:
    """POST the grant; raise CredentialsRejected (needs a human) or TokenRefreshDeferred."""
    try:
        response = await client.post(
            f"{config.oauth_base_url}{TOKEN_PATH}",
            # §1.6: the App Secret goes in a `secret_key` header, the rest form-encoded.
            headers={"secret_key": config.app_secret_key},
            data={**fields, "app_id": config.app_id},
            timeout=config.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        raise TokenRefreshDeferred(f"zalo token endpoint unreachable: {exc!r}") from exc
    body = _json_object(response)
    error = body.get("error")
    if error not in (None, 0, "0"):  # errors often arrive with HTTP 200 (§1.6)
        detail = f"{error} {body.get('error_name', '')}: {body.get('error_description', '')}"
        if _as_int(error) in TRANSIENT_ERRORS or response.status_code >= 500:
            raise TokenRefreshDeferred(f"zalo token endpoint busy ({detail.strip()})")
        raise CredentialsRejected(
            f"Zalo refused the token grant ({detail.strip()}); an admin must reconnect the OA"
        )
    if response.status_code != 200:
        raise TokenRefreshDeferred(f"zalo token endpoint answered HTTP {response.status_code}")
    return _grant(body)


def _grant(body: dict[str, Any]) -> TokenGrant:
    access, refresh = body.get("access_token"), body.get("refresh_token")
    expires_in = _as_int(body.get("expires_in"))  # may be a string, e.g. "90000" (§1.6)
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        raise TokenRefreshDeferred("zalo token answer lacks access_token or refresh_token")
    if expires_in is None or expires_in <= 0:
        raise TokenRefreshDeferred(
            f"zalo token answer has no usable expires_in ({body.get('expires_in')!r})"
        )
    return TokenGrant(
        access_token=access, refresh_token=refresh, lifetime=timedelta(seconds=expires_in)
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        body = None
    if isinstance(body, dict):
        return body
    if response.status_code != 200:
        raise TokenRefreshDeferred(f"zalo token endpoint answered HTTP {response.status_code}")
    raise TokenRefreshDeferred("zalo token endpoint answered something other than JSON")


def _as_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None
