"""End-to-end benchmark on the production shape: web + Zalo + e-mail intake while workers classify.

Run: `python bench/e2e.py [--seconds 30]` (prints a markdown table). Starts, on loopback, what
docker/compose.yaml runs: `tiengdan migrate`, 2 × `tiengdan serve` and 2 × `tiengdan worker` on
PostgreSQL (database tiengdan_bench_e2e, recreated) and Redis (db 14), with a Zalo OA and a
mailbox configured. Load is open-loop at fixed rates per channel (citizens do not wait for each
other): web feedback posts with idempotency keys, signed Zalo `user_send_text` webhooks, and
e-mails over SMTP to the API's receiver. Outbound acknowledgements go to addresses nobody
answers (no provider here): they back off, as they would during a provider outage.

Reported: accepted/s and p99 answer time per channel, and the classification lag (p99 of
classified_at - received_at over every case; the worker classifies and groups in batches).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _quiet import wait_for_quiet  # noqa: E402

TIENGDAN = str(ROOT / ".venv" / "bin" / "tiengdan")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/tiengdan_bench_e2e"
REDIS = "redis://127.0.0.1:6379/14"
API_PORTS = (8781, 8782)
SMTP_PORT = 8725
APP_ID = "102719276611582260"
OA_ID = "1423847451268726170"
OA_SECRET = "bench-oa-secret-key-0123456789"  # noqa: S105 - a throwaway bench OA
MAIL_DOMAIN = "gopy.bench.example.vn"
COMMUNE = "00070"
RATES = {"web": 40.0, "zalo": 60.0, "email": 5.0}  # per second, open loop
TEXTS = [
    "Cống thoát nước ngõ 12 bị tắc, mưa xuống nước tràn vào nhà dân.",
    "Đèn đường thôn 3 hỏng cả tháng nay, tối đi lại rất nguy hiểm.",
    "Bãi rác cạnh chợ bốc mùi hôi thối, đề nghị thu gom.",
    "Quán karaoke hát đến 2 giờ sáng, cả xóm không ngủ được.",
    "Hồ sơ cấp sổ đỏ nộp 3 tháng chưa có kết quả.",
]


def environment(data_dir: Path) -> dict[str, str]:
    models = ROOT / "var" / "models"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "TIENGDAN_ENV": "test",
        "TIENGDAN_SECRET_KEY": "bench-secret-key-long-enough-0123456789",
        "DATABASE_URL": PG_BENCH,
        "REDIS_URL": REDIS,
        "TIENGDAN_IN_PROCESS_WORKER": "false",
        "TIENGDAN_RATE_LIMIT_PER_MINUTE": "0",
        "TIENGDAN_DATA_DIR": str(data_dir),
        "TIENGDAN_MODELS_DIR": str(models),
        "TIENGDAN_ZALO_APP_ID": APP_ID,
        "TIENGDAN_ZALO_OA_SECRET_KEY": OA_SECRET,
        "TIENGDAN_ZALO_APP_SECRET_KEY": "bench-app-secret",
        "TIENGDAN_ZALO_COMMUNE": COMMUNE,
        "TIENGDAN_ZALO_API_URL": "http://127.0.0.1:9",  # nobody answers: acks back off
        "TIENGDAN_ZALO_OAUTH_URL": "http://127.0.0.1:9",
        "TIENGDAN_EMAIL_DOMAIN": MAIL_DOMAIN,
        "TIENGDAN_EMAIL_COMMUNE": COMMUNE,
        "TIENGDAN_EMAIL_RECEIVER": "false",
    }


async def reset_database() -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute("DROP DATABASE IF EXISTS tiengdan_bench_e2e WITH (FORCE)")
        await admin.execute("CREATE DATABASE tiengdan_bench_e2e")
    finally:
        await admin.close()


def start(env: dict[str, str], data_dir: Path) -> list[subprocess.Popen[bytes]]:
    subprocess.run([TIENGDAN, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, capture_output=True)
    children = []
    for n, port in enumerate(API_PORTS):
        api_env = dict(env)
        if n == 0:  # one SMTP receiver (an MX points at one host)
            api_env |= {
                "TIENGDAN_EMAIL_RECEIVER": "true",
                "TIENGDAN_EMAIL_RECEIVER_PORT": str(SMTP_PORT),
            }
        log = (data_dir / f"api-{port}.log").open("wb")
        children.append(
            subprocess.Popen(
                [TIENGDAN, "serve", "--port", str(port)], env=api_env, stdout=log, stderr=log
            )
        )
    for n in range(2):
        log = (data_dir / f"worker-{n}.log").open("wb")
        children.append(subprocess.Popen([TIENGDAN, "worker"], env=env, stdout=log, stderr=log))
    return children


async def wait_ready() -> None:
    async with httpx.AsyncClient(timeout=2.0) as client:
        for port in API_PORTS:
            for _ in range(300):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/ready")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise SystemExit(f"API on {port} never became ready")


class Channel:
    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.failed = 0


def zalo_event(n: int) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(time.time() * 1000))
    body = json.dumps(
        {
            "event_name": "user_send_text",
            "app_id": APP_ID,
            "sender": {"id": f"84{n:016d}"},
            "recipient": {"id": OA_ID},
            "message": {"text": TEXTS[n % len(TEXTS)], "msg_id": f"bench-e2e-{n}"},
            "timestamp": timestamp,
        },
        ensure_ascii=False,
    ).encode()
    mac = hashlib.sha256(APP_ID.encode() + body + timestamp.encode() + OA_SECRET.encode())
    headers = {"X-ZEvent-Signature": f"mac={mac.hexdigest()}", "Content-Type": "application/json"}
    return body, headers


async def send_web(client: aiohttp.ClientSession, n: int) -> int:
    body = {
        "text": TEXTS[n % len(TEXTS)],
        "commune_code": COMMUNE,
        "idempotency_key": f"e2e-web-{n}",
    }
    port = API_PORTS[n % 2]
    async with client.post(f"http://127.0.0.1:{port}/api/v1/feedback", json=body) as response:
        await response.read()
        return response.status


async def send_zalo(client: aiohttp.ClientSession, n: int) -> int:
    body, headers = zalo_event(n)
    port = API_PORTS[n % 2]
    url = f"http://127.0.0.1:{port}/webhooks/zalo"
    async with client.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


async def send_email(_: aiohttp.ClientSession, n: int) -> int:
    import aiosmtplib

    message = EmailMessage()
    message["From"] = f"citizen{n}@example.vn"
    message["To"] = f"gopy@{MAIL_DOMAIN}"
    message["Subject"] = "Phản ánh"
    message["Message-ID"] = f"<bench-e2e-{n}@example.vn>"
    message.set_content(TEXTS[n % len(TEXTS)])
    await aiosmtplib.send(message, hostname="127.0.0.1", port=SMTP_PORT, start_tls=False)
    return 250


SENDERS = {"web": send_web, "zalo": send_zalo, "email": send_email}


async def drive(seconds: float) -> dict[str, Channel]:
    channels = {name: Channel(name) for name in RATES}
    # aiohttp: httpx's pool costs too much CPU at this concurrency on a shared machine.
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        tasks: list[asyncio.Task[None]] = []

        async def one(name: str, n: int) -> None:
            started = time.perf_counter()
            try:
                status = await SENDERS[name](client, n)
            except Exception:
                channels[name].failed += 1
                return
            if status >= 300:
                channels[name].failed += 1
            else:
                channels[name].latencies.append(time.perf_counter() - started)

        async def schedule(name: str, rate: float) -> None:
            begin = time.perf_counter()
            n = 0
            while (elapsed := time.perf_counter() - begin) < seconds:
                due = n / rate
                if due > elapsed:
                    await asyncio.sleep(due - elapsed)
                tasks.append(asyncio.create_task(one(name, n)))
                n += 1

        await asyncio.gather(*(schedule(name, rate) for name, rate in RATES.items()))
        await asyncio.gather(*tasks)
    return channels


async def classification_lag(expected: int, deadline: float = 600.0) -> tuple[int, list[float]]:
    conn = await asyncpg.connect(PG_BENCH)
    try:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            done = await conn.fetchval("SELECT count(*) FROM cases WHERE classified_at IS NOT NULL")
            total = await conn.fetchval("SELECT count(*) FROM cases")
            if total >= expected and done == total:
                break
            await asyncio.sleep(1)
        rows = await conn.fetch(
            "SELECT extract(epoch FROM classified_at - received_at) AS lag FROM cases"
            " WHERE classified_at IS NOT NULL"
        )
        total = await conn.fetchval("SELECT count(*) FROM cases")
        return int(total), [float(r["lag"]) for r in rows]
    finally:
        await conn.close()


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def main_async(seconds: float) -> None:
    await reset_database()
    data_dir = Path(tempfile.mkdtemp(prefix="tiengdan-e2e-"))
    env = environment(data_dir)
    children = start(env, data_dir)
    try:
        await wait_ready()
        load = wait_for_quiet(60.0)
        began = time.perf_counter()
        channels = await drive(seconds)
        wall = time.perf_counter() - began  # until the last answer, not only the offered window
        accepted = sum(len(c.latencies) for c in channels.values())
        total, lags = await classification_lag(accepted)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    times = os.times()
    children_cpu = times.children_user + times.children_system
    print(f"\n### End to end: 2 API + 2 workers, PostgreSQL + Redis, {seconds:.0f} s of load\n")
    print(
        f"load average at start {load:.2f}; {wall:.1f} s until the last answer; the API and "
        f"worker processes used {children_cpu:.0f} s CPU (the load generator shares the cores)\n"
    )
    print("| channel | offered/s | accepted/s | failed | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, channel in channels.items():
        lat = channel.latencies
        print(
            f"| {name} | {RATES[name]:.0f} | {len(lat) / wall:.1f} | {channel.failed} | "
            f"{statistics.median(lat) * 1000 if lat else float('nan'):.1f} | {p(lat, 0.99) * 1000:.1f} |"
        )
    print(
        f"\ncases stored {total:,} (accepted answers {accepted:,}); classified {len(lags):,}; "
        f"classification lag p50 {p(lags, 0.5):.2f} s, p99 {p(lags, 0.99):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main_async(args.seconds))


if __name__ == "__main__":
    main()
