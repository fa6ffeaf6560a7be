"""Private PostgreSQL and Redis instances and real `tiengdan` processes for the fault tests.

The machine's PostgreSQL and Redis are shared, so the tests that stop, kill or restart
services start their own on free loopback ports (PostgreSQL via initdb + pg_ctl as the
`postgres` user when running as root; Redis with persistence off). `tiengdan serve` and
`tiengdan worker` run as subprocesses pointed at them, exactly as in the production shape.
The suite runs where CI has PostgreSQL (DATABASE_URL set) and skips cleanly elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from backend.bootstrap import migrate_and_sync
from backend.db.engine import create_engine
from tests.conftest import PG_URL, WORK_TABLES, make_settings

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TIENGDAN = Path(sys.executable).parent / "tiengdan"
SECRET = "fault-tests-secret-key-long-enough-0123456789"
DEADLINE = 90.0  # generous: the machine is shared; tests poll, never time things


def _missing() -> str | None:
    if not PG_URL.startswith("postgres"):
        return "fault tests run with the PostgreSQL suite (set DATABASE_URL); they start private instances"
    if not (PG_BIN / "initdb").exists() or shutil.which("redis-server") is None:
        return "fault tests need the PostgreSQL 15 server binaries and redis-server"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """A throw-away PostgreSQL cluster that the tests may stop and start at will."""

    def __init__(self, root: Path) -> None:
        self.data = root / "pgdata"
        self.port = free_port()
        self.log = root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def running(self) -> bool:
        status = _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"])
        return subprocess.run(status, capture_output=True, check=False).returncode == 0

    def init(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=False,  # already stopped by a test that failed half-way
            capture_output=True,
        )


class PrivateRedis:
    """A redis-server without persistence on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        until(lambda: _accepts(self.port), "redis to listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def until(check: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, state: Callable[[], object] = lambda: ""
) -> None:
    """Poll `check` until it holds (generous deadline; no timing asserts)."""
    end = time.monotonic() + DEADLINE
    while not await check():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what} {state()}")
        await asyncio.sleep(0.2)


class Process:
    """One `tiengdan serve` or `tiengdan worker` subprocess; kill -9 and start again."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [str(TIENGDAN), *self.args], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def kill9(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()
        self.popen = None

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.popen = None


class API(Process):
    """An API process; `restart` starts it on the same port and waits until it answers."""

    url = ""

    async def restart(self) -> None:
        self.start()
        await eventually(lambda: _healthy(self.url), f"the API on {self.url}")


class Shape:
    """The production shape on loopback: private PostgreSQL + Redis, API and worker processes."""

    def __init__(self, root: Path, postgres: PrivatePostgres, redis: PrivateRedis) -> None:
        self.root = root
        self.postgres = postgres
        self.redis = redis
        self.processes: list[Process] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "TIENGDAN_ENV": "test",
            "TIENGDAN_SECRET_KEY": SECRET,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "TIENGDAN_IN_PROCESS_WORKER": "false",
            "TIENGDAN_RATE_LIMIT_PER_MINUTE": "0",
            "TIENGDAN_DATA_DIR": str(self.root / "data"),
            "TIENGDAN_SWEEP_SECONDS": "1",
            "TIENGDAN_CLASSIFY_GRACE_SECONDS": "1",
            "TIENGDAN_DELIVERY_LEASE_SECONDS": "3",
            "TIENGDAN_DB_POOL_SIZE": "4",
            **extra,
        }

    async def api(self, **extra: str) -> API:
        port = free_port()
        log = self.root / f"api-{port}.log"
        api = API(["serve", "--port", str(port)], self.env(**extra), log)
        api.url = f"http://127.0.0.1:{port}"
        self.processes.append(api)
        await api.restart()
        return api

    def worker(self, **extra: str) -> Process:
        log = self.root / f"worker-{len(self.processes)}.log"
        process = Process(["worker"], self.env(**extra), log)
        self.processes.append(process)
        process.start()
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()
            if process.log.exists():  # shown by pytest when the test failed
                print(f"--- {process.log.name}\n{process.log.read_text()[-3000:]}")
        self.processes.clear()


async def _healthy(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            return (await client.get(f"{url}/health")).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def fault_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tiengdan-faults-"))
    root.chmod(0o755)  # the `postgres` user must reach its data directory inside
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def private_postgres(fault_root: Path) -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres(fault_root / "pg")
    postgres.init()
    postgres.start()
    asyncio.run(migrate_and_sync(make_settings(postgres.url)))
    yield postgres
    postgres.stop("immediate")


@pytest.fixture
async def shape(
    fault_root: Path, private_postgres: PrivatePostgres, models_dir: Path
) -> AsyncIterator[Shape]:
    """A clean database, a fresh Redis; every process started by the test is stopped after."""
    if not private_postgres.running():  # a previous test failed while it was stopped
        private_postgres.start()
    await sql(private_postgres, f"TRUNCATE {', '.join(WORK_TABLES)} RESTART IDENTITY CASCADE")
    redis = PrivateRedis()
    redis.start()
    root = Path(tempfile.mkdtemp(dir=fault_root))
    (root / "data").mkdir()
    os.symlink(models_dir, root / "data" / "models")
    result = Shape(root, private_postgres, redis)
    try:
        yield result
    finally:
        result.stop_all()
        redis.stop()


async def sql(postgres: PrivatePostgres, statement: str, **params: Any) -> list[Any]:
    """Run one statement on the private database with a short-lived engine."""
    engine = create_engine(make_settings(postgres.url).database)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()
