"""A faithful fake of Meta's Messenger Platform (protocol digest §2.5).

Webhook side: wraps items in `{"object": "page", "entry": [...]}` with numeric ms timestamps,
serialises non-ASCII as `\\uXXXX` like Meta, and signs the exact bytes with HMAC-SHA256.
Send API side: checks the Page token (Bearer header or `access_token` query), the
appsecret_proof, `recipient.id` and `messaging_type`, enforces the 24 h window (7 days for
an approved HUMAN_AGENT tag) on the fake clock, and answers errors as 4xx with an `error`
object, as Graph does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import httpx

from channels.messenger import MessengerConfig, messenger_signature
from tests.channels.fakes.clock import FakeClock

BASE_URL = "http://127.0.0.1:9"  # never dialled: the MockTransport answers in-process
API_VERSION = "v23.0"
PAGE_ID = "106277415432861"
WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TEXT_LIMIT = 2000
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}


class FakeMetaGraph:
    """The Page's webhook sender and the Graph Send API, on one fake clock."""

    def __init__(self, clock: FakeClock, *, human_agent_approved: bool = False) -> None:
        self.clock = clock
        self.page_token = "EAAfake" + secrets.token_hex(16)
        self.app_secret = secrets.token_hex(16)
        self.verify_token = "verify-" + secrets.token_hex(6)
        self.human_agent_approved = human_agent_approved
        self.last_user_message: dict[str, datetime] = {}
        self.sent: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.scripted: deque[httpx.Response | Exception] = deque()

    # -- set-up -------------------------------------------------------------------------
    def config(self, **overrides: Any) -> MessengerConfig:
        """A MessengerConfig pointing at this fake."""
        settings: dict[str, Any] = {
            "page_id": PAGE_ID,
            "page_access_token": self.page_token,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
            "graph_base_url": BASE_URL,
            "api_version": API_VERSION,
        }
        return MessengerConfig(**(settings | overrides))

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def user_writes(self, psid: str) -> None:
        """The user messaged the Page now: the 24 h window (re)opens."""
        self.last_user_message[psid] = self.clock()

    def script(self, *answers: httpx.Response | Exception) -> None:
        """Answer the next Send API calls with these (after authentication)."""
        self.scripted.extend(answers)

    # -- webhook side ---------------------------------------------------------------------
    def notification(self, *entries: dict[str, Any]) -> bytes:
        """The exact bytes Meta posts: ASCII JSON with \\u escapes."""
        body = {"object": "page", "entry": list(entries)}
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode()

    def sign(self, body: bytes) -> dict[str, str]:
        return {
            "X-Hub-Signature-256": messenger_signature(body, self.app_secret),
            "Content-Type": "application/json",
        }

    # -- Send API -------------------------------------------------------------------------
    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method != "POST" or request.url.path not in (
            f"/{API_VERSION}/{PAGE_ID}/messages",
            f"/{API_VERSION}/me/messages",
        ):
            return _error(404, 803, "Unknown path components", kind="OAuthException")
        refused = self._authenticated(request)
        if refused is not None:
            return refused
        if self.scripted:
            answer = self.scripted.popleft()
            if isinstance(answer, Exception):
                raise answer
            return answer
        return self._send(json.loads(request.content))

    def _authenticated(self, request: httpx.Request) -> httpx.Response | None:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        token = bearer or request.url.params.get("access_token", "")
        if not hmac.compare_digest(token, self.page_token):
            return _error(400, 190, "Invalid OAuth access token.", kind="OAuthException")
        proof = request.url.params.get("appsecret_proof", "")
        expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(proof, expected):
            return _error(400, 100, "Invalid appsecret_proof provided in the API argument")
        return None

    def _send(self, body: dict[str, Any]) -> httpx.Response:
        psid = body.get("recipient", {}).get("id")
        kind, tag = body.get("messaging_type"), body.get("tag")
        text = body.get("message", {}).get("text")
        if not psid or kind not in MESSAGING_TYPES or (kind == "MESSAGE_TAG" and not tag):
            return _error(400, 100, "(#100) recipient.id and a valid messaging_type are required")
        if not isinstance(text, str) or not text or len(text) > TEXT_LIMIT:
            return _error(400, 100, f"(#100) message[text] must be 1..{TEXT_LIMIT} characters")
        if psid not in self.last_user_message:
            return _error(400, 100, "(#100) No matching user found", subcode=2018001)
        age = self.clock() - self.last_user_message[psid]
        allowed = age < WINDOW or (
            kind == "MESSAGE_TAG"
            and tag == "HUMAN_AGENT"
            and self.human_agent_approved
            and age < HUMAN_AGENT_WINDOW
        )
        if not allowed:
            message = "(#10) This message is sent outside of allowed window."
            return _error(400, 10, message, subcode=2018278)
        message_id = "m_" + secrets.token_urlsafe(24)
        self.sent.append({"psid": psid, "text": text, "type": kind, "tag": tag, "mid": message_id})
        return httpx.Response(200, json={"recipient_id": psid, "message_id": message_id})


def _error(
    status: int, code: int, message: str, *, subcode: int | None = None, kind: str = ""
) -> httpx.Response:
    error: dict[str, Any] = {
        "message": message,
        "type": kind or "OAuthException",
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(8),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return httpx.Response(status, json={"error": error})


def rate_limited() -> httpx.Response:
    """Graph's answer when the Page sends too fast (code 613)."""
    return _error(400, 613, "Calls to this api have exceeded the rate limit.")
