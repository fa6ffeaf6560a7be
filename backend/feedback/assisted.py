"""Feedback a volunteer records on a resident's behalf, with the resident's consent."""

from __future__ import annotations

from typing import Any

from backend.accounts.principal import Principal
from backend.errors import Forbidden, Invalid


def assisted_raw(principal: Principal, commune_code: str, consent: bool) -> dict[str, Any]:
    """What the message keeps about who recorded it; refuses what the volunteer may not do."""
    if not consent:
        raise Invalid("assisted feedback needs the resident's consent", field="consent")
    if not principal.allows(commune_code, None) and not principal.is_admin:
        raise Forbidden(f"commune {commune_code} is outside your communes")
    return {
        "assisted_by": {
            "user_id": principal.user_id,
            "name": principal.full_name or principal.username,
        },
        "resident_consent": True,
    }


def assisted_by(raw: dict[str, Any] | None) -> str | None:
    """The name of the volunteer who recorded a message, if one did."""
    helper = (raw or {}).get("assisted_by")
    return str(helper["name"]) if isinstance(helper, dict) and "name" in helper else None
