"""Public answers: staff publish a reviewed, redacted answer of a group; nothing else is public."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.app import create_app
from backend.db.engine import create_engine
from backend.db.models import Role
from backend.public_answers.redaction import redact_public
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user
from tests.backend.test_groups import setup_groups
from tests.conftest import make_settings

PERSONAL = ("Trần Văn Bình", "0912345678", "binh@example.com", "số 8 ngõ 12", "001203004005")
PAGE = "/api/v1/public/answers"


async def audit_actions(client: AsyncTestClient[Any]) -> list[str]:
    engine = create_engine(client.app.state.settings.database)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT action FROM audit_events ORDER BY id"))
            return [r[0] for r in rows]
    finally:
        await engine.dispose()


def test_redaction_masks_names_contacts_ids_and_home_addresses() -> None:
    masked = redact_public(
        "Tôi tên là Trần Văn Bình, sđt 0912345678, email binh@example.com, CCCD 001203004005, "
        "nhà tôi ở số 8 ngõ 12. Cống ngõ 12 Hàng Bạc tắc."
    )
    assert all(secret not in masked for secret in PERSONAL)
    assert "Cống ngõ 12 Hàng Bạc tắc" in masked  # where the problem is stays readable
    assert redact_public("Địa chỉ: số 5, ngõ 3 phố Huế. Đèn hỏng") == "[địa chỉ]. Đèn hỏng"
    assert redact_public("Số nhà 45/2 Lê Lợi") == "[địa chỉ] Lê Lợi"


async def test_publish_review_search_and_unpublish(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    hk, _ = await setup_groups(client)
    groups = (await client.get("/api/v1/groups", headers=hk)).json()["items"]
    drain, karaoke = groups[0]["id"], groups[1]["id"]

    # Not answered yet: nothing to publish, nothing public.
    refused = await client.get(f"/api/v1/groups/{drain}/publication", headers=hk)
    assert refused.status_code == 422
    body = {"question": "Cống tắc?", "answer": "Sẽ nạo vét."}
    assert (
        await client.post(f"/api/v1/groups/{drain}/publication/publish", json=body, headers=hk)
    ).status_code == 422
    answer = "Phường sẽ nạo vét cống ngõ 12 Hàng Bạc trong tuần này. Cảm ơn ông bà đã phản ánh."
    sent = await client.post(f"/api/v1/groups/{drain}/answer", json={"text": answer}, headers=hk)
    assert sent.status_code == 201
    await client.post(f"/api/v1/groups/{karaoke}/answer", json={"text": "Đã nhắc."}, headers=hk)

    # The draft for review is already redacted; the group is still not public.
    draft = (await client.get(f"/api/v1/groups/{drain}/publication", headers=hk)).json()
    assert draft["published"] is False and draft["citizens"] == 3
    assert draft["answer"] == answer and "Hàng Bạc" in draft["question"]
    assert all(secret not in str(draft) for secret in PERSONAL)
    assert (await client.get(PAGE, params={"commune": HOAN_KIEM})).json()["total"] == 0

    # Staff edit the texts; personal data they typed is redacted again before storing.
    reviewed = {
        "question": "Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà. Tôi tên là Trần Văn Bình, "
        "sđt 0912345678, nhà tôi ở số 8 ngõ 12.",
        "answer": answer + " Liên hệ binh@example.com.",
    }
    outsider = await bearer(client, "bd")
    for headers in (outsider,):
        denied = await client.post(
            f"/api/v1/groups/{drain}/publication/publish", json=reviewed, headers=headers
        )
        assert denied.status_code == 404
    await create_user(client.app.state.settings, "vol", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    volunteer = await bearer(client, "vol")
    assert (
        await client.post(
            f"/api/v1/groups/{drain}/publication/publish", json=reviewed, headers=volunteer
        )
    ).status_code == 403
    published = await client.post(
        f"/api/v1/groups/{drain}/publication/publish", json=reviewed, headers=hk
    )
    assert published.status_code == 200, published.text
    assert published.json()["published"] is True

    page = await client.get(PAGE, params={"commune": HOAN_KIEM})
    assert page.status_code == 200
    listed = page.json()
    assert listed["total"] == 1 and listed["commune_name"]
    item = listed["items"][0]
    assert item["citizens"] == 3 and "nạo vét" in item["answer"]
    assert all(secret not in page.text for secret in PERSONAL)
    assert "Đã nhắc" not in page.text  # the karaoke group was answered but never published
    # Search ignores accents and case; each word must match.
    found = await client.get(PAGE, params={"commune": HOAN_KIEM, "q": "CONG hang bac"})
    assert found.json()["total"] == 1
    missed = await client.get(PAGE, params={"commune": HOAN_KIEM, "q": "karaoke"})
    assert missed.json()["total"] == 0
    other = await client.get(PAGE, params={"commune": BA_DINH})
    assert other.json()["total"] == 0

    unpublished = await client.post(f"/api/v1/groups/{drain}/publication/unpublish", headers=hk)
    assert unpublished.status_code == 200 and unpublished.json()["published"] is False
    assert (await client.get(PAGE, params={"commune": HOAN_KIEM})).json()["total"] == 0
    again = await client.post(f"/api/v1/groups/{drain}/publication/unpublish", headers=hk)
    assert again.status_code == 422
    assert [a for a in await audit_actions(client) if a.startswith("group.")][-2:] == [
        "group.publish",
        "group.unpublish",
    ]


async def test_public_page_errors(client: AsyncTestClient[Any]) -> None:
    assert (await client.get(PAGE, params={"commune": "99999"})).status_code == 404
    assert (await client.get(PAGE, params={"commune": "hk"})).status_code == 400
    assert (await client.get(PAGE)).status_code == 400
    empty = await client.get(PAGE, params={"commune": HOAN_KIEM, "page_size": "5"})
    assert empty.status_code == 200 and empty.json()["items"] == []


def test_redaction_masks_names_after_a_title_of_address() -> None:
    assert (
        redact_public("Cảm ơn anh Trần Văn Bình và chị Lan đã phản ánh.")
        == "Cảm ơn anh [họ tên] và chị [họ tên] đã phản ánh."
    )
    # Offices and lower-case words after a title are not names.
    assert redact_public("Ông Chủ tịch UBND phường trả lời bà con.") == (
        "Ông Chủ tịch UBND phường trả lời bà con."
    )
    assert (
        redact_public("Kính gửi ông/bà, anh em tổ dân phố") == "Kính gửi ông/bà, anh em tổ dân phố"
    )


async def test_public_page_is_rate_limited(database_url: str) -> None:
    settings = make_settings(database_url, TIENGDAN_RATE_LIMIT_PER_MINUTE="3")
    async with AsyncTestClient(create_app(settings)) as client:
        codes = [
            (await client.get(PAGE, params={"commune": HOAN_KIEM})).status_code for _ in range(4)
        ]
    assert codes == [200, 200, 200, 429]
