"""`tiengdan simulate-zalo`: send a correctly signed Zalo text event to a running server.

For trying the Zalo path locally (`make run` with the TIENGDAN_ZALO_* variables set): the
event is signed exactly as Zalo signs it, with this deployment's app id and OA secret key.
"""

from __future__ import annotations

import json
import os
import secrets
import time

import click
import httpx

from backend.settings import load_settings
from channels.zalo import zalo_signature


def signed_zalo_text(app_id: str, oa_secret_key: str, user_id: str, text: str) -> tuple[bytes, str]:
    """(body, X-ZEvent-Signature) of a `user_send_text` event with a fresh msg_id."""
    timestamp = str(int(time.time() * 1000))
    event = {
        "event_name": "user_send_text",
        "app_id": app_id,
        "sender": {"id": user_id},
        "recipient": {"id": "simulated-oa"},
        "message": {"text": text, "msg_id": f"sim-{secrets.token_hex(10)}"},
        "timestamp": timestamp,
    }
    body = json.dumps(event, ensure_ascii=False).encode()
    return body, zalo_signature(app_id, body, timestamp, oa_secret_key)


@click.command("simulate-zalo")
@click.option("--text", required=True, help="What the citizen writes.")
@click.option("--user", "user_id", default="8309393969855402319", help="The citizen's Zalo id.")
@click.option("--url", default=None, help="Server base URL (default: TIENGDAN_BASE_URL).")
def simulate_zalo(text: str, user_id: str, url: str | None) -> None:
    """Post a signed Zalo message to /webhooks/zalo, as the OA's webhook would."""
    settings = load_settings(os.environ)
    zalo = settings.channels.zalo
    if zalo is None:
        raise click.UsageError("Zalo is not configured: set TIENGDAN_ZALO_APP_ID and the others")
    body, signature = signed_zalo_text(zalo.app_id, zalo.oa_secret_key, user_id, text)
    response = httpx.post(
        f"{url or settings.base_url}/webhooks/zalo",
        content=body,
        headers={"Content-Type": "application/json", "X-ZEvent-Signature": signature},
        timeout=10.0,
    )
    click.echo(f"{response.status_code} {response.text}")
    if response.status_code != 200:
        raise SystemExit(1)
