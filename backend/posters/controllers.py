"""Printable QR-code posters: one per commune (or per meeting/event) that opens the form.

The QR code (segno, drawn as inline SVG) encodes the feedback form's address with the commune
preselected, so a resident who scans it at the ward office or a voter meeting lands on the
right commune without searching. The page is plain HTML with its own print stylesheet.
"""

from __future__ import annotations

import html
from typing import Annotated

import segno
from litestar import Controller, MediaType, Response, get
from litestar.params import FromPath, QueryParameter

from backend.communes.reference import communes, provinces
from backend.deps import AppSettings
from backend.errors import NotFound


def form_url(base_url: str, commune_code: str) -> str:
    return f"{base_url}/feedback.html?commune={commune_code}"


def qr_svg(url: str) -> str:
    """The URL as an SVG QR code, medium error correction (survives a crease or a smudge)."""
    return str(segno.make(url, error="m").svg_inline(scale=10, border=2, title=url))


class PosterController(Controller):
    path = "/posters"
    tags = ["pwa"]
    include_in_schema = False

    @get("/{commune_code:str}", media_type=MediaType.HTML)
    async def poster(
        self,
        commune_code: FromPath[str],
        settings: AppSettings,
        event: Annotated[str | None, QueryParameter(max_length=120)] = None,
    ) -> Response[str]:
        """A printable poster for the commune; `event` prints a meeting's or event's name."""
        commune = communes().get(commune_code)
        if commune is None:
            raise NotFound(f"unknown commune code {commune_code}")
        province = provinces().get(commune.province_code)
        url = form_url(settings.base_url, commune.code)
        title = f"Góp ý, kiến nghị với {commune.name}"
        event_line = f'<p class="event">{html.escape(event.strip())}</p>' if event else ""
        page = _PAGE.format(
            title=html.escape(title),
            province=html.escape(province.name if province else ""),
            event=event_line,
            qr=qr_svg(url),
            url=html.escape(url),
        )
        return Response(page, media_type=MediaType.HTML)


_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/css/poster.css">
</head>
<body>
<main class="poster">
<h1>{title}</h1>
<p class="province">{province}</p>
{event}
<div class="qr">{qr}</div>
<p class="how">Quét mã bằng camera điện thoại để gửi ý kiến, kiến nghị. Không cần đăng nhập;
bạn nhận mã theo dõi để xem câu trả lời.</p>
<p class="how en" lang="en">Scan with your phone's camera to send feedback. No login needed; you
get a tracking code to read the answer.</p>
<p class="url">{url}</p>
<p class="footer">Tiếng Dân · Ủy ban MTTQ Việt Nam</p>
</main>
</body>
</html>
"""
