"""Staff corrections are stored with who and when, and feed retraining of a not-worse model."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.classification.models import active_card, list_versions
from backend.classification.retrain import corrected_records, retrain
from backend.db.engine import create_engine
from backend.db.models import Role
from backend.settings import Settings
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit


@pytest.fixture
async def hk(client: AsyncTestClient[Any], settings: Settings) -> dict[str, str]:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    return await bearer(client, "hk")


async def test_correction_is_recorded_and_scoped(
    client: AsyncTestClient[Any], settings: Settings, hk: dict[str, str]
) -> None:
    await submit(client, HOAN_KIEM, text="Quán karaoke hát khuya")
    url = "/api/v1/cases/1/classification"
    bad = await client.patch(url, json={"topic": "karaoke"}, headers=hk)
    assert bad.status_code == 422 and "unknown topic" in bad.text
    empty = await client.patch(url, json={}, headers=hk)
    assert empty.status_code == 422
    outsider = await client.patch(
        url, json={"topic": "security_order"}, headers=await bearer(client, "bd")
    )
    assert outsider.status_code == 404
    ok = await client.patch(
        url, json={"topic": "security_order", "kind": "feedback", "urgent": False}, headers=hk
    )
    assert ok.status_code == 200
    assert ok.json()["topic"] == "security_order" and ok.json()["needs_review"] is False
    engine = create_engine(settings.database)
    try:
        records = await corrected_records(engine)
    finally:
        await engine.dispose()
    assert [(r.text, r.topic) for r in records] == [("Quán karaoke hát khuya", "security_order")]


async def test_retrain_activates_only_a_model_that_is_not_worse(
    settings: Settings, backend_name: str, models_dir: Path, tmp_path: Path
) -> None:
    if backend_name != "sqlite":
        pytest.skip("training is database-independent; corrections are read on every backend above")
    engine = create_engine(settings.database)
    try:
        first = await retrain(engine, tmp_path)
        assert first.activated and first.previous_topic_macro_f1 is None
        card = active_card(tmp_path)
        assert card is not None and card.version == first.version
        second = await retrain(engine, tmp_path)
    finally:
        await engine.dispose()
    # Same data, same split: the new model scores the same, so it is not worse and becomes active.
    assert second.activated
    versions = list_versions(tmp_path)
    assert [v.active for v in versions].count(True) == 1
    assert {v.version for v in versions} >= {first.version, second.version}
    shutil.rmtree(tmp_path)
