"""Reminder campaigns: compose within one's scope, schedule, fan out to matching subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.db.models import (
    Campaign,
    CampaignState,
    Commune,
    DeliveryState,
    Role,
)
from backend.db.types import utcnow
from backend.errors import Conflict, Invalid, NotFound
from backend.push.schedule import after_quiet_hours, next_run
from backend.push.schemas import (
    CampaignCounts,
    CampaignCreate,
    CampaignList,
    CampaignPreview,
    CampaignView,
)
from backend.push.service import (
    CAMPAIGN,
    DELIVERIES,
    account_subscriptions,
    add_pushes,
    communes_in_scope,
    user_scopes,
)
from channels.webpush import PushNotice
from classifiers.labels import TOPICS

CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
COMMUNES = Commune.__table__  # type: ignore[attr-defined]
DEFAULT_URL = "/volunteer.html"
ROLES = frozenset(role.value for role in Role)


def notice_of(campaign: Any) -> PushNotice:
    """What the campaign pushes (a table row or a model)."""
    return PushNotice(
        title=campaign.title,
        body=campaign.body,
        url=campaign.url or DEFAULT_URL,
        tag=f"campaign-{campaign.id}",
    )


class CampaignService:
    """Campaigns of the caller's scope; every rule here, no HTTP."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal

    async def create(self, data: CampaignCreate) -> CampaignView:
        communes = await self._scoped_communes(data.communes)
        _check_labels(data.roles, ROLES, "roles")
        _check_labels(data.topics, frozenset(TOPICS), "topics")
        url = _local_url(data.url)
        send_at, until = _aware(data.send_at, "send_at"), _aware(data.repeat_until, "repeat_until")
        if until is not None and data.repeat_days is None:
            raise Invalid("repeat_until needs repeat_days", field="repeat_until")
        if until is not None and send_at is not None and until < send_at:
            raise Invalid("repeat_until is before send_at", field="repeat_until")
        if (data.quiet_start is None) != (data.quiet_end is None):
            raise Invalid("give both quiet_start and quiet_end, or neither", field="quiet_end")
        campaign = Campaign(
            title=data.title.strip(),
            body=data.body.strip(),
            url=url,
            communes=communes,
            roles=sorted(set(data.roles)) if data.roles else None,
            topics=sorted(set(data.topics)) if data.topics else None,
            province_code=self.principal.province_code
            if self.principal.role is Role.PROVINCE_STAFF
            else None,
            send_at=send_at,
            repeat_days=data.repeat_days,
            repeat_until=until,
            quiet_start=data.quiet_start,
            quiet_end=data.quiet_end,
            created_by=self.principal.user_id,
        )
        if not campaign.title or not campaign.body:
            raise Invalid("title and body must not be blank")
        self.session.add(campaign)
        await self.session.flush()
        if send_at is not None:
            await self._schedule(campaign, send_at)
        await record(
            self.session, self.principal.user_id, "campaign.create", "campaign", campaign.id or 0
        )
        await self.session.commit()
        return await self.view(campaign)

    async def list_campaigns(self) -> CampaignList:
        query = self._visible().order_by(col(Campaign.id).desc()).limit(200)
        campaigns = (await self.session.exec(query)).all()
        counts = await campaign_counts(
            await self.session.connection(), [c.id or 0 for c in campaigns]
        )
        return CampaignList(items=[self._view(c, counts.get(c.id or 0)) for c in campaigns])

    async def get(self, campaign_id: int) -> Campaign:
        campaign = (
            await self.session.exec(self._visible().where(Campaign.id == campaign_id))
        ).first()
        if campaign is None:
            raise NotFound(f"no campaign {campaign_id}")
        assert isinstance(campaign, Campaign)
        return campaign

    async def detail(self, campaign_id: int) -> CampaignView:
        return await self.view(await self.get(campaign_id))

    async def preview(self, campaign_id: int) -> CampaignPreview:
        campaign = await self.get(campaign_id)
        recipients = await campaign_recipients(await self.session.connection(), campaign)
        return CampaignPreview(recipients=len(recipients), notice=notice_of(campaign))

    async def send(self, campaign_id: int) -> CampaignView:
        """Send now, or at send_at when that is still ahead."""
        campaign = await self.get(campaign_id)
        if campaign.state != CampaignState.DRAFT:
            raise Conflict(f"a {campaign.state} campaign cannot be sent again")
        now = utcnow()
        send_at = campaign.send_at if campaign.send_at and campaign.send_at > now else now
        await self._schedule(campaign, send_at)
        await record(self.session, self.principal.user_id, "campaign.send", "campaign", campaign_id)
        await self.session.commit()
        return await self.view(campaign)

    async def cancel(self, campaign_id: int) -> CampaignView:
        """No further runs; pushes not yet sent are dropped."""
        campaign = await self.get(campaign_id)
        if campaign.state == CampaignState.CANCELLED:
            return await self.view(campaign)
        conn = await self.session.connection()
        await conn.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.id == campaign_id)
            .values(state=CampaignState.CANCELLED.value, next_run_at=None)
        )
        await conn.execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.campaign_id == campaign_id,
                DELIVERIES.c.state == DeliveryState.PENDING.value,
            )
            .values(state=DeliveryState.FAILED.value, last_error="campaign cancelled")
        )
        await record(
            self.session, self.principal.user_id, "campaign.cancel", "campaign", campaign_id
        )
        await self.session.commit()
        await self.session.refresh(campaign)
        return await self.view(campaign)

    async def view(self, campaign: Campaign) -> CampaignView:
        counts = await campaign_counts(await self.session.connection(), [campaign.id or 0])
        return self._view(campaign, counts.get(campaign.id or 0))

    def _view(self, campaign: Campaign, counts: CampaignCounts | None) -> CampaignView:
        counts = counts or CampaignCounts()
        state = campaign.state
        pending = counts.recipients - counts.sent - counts.expired - counts.failed
        if state == CampaignState.SENT and pending > 0:
            state = CampaignState.SENDING.value
        return CampaignView(
            id=campaign.id or 0,
            title=campaign.title,
            body=campaign.body,
            url=campaign.url,
            communes=campaign.communes,
            roles=campaign.roles,
            topics=campaign.topics,
            send_at=campaign.send_at,
            repeat_days=campaign.repeat_days,
            repeat_until=campaign.repeat_until,
            quiet_start=campaign.quiet_start,
            quiet_end=campaign.quiet_end,
            state=state,
            created_by=campaign.created_by,
            created_at=campaign.created_at,
            counts=counts,
        )

    async def _schedule(self, campaign: Campaign, send_at: datetime) -> None:
        campaign.state = CampaignState.SCHEDULED
        campaign.next_run_at = send_at
        self.session.add(campaign)
        await self.session.flush()
        await run_if_due(await self.session.connection(), campaign.id or 0, utcnow())
        await self.session.refresh(campaign)

    def _visible(self) -> Any:
        query = model_select(Campaign)
        if self.principal.role is Role.ADMIN:
            return query
        mine = col(Campaign.created_by) == self.principal.user_id
        if self.principal.role is Role.PROVINCE_STAFF and self.principal.province_code:
            return query.where(mine | (col(Campaign.province_code) == self.principal.province_code))
        return query.where(mine)

    async def _scoped_communes(self, communes: list[str] | None) -> list[str] | None:
        """The targets, each in the caller's scope (a commune account's default: its scope)."""
        principal = self.principal
        if communes is None:
            if principal.role is Role.COMMUNE_STAFF:
                return sorted(principal.commune_codes)
            return None
        return await communes_in_scope(await self.session.connection(), principal, communes)


