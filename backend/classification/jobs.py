"""Background work for classification: classify new cases, retrain on corrections."""

from __future__ import annotations

import logging

from backend.classification.retrain import retrain
from backend.jobs.context import JobContext

log = logging.getLogger(__name__)


async def classify_cases(ctx: JobContext, case_ids: list[int]) -> int:
    """Classify and group the given cases (those already classified are skipped)."""
    return await ctx.classifier.classify(ctx, case_ids)


async def retrain_model(ctx: JobContext) -> dict[str, object]:
    """Train on corpus + corrections; the new model is used only if it is not worse."""
    result = await retrain(ctx.engine, ctx.settings.models_dir)
    log.warning("retrain: %s", result)
    return {"version": result.version, "activated": result.activated}
