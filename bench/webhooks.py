"""Webhook benchmark: signed Zalo events/s accepted and committed; every 2xx must be stored once.

Starts `tiengdan serve --workers 2` on PostgreSQL with the Redis queue (no worker: only the
request path is measured) and a Zalo OA configured, then drives it with wrk and
bench/webhooks.lua. wrk cannot sign, so the events are pre-signed here
(`mac=sha256(app_id + body + timestamp + OA secret key)`, protocol digest §1.2), each with a
unique msg_id. Afterwards the database must hold every answered event exactly once.
Prints a markdown table.

    python bench/webhooks.py [--duration 15] [--connections 64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._server import run, wait_ready

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/tiengdan_bench_webhooks"
REDIS = "redis://127.0.0.1:6379/13"
PORT = 8766
APP_ID = "102719276611582260"
OA_ID = "1423847451268726170"
OA_SECRET = "bench-oa-secret-key-0123456789"  # noqa: S105 - a throwaway bench OA
TEXT = "Đường vào thôn 3 bị ngập sâu sau mưa, xe máy không đi được. Đề nghị xã khơi thông cống."
RESULT = re.compile(
    r"RESULT requests=(\d+) non2xx=(\d+) socket_errors=(\d+) duration_us=(\d+) p50_us=(\d+)"
    r" p99_us=(\d+) sent=(\d+) available=(\d+)"
)


def psql(sql: str) -> str:
    return run(["psql", PG_BENCH, "-tAc", sql]).strip()


def write_events(path: Path, prefix: str, count: int) -> None:
    """One "<signature>\\t<body>" line per event, msg_ids <prefix>-0 … <prefix>-<count-1>."""
    base_ms = int(time.time() * 1000)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            timestamp = str(base_ms + i)
            event = {
                "event_name": "user_send_text",
                "app_id": APP_ID,
                "sender": {"id": str(8309393969855402319 + i % 5000)},
                "recipient": {"id": OA_ID},
                "message": {"text": TEXT, "msg_id": f"{prefix}-{i}"},
                "timestamp": timestamp,
                "user_id_by_app": "7300442764876318465",
            }
            body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            digest = hashlib.sha256(
                APP_ID.encode() + body.encode() + timestamp.encode() + OA_SECRET.encode()
            ).hexdigest()
            out.write(f"mac={digest}\t{body}\n")


def wrk(events: Path, duration: int, connections: int) -> tuple[int, ...]:
    out = run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(ROOT / "bench/webhooks.lua"),
            f"http://127.0.0.1:{PORT}/webhooks/zalo",
            "--",
            str(events),
        ]
    )
    match = RESULT.search(out)
    if match is None:
        raise SystemExit(f"could not read wrk output:\n{out}")
    return tuple(int(value) for value in match.groups())


def stored() -> tuple[int, int, int]:
    """(rows, distinct msg_ids, highest index) of the measured run's events (main-<index>)."""
    row = psql(
        "SELECT count(*), count(DISTINCT external_id),"
        " coalesce(max(split_part(external_id, '-', 2)::int), -1)"
        " FROM inbound_events WHERE channel = 'zalo' AND external_id LIKE 'main-%'"
    )
    rows, distinct, highest = (int(v) for v in row.split("|"))
    return rows, distinct, highest


def bench(duration: int, connections: int, rate_ceiling: int) -> dict[str, float]:
    run(["psql", PG_ADMIN, "-qc", "DROP DATABASE IF EXISTS tiengdan_bench_webhooks"])
    run(["psql", PG_ADMIN, "-qc", "CREATE DATABASE tiengdan_bench_webhooks"])
    run(["redis-cli", "-n", REDIS.rsplit("/", 1)[1], "FLUSHDB"])
    env = {
        **os.environ,
        "TIENGDAN_ENV": "dev",
        "DATABASE_URL": PG_BENCH,
        "REDIS_URL": REDIS,
        "TIENGDAN_IN_PROCESS_WORKER": "false",
        "TIENGDAN_RATE_LIMIT_PER_MINUTE": "0",
        "TIENGDAN_SWEEP_SECONDS": "0",
        "TIENGDAN_MODELS_DIR": "/nonexistent-bench-models",
        "TIENGDAN_ZALO_APP_ID": APP_ID,
        "TIENGDAN_ZALO_OA_SECRET_KEY": OA_SECRET,
        "TIENGDAN_ZALO_APP_SECRET_KEY": "bench-app-secret",
        "TIENGDAN_ZALO_COMMUNE": "00070",
    }
    run([str(BIN / "tiengdan"), "migrate"], env)
    tmp = Path(tempfile.mkdtemp(prefix="tiengdan-webhooks-"))
    write_events(tmp / "warm.tsv", "warm", 20 * rate_ceiling // 4)
    write_events(tmp / "main.tsv", "main", duration * rate_ceiling)
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "tiengdan"), "serve", "--port", str(PORT), "--workers", "2"],
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )
    try:
        wait_ready(PORT)
        wrk(tmp / "warm.tsv", 3, 16)  # warm-up: not counted
        time.sleep(1.0)
        result = wrk(tmp / "main.tsv", duration, connections)
        time.sleep(1.0)  # in-flight batches commit before we count
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    requests, non2xx, socket_errors, duration_us, p50, p99, sent, available = result
    if sent > available:
        raise SystemExit(
            f"wrk used {sent} events but only {available} were signed: raise the ceiling"
        )
    rows, distinct, highest = stored()
    accepted = requests - non2xx
    # Every stored event is unique and was sent; every answered 2xx is stored; wrk stops with
    # up to `connections` requests in flight, which the server may have committed too.
    assert rows == distinct, f"{rows - distinct} events stored twice"
    assert highest < sent, "an event that was never sent is stored"
    assert accepted <= rows <= accepted + connections, f"{accepted} accepted, {rows} stored"
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "connections": connections,
        "accepted_per_s": accepted / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "non2xx": non2xx,
        "socket_errors": socket_errors,
        "accepted": accepted,
        "stored": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--ceiling", type=int, default=16000, help="events signed per second")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    r = bench(args.duration, args.connections, args.ceiling)
    print(
        "| webhook | store | server processes | connections | accepted+committed/s"
        " | p50 ms | p99 ms | non-2xx | accepted | stored once |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| Zalo user_send_text (signed) | PostgreSQL + Redis queue | 2 | {r['connections']:.0f}"
        f" | {r['accepted_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f}"
        f" | {r['non2xx']:.0f} | {r['accepted']:,.0f} | {r['stored']:,.0f} |"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
