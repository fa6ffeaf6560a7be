"""Accent-insensitive search, run in the browser against the real commune list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import wait_until_controlled

pytestmark = pytest.mark.browser

SEARCH = """async (queries) => {
  const { communeIndex, searchCommunes } = await import("/js/communes.js");
  const index = await communeIndex();
  const out = { size: index.length };
  for (const q of queries) out[q] = searchCommunes(index, q, 5).map((c) => c.code);
  return out;
}"""


def test_fold_strips_marks_and_d_bar(page: Any) -> None:
    page.goto("/guides.html")
    folded = page.evaluate(
        """() => import("/js/fold.js").then(({ fold }) =>
             ["Phường Hoàn Kiếm", "ĐỘI CẤN", "  Thủy   Nguyên ", "Quảng Ngãi"].map(fold))"""
    )
    assert folded == ["phuong hoan kiem", "doi can", "thuy nguyen", "quang ngai"]


def test_commune_search_ignores_diacritics_case_and_finds_codes(page: Any) -> None:
    page.goto("/feedback.html")
    wait_until_controlled(page)
    found = page.evaluate(
        SEARCH, ["hoan kiem", "HOÀN KIẾM", "phuong ba dinh", "00070", "ba dinh ha noi", "zzzz"]
    )
    assert found["size"] == 3321
    assert found["hoan kiem"][0] == found["HOÀN KIẾM"][0] == found["00070"][0] == "00070"
    assert found["phuong ba dinh"][0] == found["ba dinh ha noi"][0] == "00004"
    assert found["zzzz"] == []
    # Words match at word starts only: "oan" is inside "hoan" but starts no word.
    assert page.evaluate(SEARCH, ["oan kiem"])["oan kiem"] == []
