"""The periodic synthesis report MTTQ staff forward (tổng hợp ý kiến, kiến nghị của cử tri và nhân dân).

Grouped by topic: counts, the issue groups with their size, redacted representative quotes and the
status of the answer. Built from the database for a period and the caller's scope.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.accounts.principal import Principal
from backend.db.models import Case, CaseStatus, Direction, IssueGroup, Message
from classifiers.grouping import representative_quotes

CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
GROUPS = IssueGroup.__table__  # type: ignore[attr-defined]
ANSWERED = {CaseStatus.ANSWERED.value, CaseStatus.CLOSED.value}
QUOTE_SAMPLE = 40  # latest members of a group whose texts are read for its quotes

TOPIC_NAMES_VI = {
    "land": "Đất đai",
    "construction_infrastructure": "Xây dựng & hạ tầng",
    "traffic": "Giao thông & trật tự đô thị",
    "environment": "Môi trường",
    "security_order": "An ninh trật tự",
    "health": "Y tế",
    "education": "Giáo dục",
    "social_welfare": "Chính sách xã hội",
    "admin_procedures": "Thủ tục hành chính & DVC trực tuyến",
    "utilities": "Điện, nước, viễn thông",
    "economy_agriculture": "Kinh tế & nông nghiệp",
    "officials_conduct": "Cán bộ & phòng chống tham nhũng",
    "other": "Khác",
    "unclassified": "Chưa phân loại",
}


class ReportGroup(msgspec.Struct, kw_only=True):
    group_id: int | None
    title: str
    cases: int
    citizens: int
    answered: int
    status: str  # "Đã trả lời" / "Đang xử lý" / "Chưa trả lời"
    quotes: list[str]


class ReportTopic(msgspec.Struct, kw_only=True):
    topic: str
    topic_name: str
    cases: int
    answered: int
    groups: list[ReportGroup]


class SynthesisReport(msgspec.Struct, kw_only=True):
    title: str
    scope: str
    period_from: datetime
    period_to: datetime
    total_cases: int
    topics: list[ReportTopic]


def answer_status(answered: int, cases: int) -> str:
    if answered == cases:
        return "Đã trả lời"
    return "Đang xử lý" if answered else "Chưa trả lời"


async def build_report(
    conn: AsyncConnection, principal: Principal, start: datetime, end: datetime
) -> SynthesisReport:
    principal.require_staff()
    scope = principal.scope(CASES.c.commune_code, CASES.c.province_code)
    rows = (
        await conn.execute(
            select(
                CASES.c.id,
                CASES.c.topic,
                CASES.c.group_id,
                CASES.c.status,
                CASES.c.contact_id,
                GROUPS.c.title,
            )
            .outerjoin(GROUPS, GROUPS.c.id == CASES.c.group_id)
            .where(scope, CASES.c.received_at >= start, CASES.c.received_at < end)
            .order_by(CASES.c.received_at)
        )
    ).all()
    by_topic: dict[str, dict[int | None, list[object]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_topic[row.topic or "unclassified"][row.group_id].append(row)
    # Quotes come from the latest members of each group: enough to pick representative ones,
    # and a yearly report of a large province does not vectorize tens of thousands of texts.
    sampled = [
        m.id  # type: ignore[attr-defined]
        for groups in by_topic.values()
        for members in groups.values()
        for m in members[-QUOTE_SAMPLE:]
    ]
    texts = await _first_texts(conn, sampled)
    topics = []
    for topic, groups in by_topic.items():
        report_groups = []
        for group_id, members in groups.items():
            answered = sum(m.status in ANSWERED for m in members)  # type: ignore[attr-defined]
            people = {m.contact_id or -m.id for m in members}  # type: ignore[attr-defined]
            member_texts = [texts[m.id] for m in members if m.id in texts]  # type: ignore[attr-defined]
            report_groups.append(
                ReportGroup(
                    group_id=group_id,
                    title=members[0].title or "" if group_id else "(chưa nhóm)",  # type: ignore[attr-defined]
                    cases=len(members),
                    citizens=len(people),
                    answered=answered,
                    status=answer_status(answered, len(members)),
                    quotes=representative_quotes(member_texts, 2) if member_texts else [],
                )
            )
        report_groups.sort(key=lambda g: -g.cases)
        total = sum(g.cases for g in report_groups)
        topics.append(
            ReportTopic(
                topic=topic,
                topic_name=TOPIC_NAMES_VI.get(topic, topic),
                cases=total,
                answered=sum(g.answered for g in report_groups),
                groups=report_groups,
            )
        )
    topics.sort(key=lambda t: -t.cases)
    return SynthesisReport(
        title="Báo cáo tổng hợp ý kiến, kiến nghị của cử tri và nhân dân",
        scope=_scope_label(principal),
        period_from=start,
        period_to=end,
        total_cases=len(rows),
        topics=topics,
    )


def _scope_label(principal: Principal) -> str:
    if principal.is_admin:
        return "Toàn quốc"
    if principal.province_code:
        return f"Tỉnh/thành phố mã {principal.province_code}"
    return "Xã/phường: " + ", ".join(sorted(principal.commune_codes))


async def _first_texts(conn: AsyncConnection, case_ids: list[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for start in range(0, len(case_ids), 1000):
        chunk = case_ids[start : start + 1000]
        query = (
            select(MESSAGES.c.case_id, MESSAGES.c.text)
            .where(MESSAGES.c.case_id.in_(chunk), MESSAGES.c.direction == Direction.INBOUND.value)
            .order_by(MESSAGES.c.case_id, MESSAGES.c.id)
        )
        for row in (await conn.execute(query)).all():
            texts.setdefault(row.case_id, row.text)
    return texts
