"""Campaign fan-out through the outbox: N subscriptions in the database, one campaign run, every
push a delivery row claimed, sent and recorded by the same job as replies.

What bench/push.py measures is the sending path alone; this adds what the product does around
it: the campaign's recipients are selected and N delivery rows inserted in one transaction
(`run_if_due`), then `send_pushes` claims each row, encrypts, posts to the loopback stub push
service (bench/push.py --stub, its own process) and records the result, one transaction per
claim and per result. Every row must end `sent`.

    python bench/push_outbox.py [--count 5000] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db.migrate import upgrade
from backend.db.models import Campaign, Delivery, PushSubscriptionRecord, User
from backend.db.types import utcnow
from backend.jobs.sweep import sweep  # noqa: F401 - the production entry point (imports)
from backend.push.campaigns import run_if_due
from backend.push.jobs import send_pushes
from backend.resources import build_job_context
from backend.settings import load_settings
from bench._quiet import wait_for_quiet
from channels.webpush import VapidKeys
from channels.webpush.keys import b64url_encode, public_point

USERS = User.__table__  # type: ignore[attr-defined]
SUBSCRIPTIONS = PushSubscriptionRecord.__table__  # type: ignore[attr-defined]
CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]


class _NoQueue:
    async def wake(self, job: str, **kwargs: object) -> None:
        """The benchmark runs the jobs itself."""


def _subscription_rows(port: int, count: int, user_id: int) -> list[dict[str, object]]:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = public_point(ec.generate_private_key(ec.SECP256R1()).public_key())
    now = utcnow()
    return [
        {
            "endpoint": f"http://127.0.0.1:{port}/push/{i}",
            "p256dh": b64url_encode(key),  # one key for all: the stub does not decrypt
            "auth": b64url_encode(os.urandom(16)),
            "user_id": user_id,
            "created_at": now,
            "failure_count": 0,
        }
        for i in range(count)
    ]


async def _bench(url: str, port: int, count: int) -> None:
    settings = load_settings(
        {
            "TIENGDAN_ENV": "test",
            "DATABASE_URL": url,
            "TIENGDAN_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123",
            "TIENGDAN_VAPID_PRIVATE_KEY": VapidKeys.generate().private_base64url(),
            "TIENGDAN_VAPID_SUBJECT": "mailto:bench@tiengdan.example.vn",
        }
    )
    ctx = build_job_context(settings, _NoQueue())
    try:
        async with ctx.engine.begin() as conn:
            user_id = (
                await conn.execute(
                    insert(USERS)
                    .values(
                        username="bench-volunteer",
                        full_name="",
                        password_hash="!",  # noqa: S106 - no login: a row to own the pushes
                        role="volunteer",
                        is_active=True,
                        failed_logins=0,
                        created_at=utcnow(),
                    )
                    .returning(USERS.c.id)
                )
            ).scalar_one()
            await conn.execute(insert(SUBSCRIPTIONS), _subscription_rows(port, count, user_id))
            campaign_id = (
                await conn.execute(
                    insert(CAMPAIGNS)
                    .values(
                        title="Gia hạn BHYT trước 30/11",
                        body="Tổ công nghệ số hỗ trợ người dân gia hạn bảo hiểm y tế trực tuyến.",
                        roles=["volunteer"],
                        state="scheduled",
                        next_run_at=utcnow(),
                        runs=0,
                        created_by=user_id,
                        created_at=utcnow(),
                    )
                    .returning(CAMPAIGNS.c.id)
                )
            ).scalar_one()
        load = wait_for_quiet()
        cpu, wall = time.process_time(), time.perf_counter()
        async with ctx.engine.begin() as conn:
            added = await run_if_due(conn, campaign_id, utcnow())
        fan_out = time.perf_counter() - wall
        fan_out_cpu = time.process_time() - cpu
        cpu, wall = time.process_time(), time.perf_counter()
        sent = await send_pushes(ctx)
        sending = time.perf_counter() - wall
        sending_cpu = time.process_time() - cpu
        async with ctx.engine.connect() as conn:
            states = dict(
                (
                    await conn.execute(
                        select(DELIVERIES.c.state, func.count()).group_by(DELIVERIES.c.state)
                    )
                ).all()
            )
    finally:
        from backend.push.sending import close_push_runtime

        await close_push_runtime(ctx.extra)
        await ctx.engine.dispose()
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n{count:,} subscriptions, {backend}, load average {load:.2f} before timing\n")
    print("| step | wall s | per second | CPU µs per push (this process) |")
    print("|---|---|---|---|")
    print(
        f"| fan-out: select recipients, insert {added:,} delivery rows | {fan_out:.2f} | "
        f"{added / fan_out:,.0f} | {fan_out_cpu / added * 1e6:.0f} |"
    )
    print(
        f"| send through the outbox: claim, encrypt, POST, record | {sending:.2f} | "
        f"{sent / sending:,.0f} | {sending_cpu / sent * 1e6:.0f} |"
    )
    print(f"\ndelivery states: {states}")
    if states != {"sent": count}:
        raise SystemExit("not every push was sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    stub = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("push.py")), "--stub"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stub.stdout is not None
        port = int(stub.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            upgrade(url.replace("postgresql://", "postgresql+asyncpg://"))
            asyncio.run(_bench(url, port, args.count))
    finally:
        stub.terminate()
        stub.wait()


if __name__ == "__main__":
    main()
