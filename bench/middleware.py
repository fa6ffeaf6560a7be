"""Per-request cost of the observability middleware (request id, security headers, metrics).

Calls RequestMiddleware around a do-nothing ASGI app in one process, N times, and reports the
CPU time per request with and without it (process time, so a busy machine matters less).

    python bench/middleware.py [--requests 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.observability.middleware import RequestMiddleware
from backend.settings import OperationsSettings

SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "POST",
    "path": "/api/v1/feedback",
    "scheme": "http",
    "client": ("127.0.0.1", 50000),
    "path_template": "/api/v1/feedback",
    "headers": [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/json"),
        (b"content-length", b"120"),
        (b"user-agent", b"wrk"),
    ],
}
START = {
    "type": "http.response.start",
    "status": 201,
    "headers": [(b"content-type", b"application/json")],
}
BODY = {"type": "http.response.body", "body": b"{}", "more_body": False}


async def app(scope: Any, receive: Any, send: Any) -> None:
    await send(dict(START))
    await send(BODY)


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: Any) -> None:
    return None


async def run(handler: Any, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        await handler(dict(SCOPE), receive, send)
    return (time.process_time() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    n = parser.parse_args().requests
    wrapped = RequestMiddleware(app, OperationsSettings())  # type: ignore[arg-type]
    bare_us = min(asyncio.run(run(app, n)) for _ in range(3))
    wrapped_us = min(asyncio.run(run(wrapped, n)) for _ in range(3))
    print("| handler | CPU µs per request |")
    print("|---|---|")
    print(f"| do-nothing ASGI app | {bare_us:.2f} |")
    print(f"| same app inside RequestMiddleware | {wrapped_us:.2f} |")
    print(f"| middleware overhead | {wrapped_us - bare_us:.2f} |")


if __name__ == "__main__":
    main()
