"""Draw the app icons (PNG) with the standard library only: a speech bubble on the Front's red.

Run from the repository root: `.venv/bin/python pwa/tools/make_icons.py`. The PNGs are committed;
this script is how they were made and how to remake them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "icons"
RED = (183, 28, 28)
YELLOW = (255, 214, 0)
SAMPLES = 4  # 4x4 supersampling per pixel for smooth edges

Shape = Callable[[float, float], bool]


def png_bytes(width: int, height: int, rows: list[bytes]) -> bytes:
    """An RGBA PNG (RFC 2083): signature, IHDR, one IDAT, IEND; filter type 0 on every row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def rounded_square(radius: float) -> Shape:
    """The unit square with rounded corners (coordinates 0..1)."""

    def inside(x: float, y: float) -> bool:
        cx = min(max(x, radius), 1 - radius)
        cy = min(max(y, radius), 1 - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2

    return inside


def bubble(cx: float, cy: float, scale: float) -> tuple[Shape, Shape]:
    """A speech bubble (ellipse + tail) and its three dots, centred on (cx, cy)."""
    rx, ry = 0.36 * scale, 0.27 * scale

    def body(x: float, y: float) -> bool:
        if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1:
            return True
        # The tail: a triangle under the lower left of the ellipse.
        ax, ay = cx - 0.20 * scale, cy + 0.18 * scale
        bx, by = cx - 0.02 * scale, cy + 0.22 * scale
        tx, ty = cx - 0.28 * scale, cy + 0.40 * scale
        d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by)
        d2 = (x - tx) * (by - ty) - (bx - tx) * (y - ty)
        d3 = (x - ax) * (ty - ay) - (tx - ax) * (y - ay)
        return (d1 < 0) == (d2 < 0) == (d3 < 0)

    def dots(x: float, y: float) -> bool:
        r = 0.045 * scale
        return any((x - (cx + dx * scale)) ** 2 + (y - cy) ** 2 <= r**2 for dx in (-0.15, 0, 0.15))

    return body, dots


def render(size: int, maskable: bool) -> bytes:
    """One icon: full-bleed red for maskable (content inside the 80% safe zone), rounded otherwise."""
    background: Shape = (lambda x, y: True) if maskable else rounded_square(0.18)
    body, dots = bubble(0.5, 0.47, 0.78 if maskable else 1.0)
    rows = []
    step = 1 / (size * SAMPLES)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                y = (py * SAMPLES + sy + 0.5) * step
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    if not background(x, y):
                        continue
                    colour = RED if dots(x, y) or not body(x, y) else YELLOW
                    acc[0] += colour[0]
                    acc[1] += colour[1]
                    acc[2] += colour[2]
                    acc[3] += 255
            n = SAMPLES * SAMPLES
            alpha = acc[3] // n
            if alpha:
                covered = acc[3] // 255
                row += bytes((acc[0] // covered, acc[1] // covered, acc[2] // covered, alpha))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


def main() -> None:
    """Write icon-192/512 and maskable-192/512 into pwa/icons/."""
    ICONS.mkdir(exist_ok=True)
    for size in (192, 512):
        (ICONS / f"icon-{size}.png").write_bytes(render(size, maskable=False))
        (ICONS / f"maskable-{size}.png").write_bytes(render(size, maskable=True))


if __name__ == "__main__":
    main()
