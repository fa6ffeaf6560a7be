"""Browser tests: the real app (uvicorn, SQLite, demo data) in a subprocess, driven by the
system Chromium through Playwright. No browser is ever downloaded: CI installs `chromium`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-2026-tiengdan"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _app_env(root: Path, models_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIENGDAN_")}
    env.pop("REDIS_URL", None)  # the embedded shape: in-process queue and worker
    env.update(
        DATABASE_URL=f"sqlite:///{root / 'app.sqlite3'}",
        TIENGDAN_ENV="dev",
        TIENGDAN_DATA_DIR=str(root),
        TIENGDAN_RATE_LIMIT_PER_MINUTE="10000",
        TIENGDAN_MODELS_DIR=str(models_dir),  # demo cases get topics and issue groups
    )
    return env


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the app did not become healthy in 30 s:\n{log.read_text()}")


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked as running
# while it is started, which would break async tests that run after this package.
@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[str]:
    """The URL of a freshly migrated app with the demo accounts and (classified) cases."""
    root = tmp_path_factory.mktemp("pwa-app")
    env = _app_env(root, models_dir)
    cli = Path(sys.executable).with_name("tiengdan")
    for command in ("migrate", "demo-data"):
        done = subprocess.run(
            [cli, command], env=env, cwd=PROJECT, capture_output=True, timeout=120
        )
        assert done.returncode == 0, f"tiengdan {command}: {done.stderr.decode()}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "backend.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Headless system Chromium; a missing binary fails the tests (CI must install it)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`). "
            "The PWA browser tests use the system browser and never download one.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser profile: no service worker, caches or IndexedDB yet."""
    ctx = browser.new_context(base_url=base_url, locale="vi-VN")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page that fails the test on any uncaught script error."""
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    assert errors == [], f"uncaught errors in the page: {errors}"


def wait_until_controlled(page: Any, seconds: float = 10.0) -> None:
    """Wait until the service worker is active, has precached the shell and controls the page.

    Polls with page.evaluate (DevTools evaluation) rather than wait_for_function, whose string
    predicate the page's Content Security Policy rightly refuses to eval.
    """
    deadline = time.monotonic() + seconds
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "the service worker never took control of the page"
        page.wait_for_timeout(50)


class StaffApi:
    """The staff API with a bearer login, to check what the backend really stored."""

    def __init__(self, base_url: str, username: str = "admin") -> None:
        self.client = httpx.Client(base_url=f"{base_url}/api/v1", timeout=10)
        answer = self.client.post(
            "/auth/login", json={"username": username, "password": DEMO_PASSWORD, "mode": "bearer"}
        )
        answer.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def cases(self, q: str) -> list[dict[str, Any]]:
        """Every case whose text contains q (the backend folds diacritics)."""
        answer = self.client.get("/cases", params={"q": q, "page_size": 200})
        answer.raise_for_status()
        return list(answer.json()["items"])

    def detail(self, case_id: int) -> dict[str, Any]:
        answer = self.client.get(f"/cases/{case_id}")
        answer.raise_for_status()
        return dict(answer.json())


@pytest.fixture
def staff_api(base_url: str) -> Iterator[StaffApi]:
    api = StaffApi(base_url)
    yield api
    api.client.close()
