"""Helpers the HTTP benchmarks share: run a command, wait for a started server to be ready."""

from __future__ import annotations

import subprocess
import time
import urllib.request


def run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    """The command's stdout; a failure stops the benchmark with what the command printed."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_ready(port: int, timeout: float = 30.0) -> None:
    """Until GET /ready on 127.0.0.1:`port` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not become ready")
