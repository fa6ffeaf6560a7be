"""The audit log of staff actions: who did what to which object, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import AuditEvent


async def record(
    session: AsyncSession,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the caller's transaction (committed with the change it describes)."""
    session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
    )
