"""Endpoint × role × in-scope/out-of-scope: nobody reads, counts or writes outside their scope.

The matrix is built from the application's own route list: every route must be classified in
ROUTES below, so a new endpoint either falls under these checks or fails the first test with
the instruction to classify it.

- collection: a staff list or statistic. Outsiders' answers (another commune of the same
  province, another province, a volunteer, nobody) are the SAME before and after a commune's
  data exists — not one row, count or name leaks. Insiders' answers do change (the test can fail).
- case / group: an object of one commune. For every method, an outsider gets exactly what a
  nonexistent id gets (out of scope looks like not found, never 2xx), and after all their
  attempts the insiders' view of the object is unchanged.
- admin: non-admin staff get 403.
- staff: any staff account, nothing of a commune behind it.
- owned: objects of other features (campaigns, meetings, forwardings...) and creations; here
  nobody anonymous gets in; their scope rules are tested with the features.
- public / self / infra: no staff data behind them (citizen intake and status by token, the
  reference lists, the caller's own session, documentation, health, static files).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient

from backend.communes.reference import communes
from backend.db.models import Role
from tests.backend.factories import (
    BA_DINH,
    HOAN_KIEM,
    OTHER_PROVINCE_COMMUNE,
    bearer,
    create_user,
    submit,
)

ROUTES: dict[str, str] = {
    # citizens, reference data, the caller's own session, infrastructure
    "/api/v1/feedback": "public",
    "/api/v1/feedback/{tracking_code}": "public",
    "/api/v1/feedback/{tracking_code}/messages": "public",
    "/api/v1/feedback/{tracking_code}/photos": "public",
    "/api/v1/feedback/{tracking_code}/photos/{sha256}": "public",
    "/api/v1/feedback/{tracking_code}/rating": "public",
    "/api/v1/feedback/{tracking_code}/reopen": "public",
    "/api/v1/auth/login": "public",
    "/api/v1/communes": "public",
    "/posters/{commune_code}": "public",
    "/api/v1/provinces": "public",
    "/api/v1/public/answers": "public",
    "/api/v1/push/key": "public",
    "/api/v1/push/subscriptions": "public",
    "/api/v1/auth/logout": "self",
    "/api/v1/auth/me": "self",
    "/api/v1/events": "owned",  # a stream: scoped events are tested in tests/backend/test_live.py
    # staff lists and statistics
    "/api/v1/cases": "collection",
    "/api/v1/groups": "collection",
    "/api/v1/stats/trends": "collection",
    "/api/v1/stats/communes": "collection",
    "/api/v1/stats/spikes": "collection",
    "/api/v1/stats/response": "collection",
    "/api/v1/stats/coverage": "collection",
    "/api/v1/stats/coverage/provinces": "collection",
    "/api/v1/stats/provinces": "collection",
    "/api/v1/stats/satisfaction": "collection",
    "/api/v1/reports/synthesis": "collection",
    "/api/v1/forwardings": "collection",
    "/api/v1/forwardings/deadlines": "collection",
    "/api/v1/meetings": "collection",
    "/api/v1/follow-ups": "collection",
    "/api/v1/campaigns": "collection",
    "/api/v1/canned-responses": "collection",
    "/api/v1/departments": "collection",
    # one commune's objects
    "/api/v1/cases/{case_id}": "case",
    "/api/v1/cases/{case_id}/assignee": "case",
    "/api/v1/cases/{case_id}/classification": "case",
    "/api/v1/cases/{case_id}/escalate": "case",
    "/api/v1/cases/{case_id}/forward": "case",
    "/api/v1/cases/{case_id}/forwardings": "case",
    "/api/v1/cases/{case_id}/group": "case",
    "/api/v1/cases/{case_id}/notes": "case",
    "/api/v1/cases/{case_id}/photos/{sha256}": "case",
    "/api/v1/cases/{case_id}/replies": "case",
    "/api/v1/cases/{case_id}/status": "case",
    "/api/v1/cases/{case_id}/suggestions": "case",
    "/api/v1/groups/{group_id}": "group",
    "/api/v1/groups/{group_id}/answer": "group",
    "/api/v1/groups/{group_id}/forward": "group",
    "/api/v1/groups/{group_id}/merge": "group",
    "/api/v1/groups/{group_id}/publication": "group",
    "/api/v1/groups/{group_id}/publication/publish": "group",
    "/api/v1/groups/{group_id}/publication/unpublish": "group",
    # administration
    "/api/v1/admin/api-keys": "admin",
    "/api/v1/admin/api-keys/{key_id}/revoke": "admin",
    "/api/v1/models": "staff",  # the active model's card: no commune data
    "/api/v1/models/retrain": "admin",
    # objects and creations of other features (their own tests check their scope rules)
    "/api/v1/campaigns/{campaign_id}": "owned",
    "/api/v1/campaigns/{campaign_id}/cancel": "owned",
    "/api/v1/campaigns/{campaign_id}/preview": "owned",
    "/api/v1/campaigns/{campaign_id}/send": "owned",
    "/api/v1/canned-responses/{canned_id}": "owned",
    "/api/v1/departments/{department_id}/members/{user_id}": "owned",
    "/api/v1/follow-ups/{follow_up_id}": "owned",
    "/api/v1/follow-ups/{follow_up_id}/done": "owned",
    "/api/v1/forwardings/{forwarding_id}": "owned",
    "/api/v1/forwardings/{forwarding_id}/answer": "owned",
    "/api/v1/meetings/import": "owned",
    "/api/v1/meetings/{meeting_id}": "owned",
    "/api/v1/meetings/{meeting_id}/opinions": "owned",
}
INFRA = re.compile(r"^/(health|ready|metrics|schema|open311/|track/|\{file_path\}|$)")
# Reads only in the collection check; every other method of a staff route needs a login.
BODY = {
    "text": "Nội dung kiểm tra phạm vi truy cập.",
    "status": "in_progress",
    "topic": "land",
    "assignee_id": None,
    "reason": "kiểm tra",
    "into_group_id": 1,
    "group_id": 1,
}
# Bodies that pass validation, so the refusal comes from the role check and not the parser.
BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/admin/api-keys": {"json": {"name": "scope test"}},
    "/api/v1/meetings/import": {"files": {"file": ("bien-ban.csv", b"noi dung\n", "text/csv")}},
}
MISSING_ID = 987654
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")


def template(path: str) -> str:
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def staff_routes(app: Litestar) -> dict[str, set[str]]:
    """Every (path template -> methods) the app serves."""
    found: dict[str, set[str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler):
                methods = set(handler.http_methods) - {"HEAD", "OPTIONS"}
                found.setdefault(template(route.path), set()).update(methods)
    return found


def normalized(response: Any) -> tuple[int, str]:
    """Status and body with timestamps blanked (they move between two snapshots)."""
    return response.status_code, TIMESTAMP.sub("<t>", response.text)


class Cast:
    """The insiders and outsiders of Phường Hoàn Kiếm (Hà Nội) and their headers."""

    insiders: dict[str, dict[str, str]]
    outsiders: dict[str, dict[str, str]]


async def cast(client: AsyncTestClient[Any]) -> Cast:
    settings = client.app.state.settings
    other_province = communes()[OTHER_PROVINCE_COMMUNE].province_code
    people = {
        "hk": (Role.COMMUNE_STAFF, None, (HOAN_KIEM,)),
        "hn": (Role.PROVINCE_STAFF, "01", ()),
        "root": (Role.ADMIN, None, ()),
        "bd": (Role.COMMUNE_STAFF, None, (BA_DINH,)),
        "other": (Role.PROVINCE_STAFF, other_province, ()),
        "vol": (Role.VOLUNTEER, None, (HOAN_KIEM,)),
    }
    for name, (role, province, codes) in people.items():
        await create_user(settings, name, role, province=province, communes=codes)
    result = Cast()
    result.insiders = {n: await bearer(client, n) for n in ("hk", "hn", "root")}
    result.outsiders = {n: await bearer(client, n) for n in ("bd", "other", "vol")}
    result.outsiders["anonymous"] = {}
    return result


async def commune_data(client: AsyncTestClient[Any], hk: dict[str, str]) -> tuple[int, int]:
    """Cases (grouped, classified, answered) of Hoàn Kiếm; returns a case id and a group id."""
    texts = [
        "Cống thoát nước ngõ 12 Hàng Bạc bị tắc, nước tràn vào nhà dân.",
        "Cống ngõ 12 Hàng Bạc lại tắc, nước thải tràn ra đường.",
        "Đề nghị phường nạo vét cống ngõ 12 Hàng Bạc.",
    ]
    for text in texts:
        await submit(client, HOAN_KIEM, text=text)
    await client.app.state.resources.settle()
    cases = (await client.get("/api/v1/cases", headers=hk)).json()["items"]
    case_id = cases[0]["id"]
    reply = await client.post(
        f"/api/v1/cases/{case_id}/replies", json={"text": "Phường đã tiếp nhận."}, headers=hk
    )
    assert reply.status_code == 201, reply.text
    await client.app.state.resources.settle()
    groups = (await client.get("/api/v1/groups", headers=hk)).json()["items"]
    assert groups, "the classifier grouped nothing: the group checks would be empty"
    return case_id, groups[0]["id"]


async def snapshots(
    client: AsyncTestClient[Any], paths: list[str], people: dict[str, dict[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (who, path): normalized(await client.get(path, headers=headers))
        for path in paths
        for who, headers in people.items()
    }


def test_every_route_is_classified(client: AsyncTestClient[Any]) -> None:
    unclassified = sorted(
        path for path in staff_routes(client.app) if path not in ROUTES and not INFRA.match(path)
    )
    assert unclassified == [], (
        "classify these routes in tests/security/test_scope_matrix.py ROUTES "
        f"(collection, case, group, admin, staff, owned, public, self): {unclassified}"
    )


@pytest.mark.usefixtures("models_dir")
async def test_no_read_count_or_write_outside_scope(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    routes = staff_routes(client.app)
    people = await cast(client)
    collections = sorted(p for p, kind in ROUTES.items() if kind == "collection" and p in routes)
    before = await snapshots(client, collections, people.outsiders | people.insiders)

    case_id, group_id = await commune_data(client, people.insiders["hk"])

    after = await snapshots(client, collections, people.outsiders | people.insiders)
    leaks = [key for key in after if key[0] in people.outsiders and after[key] != before[key]]
    assert leaks == [], f"outsiders see a commune's data appear: {leaks}"
    seen = {path for (who, path) in after if who == "hk" and after[who, path] != before[who, path]}
    assert {"/api/v1/cases", "/api/v1/groups", "/api/v1/reports/synthesis"} <= seen

    ids = {"case": case_id, "group": group_id}
    views = {
        "case": f"/api/v1/cases/{case_id}",
        "group": f"/api/v1/groups/{group_id}",
    }
    kept = await snapshots(client, list(views.values()), people.insiders)
    refused: list[str] = []
    for path, kind in ROUTES.items():
        if kind not in ids or path not in routes:
            continue
        for method in sorted(routes[path]):
            for who, headers in people.outsiders.items():
                answers = []
                for object_id in (ids[kind], MISSING_ID):
                    url = path.replace("{" + kind + "_id}", str(object_id))
                    url = url.replace("{sha256}", "0" * 64)
                    body = None if method in ("GET", "DELETE") else BODY
                    response = await client.request(method, url, json=body, headers=headers)
                    answers.append(response.status_code)
                if answers[0] < 300 or answers[0] != answers[1]:
                    refused.append(f"{who} {method} {path}: {answers} (object, missing)")
    await client.app.state.resources.settle()
    assert refused == [], "out of scope must look like not found: " + "; ".join(refused)
    assert await snapshots(client, list(views.values()), people.insiders) == kept


async def test_admin_and_staff_routes_refuse_the_wrong_people(client: AsyncTestClient[Any]) -> None:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01")
    officers = [await bearer(client, "hk"), await bearer(client, "hn")]
    routes = staff_routes(client.app)
    wrong: list[str] = []
    for path, kind in ROUTES.items():
        if path not in routes or kind in ("public",):
            continue
        url = re.sub(r"\{\w+\}", "1", path)
        for method in sorted(routes[path]):
            body = {} if method in ("GET", "DELETE") else BODIES.get(path, {"json": BODY})
            if path != "/api/v1/events":
                anonymous = await client.request(method, url, **body)
                if anonymous.status_code != 401:
                    wrong.append(f"anonymous {method} {path}: {anonymous.status_code}")
            if kind == "admin":
                for headers in officers:
                    answer = await client.request(method, url, headers=headers, **body)
                    if answer.status_code != 403:
                        wrong.append(f"officer {method} {path}: {answer.status_code}")
    assert wrong == [], "; ".join(wrong)
