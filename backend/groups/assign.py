"""Issue grouping inside the classification job: each new case joins the most similar open group.

The choice itself is `classifiers.grouping` (pure); this module loads the candidate groups,
stores the updated centroid and links the case, in the caller's transaction. Grouping is
serialized (an asyncio lock in the process, an advisory lock in PostgreSQL) so two workers never
open two groups for the same incident at the same moment.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Case, IssueGroup
from classifiers.grouping import (
    GroupCentroid,
    GroupingPolicy,
    OpenGroup,
    choose_group,
    place_bound,
    vectorize,
)
from classifiers.redact import redact

CASES = Case.__table__  # type: ignore[attr-defined]
GROUPS = IssueGroup.__table__  # type: ignore[attr-defined]
_ADVISORY_KEY = 7_364_201  # any constant shared by every worker


class CaseToGroup(msgspec.Struct, frozen=True, kw_only=True):
    case_id: int
    topic: str
    commune_code: str
    province_code: str
    received_at: datetime
    text: str


def centroid_to_column(centroid: GroupCentroid) -> Any:
    return json.loads(centroid.to_json())


def centroid_from_column(value: Any) -> GroupCentroid:
    if value is None:
        return GroupCentroid({}, 0)
    return GroupCentroid.from_json(value if isinstance(value, str) else json.dumps(value))


def group_title(text_: str) -> str:
    """A short, redacted title from the first case's first line."""
    first_line = text_.strip().splitlines()[0] if text_.strip() else ""
    return redact(first_line)[:120]


class GroupAssigner:
    def __init__(self, policy: GroupingPolicy | None = None) -> None:
        self.policy = policy or GroupingPolicy()
        self._lock = asyncio.Lock()

    async def assign(self, conn: AsyncConnection, cases: list[CaseToGroup]) -> dict[int, int]:
        """Link each case to a group (joined or new); returns case id → group id."""
        links: dict[int, int] = {}
        async with self._lock:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY}
                )
            for case in sorted(cases, key=lambda c: (c.received_at, c.case_id)):
                links[case.case_id] = await self._assign_one(conn, case)
        return links

    async def _assign_one(self, conn: AsyncConnection, case: CaseToGroup) -> int:
        vector = vectorize(case.text)
        candidates = await self._candidates(conn, case)
        chosen = choose_group(
            vector,
            case.topic,
            case.commune_code,
            case.received_at,
            candidates.values(),
            self.policy,
        )
        if chosen is None:
            group_id = await self._open_group(conn, case, GroupCentroid.of([vector]))
        else:
            group = candidates[chosen]
            group_id = chosen
            await conn.execute(
                update(GROUPS)
                .where(GROUPS.c.id == chosen)
                .values(
                    centroid=centroid_to_column(group.centroid.add(vector)),
                    size=GROUPS.c.size + 1,
                    last_seen=max(group.last_seen, case.received_at),
                )
            )
        await conn.execute(
            update(CASES).where(CASES.c.id == case.case_id).values(group_id=group_id)
        )
        return group_id

    async def _candidates(self, conn: AsyncConnection, case: CaseToGroup) -> dict[int, OpenGroup]:
        query = select(
            GROUPS.c.id,
            GROUPS.c.topic,
            GROUPS.c.commune_code,
            GROUPS.c.last_seen,
            GROUPS.c.centroid,
            GROUPS.c.size,
        ).where(
            GROUPS.c.status == "open",
            GROUPS.c.topic == case.topic,
            GROUPS.c.last_seen >= case.received_at - self.policy.window,
        )
        if place_bound(case.topic):
            query = query.where(GROUPS.c.commune_code == case.commune_code)
        else:  # problems not tied to one place still group within one province
            query = query.where(GROUPS.c.province_code == case.province_code)
        return {
            row.id: OpenGroup(
                id=row.id,
                topic=row.topic,
                commune=row.commune_code or "",
                last_seen=row.last_seen,
                centroid=centroid_from_column(row.centroid),
                size=row.size,
            )
            for row in (await conn.execute(query)).all()
        }

    async def _open_group(
        self, conn: AsyncConnection, case: CaseToGroup, centroid: GroupCentroid
    ) -> int:
        result = await conn.execute(
            insert(GROUPS)
            .values(
                topic=case.topic,
                commune_code=case.commune_code,
                province_code=case.province_code,
                status="open",
                title=group_title(case.text),
                centroid=centroid_to_column(centroid),
                size=1,
                first_seen=case.received_at,
                last_seen=case.received_at,
            )
            .returning(GROUPS.c.id)
        )
        return int(result.scalar_one())