def _check_labels(values: list[str] | None, known: frozenset[str], field: str) -> None:
    unknown = sorted(set(values or ()) - known)
    if unknown:
        raise Invalid(f"unknown {field}: {', '.join(unknown)}", field=field)


def _local_url(url: str | None) -> str | None:
    """Only paths of this site: a notification must not lead elsewhere."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise Invalid("url must be a path on this site, starting with /", field="url")
    return url


def _aware(moment: datetime | None, field: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise Invalid(f"{field} needs a time zone (e.g. +07:00 or Z)", field=field)
    return moment


async def campaign_counts(
    conn: AsyncConnection, campaign_ids: Sequence[int]
) -> dict[int, CampaignCounts]:
    """Counts from the campaign's delivery rows."""
    if not campaign_ids:
        return {}
    query = (
        select(DELIVERIES.c.campaign_id, DELIVERIES.c.state, func.count())
        .where(DELIVERIES.c.campaign_id.in_(list(campaign_ids)))
        .group_by(DELIVERIES.c.campaign_id, DELIVERIES.c.state)
    )
    tallies: dict[int, dict[str, int]] = {}
    for campaign_id, state, count in (await conn.execute(query)).all():
        tallies.setdefault(campaign_id, {})[state] = count
    return {
        campaign_id: CampaignCounts(
            recipients=sum(by_state.values()),
            sent=by_state.get(DeliveryState.SENT.value, 0),
            delivered=by_state.get(DeliveryState.SENT.value, 0),
            expired=by_state.get(DeliveryState.GONE.value, 0),
            failed=by_state.get(DeliveryState.FAILED.value, 0),
        )
        for campaign_id, by_state in tallies.items()
    }


