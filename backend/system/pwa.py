"""Pretty URLs of the PWA that map to its static pages."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import File

from backend.settings import PROJECT_ROOT

PWA_DIR = PROJECT_ROOT / "pwa"


class PwaPagesController(Controller):
    tags = ["pwa"]
    include_in_schema = False

    @get("/track/{tracking_code:str}", media_type="text/html")
    async def track(self, tracking_code: FromPath[str]) -> File:
        """The citizen's tracking page (the status token travels in the URL fragment)."""
        return File(
            PWA_DIR / "track.html", content_disposition_type="inline", media_type="text/html"
        )
