"""Suggested replies for a case: guide articles, past answers to similar cases, canned texts.

Retrieval is TF-IDF cosine over the classifiers' normalized text (`classifiers.retrieval`);
past answers come only from cases in the caller's scope and are redacted.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.cases.service import CaseService
from backend.communes.reference import communes
from backend.db.models import Case, CaseStatus, Contact, Direction, Message
from backend.public_answers.redaction import redact_public
from backend.suggestions.canned import CannedService, render
from backend.suggestions.schemas import (
    CannedSuggestion,
    GuideSuggestion,
    PastAnswerSuggestion,
    Suggestions,
)
from backend.system.pwa import PWA_DIR
from classifiers.retrieval import rank

GUIDES_DIR: Final = PWA_DIR / "guides"
PAST_CANDIDATES: Final = 500  # the most recent answered cases in scope
MIN_GUIDE_SCORE: Final = 0.05
MIN_PAST_SCORE: Final = 0.08
ANSWERED: Final = (CaseStatus.ANSWERED.value, CaseStatus.CLOSED.value)
DEFAULT_NAME: Final = "ông/bà"


class Guide(msgspec.Struct, frozen=True):
    id: str
    title: str
    summary: str
    text: str


def _vi(value: Any) -> str:
    return str(value.get("vi", "")) if isinstance(value, dict) else str(value or "")


@cache
def guides() -> tuple[Guide, ...]:
    """The PWA's guide articles (pwa/guides), read once."""
    index = json.loads((GUIDES_DIR / "index.json").read_text(encoding="utf-8"))
    found = []
    for guide_id in index["guides"]:
        data = json.loads((GUIDES_DIR / f"{guide_id}.json").read_text(encoding="utf-8"))
        parts = [
            _vi(data.get("title")),
            _vi(data.get("summary")),
            " ".join(data.get("keywords", [])),
        ]
        parts += [f"{_vi(s.get('title'))} {_vi(s.get('text'))}" for s in data.get("steps", [])]
        found.append(
            Guide(
                id=data["id"],
                title=_vi(data.get("title")),
                summary=_vi(data.get("summary")),
                text="\n".join(parts),
            )
        )
    return tuple(found)


class SuggestionService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.cases = CaseService(session, principal)
        self.canned = CannedService(session, principal)
        self.session = session
        self.principal = principal

    async def for_case(self, case_id: int, limit: int = 3) -> Suggestions:
        case = await self.cases.get(case_id)
        text = await self._inbound_text(case_id)
        return Suggestions(
            case_id=case_id,
            guides=self._guides(text, limit),
            past_answers=await self._past_answers(case, text, limit),
            canned=await self._canned(case),
        )

    async def _inbound_text(self, case_id: int) -> str:
        rows = await self.session.exec(
            select(Message.text)
            .where(Message.case_id == case_id, Message.direction == Direction.INBOUND)
            .order_by(col(Message.id))
        )
        return "\n".join(rows.all())

    @staticmethod
    def _guides(text: str, limit: int) -> list[GuideSuggestion]:
        articles = guides()
        ranked = rank(text, [g.text for g in articles], limit=limit, min_score=MIN_GUIDE_SCORE)
        return [
            GuideSuggestion(
                id=articles[i].id,
                title=articles[i].title,
                summary=articles[i].summary,
                url=f"/guide.html?id={articles[i].id}",
                score=round(score, 4),
            )
            for i, score in ranked
        ]

    async def _past_answers(self, case: Case, text: str, limit: int) -> list[PastAnswerSuggestion]:
        candidates = (
            await self.session.exec(
                self.cases._scoped()
                .where(col(Case.status).in_(ANSWERED), Case.id != case.id)
                .order_by(col(Case.answered_at).desc(), col(Case.id).desc())
                .limit(PAST_CANDIDATES)
            )
        ).all()
        ids = [c.id for c in candidates if c.id is not None]
        questions, answers = await self._threads(ids)
        usable = [c for c in candidates if c.id in questions and c.id in answers]
        ranked = rank(
            text, [questions[c.id or 0] for c in usable], limit=limit, min_score=MIN_PAST_SCORE
        )
        return [
            PastAnswerSuggestion(
                case_id=usable[i].id or 0,
                tracking_code=usable[i].tracking_code,
                question=redact_public(questions[usable[i].id or 0])[:500],
                answer=redact_public(answers[usable[i].id or 0]),
                score=round(score, 4),
            )
            for i, score in ranked
        ]

    async def _threads(self, case_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
        """Each case's inbound text and its latest reply."""
        if not case_ids:
            return {}, {}
        rows = (
            await self.session.exec(
                select(Message)
                .where(col(Message.case_id).in_(case_ids))
                .order_by(col(Message.created_at), col(Message.id))
            )
        ).all()
        questions: dict[int, list[str]] = {}
        answers: dict[int, str] = {}
        for message in rows:
            if message.direction == Direction.INBOUND:
                questions.setdefault(message.case_id, []).append(message.text)
            else:
                answers[message.case_id] = message.text
        return {i: "\n".join(t) for i, t in questions.items()}, answers

    async def _canned(self, case: Case) -> list[CannedSuggestion]:
        values = await self._variables(case)
        return [
            CannedSuggestion(id=row.id or 0, title=row.title, text=render(row.body, values))
            for row in await self.canned.list(case.topic or "other")
        ]

    async def _variables(self, case: Case) -> dict[str, str]:
        contact = await self.session.get(Contact, case.contact_id) if case.contact_id else None
        commune = communes().get(case.commune_code)
        return {
            "name": (contact.display_name if contact and contact.display_name else DEFAULT_NAME),
            "tracking_code": case.tracking_code,
            "commune": commune.name if commune else case.commune_code,
        }
