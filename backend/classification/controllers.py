"""Model versions and retraining (admin)."""

from __future__ import annotations

from litestar import Controller, get, post

from backend.classification.models import ModelVersion, list_versions
from backend.deps import AppSettings, CurrentPrincipal, Resources


class ModelController(Controller):
    path = "/api/v1/models"
    tags = ["classification"]

    @get("/")
    async def versions(
        self, principal: CurrentPrincipal, settings: AppSettings
    ) -> list[ModelVersion]:
        """Stored classifier versions, newest first; `active` marks the one in use."""
        principal.require_staff()
        return list_versions(settings.models_dir)

    @post("/retrain", status_code=202)
    async def retrain(self, principal: CurrentPrincipal, resources: Resources) -> dict[str, str]:
        """Queue a retraining on corpus + staff corrections (activated only if not worse)."""
        principal.require_admin()
        await resources.queue.wake("retrain_model")
        return {"status": "queued"}
