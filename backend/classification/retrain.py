"""Retraining on the shipped corpus plus staff corrections; activate only if not worse."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.classification.models import activate, active_card
from backend.db.models import Case, CaseCorrection, Direction, Message
from classifiers.card import is_not_worse, new_version
from classifiers.corpus import SHIPPED_CORPUS, CorpusRecord, load_corpus

CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
CORRECTIONS = CaseCorrection.__table__  # type: ignore[attr-defined]


class RetrainResult(msgspec.Struct, kw_only=True):
    version: str
    activated: bool
    corrections: int
    topic_macro_f1: float
    previous_topic_macro_f1: float | None


async def corrected_records(engine: AsyncEngine) -> list[CorpusRecord]:
    """Cases staff corrected, labelled with their current (corrected) topic, kind and urgency."""
    corrected = select(CORRECTIONS.c.case_id).distinct().scalar_subquery()
    query = (
        select(
            CASES.c.id, CASES.c.topic, CASES.c.kind, CASES.c.urgent, MESSAGES.c.text, MESSAGES.c.id
        )
        .join(MESSAGES, MESSAGES.c.case_id == CASES.c.id)
        .where(CASES.c.id.in_(corrected), MESSAGES.c.direction == Direction.INBOUND.value)
        .order_by(CASES.c.id, MESSAGES.c.id)
    )
    records: dict[int, CorpusRecord] = {}
    async with engine.connect() as conn:
        for row in (await conn.execute(query)).all():
            if row[0] in records or row.topic is None or row.kind is None:
                continue
            records[row[0]] = CorpusRecord(
                id=f"correction-{row[0]}",
                text=row.text,
                topic=row.topic,
                kind=row.kind,
                urgent=row.urgent,
            )
    return list(records.values())


async def retrain(engine: AsyncEngine, models_dir: Path) -> RetrainResult:
    """Train on corpus + corrections into a new version; make it current only if not worse."""
    from classifiers.train import train_models

    extra = await corrected_records(engine)
    records = load_corpus(SHIPPED_CORPUS) + extra
    staging = models_dir / "versions" / f"staging-{new_version_suffix()}"
    card = await asyncio.to_thread(train_models, records, staging)
    final = models_dir / "versions" / card.version
    staging.rename(final)
    previous = active_card(models_dir)
    activated = previous is None or is_not_worse(card, previous)
    if activated:
        activate(models_dir, final)
    return RetrainResult(
        version=card.version,
        activated=activated,
        corrections=len(extra),
        topic_macro_f1=card.metrics["topic"].macro_f1,
        previous_topic_macro_f1=previous.metrics["topic"].macro_f1 if previous else None,
    )


def new_version_suffix() -> str:
    from datetime import UTC, datetime

    return new_version(datetime.now(UTC), "staging")
