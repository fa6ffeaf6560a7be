"""Write the app-shell list and its content hash into pwa/sw.js.

Run after changing any file under pwa/: `.venv/bin/python pwa/tools/stamp.py`. The version is a
hash of every shell file, so any change gives the service worker new bytes, browsers install
it, and its activate step drops the previous cache. tests/pwa/test_static.py fails when the
stamp is out of date.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent
SERVICE_WORKER = PWA / "sw.js"
NOT_SHELL = {"sw.js", "README.md"}
NOT_SHELL_DIRS = {"tools"}
STAMP = re.compile(r"// <stamp>\n.*?// </stamp>\n", re.DOTALL)


def shell_files() -> list[str]:
    """Site paths of every file the service worker precaches, sorted."""
    paths = []
    for path in PWA.rglob("*"):
        relative = path.relative_to(PWA)
        if not path.is_file() or relative.parts[0] in NOT_SHELL_DIRS or str(relative) in NOT_SHELL:
            continue
        if path.name.startswith("."):
            continue
        paths.append("/" + relative.as_posix())
    return sorted(paths)


def version(paths: list[str]) -> str:
    """The first 12 hex digits of a SHA-256 over every shell file's path and bytes."""
    digest = hashlib.sha256()
    for site_path in paths:
        digest.update(site_path.encode() + b"\0")
        digest.update((PWA / site_path.lstrip("/")).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def stamped(source: str) -> str:
    """sw.js source with the current VERSION and SHELL between the stamp markers."""
    paths = shell_files()
    listing = ",\n".join(f"  {json.dumps(p)}" for p in ["/", *paths])
    block = f'// <stamp>\nconst VERSION = "{version(paths)}";\nconst SHELL = [\n{listing},\n];\n// </stamp>\n'
    if not STAMP.search(source):
        raise SystemExit("sw.js has no // <stamp> … // </stamp> block")
    return STAMP.sub(lambda _: block, source, count=1)


def main() -> int:
    """Rewrite sw.js in place; prints the version."""
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    SERVICE_WORKER.write_text(stamped(source), encoding="utf-8")
    print(f"sw.js stamped: {version(shell_files())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
