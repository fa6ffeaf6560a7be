"""Subscribe and unsubscribe: a browser tied to a user, or to a citizen's case by its token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.db.models import Case, PushSubscriptionRecord
from backend.errors import Invalid, NotFound, Unauthorized
from backend.feedback.service import token_matches
from backend.push.schemas import SubscribeRequest, SubscriptionView
from backend.push.service import SUBSCRIPTIONS, communes_in_scope
from channels.base import PayloadInvalid
from channels.webpush import KNOWN_PUSH_HOSTS, PushSubscription, SubscriptionKeys
from channels.webpush.subscription import check_subscription
from classifiers.labels import TOPICS


class SubscriptionService:
    def __init__(self, session: AsyncSession, secret: str, extra_hosts: tuple[str, ...]) -> None:
        self.session = session
        self._secret = secret
        self._hosts = KNOWN_PUSH_HOSTS + extra_hosts

    async def subscribe(
        self, data: SubscribeRequest, principal: Principal | None
    ) -> tuple[SubscriptionView, bool]:
        """Store or update the subscription; returns (view, created)."""
        incoming = data.subscription
        subscription = PushSubscription(
            endpoint=incoming.endpoint,
            keys=SubscriptionKeys(p256dh=incoming.keys.p256dh, auth=incoming.keys.auth),
        )
        try:
            check_subscription(subscription, self._hosts)
        except PayloadInvalid as exc:
            raise Invalid(str(exc), field="subscription") from exc
        user_id, case_id = await self._owner(data, principal)
        communes = await self._communes(data.communes, principal) if user_id else None
        topics = sorted(set(data.topics)) if data.topics and user_id else None
        unknown = sorted(set(topics or ()) - set(TOPICS))
        if unknown:
            raise Invalid(f"unknown topics: {', '.join(unknown)}", field="topics")
        fields: dict[str, Any] = {
            "p256dh": incoming.keys.p256dh,
            "auth": incoming.keys.auth,
            "user_id": user_id,
            "case_id": case_id,
            "communes": communes,
            "topics": topics,
            "failure_count": 0,
        }
        for _ in range(2):  # a concurrent insert of the same endpoint: update theirs
            record = await self._by_endpoint(incoming.endpoint)
            created = record is None
            record = record or PushSubscriptionRecord(endpoint=incoming.endpoint, **fields)
            for name, value in fields.items():
                setattr(record, name, value)
            self.session.add(record)
            try:
                await self.session.commit()
            except IntegrityError:
                await self.session.rollback()
                continue
            await self.session.refresh(record)
            view = SubscriptionView(
                id=record.id or 0,
                endpoint=record.endpoint,
                communes=record.communes or [],
                topics=record.topics or [],
            )
            return view, created
        raise Invalid("the subscription changed while it was being stored; retry")

    async def unsubscribe(self, endpoint: str) -> None:
        """Forget the endpoint (nothing to do if it is unknown)."""
        conn = await self.session.connection()
        await conn.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.endpoint == endpoint))
        await self.session.commit()

    async def _by_endpoint(self, endpoint: str) -> PushSubscriptionRecord | None:
        query = select(PushSubscriptionRecord).where(PushSubscriptionRecord.endpoint == endpoint)
        return (await self.session.exec(query)).first()

    async def _owner(
        self, data: SubscribeRequest, principal: Principal | None
    ) -> tuple[int | None, int | None]:
        """(user id, None) for a logged-in caller; (None, case id) for a citizen's token."""
        if data.tracking_code is None and data.status_token is None:
            if principal is None:
                raise Unauthorized("log in, or give tracking_code and status_token")
            return principal.user_id, None
        if not data.tracking_code or not data.status_token:
            raise Invalid("tracking_code and status_token go together", field="status_token")
        if not token_matches(self._secret, data.tracking_code, data.status_token):
            raise NotFound("no case with this tracking code and token")
        query = select(Case.id).where(Case.tracking_code == data.tracking_code)
        case_id = (await self.session.exec(query)).first()
        if case_id is None:
            raise NotFound("no case with this tracking code and token")
        return None, case_id

    async def _communes(
        self, communes: list[str] | None, principal: Principal | None
    ) -> list[str] | None:
        """Preferences inside the account's scope (a volunteer's: their communes)."""
        if not communes or principal is None:
            return None
        return await communes_in_scope(await self.session.connection(), principal, communes)
