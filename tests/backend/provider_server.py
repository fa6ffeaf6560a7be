"""Serve a fake provider's httpx-style handler over real HTTP on 127.0.0.1.

The backend builds its channels from settings with its own pooled httpx client, so the fakes
of tests/channels/fakes (which answer `httpx.Request`s) are put behind a loopback server and
the settings point the API base URLs at it.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from aiohttp import web

Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    """Yields the base URL (http://127.0.0.1:<free port>) where `handler` answers."""

    async def route(request: web.Request) -> web.Response:
        forwarded = httpx.Request(
            request.method,
            str(request.url),
            headers=list(request.headers.items()),
            content=await request.read(),
        )
        answer = await handler(forwarded)
        headers = {"Content-Type": answer.headers.get("content-type", "application/json")}
        if "retry-after" in answer.headers:
            headers["Retry-After"] = answer.headers["retry-after"]
        return web.Response(status=answer.status_code, body=answer.content, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", route)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
