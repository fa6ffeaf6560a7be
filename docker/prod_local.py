"""`make prod-local`: the production shape on loopback, without Docker.

PostgreSQL and Redis (the machine's own, started if stopped), then the processes of
docker/compose.yaml from the same entry points: a migration, 2 × `tiengdan serve`, 2 ×
`tiengdan worker`. Prints the URLs; Ctrl-C (or SIGTERM) stops every process it started; if one
of them dies, the others are stopped too and the exit status says so.

    .venv/bin/python docker/prod_local.py [--base-port 8001] [--data-dir var/prod-local]

DATABASE_URL / REDIS_URL choose the database (created if missing) and the Redis db; every
TIENGDAN_* variable in the environment is passed on. All processes share one
PROMETHEUS_MULTIPROC_DIR, so /metrics on either API adds up all four processes.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TIENGDAN = str(Path(sys.executable).with_name("tiengdan"))
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/tiengdan_local"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"


@dataclass(frozen=True)
class Process:
    name: str
    args: tuple[str, ...]  # arguments of `tiengdan`, as the image's ENTRYPOINT gets them
    port: int | None = None


def processes(base_port: int) -> list[Process]:
    """The long-running processes of compose.yaml (api-1, api-2, worker-1, worker-2)."""
    return [
        Process("api-1", ("serve", "--port", str(base_port)), base_port),
        Process("api-2", ("serve", "--port", str(base_port + 1)), base_port + 1),
        Process("worker-1", ("worker",)),
        Process("worker-2", ("worker",)),
    ]


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def _redis_ready() -> bool:
    ping = subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True)
    return ping.returncode == 0


def _wait(check: object, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} is not reachable on 127.0.0.1")


def ensure_services() -> None:
    """Start the machine's PostgreSQL and Redis when they are installed but stopped (.ci/run)."""
    if not _pg_ready() and shutil.which("pg_ctlcluster"):
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False
        )
    _wait(_pg_ready, "PostgreSQL")
    if not _redis_ready() and shutil.which("redis-server"):
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
             "--save", "", "--appendonly", "no", "--dir", "/tmp",
             "--logfile", "/tmp/redis-prod-local.log"],
            check=False,
        )  # fmt: skip
    _wait(_redis_ready, "Redis")


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (the migration fills it)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"database name {name!r}: letters, digits and _ only")
    admin = urlunsplit(parts._replace(path="/postgres"))
    exists = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 - checked above
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if exists.stdout.strip() != "1":
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def environment(data_dir: Path, base_port: int) -> dict[str, str]:
    """The production settings, on loopback: prod checks on, plain HTTP, one metrics dir."""
    secret_file = data_dir / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(48))
        secret_file.chmod(0o600)
    env = {
        "TIENGDAN_ENV": "prod",
        "TIENGDAN_SECRET_KEY": secret_file.read_text().strip(),
        "TIENGDAN_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "TIENGDAN_BASE_URL": f"http://127.0.0.1:{base_port}",
        "TIENGDAN_PUSH_ENABLED": "false",  # set a VAPID key in the environment to turn it on
        "TIENGDAN_DATA_DIR": str(data_dir),
        "TIENGDAN_MODELS_DIR": str(ROOT / "var" / "models"),
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE),
        "REDIS_URL": os.environ.get("REDIS_URL", DEFAULT_REDIS),
        "TIENGDAN_IN_PROCESS_WORKER": "false",
        "TIENGDAN_HOST": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(data_dir / "metrics"),
    }
    if env.get("TIENGDAN_VAPID_PRIVATE_KEY"):
        env["TIENGDAN_PUSH_ENABLED"] = os.environ.get("TIENGDAN_PUSH_ENABLED", "true")
    return env


def wait_ready(port: int, child: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the API on port {port} exited with {child.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the API on port {port} did not become ready")


def stop(children: dict[str, subprocess.Popen[bytes]], grace: float = 15.0) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "prod-local")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(data_dir / "metrics", ignore_errors=True)  # counters start at zero
    (data_dir / "metrics").mkdir()
    ensure_services()
    env = environment(data_dir, args.base_port)
    ensure_database(env["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://"))
    models = Path(env["TIENGDAN_MODELS_DIR"]) / "current" / "card.json"
    if not models.exists():
        print("training the shipped classifier (once)…", flush=True)
        subprocess.run([TIENGDAN, "train", "--out", str(models.parent)], env=env, check=True)
    subprocess.run([TIENGDAN, "migrate"], env=env, check=True)

    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for process in processes(args.base_port):
            log = (logs / f"{process.name}.log").open("ab")
            children[process.name] = subprocess.Popen(
                [TIENGDAN, *process.args], env=env, stdout=log, stderr=log, cwd=ROOT
            )
            log.close()
        for process in processes(args.base_port):
            if process.port is not None:
                wait_ready(process.port, children[process.name])
        print("Tiếng Dân, production shape on loopback:")
        for process in processes(args.base_port):
            where = f"http://127.0.0.1:{process.port}" if process.port else "(no HTTP)"
            print(f"  {process.name:9} pid {children[process.name].pid:<7} {where}")
        print(f"  metrics   http://127.0.0.1:{args.base_port}/metrics (all four processes)")
        print(f"  logs      {logs}/*.log (JSON lines)")
        print("Ctrl-C stops everything.", flush=True)
        while not stopping:
            dead = [name for name, child in children.items() if child.poll() is not None]
            if dead:
                print(f"{', '.join(dead)} exited: stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        stop(children)
        print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
