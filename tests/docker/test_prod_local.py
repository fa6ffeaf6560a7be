"""`make prod-local` for real: PostgreSQL + Redis + 2 API + 2 workers, a case classified, Ctrl-C.

Runs docker/prod_local.py as a subprocess against a database of its own (the suite's name +
"_pl") and the suite's Redis db (flushed afterwards), with the session's trained model.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PG_URL.startswith("postgres") and REDIS_URL),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
                return int(port)
            except OSError:
                continue
    raise RuntimeError("no two free neighbouring ports")


def http(url: str, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
    if body is None:
        return httpx.get(url, headers=headers, timeout=10)
    return httpx.post(url, json=body, headers=headers, timeout=10)


def psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True, check=True)
    return result.stdout.strip()


class Supervisor:
    def __init__(self, process: subprocess.Popen[str], port: int, data_dir: Path) -> None:
        self.process, self.port, self.data_dir = process, port, data_dir
        self.output: list[str] = []

    def wait_for(self, text: str, seconds: float = 150.0) -> None:
        deadline = time.monotonic() + seconds
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if text in line:
                return
        logs = {p.name: p.read_text()[-2000:] for p in (self.data_dir / "logs").glob("*.log")}
        raise AssertionError(f"no {text!r} in {''.join(self.output)}\nlogs: {logs}")

    def pids(self) -> list[int]:
        return [int(m) for m in re.findall(r"pid (\d+)", "".join(self.output))]


@pytest.fixture
def prod_local(tmp_path: Path, models_dir: Path) -> Iterator[tuple[Supervisor, str]]:
    database = re.sub(r"/(\w+)$", r"/\1_pl", PG_URL)
    port = free_port_pair()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "TIENGDAN_MODELS_DIR": str(models_dir),
        "TIENGDAN_ACCESS_LOG": "true",
        "TIENGDAN_SWEEP_SECONDS": "2",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "docker" / "prod_local.py"), "--base-port", str(port),
         "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    supervisor = Supervisor(process, port, tmp_path)
    try:
        yield supervisor, database
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        if process.stdout is not None:
            process.stdout.close()
        subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)


def test_prod_local_serves_classifies_and_stops_on_ctrl_c(
    prod_local: tuple[Supervisor, str],
) -> None:
    supervisor, database = prod_local
    supervisor.wait_for("Ctrl-C stops everything.")
    pids = supervisor.pids()
    assert len(pids) == 4  # api-1, api-2, worker-1, worker-2
    api_1, api_2 = (f"http://127.0.0.1:{supervisor.port + i}" for i in (0, 1))
    for api in (api_1, api_2):
        ready = http(f"{api}/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}

    answer = http(
        f"{api_2}/api/v1/feedback",
        {
            "text": "Rác thải ùn ứ ở đầu ngõ 12 cả tuần không ai thu gom, bốc mùi",
            "commune_code": "00070",
            "idempotency_key": f"prod-local-{time.time_ns()}",
        },
        **{"X-Request-ID": "prod-local-check-1"},
    )
    assert answer.status_code == 201
    assert answer.headers["x-request-id"] == "prod-local-check-1"
    code = answer.json()["tracking_code"]
    assert re.fullmatch(r"[A-Z0-9-]+", code)
    deadline = time.monotonic() + 60
    row = ""
    while time.monotonic() < deadline:
        row = psql(
            database,
            f"SELECT topic, model_version FROM cases WHERE tracking_code = '{code}'"  # noqa: S608
            " AND classified_at IS NOT NULL",
        )
        if row:
            break
        time.sleep(0.3)
    assert row.startswith("environment|"), f"case {code} not classified by a worker: {row!r}"

    # One /metrics adds up every process: api-2's request and a worker's job, read on api-1.
    text = http(f"{api_1}/metrics").text
    assert re.search(
        r'tiengdan_http_requests_total\{method="POST",route="/api/v1/feedback",status="201"\} [1-9]',
        text,
    )
    assert re.search(r'tiengdan_jobs_total\{job="classify_cases",outcome="ok"\} [1-9]', text)
    assert re.search(r"tiengdan_classification_confidence_count [1-9]", text)
    # The API's JSON log line for that request carries its id.
    log_lines = (supervisor.data_dir / "logs" / "api-2.log").read_text().splitlines()
    mine = [json.loads(line) for line in log_lines if "prod-local-check-1" in line]
    assert mine and mine[0]["request_id"] == "prod-local-check-1"

    supervisor.process.send_signal(signal.SIGINT)
    assert supervisor.process.wait(timeout=40) == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
