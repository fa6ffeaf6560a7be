"""Signed reply tokens for reply+TOKEN@ addresses: a stranger cannot guess one into a case."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_CASE_REF = re.compile(r"[a-z0-9-]{1,40}")
_MAC_CHARS = 16  # 80 bits of base32: enough against guessing, short enough for a local part


class ReplyTokens:
    """Issue and verify `<case ref>.<mac>` tokens; lowercase, since some MTAs fold case."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("reply token secret must be at least 16 bytes")
        self._secret = secret

    def issue(self, case_ref: str) -> str:
        """The token for a case reference (lowercase letters, digits and hyphens)."""
        ref = case_ref.lower()
        if not _CASE_REF.fullmatch(ref):
            raise ValueError("case reference must be 1-40 of [a-z0-9-]")
        return f"{ref}.{self._mac(ref)}"

    def verify(self, token: str) -> str | None:
        """The case reference of a genuine token, None for anything else."""
        ref, dot, mac = token.lower().rpartition(".")
        if not dot or not _CASE_REF.fullmatch(ref):
            return None
        return ref if hmac.compare_digest(mac, self._mac(ref)) else None

    def _mac(self, ref: str) -> str:
        digest = hmac.new(self._secret, b"reply-token:" + ref.encode(), hashlib.sha256).digest()
        return base64.b32encode(digest).decode().lower()[:_MAC_CHARS]
