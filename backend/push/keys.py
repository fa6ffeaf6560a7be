"""The deployment's VAPID key: from the settings, or generated once and kept (dev only)."""

from __future__ import annotations

import os
from pathlib import Path

from backend.settings import PushSettings
from channels.webpush import VapidKeys


def vapid_keys(settings: PushSettings) -> VapidKeys | None:
    """The key pair push uses, or None when push is off or has no key (the test shape)."""
    if not settings.enabled:
        return None
    if settings.private_key is not None:
        return VapidKeys.load(settings.private_key)
    if settings.key_file is None:
        return None
    return _kept_key(settings.key_file)


def _kept_key(path: Path) -> VapidKeys:
    """Load the key file, creating it (mode 0600, atomically) the first time."""
    if path.exists():
        return VapidKeys.load(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = VapidKeys.generate()
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(keys.private_pem())
    try:
        os.link(temporary, path)  # fails if another process created it first: use theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return VapidKeys.load(path.read_text())
