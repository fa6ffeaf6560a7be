"""Prometheus metrics of every process: HTTP, jobs, deliveries, classification, queue depth.

Processes that share a host share PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess
mode, chosen by that variable when the library is first imported): each process writes its
counters to files there and /metrics on any API process adds them all up — the uvicorn
processes of `tiengdan serve --workers N` and, when they use the same directory, the workers.
Queue depth is read from the database at scrape time (the database is the queue's memory).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import start_http_server

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

HTTP_REQUESTS = Counter(
    "tiengdan_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "tiengdan_http_request_duration_seconds",
    "Time from request to the end of the response",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOBS = Counter("tiengdan_jobs", "Background jobs run, by outcome", ["job", "outcome"])
JOB_DURATION = Histogram(
    "tiengdan_job_duration_seconds",
    "Background job run time",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
DELIVERIES = Counter(
    "tiengdan_deliveries",
    "Outbound delivery attempts, by channel and result",
    ["channel", "result"],
)
CLASSIFICATION_CONFIDENCE = Histogram(
    "tiengdan_classification_confidence",
    "Topic confidence of the model's classifications",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)


class HttpRecorder:
    """Counts and times requests; the labelled children are cached (the intake hot path)."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels(method, route, str(status))
            self._counters[(method, route, status)] = counter
        counter.inc()
        histogram = self._histograms.get((method, route))
        if histogram is None:
            histogram = HTTP_LATENCY.labels(method, route)
            self._histograms[(method, route)] = histogram
        histogram.observe(seconds)


def instrument_jobs(
    functions: Mapping[str, Callable[..., Awaitable[Any]]],
) -> dict[str, Callable[..., Awaitable[Any]]]:
    """The same job functions, counting outcomes (ok / error) and timing each run."""

    def wrap(name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = await function(*args, **kwargs)
            except BaseException:
                JOBS.labels(name, "error").inc()
                raise
            finally:
                JOB_DURATION.labels(name).observe(time.perf_counter() - started)
            JOBS.labels(name, "ok").inc()
            return result

        run.__name__ = run.__qualname__ = name
        run.__doc__ = function.__doc__
        return run

    return {name: wrap(name, function) for name, function in functions.items()}


class _Snapshot:
    """A collector that yields metric families computed just before the scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> list[Metric]:
        return self._families


def queue_depth_family(depths: Mapping[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "tiengdan_queue_depth", "Work waiting in the database, by kind", labels=["queue"]
    )
    for queue, depth in sorted(depths.items()):
        family.add_metric([queue], depth)
    return family


def render(multiproc_dir: Path | None, families: list[Metric]) -> bytes:
    """The exposition text: this process (or every process sharing the directory) + `families`."""
    if multiproc_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(families))  # type: ignore[arg-type]
    return body + generate_latest(snapshot)


def serve_worker_metrics(host: str, port: int, multiproc_dir: Path | None) -> WSGIServer:
    """A worker's own /metrics on host:port (for workers that do not share the API's dir)."""
    registry: CollectorRegistry = REGISTRY
    if multiproc_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))  # type: ignore[no-untyped-call]
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
