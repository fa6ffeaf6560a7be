"""The automatic receipt a citizen gets when their first message opens a case."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.feedback.service import status_token
from channels.email import acknowledgement


class Acknowledgement(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    # Delivery hints the deliveries job reads back from the outbound message's `raw`.
    hints: dict[str, Any]


def status_url(base_url: str, secret_key: str, tracking_code: str) -> str:
    """The citizen's status page for this case (the same link the web form gives)."""
    return f"{base_url}/track/{tracking_code}#{status_token(secret_key, tracking_code)}"


def acknowledgement_for(channel: str, tracking_code: str, url: str) -> Acknowledgement:
    """Vietnamese first, English second; e-mail gets a subject and RFC 3834 marking."""
    if channel == "email":
        mail = acknowledgement(tracking_code, url)
        hints = {
            "kind": "acknowledgement",
            "subject": mail.subject,
            "auto_submitted": "auto-replied",
        }
        return Acknowledgement(text=mail.text, hints=hints)
    text = (
        f"Tiếng Dân đã nhận ý kiến của bạn. Mã theo dõi: {tracking_code}. "
        f"Xem tình trạng xử lý: {url}\n"
        f"We received your feedback. Tracking code: {tracking_code}."
    )
    return Acknowledgement(text=text, hints={"kind": "acknowledgement"})
