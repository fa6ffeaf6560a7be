"""Background work for classification."""

from __future__ import annotations

from backend.jobs.context import JobContext


async def classify_cases(ctx: JobContext, case_ids: list[int]) -> int:
    """Classify the given cases (those already classified are skipped)."""
    return await ctx.classifier.classify(ctx, case_ids)
