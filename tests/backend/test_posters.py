"""QR-code posters: per commune, optionally per event, opening the form with the commune chosen."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.posters.controllers import form_url, qr_svg
from tests.backend.factories import HOAN_KIEM


async def test_a_commune_poster_encodes_the_form_with_the_commune(
    client: AsyncTestClient[Any],
) -> None:
    answer = await client.get(f"/posters/{HOAN_KIEM}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    page = answer.text
    assert "Góp ý, kiến nghị với Phường Hoàn Kiếm" in page and "Thành phố Hà Nội" in page
    url = form_url(client.app.state.settings.base_url, HOAN_KIEM)
    assert url.endswith("/feedback.html?commune=00070") and url in page
    assert qr_svg(url) in page  # the code drawn is the one for this address
    assert '<link rel="stylesheet" href="/css/poster.css">' in page  # no inline style (CSP)
    assert (await client.get("/css/poster.css")).status_code == 200


async def test_an_event_poster_prints_the_event_escaped(client: AsyncTestClient[Any]) -> None:
    answer = await client.get(
        f"/posters/{HOAN_KIEM}", params={"event": "Tiếp xúc cử tri <b>quý IV</b>"}
    )
    assert answer.status_code == 200
    assert "Tiếp xúc cử tri &lt;b&gt;quý IV&lt;/b&gt;" in answer.text
    assert "<b>quý IV</b>" not in answer.text


async def test_unknown_communes_and_long_titles_are_refused(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/posters/99999")).status_code == 404
    assert (
        await client.get(f"/posters/{HOAN_KIEM}", params={"event": "x" * 121})
    ).status_code == 400
