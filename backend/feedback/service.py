"""Web intake rules: validate, open a case durably, and the citizen's status page."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.communes.reference import communes
from backend.db.group_commit import GroupCommitter
from backend.db.models import Case, CaseStatus, Direction, Message
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.feedback.assisted import assisted_raw
from backend.feedback.photos import Photo, attach_photo, inspect_photo, photo_on
from backend.feedback.schemas import (
    FeedbackCreate,
    FeedbackReceipt,
    FollowUpCreate,
    PublicCaseView,
    PublicMessage,
)
from backend.feedback.store import NewCase, StoredCase
from backend.media import MediaStore
from backend.satisfaction.schemas import RatingCreate, RatingView
from backend.satisfaction.service import note_verdict, rate_answer, reopen_case_and_group
from backend.settings import MediaSettings
from backend.text import fold, new_tracking_code

WEB = "web"


def status_token(secret: str, tracking_code: str) -> str:
    """The secret that opens a case's status page, derived so a retried submit can return it."""
    digest = hmac.new(secret.encode(), f"status:{tracking_code}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def token_matches(secret: str, tracking_code: str, token: str | None) -> bool:
    # Bytes: compare_digest raises TypeError on str with non-ASCII characters (any header).
    expected = status_token(secret, tracking_code).encode()
    return token is not None and hmac.compare_digest(expected, token.encode())


class IntakeService:
    """Accepts web feedback; answers only after the case is committed."""

    def __init__(
        self, committer: GroupCommitter[NewCase, StoredCase], secret: str, base_url: str
    ) -> None:
        self._committer = committer
        self._secret = secret
        self._base_url = base_url

    def prepare(
        self,
        data: FeedbackCreate,
        idempotency_key: str | None,
        raw: dict[str, Any] | None = None,
    ) -> NewCase:
        text = data.text.strip()
        if not text:
            raise Invalid("text must not be blank", field="text")
        commune = communes().get(data.commune_code)
        if commune is None:
            raise Invalid(f"unknown commune code {data.commune_code}", field="commune_code")
        has_contact = bool(data.name or data.phone or data.email)
        if (data.phone or data.email) and not data.consent:
            raise Invalid("contact details need the citizen's consent", field="consent")
        key = data.idempotency_key or idempotency_key or uuid.uuid4().hex
        return NewCase(
            source_key=f"{WEB}:{key}",
            channel=WEB,
            external_id=key,
            tracking_code=new_tracking_code(),
            commune_code=commune.code,
            province_code=commune.province_code,
            text=text,
            search_text=fold(text),
            received_at=datetime.now(UTC),
            contact_name=data.name if has_contact else None,
            contact_phone=data.phone,
            contact_email=data.email,
            consent=data.consent,
            raw=raw,
        )

    async def submit(
        self,
        data: FeedbackCreate,
        idempotency_key: str | None,
        assisted_by: Principal | None = None,
    ) -> tuple[FeedbackReceipt, bool]:
        """Open the case (or find the one this key already opened); returns (receipt, created)."""
        raw = None
        if assisted_by is not None:
            raw = assisted_raw(assisted_by, data.commune_code, data.consent)
        stored = await self._committer.submit(self.prepare(data, idempotency_key, raw))
        token = status_token(self._secret, stored.tracking_code)
        receipt = FeedbackReceipt(
            tracking_code=stored.tracking_code,
            status_token=token,
            status=stored.status,
            received_at=stored.received_at,
            status_url=f"{self._base_url}/track/{stored.tracking_code}#{token}",
        )
        return receipt, stored.created


class CitizenCaseService:
    """What a citizen holding the tracking code and token may see and do."""

    def __init__(self, session: AsyncSession, secret: str) -> None:
        self.session = session
        self._secret = secret

    async def _case(self, tracking_code: str, token: str | None) -> Case:
        # The same answer for "no such code" and "wrong token": codes are not enumerable.
        if not token_matches(self._secret, tracking_code, token):
            raise NotFound("no case with this tracking code and token")
        query = select(Case).where(Case.tracking_code == tracking_code)
        case = (await self.session.exec(query)).first()
        if case is None:
            raise NotFound("no case with this tracking code and token")
        return case

    async def view(self, tracking_code: str, token: str | None) -> PublicCaseView:
        case = await self._case(tracking_code, token)
        messages = (
            await self.session.exec(
                select(Message)
                .where(Message.case_id == case.id, col(Message.public).is_(True))
                .order_by(col(Message.created_at), col(Message.id))
            )
        ).all()
        commune = communes().get(case.commune_code)
        return PublicCaseView(
            tracking_code=case.tracking_code,
            status=case.status,
            commune_code=case.commune_code,
            commune_name=commune.name if commune else case.commune_code,
            topic=case.topic,
            received_at=case.received_at,
            answered_at=case.answered_at,
            messages=[
                PublicMessage(direction=m.direction, text=m.text, at=m.created_at) for m in messages
            ],
        )

    async def follow_up(
        self, tracking_code: str, token: str | None, data: FollowUpCreate
    ) -> PublicCaseView:
        """Add the citizen's message to the case; a retried key adds nothing."""
        case = await self._case(tracking_code, token)
        text = data.text.strip()
        if not text:
            raise Invalid("text must not be blank", field="text")
        await self._add_inbound(case, text, data.idempotency_key)
        return await self.view(tracking_code, token)

    async def reopen(
        self, tracking_code: str, token: str | None, reason: str | None
    ) -> PublicCaseView:
        """The citizen says the answer did not resolve the problem: the case is reopened."""
        case = await self._case(tracking_code, token)
        if case.status not in (CaseStatus.ANSWERED, CaseStatus.CLOSED):
            raise Invalid("only an answered or closed case can be marked not resolved")
        text = (reason or "").strip() or "Chưa được giải quyết / Not resolved"
        await note_verdict(self.session, case, None, False, reason)
        await reopen_case_and_group(self.session, case)
        await self._add_inbound(case, text, None)
        return await self.view(tracking_code, token)

    async def add_photo(
        self,
        tracking_code: str,
        token: str | None,
        read_body: Callable[[], Awaitable[bytes]],
        content_type: str,
        media: MediaStore,
        limits: MediaSettings,
    ) -> tuple[Photo, bool]:
        """Store the photo, then list it on the case; (photo, False) when it was already there.

        The body (up to megabytes) is read only once the code and token are known good.
        """
        case = await self._case(tracking_code, token)
        data = await read_body()
        photo = inspect_photo(data, content_type, limits)
        # File first, row second: a crash in between leaves only an unreferenced file.
        await asyncio.to_thread(media.save, data, photo.content_type)
        return photo, await attach_photo(self.session, case, photo, limits)

    async def photo(self, tracking_code: str, token: str | None, sha256: str) -> Photo:
        case = await self._case(tracking_code, token)
        messages = list(
            (await self.session.exec(select(Message).where(Message.case_id == case.id))).all()
        )
        found = photo_on(messages, sha256)
        if found is None:
            raise NotFound("no such photo on this case")
        return found

    async def rate(self, tracking_code: str, token: str | None, data: RatingCreate) -> RatingView:
        """Rate the answer (1-5) and say whether it resolved the problem (no: reopens)."""
        case = await self._case(tracking_code, token)
        verdict = await rate_answer(self.session, case, data)
        return RatingView(
            tracking_code=case.tracking_code,
            rating=verdict.rating,
            resolved=verdict.resolved,
            status=case.status,
            at=verdict.at,
        )

    async def _add_inbound(self, case: Case, text: str, key: str | None) -> None:
        now = utcnow()
        assert case.id is not None
        case.last_inbound_at = now
        case.updated_at = now
        case.search_text = f"{case.search_text}\n{fold(text)}"[-20000:]
        self.session.add(case)
        self.session.add(
            Message(
                case_id=case.id,
                direction=Direction.INBOUND,
                channel=WEB,
                external_id=f"{case.tracking_code}:{key}" if key else uuid.uuid4().hex,
                text=text,
            )
        )
        try:
            await self.session.commit()
        except IntegrityError:  # the same follow-up key again: it is already stored
            await self.session.rollback()