async def campaign_recipients(conn: AsyncConnection, campaign: Any) -> list[int]:
    """Subscriptions of active staff/volunteer accounts matching the campaign's targets."""
    rows = await account_subscriptions(conn)
    roles = set(campaign.roles or ())
    topics = set(campaign.topics or ())
    rows = [r for r in rows if not roles or r.role in roles]
    rows = [r for r in rows if not topics or set(r.topics or ()) & topics]
    targets = set(campaign.communes or ())
    if not targets and campaign.province_code is None:
        return [r.id for r in rows]
    scopes = await user_scopes(conn, [r.user_id for r in rows])
    wanted_provinces = await _provinces_of(conn, targets) if targets else set()
    needed = set().union(*scopes.values(), *(set(r.communes or ()) for r in rows))
    province_of = await _province_map(conn, needed) if campaign.province_code else {}
    chosen = []
    for r in rows:
        communes = set(r.communes or ()) or set(scopes.get(r.user_id, ()))
        if campaign.province_code is not None:
            provinces = {province_of.get(c) for c in communes} | {r.province_code}
            if campaign.province_code not in provinces:
                continue
        if targets:
            broad = not r.communes and r.role == Role.PROVINCE_STAFF.value
            reached = communes & targets or (broad and r.province_code in wanted_provinces)
            if not reached:
                continue
        chosen.append(r.id)
    return chosen


async def _province_map(conn: AsyncConnection, codes: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 1000):
        query = select(COMMUNES.c.code, COMMUNES.c.province_code).where(
            COMMUNES.c.code.in_(ordered[start : start + 1000])
        )
        found.update({row.code: row.province_code for row in (await conn.execute(query)).all()})
    return found


async def _provinces_of(conn: AsyncConnection, codes: set[str]) -> set[str]:
    return set((await _province_map(conn, codes)).values())


async def run_if_due(conn: AsyncConnection, campaign_id: int, now: datetime) -> int:
    """Fan the campaign out if its run is due and outside quiet hours; returns pushes added.

    The runs counter guards the update, so two sweepers never fan out the same run twice.
    """
    campaign = (await conn.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign_id))).first()
    if campaign is None or campaign.state != CampaignState.SCHEDULED.value:
        return 0
    planned = campaign.next_run_at
    if (
        planned is None
        or after_quiet_hours(planned, campaign.quiet_start, campaign.quiet_end) > now
    ):
        return 0
    following = next_run(planned, campaign.repeat_days, campaign.repeat_until, now)
    claimed = await conn.execute(
        update(CAMPAIGNS)
        .where(CAMPAIGNS.c.id == campaign_id, CAMPAIGNS.c.runs == campaign.runs)
        .values(
            runs=campaign.runs + 1,
            next_run_at=following,
            state=CampaignState.SCHEDULED.value if following else CampaignState.SENT.value,
        )
    )
    if claimed.rowcount != 1:
        return 0
    recipients = await campaign_recipients(conn, campaign)
    return await add_pushes(
        conn, recipients, notice_of(campaign), CAMPAIGN, campaign_id=campaign.id
    )


async def due_campaigns(conn: AsyncConnection, now: datetime) -> list[int]:
    """Scheduled campaigns whose planned time has come (quiet hours are checked per campaign)."""
    query = select(CAMPAIGNS.c.id).where(
        CAMPAIGNS.c.state == CampaignState.SCHEDULED.value, CAMPAIGNS.c.next_run_at <= now
    )
    return [row.id for row in (await conn.execute(query)).all()]
