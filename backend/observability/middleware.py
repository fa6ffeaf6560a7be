"""One ASGI wrapper around the whole app: request id, security headers, request metrics.

It wraps Litestar's routing too, so a 404 for an unknown path gets an id and headers like any
other answer. It is on the intake hot path: per request it scans the headers once, appends
prebuilt header tuples and updates two cached metric children — a few microseconds.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.observability.headers import HEADER_SETS, kind_of
from backend.observability.logs import REQUEST_ID
from backend.observability.metrics import HttpRecorder
from backend.settings import OperationsSettings

access_log = logging.getLogger("tiengdan.access")
# Ids from a proxy or client are kept when they look like ids (no spaces, no control bytes).
_VALID_ID = re.compile(rb"^[A-Za-z0-9._:@/+=-]{1,128}$")
UNMATCHED = "unmatched"


def new_request_id() -> str:
    """16 hex digits; unique enough to join log lines, not a secret (no system call)."""
    return f"{random.getrandbits(64):016x}"


class RequestMiddleware:
    """X-Request-ID accepted or generated, echoed and logged; headers; request metrics."""

    def __init__(self, app: ASGIApp, ops: OperationsSettings) -> None:
        self.app = app
        self._trusted = frozenset(ops.trusted_proxies)
        self._hsts_always = ops.hsts_always
        self._access_log = ops.access_log
        self._recorder = HttpRecorder()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        raw_id: bytes | None = None
        forwarded_proto: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                raw_id = value
            elif name == b"x-forwarded-proto":
                forwarded_proto = value
        if raw_id is not None and _VALID_ID.match(raw_id):
            request_id = raw_id.decode()
        else:
            request_id = new_request_id()
            raw_id = request_id.encode()
        https = self._hsts_always or scope.get("scheme") == "https"
        if not https and forwarded_proto == b"https":
            client = scope.get("client")
            https = client is not None and client[0] in self._trusted
        path: str = scope["path"]
        extra = (*HEADER_SETS[(https, kind_of(path))], (b"x-request-id", raw_id))
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            method: str = scope.get("method", "")
            route: Any = scope.get("path_template", UNMATCHED)
            self._recorder.record(method, route, status, elapsed)
            if self._access_log:
                access_log.info("%s %s %d %.1fms", method, path, status, elapsed * 1000)
            REQUEST_ID.reset(token)
