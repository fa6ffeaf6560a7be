"""Message encryption for Web Push: aes128gcm (RFC 8188) keyed as RFC 8291 says, via http_ece."""

from __future__ import annotations

from collections.abc import Sequence

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

RECORD_SIZE = 4096  # one record holds the whole message (RFC 8291 §4)


def encrypt(plaintext: bytes, p256dh: bytes, auth: bytes) -> bytes:
    """The request body: salt | rs | keyid (our ephemeral public key) | ciphertext | tag."""
    if len(p256dh) != 65 or len(auth) != 16:  # RFC 8291 §2, §3.2: HKDF would take anything
        raise ValueError("p256dh must be 65 bytes and auth 16 bytes")
    # RFC 8291 §3.1: a new ephemeral key pair for every message.
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        plaintext,
        private_key=ephemeral,
        dh=p256dh,
        auth_secret=auth,
        version="aes128gcm",
        rs=RECORD_SIZE,
    )
    return body


def encrypt_batch(plaintext: bytes, keys: Sequence[tuple[bytes, bytes]]) -> list[bytes | None]:
    """One body per (p256dh, auth); None where the keys are unusable. Runs in worker processes."""
    bodies: list[bytes | None] = []
    for p256dh, auth in keys:
        try:
            bodies.append(encrypt(plaintext, p256dh, auth))
        except (ValueError, http_ece.ECEException):
            bodies.append(None)
    return bodies
