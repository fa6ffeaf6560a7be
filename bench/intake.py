"""Intake benchmark: concurrent clients POST feedback to a running server; every 2xx must be in the DB.

Runs wrk (Debian) with bench/intake.lua against `tiengdan serve` started here, once on
PostgreSQL with 2 server processes and the Redis queue (production API tier), once on the
embedded SQLite default with 1 process. Prints a markdown table.

    python bench/intake.py [--duration 15] [--connections 64] [--only postgres|sqlite]
"""

from __future__ import annotations

import argparse
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
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/tiengdan_bench"
PORT = 8765


def count_cases(database_url: str) -> int:
    if database_url.startswith("postgres"):
        return int(run(["psql", database_url, "-tAc", "SELECT count(*) FROM cases"]).strip())
    import sqlite3

    path = database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def bench_one(
    name: str, env: dict[str, str], workers: int, duration: int, connections: int
) -> dict[str, object]:
    run([str(BIN / "tiengdan"), "migrate"], env)
    before = count_cases(env["DATABASE_URL"])
    log = open(Path(tempfile.gettempdir()) / f"tiengdan-bench-{workers}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "tiengdan"), "serve", "--port", str(PORT), "--workers", str(workers)],
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )
    try:
        wait_ready(PORT)
        # Warm-up (not counted in the figures; its cases are, in the before/after check).
        run(
            [
                "wrk",
                "-t1",
                "-c16",
                "-d3s",
                "-s",
                str(ROOT / "bench/intake.lua"),
                f"http://127.0.0.1:{PORT}/api/v1/feedback",
            ]
        )
        time.sleep(1.0)  # the warm-up's last requests commit before we count
        warm = count_cases(env["DATABASE_URL"])
        out = run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-s",
                str(ROOT / "bench/intake.lua"),
                f"http://127.0.0.1:{PORT}/api/v1/feedback",
            ]
        )
        time.sleep(1.0)  # let in-flight batches commit before counting
        after = count_cases(env["DATABASE_URL"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    match = re.search(
        r"RESULT requests=(\d+) non2xx=(\d+) socket_errors=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+)",
        out,
    )
    if match is None:
        raise SystemExit(f"could not read wrk output:\n{out}")
    requests, non2xx, socket_errors, duration_us, p50, p99 = map(int, match.groups())
    accepted = requests - non2xx
    stored = after - warm
    # wrk stops with up to `connections` requests in flight: the server may commit those too.
    assert stored >= accepted, f"{accepted} accepted but only {stored} stored"
    assert stored - accepted <= connections, f"{stored - accepted} more rows than answered requests"
    return {
        "store": name,
        "processes": workers,
        "connections": connections,
        "accepted_per_s": accepted / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "non2xx": non2xx,
        "socket_errors": socket_errors,
        "accepted": accepted,
        "stored": stored,
        "total_rows": after - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    base = {
        **os.environ,
        "TIENGDAN_ENV": "dev",
        "TIENGDAN_RATE_LIMIT_PER_MINUTE": "0",
        "TIENGDAN_SWEEP_SECONDS": "0",
        "TIENGDAN_MODELS_DIR": "/nonexistent-bench-models",
    }
    results = []
    if args.only in (None, "postgres"):
        run(
            [
                "psql",
                PG_ADMIN,
                "-qc",
                "DROP DATABASE IF EXISTS tiengdan_bench",
                "-c",
                "CREATE DATABASE tiengdan_bench",
            ]
        )
        env = {
            **base,
            "DATABASE_URL": PG_BENCH,
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "TIENGDAN_IN_PROCESS_WORKER": "false",
        }
        results.append(
            bench_one("PostgreSQL + Redis queue", env, 2, args.duration, args.connections)
        )
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **base,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "TIENGDAN_IN_PROCESS_WORKER": "true",
            }
            env.pop("REDIS_URL", None)
            results.append(bench_one("SQLite (embedded)", env, 1, args.duration, args.connections))
    print(
        "| store | server processes | connections | accepted/s | p50 ms | p99 ms | non-2xx | accepted | stored |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['store']} | {r['processes']} | {r['connections']} | {r['accepted_per_s']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['non2xx']} | {r['accepted']:,} | {r['stored']:,} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
