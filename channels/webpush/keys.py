"""VAPID key pairs (RFC 8292 §3.2): P-256, stored as PEM or as the raw base64url scalar."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url, as the Push API and JWTs use it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError on bad input."""
    cleaned = text.strip()
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not base64url: {exc}") from exc


class VapidKeys:
    """The application server's signing key; its public half is the `applicationServerKey`."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("VAPID keys are P-256 (RFC 8292 §3.2)")
        self.private_key = private_key

    @classmethod
    def generate(cls) -> VapidKeys:
        """A fresh key pair (rotating it invalidates every existing subscription)."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def load(cls, value: str) -> VapidKeys:
        """From a PEM private key or the base64url raw 32-byte scalar."""
        if "-----BEGIN" in value:
            key = serialization.load_pem_private_key(value.encode(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError("the PEM does not hold an EC private key")
            return cls(key)
        raw = b64url_decode(value)
        if len(raw) != 32:
            raise ValueError("a raw VAPID private key is 32 bytes")
        return cls(ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1()))

    def private_pem(self) -> str:
        """PKCS#8 PEM, for the settings file or secret store."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def private_base64url(self) -> str:
        """The raw 32-byte scalar, base64url: a one-line form of the private key."""
        return b64url_encode(self.private_key.private_numbers().private_value.to_bytes(32, "big"))

    def application_server_key(self) -> str:
        """The uncompressed public point (65 bytes), base64url: what `subscribe()` needs."""
        return b64url_encode(public_point(self.private_key.public_key()))


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    """X9.62 uncompressed point: 0x04 || x || y."""
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
