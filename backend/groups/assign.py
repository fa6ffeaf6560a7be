"""Issue grouping inside the classification job: each new case joins the most similar open group.

The choice itself is `classifiers.grouping` (pure); this module loads the candidate groups,
stores the updated centroids and links the cases, in the caller's transaction. Grouping is
serialized (an asyncio lock in the process, an advisory lock in PostgreSQL) so two workers never
open two groups for the same incident at the same moment.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import bindparam, insert, or_, select, text, update
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
    """Links a batch of classified cases to groups with four statements, whatever its size.

    The candidate groups of the whole batch are read at once; the cases are placed one after
    the other in memory (a case may join a group an earlier case of the batch opened); then the
    new groups are inserted, the joined ones updated and the cases linked, each as one
    statement. Per-case round trips had capped classification near a hundred cases a second.
    """

    def __init__(self, policy: GroupingPolicy | None = None) -> None:
        self.policy = policy or GroupingPolicy()
        self._lock = asyncio.Lock()

    async def assign(self, conn: AsyncConnection, cases: list[CaseToGroup]) -> dict[int, int]:
        """Link each case to a group (joined or new); returns case id → group id."""
        if not cases:
            return {}
        async with self._lock:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY}
                )
            ordered = sorted(cases, key=lambda c: (c.received_at, c.case_id))
            batch = _Batch(await self._candidates(conn, ordered))
            for case in ordered:
                batch.place(case, self.policy)
            return await batch.write(conn)

    async def _candidates(
        self, conn: AsyncConnection, cases: list[CaseToGroup]
    ) -> dict[int, tuple[OpenGroup, str | None]]:
        """Open groups any case of the batch may join, with their province."""
        communes = {case.commune_code for case in cases if place_bound(case.topic)}
        provinces = {case.province_code for case in cases if not place_bound(case.topic)}
        query = select(
            GROUPS.c.id,
            GROUPS.c.topic,
            GROUPS.c.commune_code,
            GROUPS.c.province_code,
            GROUPS.c.last_seen,
            GROUPS.c.centroid,
            GROUPS.c.size,
        ).where(
            GROUPS.c.status == "open",
            GROUPS.c.topic.in_({case.topic for case in cases}),
            GROUPS.c.last_seen >= min(case.received_at for case in cases) - self.policy.window,
            # wide enough for every case; each case's own place is checked in memory
            or_(GROUPS.c.commune_code.in_(communes), GROUPS.c.province_code.in_(provinces)),
        )
        return {
            row.id: (
                OpenGroup(
                    id=row.id,
                    topic=row.topic,
                    commune=row.commune_code or "",
                    last_seen=row.last_seen,
                    centroid=centroid_from_column(row.centroid),
                    size=row.size,
                ),
                row.province_code,
            )
            for row in (await conn.execute(query)).all()
        }


# Ids of groups opened in memory: above every stored id, so ties still favour older groups.
_OPENED = 1 << 62


class _Batch:
    """The groups of one batch as the cases are placed, and what must be written."""

    def __init__(self, groups: dict[int, tuple[OpenGroup, str | None]]) -> None:
        self.groups = groups
        self.opened: dict[int, CaseToGroup] = {}  # in-memory id → the case that opened it
        self.joined: set[int] = set()  # stored groups that took cases
        self.links: dict[int, int] = {}  # case id → group id (in-memory ids for new groups)

    def place(self, case: CaseToGroup, policy: GroupingPolicy) -> None:
        vector = vectorize(case.text)
        candidates = [
            group
            for group, province in self.groups.values()
            if place_bound(case.topic) or province == case.province_code
        ]
        chosen = choose_group(
            vector, case.topic, case.commune_code, case.received_at, candidates, policy
        )
        if chosen is None:
            chosen = _OPENED + len(self.opened)
            self.opened[chosen] = case
            group = OpenGroup(
                id=chosen,
                topic=case.topic,
                commune=case.commune_code,
                last_seen=case.received_at,
                centroid=GroupCentroid.of([vector]),
                size=1,
            )
        else:
            group = self.groups[chosen][0]
            group = msgspec.structs.replace(
                group,
                centroid=group.centroid.add(vector),
                size=group.size + 1,
                last_seen=max(group.last_seen, case.received_at),
            )
            if chosen < _OPENED:
                self.joined.add(chosen)
        self.groups[chosen] = (group, case.province_code)
        self.links[case.case_id] = chosen

    async def write(self, conn: AsyncConnection) -> dict[int, int]:
        """Insert the new groups, update the joined ones, link the cases; case id → group id."""
        stored: dict[int, int] = {}
        if self.opened:
            rows = [self._new_row(key, case) for key, case in self.opened.items()]
            inserted = await conn.execute(
                insert(GROUPS).returning(GROUPS.c.id, sort_by_parameter_order=True), rows
            )
            stored = dict(zip(self.opened, inserted.scalars().all(), strict=True))
        if self.joined:
            await conn.execute(
                update(GROUPS)
                .where(GROUPS.c.id == bindparam("joined"))
                .values(
                    centroid=bindparam("new_centroid"),
                    size=bindparam("new_size"),
                    last_seen=bindparam("new_last_seen"),
                ),
                [self._joined_row(group_id) for group_id in sorted(self.joined)],
            )
        links = {case: stored.get(group, group) for case, group in self.links.items()}
        await conn.execute(
            update(CASES)
            .where(CASES.c.id == bindparam("case"))
            .values(group_id=bindparam("group")),
            [{"case": case, "group": group} for case, group in links.items()],
        )
        return links

    def _new_row(self, key: int, case: CaseToGroup) -> dict[str, Any]:
        group = self.groups[key][0]
        return {
            "topic": case.topic,
            "commune_code": case.commune_code,
            "province_code": case.province_code,
            "status": "open",
            "title": group_title(case.text),
            "centroid": centroid_to_column(group.centroid),
            "size": group.size,
            "first_seen": case.received_at,
            "last_seen": group.last_seen,
        }

    def _joined_row(self, group_id: int) -> dict[str, Any]:
        group = self.groups[group_id][0]
        return {
            "joined": group_id,
            "new_centroid": centroid_to_column(group.centroid),
            "new_size": group.size,
            "new_last_seen": group.last_seen,
        }
