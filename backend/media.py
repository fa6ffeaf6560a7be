"""Content-addressed files on disk: photos citizens attach and media fetched from channels.

A file is named by the SHA-256 of its bytes, so storing the same photo twice keeps one copy
and a retried upload changes nothing. Each file is written to a temporary name, flushed to
disk and renamed, so a crash never leaves a half-written file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, content_type: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / f"{sha256}{_SUFFIXES[content_type]}"

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def save(self, data: bytes, content_type: str) -> str:
        """Store `data` durably; returns its SHA-256 (the same bytes are stored once)."""
        sha256 = self.digest(data)
        target = self.path(sha256, content_type)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256


def supported(content_type: str) -> bool:
    return content_type in _SUFFIXES
