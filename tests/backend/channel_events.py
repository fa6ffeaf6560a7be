"""Provider payloads for the end-to-end channel tests, in the shapes of the protocol digest."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from tests.backend.conftest import MAIL_DOMAIN, PSID, ZALO_USER
from tests.channels.fakes.meta import PAGE_ID
from tests.channels.fakes.zalo import APP_ID, OA_ID


def now_ms() -> int:
    return int(time.time() * 1000)


def zalo_body(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def zalo_text(text: str, msg_id: str | None = None, user: str = ZALO_USER) -> bytes:
    """`user_send_text` (§1.3): ids and the ms timestamp are strings."""
    return zalo_body(
        {
            "event_name": "user_send_text",
            "app_id": APP_ID,
            "sender": {"id": user},
            "recipient": {"id": OA_ID},
            "message": {"text": text, "msg_id": msg_id or secrets.token_hex(10)},
            "timestamp": str(now_ms()),
            "user_id_by_app": "7300442764876318465",
        }
    )


def zalo_echo(text: str, msg_id: str, user: str = ZALO_USER) -> bytes:
    """`oa_send_text`: what the OA sent; sender and recipient are swapped (§1.4)."""
    return zalo_body(
        {
            "event_name": "oa_send_text",
            "app_id": APP_ID,
            "sender": {"id": OA_ID},
            "recipient": {"id": user},
            "message": {"text": text, "msg_id": msg_id},
            "timestamp": str(now_ms()),
        }
    )


def zalo_receipt(name: str, msg_ids: list[str], user: str = ZALO_USER) -> bytes:
    """`user_received_message` (one msg_id) or `user_seen_message` (msg_ids, an array)."""
    message: dict[str, Any] = (
        {"msg_id": msg_ids[0]} if name == "user_received_message" else {"msg_ids": msg_ids}
    )
    return zalo_body(
        {
            "event_name": name,
            "app_id": APP_ID,
            "sender": {"id": OA_ID},
            "recipient": {"id": user},
            "message": message,
            "timestamp": str(now_ms()),
        }
    )


def zalo_info(name: str, phone: str, email: str | None = None, user: str = ZALO_USER) -> bytes:
    """`user_submit_info`: the citizen answered the OA's request for their details."""
    info = {"name": name, "phone": phone} | ({"email": email} if email else {})
    return zalo_body(
        {
            "event_name": "user_submit_info",
            "app_id": APP_ID,
            "sender": {"id": user},
            "recipient": {"id": OA_ID},
            "info": info,
            "timestamp": str(now_ms()),
        }
    )


def messenger_items(*items: dict[str, Any]) -> dict[str, Any]:
    """One entry of our Page with these messaging items."""
    return {"id": PAGE_ID, "time": now_ms(), "messaging": list(items)}


def messenger_text(text: str, mid: str | None = None, psid: str = PSID) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        "message": {"mid": mid or "m_" + secrets.token_urlsafe(12), "text": text},
    }


def messenger_echo(text: str, mid: str, psid: str = PSID) -> dict[str, Any]:
    return {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": psid},
        "timestamp": now_ms(),
        "message": {"mid": mid, "text": text, "is_echo": True},
    }


def messenger_delivery(watermark: int, psid: str = PSID) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        "delivery": {"watermark": watermark},
    }


def citizen_mail(
    text: str,
    *,
    sender: str = "an.nguyen@example.vn",
    to: str = f"gopy@{MAIL_DOMAIN}",
    subject: str = "Đèn đường hỏng",
    **headers: str,
) -> EmailMessage:
    """A mail a citizen writes; extra headers by keyword (In_Reply_To → In-Reply-To)."""
    mail = EmailMessage()
    mail["From"] = f"Nguyễn Văn An <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(domain="example.vn")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail
