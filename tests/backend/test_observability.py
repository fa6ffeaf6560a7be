"""Request ids, structured redacted logs and Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.models import Role
from backend.observability.logs import REQUEST_ID, JsonFormatter, RequestIdFilter, redact
from backend.observability.metrics import queue_depth_family, render, serve_worker_metrics
from tests.backend.factories import HOAN_KIEM, bearer, create_user, submit
from tests.conftest import make_settings


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when it is not there yet)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    series = f"{name}{{{wanted}}}" if labels else name
    pattern = re.compile(rf"^{re.escape(series)} (\S+)$", re.M)
    match = pattern.search(text)
    return float(match.group(1)) if match else 0.0


async def metrics(client: AsyncTestClient[Any]) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """JSON lines of the access log, through the same filter and formatter the app uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tiengdan.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)


async def test_request_id_is_generated_echoed_and_kept(client: AsyncTestClient[Any]) -> None:
    generated = (await client.get("/health")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", generated)
    assert (await client.get("/health")).headers["x-request-id"] != generated
    given = await client.get("/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["x-request-id"] == "lb-7f3a.42"
    # Not an id (spaces, too long): replaced, never echoed back into our logs or headers.
    for bad in ("two words", "x" * 200):
        replaced = await client.get("/health", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["x-request-id"])
    unknown = await client.get("/no/such/route")
    assert unknown.status_code == 404 and "x-request-id" in unknown.headers


async def test_every_log_line_of_a_request_has_its_id_and_no_contact_details(
    database_url: str, captured: io.StringIO
) -> None:
    settings = make_settings(database_url, TIENGDAN_ACCESS_LOG="true")
    async with AsyncTestClient(create_app(settings)) as client:
        response = await client.get("/api/v1/provinces", headers={"X-Request-ID": "req-abc"})
        assert response.status_code == 200
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-abc"]
    assert len(mine) == 1
    assert mine[0]["logger"] == "tiengdan.access" and mine[0]["level"] == "INFO"
    assert "GET /api/v1/provinces 200" in mine[0]["msg"]


def test_log_lines_mask_phones_emails_and_ids() -> None:
    formatter = JsonFormatter()
    token = REQUEST_ID.set("r-1")
    try:
        record = logging.LogRecord(
            "backend.x", logging.WARNING, __file__, 1, "from %s: call %s, id %s", None, None
        )
        record.args = ("an.nguyen@example.vn", "0912 345 678", "001203004567")
        RequestIdFilter().filter(record)
        line = json.loads(formatter.format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "r-1"
    assert line["msg"] == "from [email]: call [phone], id [id-number]"
    assert "0912" not in json.dumps(line) and "example.vn" not in json.dumps(line)
    # Exceptions are masked too (an error message may quote the citizen's text).
    try:
        raise ValueError("bad contact +84 912 345 678")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    exc_line = json.loads(formatter.format(record))
    assert "[phone]" in exc_line["exc"] and "912 345" not in exc_line["exc"]
    assert redact("nothing personal here") == "nothing personal here"


async def test_metrics_count_requests_jobs_deliveries_and_queue_depth(
    client: AsyncTestClient[Any], drain: Any
) -> None:
    before = await metrics(client)
    route = {"method": "POST", "route": "/api/v1/feedback", "status": "201"}
    receipt = await submit(client, HOAN_KIEM)
    assert receipt["tracking_code"]
    depth = await metrics(client)
    # No model in tests: the case waits to be classified, and the gauge shows it.
    assert sample(depth, "tiengdan_queue_depth", queue="classify") >= 1
    assert sample(depth, "tiengdan_http_requests_total", **route) == (
        sample(before, "tiengdan_http_requests_total", **route) + 1
    )
    assert (
        sample(
            depth,
            "tiengdan_http_request_duration_seconds_count",
            method="POST",
            route="/api/v1/feedback",
        )
        >= 1
    )
    await drain()
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(client, "hk")
    case_id = (await client.get("/api/v1/cases", headers=staff)).json()["items"][0]["id"]
    reply = await client.post(
        f"/api/v1/cases/{case_id}/replies", json={"text": "Đã sửa."}, headers=staff
    )
    assert reply.status_code == 201
    await drain()
    after = await metrics(client)
    sent = {"channel": "web", "result": "sent"}
    assert sample(after, "tiengdan_deliveries_total", **sent) == (
        sample(before, "tiengdan_deliveries_total", **sent) + 1
    )
    ok = {"job": "deliver", "outcome": "ok"}
    assert sample(after, "tiengdan_jobs_total", **ok) > sample(before, "tiengdan_jobs_total", **ok)
    assert sample(after, "tiengdan_queue_depth", queue="deliver") == 0


async def test_classification_confidence_is_observed(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    before = sample(await metrics(client), "tiengdan_classification_confidence_count")
    await submit(client, HOAN_KIEM, text="Rác thải ùn ứ ở đầu ngõ 12 mấy ngày không ai thu gom")
    await client.app.state.resources.settle()
    text = await metrics(client)
    assert sample(text, "tiengdan_classification_confidence_count") == before + 1
    assert sample(text, "tiengdan_queue_depth", queue="classify") == 0


COUNT_A_JOB = """
from backend.observability.metrics import JOBS
JOBS.labels("deliver", "ok").inc({n})
"""


def test_processes_sharing_a_metrics_directory_add_up(tmp_path: Path) -> None:
    """PROMETHEUS_MULTIPROC_DIR: what two separate processes counted, one render reports."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (2, 3):
        subprocess.run([sys.executable, "-c", COUNT_A_JOB.format(n=n)], env=env, check=True)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    text = render(tmp_path, [queue_depth_family({"classify": 4})]).decode()
    assert sample(text, "tiengdan_jobs_total", job="deliver", outcome="ok") == 5
    assert sample(text, "tiengdan_queue_depth", queue="classify") == 4


def test_a_worker_serves_its_own_metrics(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", COUNT_A_JOB.format(n=7)], env=env, check=True)
    server = serve_worker_metrics("127.0.0.1", port, tmp_path)
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    assert sample(answer.text, "tiengdan_jobs_total", job="deliver", outcome="ok") == 7
