"""A faithful fake of Zalo OA (protocol digest §1.7): signs webhooks, serves the Open API.

It checks what Zalo checks: the bare `access_token` header and the token's expiry, the
`secret_key` header and form encoding on the token endpoint, single-use refresh tokens
(a reused one gets -14020), the 7-day messaging window (-230) and followers (-213). Errors
come back as HTTP 200 with `error != 0`, like the real API. Error codes the digest does not
name (bad secret, unknown code) are this fake's own choice and marked so.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import httpx

from channels.zalo import ZaloConfig, ZaloTokens, zalo_signature
from tests.channels.fakes.clock import FakeClock

BASE_URL = "http://127.0.0.1:9"  # never dialled: the MockTransport answers in-process
APP_ID = "102719276611582260"
OA_ID = "1423847451268726170"
TOKEN_LIFETIME = timedelta(seconds=90000)  # §1.6: "90000", about 25 h
WINDOW = timedelta(days=7)
TEXT_LIMIT = 2000  # open question §6.3: the commonly cited limit
REUSED_REFRESH_TOKEN = -14020  # §1.6
BAD_CLIENT = -14001  # the fake's own code: wrong secret_key / app_id / encoding
BAD_GRANT = -14019  # the fake's own code: unknown refresh token or code


class FakeZalo:
    """The OA's webhook sender and the Open API + OAuth endpoints, on one fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.oa_secret_key = "fake-oa-secret-" + secrets.token_hex(8)
        self.app_secret_key = "fake-app-secret-" + secrets.token_hex(8)
        self.access_token: str | None = None
        self.access_expires_at = clock()
        self.refresh_token: str | None = None
        self.used_refresh_tokens: set[str] = set()
        self.codes: dict[str, str] = {}  # authorization code -> PKCE challenge
        self.last_interaction: dict[str, datetime] = {}
        self.profiles: dict[str, str] = {}
        self.sent: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.refreshes = 0
        self.scripted: deque[httpx.Response | Exception] = deque()  # next message/cs answers

    # -- set-up -------------------------------------------------------------------------
    def config(self, **overrides: Any) -> ZaloConfig:
        """A ZaloConfig pointing at this fake."""
        settings: dict[str, Any] = {
            "app_id": APP_ID,
            "oa_secret_key": self.oa_secret_key,
            "app_secret_key": self.app_secret_key,
            "api_base_url": BASE_URL,
            "oauth_base_url": BASE_URL,
        }
        return ZaloConfig(**(settings | overrides))

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def connect(self) -> ZaloTokens:
        """As if an admin had just authorized the app: a fresh pair for the token store."""
        now = self.clock()
        self._rotate()
        assert self.access_token is not None and self.refresh_token is not None
        return ZaloTokens(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=now + TOKEN_LIFETIME,
            refresh_after=now + TOKEN_LIFETIME * 0.8,
        )

    def new_code(self, code_challenge: str) -> str:
        """The code Zalo would append to the redirect after the admin consents."""
        code = "code-" + secrets.token_hex(6)
        self.codes[code] = code_challenge
        return code

    def user_interacts(self, user_id: str, display_name: str = "Nguyễn Văn An") -> None:
        """The user messaged or followed the OA now: the window (re)opens (§1.5)."""
        self.last_interaction[user_id] = self.clock()
        self.profiles[user_id] = display_name

    def script(self, *answers: httpx.Response | Exception) -> None:
        """Answer the next message/cs calls with these (after authentication)."""
        self.scripted.extend(answers)

    # -- webhook side ---------------------------------------------------------------------
    def sign(self, body: bytes) -> dict[str, str]:
        """Headers Zalo sends with `body`: mac=sha256(app_id + body + timestamp + OA secret)."""
        try:
            event = json.loads(body)
        except ValueError:  # tests also sign garbage, to show it is refused after the check
            event = {}
        timestamp = str(event.get("timestamp", "")) if isinstance(event, dict) else ""
        signature = zalo_signature(APP_ID, body, timestamp, self.oa_secret_key)
        return {"X-ZEvent-Signature": signature, "Content-Type": "application/json"}

    # -- API side ---------------------------------------------------------------------------
    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        await asyncio.sleep(0)  # let concurrent callers interleave, as over a network
        route = (request.method, request.url.path)
        if route == ("POST", "/v4/oa/access_token"):
            return await self._token(request)
        if route == ("POST", "/v3.0/oa/message/cs"):
            return self._message(request)
        if route == ("GET", "/v3.0/oa/user/detail"):
            return self._user_detail(request)
        return httpx.Response(404, json={"error": 404, "message": "no such endpoint"})

    async def _token(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers.get("content-type", "")
        form = dict(httpx.QueryParams(request.content.decode()))
        if (
            request.headers.get("secret_key") != self.app_secret_key
            or not content_type.startswith("application/x-www-form-urlencoded")
            or form.get("app_id") != APP_ID
        ):
            return _token_error(BAD_CLIENT, "invalid secret_key or app_id")
        for _ in range(3):
            await asyncio.sleep(0)  # a slow endpoint: an unserialized second refresh would race
        grant = form.get("grant_type")
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if token in self.used_refresh_tokens:
                return _token_error(REUSED_REFRESH_TOKEN, "refresh token was already used")
            if token != self.refresh_token:
                return _token_error(BAD_GRANT, "invalid refresh token")
            self.refreshes += 1
        elif grant == "authorization_code":
            challenge = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            if challenge is None or _challenge_of(verifier) != challenge:
                return _token_error(BAD_GRANT, "invalid code or code_verifier")
        else:
            return _token_error(BAD_GRANT, f"unsupported grant_type {grant!r}")
        self._rotate()
        body = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": str(int(TOKEN_LIFETIME.total_seconds())),  # a string, as Zalo does
        }
        return httpx.Response(200, json=body)

    def _rotate(self) -> None:
        if self.refresh_token is not None:
            self.used_refresh_tokens.add(self.refresh_token)
        self.access_token = "at-" + secrets.token_hex(12)
        self.refresh_token = "rt-" + secrets.token_hex(12)
        self.access_expires_at = self.clock() + TOKEN_LIFETIME

    def _authenticated(self, request: httpx.Request) -> httpx.Response | None:
        if "authorization" in request.headers:  # Zalo reads only the bare header (§1.5)
            return _error(-216, "fake: Authorization header is not how Zalo authenticates")
        token = request.headers.get("access_token")
        if token is None or token != self.access_token:
            return _error(-216, "Access token is invalid")
        if self.clock() >= self.access_expires_at:
            return _error(-220, "Access token has expired")
        return None

    def _message(self, request: httpx.Request) -> httpx.Response:
        refused = self._authenticated(request)
        if refused is not None:
            return refused
        if self.scripted:
            answer = self.scripted.popleft()
            if isinstance(answer, Exception):
                raise answer
            return answer
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(-201, "body must be JSON")
        body = json.loads(request.content)
        recipient, text = body.get("recipient", {}), body.get("message", {}).get("text")
        if not isinstance(text, str) or not text or len(text) > TEXT_LIMIT:
            return _error(-201, "message.text is empty or too long")
        user = recipient.get("user_id") or recipient.get("anonymous_id")
        if user not in self.last_interaction:
            return _error(-213, "User has not followed the OA")
        if self.clock() - self.last_interaction[user] >= WINDOW:
            return _error(-230, "User has not interacted with the OA in the last 7 days")
        message_id = secrets.token_hex(16)
        self.sent.append({"recipient": recipient, "text": text, "message_id": message_id})
        data = {"message_id": message_id, "user_id": user}
        return httpx.Response(200, json={"error": 0, "message": "Success", "data": data})

    def _user_detail(self, request: httpx.Request) -> httpx.Response:
        refused = self._authenticated(request)
        if refused is not None:
            return refused
        user = json.loads(request.url.params.get("data", "{}")).get("user_id")
        if user not in self.profiles:
            return _error(-201, "user_id is invalid")
        avatar = f"https://s240-ava-talk.zadn.vn/{user}.jpg"
        data = {"user_id": user, "display_name": self.profiles[user], "avatars": {"240": avatar}}
        return httpx.Response(200, json={"error": 0, "message": "Success", "data": data})


def _error(code: int, message: str) -> httpx.Response:
    """Zalo reports failures in the body with HTTP 200 (§1.5, §1.6)."""
    return httpx.Response(200, json={"error": code, "message": message})


def _token_error(code: int, description: str) -> httpx.Response:
    """The token endpoint's error shape, also with HTTP 200 (§1.6)."""
    body = {"error": code, "error_name": "invalid_request", "error_description": description}
    return httpx.Response(200, json=body)


def _challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
