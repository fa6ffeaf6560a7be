"""Lighthouse scores of the PWA on a mobile profile: the citizen form and the volunteer home.

A script, not a CI gate. It starts the app in the embedded shape (SQLite, in-process worker,
demo data) on 127.0.0.1, installs npm `lighthouse` into var/lighthouse-npm (once; the npm
registry must be reachable the first time), and runs it with the system Chromium
(CHROME_PATH=/usr/bin/chromium), mobile form factor and Lighthouse's default simulated slow 4G
throttling. The volunteer page needs a login: the script logs in as the demo volunteer and hands
Lighthouse the session cookie with --extra-headers. Targets: performance >= 90,
accessibility >= 95, best practices >= 95.

    python bench/lighthouse.py [--runs 1] [--keep-reports DIR]

Lighthouse 11 is used because it still has the PWA category (12 dropped it); its scores for
the other three categories are computed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[1]
NPM_DIR = PROJECT / "var" / "lighthouse-npm"
LIGHTHOUSE_VERSION = "11.7.1"
CHROMIUM = "/usr/bin/chromium"
DEMO_VOLUNTEER, DEMO_PASSWORD = "tinhnguyen", "demo-2026-tiengdan"
PAGES = [("citizen form", "/feedback.html", False), ("volunteer home", "/volunteer.html", True)]
CATEGORIES = ["performance", "accessibility", "best-practices", "pwa"]
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}


def lighthouse_bin() -> Path:
    """npm `lighthouse`, installed under var/ on first use (never by the tests)."""
    binary = NPM_DIR / "node_modules" / ".bin" / "lighthouse"
    installed = NPM_DIR / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return binary
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed to install lighthouse (apt-get install npm)")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {NPM_DIR} …", file=sys.stderr)
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(NPM_DIR),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class App:
    """The embedded app with demo data in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TIENGDAN_")}
        self.env.pop("REDIS_URL", None)
        self.env.update(
            DATABASE_URL=f"sqlite:///{root / 'app.sqlite3'}",
            TIENGDAN_ENV="dev",
            TIENGDAN_DATA_DIR=str(root),
            TIENGDAN_RATE_LIMIT_PER_MINUTE="10000",
        )
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> App:
        cli = Path(sys.executable).with_name("tiengdan")
        for command in ("migrate", "demo-data"):
            subprocess.run(
                [cli, command],
                env=self.env,
                cwd=PROJECT,
                check=True,
                capture_output=True,
                timeout=300,
            )
        log = (self.root / "server.log").open("wb")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "backend.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit(f"the app did not start: {(self.root / 'server.log').read_text()}")

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)

    def session_cookie(self) -> str:
        """A cookie session of the demo volunteer, as a Cookie header value."""
        answer = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"username": DEMO_VOLUNTEER, "password": DEMO_PASSWORD, "mode": "cookie"},
        )
        answer.raise_for_status()
        return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


def run_lighthouse(binary: Path, url: str, cookie: str | None, report: Path) -> dict[str, Any]:
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=env, check=True, timeout=300)
    return dict(json.loads(report.read_text()))


def scores(result: dict[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for name in CATEGORIES:
        score = result["categories"].get(name, {}).get("score")
        out[name] = None if score is None else round(score * 100)
    return out


def failing(result: dict[str, Any]) -> list[str]:
    """Audits that lost points in accessibility and best practices (to fix)."""
    found = []
    for name in ("accessibility", "best-practices", "pwa"):
        for ref in result["categories"].get(name, {}).get("auditRefs", []):
            audit = result["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                found.append(f"{name}: {ref['id']} — {audit['title']}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median reported)")
    parser.add_argument("--keep-reports", type=Path, help="copy the JSON reports here")
    args = parser.parse_args()
    binary = lighthouse_bin()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    rows, problems = [], []
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp, App(Path(tmp)) as app:
        cookie = app.session_cookie()
        for label, path, logged_in in PAGES:
            runs = []
            for n in range(args.runs):
                report = Path(tmp) / f"{path.strip('/').replace('.', '_')}-{n}.json"
                result = run_lighthouse(
                    binary, app.url + path, cookie if logged_in else None, report
                )
                final = result.get("finalDisplayedUrl") or result.get("finalUrl", "")
                if not final.endswith(path):
                    raise SystemExit(f"{path} ended at {final} (login not accepted?)")
                runs.append(scores(result))
                problems += [f"{path}: {p}" for p in failing(result)]
                if args.keep_reports:
                    args.keep_reports.mkdir(parents=True, exist_ok=True)
                    shutil.copy(report, args.keep_reports / report.name)
            median = {
                c: statistics.median(r[c] for r in runs if r[c] is not None)
                if any(r[c] is not None for r in runs)
                else None
                for c in CATEGORIES
            }
            rows.append((label, path, median))
    print(
        f"Lighthouse {version.strip()} · mobile (simulated slow 4G, 4x CPU) · "
        f"{args.runs} run(s) per page, median · Chromium {CHROMIUM}"
    )
    header = ["page", "path", "performance", "accessibility", "best practices", "PWA"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, path, median in rows:
        cells = [str(median[c]) if median[c] is not None else "—" for c in CATEGORIES]
        print(f"| {label} | `{path}` | " + " | ".join(cells) + " |")
    met = all((median[c] or 0) >= target for _, _, median in rows for c, target in TARGETS.items())
    print(
        f"targets (performance ≥ 90, accessibility ≥ 95, best practices ≥ 95): "
        f"{'met' if met else 'NOT met'}"
    )
    for problem in sorted(set(problems)):
        print(f"  - {problem}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
