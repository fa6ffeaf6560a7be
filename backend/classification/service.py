"""The classification hook: every new case gets topic, kind, urgency and confidence by a job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update

from backend.db.models import Case, Direction, Message
from backend.db.types import utcnow
from backend.jobs.context import JobContext

log = logging.getLogger(__name__)
CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]


class PredictionLike(Protocol):
    topic: str
    topic_confidence: float
    kind: str
    kind_confidence: float
    urgent: bool
    urgency_confidence: float
    model_version: str


class PredictorLike(Protocol):
    version: str

    def predict(self, texts: Sequence[str]) -> Sequence[Any]: ...


class ModelCaseClassifier:
    """Classifies pending cases with the active model; the model is loaded once per process."""

    def __init__(self, models_dir: Path, review_threshold: float = 0.5) -> None:
        self._models_dir = models_dir
        self._threshold = review_threshold
        self._predictor: PredictorLike | None = None
        self._warned = False

    def predictor(self) -> PredictorLike | None:
        if self._predictor is None and (self._models_dir / "current").exists():
            from classifiers.predictor import Predictor

            self._predictor = Predictor.load(self._models_dir / "current")
        return self._predictor

    def reload(self) -> None:
        self._predictor = None

    async def classify(self, ctx: JobContext, case_ids: list[int]) -> int:
        """Classify those of `case_ids` still unclassified; returns how many were classified."""
        predictor = self._predictor or await asyncio.to_thread(self.predictor)
        if predictor is None:
            if not self._warned:
                log.warning(
                    "no model in %s: cases stay pending until one is trained", self._models_dir
                )
                self._warned = True
            return 0
        async with ctx.engine.connect() as conn:
            texts = await _first_texts(conn, case_ids)
        if not texts:
            return 0
        ids = list(texts)
        predictions = await asyncio.to_thread(predictor.predict, [texts[i] for i in ids])
        now = utcnow()
        async with ctx.engine.begin() as conn:
            for case_id, p in zip(ids, predictions, strict=True):
                await conn.execute(
                    update(CASES)
                    .where(CASES.c.id == case_id, CASES.c.classified_at.is_(None))
                    .values(
                        topic=p.topic,
                        topic_confidence=p.topic_confidence,
                        topic_source="model",
                        kind=p.kind,
                        urgent=p.urgent,
                        needs_review=p.topic_confidence < self._threshold,
                        model_version=p.model_version,
                        classified_at=now,
                    )
                )
        return len(ids)


async def _first_texts(conn: Any, case_ids: list[int]) -> dict[int, str]:
    """The first inbound message of each still-unclassified case."""
    query = (
        select(MESSAGES.c.case_id, MESSAGES.c.text)
        .join(CASES, CASES.c.id == MESSAGES.c.case_id)
        .where(
            MESSAGES.c.case_id.in_(case_ids),
            MESSAGES.c.direction == Direction.INBOUND.value,
            CASES.c.classified_at.is_(None),
        )
        .order_by(MESSAGES.c.case_id, MESSAGES.c.id)
    )
    texts: dict[int, str] = {}
    for row in (await conn.execute(query)).all():
        texts.setdefault(row.case_id, row.text)
    return texts
