"""Write the app-shell list and its content hash into pwa/sw.js.

Run after changing any file under pwa/: `.venv/bin/python pwa/tools/stamp.py`. The version is a
hash of every shell file, so any change gives the service worker new bytes, browsers install
it, and its activate step drops the previous cache. tests/pwa/test_static.py fails when the
stamp is out of date.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import sys
from html import escape
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


IMPORT = re.compile(
    r"""^\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.MULTILINE
)
ENTRY = re.compile(r'<script type="module" src="(/js/pages/[^"]+)"></script>')
PRELOAD = re.compile(r"<!-- <modulepreload> -->\n.*?<!-- </modulepreload> -->\n", re.DOTALL)


def module_graph(entry: str) -> list[str]:
    """Site paths of every module `entry` imports, directly or not (static imports), sorted."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        site_path = todo.pop()
        source = (PWA / site_path.lstrip("/")).read_text(encoding="utf-8")
        for relative in IMPORT.findall(source):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(site_path), relative))
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(seen)


def preloaded(html: str) -> str:
    """The page with <link rel="modulepreload"> for its entry module's whole import graph, so
    the browser fetches every module at once instead of one import level per round trip."""
    entry = ENTRY.search(html)
    if entry is None:
        return html
    links = "".join(
        f'<link rel="modulepreload" href="{p}">\n' for p in module_graph(entry.group(1))
    )
    # Every page's first step is loading the Vietnamese text (js/i18n.js): fetch it meanwhile.
    links += '<link rel="preload" href="/locales/vi.json" as="fetch" crossorigin>\n'
    block = f"<!-- <modulepreload> -->\n{links}<!-- </modulepreload> -->\n"
    if PRELOAD.search(html):
        return PRELOAD.sub(lambda _: block, html, count=1)
    return html.replace(entry.group(0) + "\n", entry.group(0) + "\n" + block, 1)


TRANSLATED = re.compile(r'(<(\w+)\b[^<>]*\sdata-i18n="([\w.]+)"[^<>]*>)([^<]*)(</\2>)')


ABOVE_THE_FOLD = ("title", "h1")  # and <p class="lead">: nothing a script builds sits above them


def prerendered(html: str, strings: dict[str, str]) -> str:
    """The page with its title, heading and lead text in Vietnamese already in place: the first
    paint shows words before any script ran. (Text further down stays empty until the script
    fills it: prerendered there, it would jump when the forms above it are built.)"""

    def fill(match: re.Match[str]) -> str:
        text = strings.get(match.group(3))
        tag, attrs = match.group(2), match.group(1)
        if text is None or (tag not in ABOVE_THE_FOLD and 'class="lead"' not in attrs):
            return match.group(0)
        return match.group(1) + escape(text, quote=False) + match.group(5)

    return TRANSLATED.sub(fill, html)


def main() -> int:
    """Write each page's module preloads and Vietnamese text, then rewrite sw.js in place; prints the version."""
    vietnamese = json.loads((PWA / "locales" / "vi.json").read_text(encoding="utf-8"))
    for page in sorted(PWA.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        done = prerendered(preloaded(html), vietnamese)
        if done != html:
            page.write_text(done, encoding="utf-8")
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    SERVICE_WORKER.write_text(stamped(source), encoding="utf-8")
    print(f"sw.js stamped: {version(shell_files())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
