"""The classification hook: every new case gets topic, kind, urgency and a group by a job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import msgspec
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Case, Direction, Message
from backend.db.types import utcnow
from backend.groups.assign import CaseToGroup, GroupAssigner
from backend.jobs.context import JobContext
from backend.live import publish_cases
from backend.observability.metrics import CLASSIFICATION_CONFIDENCE
from backend.push.service import enqueue_urgent_push

log = logging.getLogger(__name__)
CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
# Kinds that follow statutory procedures (Law on Complaints, Law on Denunciations): flagged.
STATUTORY_KINDS = frozenset({"complaint", "denunciation"})
BATCH = 500  # cases per classification run


class PredictorLike(Protocol):
    version: str

    def predict(self, texts: Sequence[str]) -> Sequence[Any]: ...


class PendingCase(msgspec.Struct, frozen=True):
    id: int
    commune_code: str
    province_code: str
    received_at: datetime
    text: str


class ModelCaseClassifier:
    """Classifies and groups pending cases with the active model (loaded once per process)."""

    def __init__(
        self,
        models_dir: Path,
        review_threshold: float = 0.5,
        assigner: GroupAssigner | None = None,
    ) -> None:
        self._models_dir = models_dir
        self._threshold = review_threshold
        self._assigner = assigner or GroupAssigner()
        self._predictor: PredictorLike | None = None
        self._warned = False
        self._loaded: tuple[Path, int] | None = None
        self._turns = asyncio.Lock()  # SQLite: one classification run at a time

    def predictor(self) -> PredictorLike | None:
        """The active model; reloaded when another process activated a new one."""
        card = self._models_dir / "current" / "card.json"
        if not card.exists():
            return None
        stamp = (card.resolve(), card.stat().st_mtime_ns)
        if self._predictor is None or stamp != self._loaded:
            from classifiers.predictor import Predictor

            self._predictor = Predictor.load(self._models_dir / "current")
            self._loaded = stamp
        return self._predictor

    async def classify(self, ctx: JobContext, case_ids: list[int]) -> int:
        """Classify and group the oldest unclassified cases, up to BATCH; returns how many.

        `case_ids` (the cases whose commit woke the job) are only the signal: each run takes
        the oldest waiting cases, so a backlog is worked off in large batches rather than one
        job per commit. On PostgreSQL the claimed rows stay locked until the run commits and
        other workers skip them; SQLite's runs take turns in the process.
        """
        predictor = await asyncio.to_thread(self.predictor)
        if predictor is None:
            if not self._warned:
                log.warning(
                    "no model in %s: cases stay pending until one is trained", self._models_dir
                )
                self._warned = True
            return 0
        serial = self._turns if ctx.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        async with serial, ctx.engine.begin() as conn:
            classified, pushes = await self._classify_claimed(conn, predictor)
        # After the commit: pages refetch what is stored; the push job finds its deliveries.
        if classified:
            await publish_cases(ctx, classified, "updated")
        if pushes:
            await ctx.queue.wake("send_pushes")
        return len(classified)

    async def _classify_claimed(
        self, conn: AsyncConnection, predictor: PredictorLike
    ) -> tuple[list[int], int]:
        """The ids this run classified and grouped, and how many urgent pushes it queued."""
        pending = await _pending(conn, await _claim(conn))
        if not pending:
            return [], 0
        predictions = await asyncio.to_thread(predictor.predict, [case.text for case in pending])
        now = utcnow()
        rows = []
        for case, p in zip(pending, predictions, strict=True):
            CLASSIFICATION_CONFIDENCE.observe(p.topic_confidence)
            review = p.topic_confidence < self._threshold or p.kind in STATUTORY_KINDS
            rows.append(
                {
                    "case": case.id,
                    "new_topic": p.topic,
                    "confidence": p.topic_confidence,
                    "new_kind": p.kind,
                    "new_urgent": p.urgent,
                    "review": review,
                    "version": p.model_version,
                }
            )
        await conn.execute(_CLASSIFY.values(classified_at=now), rows)
        # This run's own cases carry its timestamp; a racing worker's run has its own.
        mine = await _classified_at(conn, [case.id for case in pending], now)
        ours = [(case, p) for case, p in zip(pending, predictions, strict=True) if case.id in mine]
        urgent = [case.id for case, p in ours if p.urgent]
        await self._assigner.assign(
            conn,
            [
                CaseToGroup(
                    case_id=case.id,
                    topic=p.topic,
                    commune_code=case.commune_code,
                    province_code=case.province_code,
                    received_at=case.received_at,
                    text=case.text,
                )
                for case, p in ours
            ],
        )
        # Staff whose scope and preferences match get a high-urgency push, in this transaction.
        pushes = await enqueue_urgent_push(conn, urgent)
        return [case.id for case, _ in ours], pushes


# One statement for a whole batch (executemany); a case another worker classified meanwhile is
# left as it is.
_CLASSIFY = (
    update(CASES)
    .where(CASES.c.id == bindparam("case"), CASES.c.classified_at.is_(None))
    .values(
        topic=bindparam("new_topic"),
        topic_confidence=bindparam("confidence"),
        topic_source="model",
        kind=bindparam("new_kind"),
        urgent=bindparam("new_urgent"),
        needs_review=bindparam("review"),
        model_version=bindparam("version"),
    )
)


async def _classified_at(conn: Any, case_ids: list[int], at: datetime) -> set[int]:
    query = select(CASES.c.id).where(CASES.c.id.in_(case_ids), CASES.c.classified_at == at)
    return set((await conn.execute(query)).scalars())


async def _claim(conn: AsyncConnection) -> list[int]:
    """The oldest unclassified cases, up to BATCH, locked for this transaction on PostgreSQL
    (rows another worker holds are skipped)."""
    query = (
        select(CASES.c.id)
        .where(CASES.c.classified_at.is_(None))
        .order_by(CASES.c.received_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list((await conn.execute(query)).scalars())


async def _pending(conn: Any, case_ids: list[int]) -> list[PendingCase]:
    """Still-unclassified cases with the text of their first inbound message."""
    first_messages = (
        select(MESSAGES.c.case_id, MESSAGES.c.text)
        .where(MESSAGES.c.case_id.in_(case_ids), MESSAGES.c.direction == Direction.INBOUND.value)
        .order_by(MESSAGES.c.case_id, MESSAGES.c.id)
    )
    texts: dict[int, str] = {}
    for row in (await conn.execute(first_messages)).all():
        texts.setdefault(row.case_id, row.text)
    cases = select(
        CASES.c.id, CASES.c.commune_code, CASES.c.province_code, CASES.c.received_at
    ).where(CASES.c.id.in_(list(texts)), CASES.c.classified_at.is_(None))
    return [
        PendingCase(r.id, r.commune_code, r.province_code, r.received_at, texts[r.id])
        for r in (await conn.execute(cases)).all()
    ]
