"""Wait for a quiet machine before timing, and say how quiet it was (perf-limits: shared cores)."""

from __future__ import annotations

import os
import sys
import time

# One-minute load average below which other work is taken to leave our core alone.
QUIET_LOAD = 1.0


def wait_for_quiet(max_wait_s: float = 300.0) -> float:
    """Block until the 1-minute load average is below QUIET_LOAD (or the wait runs out)."""
    deadline = time.monotonic() + max_wait_s
    while (load := os.getloadavg()[0]) >= QUIET_LOAD and time.monotonic() < deadline:
        print(f"waiting for a quiet machine (load {load:.2f})", file=sys.stderr)
        time.sleep(10)
    return os.getloadavg()[0]
