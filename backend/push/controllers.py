"""Push endpoints: the VAPID key, subscriptions, campaigns and follow-ups. HTTP only."""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from backend.accounts.auth import presented_token, provide_principal
from backend.accounts.principal import Principal
from backend.deps import AppSettings, CurrentPrincipal, DbSession, Resources
from backend.errors import Unavailable
from backend.push.campaigns import CampaignService
from backend.push.follow_ups import FollowUpService
from backend.push.keys import vapid_keys
from backend.push.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignPreview,
    CampaignView,
    FollowUpCreate,
    FollowUpList,
    FollowUpView,
    PushKeyView,
    SubscribeRequest,
    SubscriptionView,
    UnsubscribeRequest,
)
from backend.push.subscriptions import SubscriptionService
from backend.settings import Settings

Caller: TypeAlias = NamedDependency[Principal | None]


async def provide_caller(request: Request[Any, Any, Any], resources: Resources) -> Principal | None:
    """The logged-in caller, or None for a citizen without an account."""
    token, _ = presented_token(request)
    if not token:
        return None
    return await provide_principal(request, resources)


def _configured_key(settings: Settings) -> str:
    keys = vapid_keys(settings.push)
    if keys is None:
        raise Unavailable("Web Push is not configured on this server")
    return keys.application_server_key()


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["push"]
    opt = {"public": True}
    dependencies = {"caller": Provide(provide_caller)}

    @get("/key")
    async def key(self, settings: AppSettings) -> PushKeyView:
        """The applicationServerKey for `pushManager.subscribe()`."""
        return PushKeyView(public_key=_configured_key(settings))

    @post("/subscriptions", request_max_body_size=16 * 1024)
    async def subscribe(
        self,
        data: JSONBody[SubscribeRequest],
        caller: Caller,
        db_session: DbSession,
        settings: AppSettings,
    ) -> Response[SubscriptionView]:
        """Store a subscription (201), or update the one with this endpoint (200)."""
        _configured_key(settings)  # without a key nothing could ever be sent to it
        service = SubscriptionService(
            db_session, settings.auth.secret_key, settings.push.allowed_hosts
        )
        view, created = await service.subscribe(data, caller)
        return Response(view, status_code=201 if created else 200)

    @delete("/subscriptions", status_code=204, request_max_body_size=4 * 1024)
    async def unsubscribe(
        self, data: JSONBody[UnsubscribeRequest], db_session: DbSession, settings: AppSettings
    ) -> None:
        """Forget a subscription by its endpoint (unknown endpoints too: 204)."""
        service = SubscriptionService(
            db_session, settings.auth.secret_key, settings.push.allowed_hosts
        )
        await service.unsubscribe(data.endpoint)


class CampaignController(Controller):
    path = "/api/v1/campaigns"
    tags = ["campaigns"]

    @post("/", status_code=201)
    async def create(
        self,
        data: JSONBody[CampaignCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> CampaignView:
        """Compose a campaign: a draft, or scheduled when send_at is given."""
        view = await CampaignService(db_session, principal).create(data)
        await resources.queue.wake("send_pushes")
        return view

    @get("/")
    async def list_campaigns(
        self, principal: CurrentPrincipal, db_session: DbSession
    ) -> CampaignList:
        """Campaigns the caller may see, newest first."""
        return await CampaignService(db_session, principal).list_campaigns()

    @get("/{campaign_id:int}")
    async def detail(
        self, campaign_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> CampaignView:
        return await CampaignService(db_session, principal).detail(campaign_id)

    @post("/{campaign_id:int}/preview", status_code=200)
    async def preview(
        self, campaign_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> CampaignPreview:
        """How many subscriptions it would reach now, and the notice they would see."""
        return await CampaignService(db_session, principal).preview(campaign_id)

    @post("/{campaign_id:int}/send", status_code=200)
    async def send(
        self,
        campaign_id: FromPath[int],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> CampaignView:
        """Send now, or at send_at if that is in the future (after quiet hours either way)."""
        view = await CampaignService(db_session, principal).send(campaign_id)
        await resources.queue.wake("send_pushes")
        return view

    @post("/{campaign_id:int}/cancel", status_code=200)
    async def cancel(
        self, campaign_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> CampaignView:
        """No further runs; pushes not yet sent are dropped."""
        return await CampaignService(db_session, principal).cancel(campaign_id)


class FollowUpController(Controller):
    path = "/api/v1/follow-ups"
    tags = ["follow-ups"]

    @post("/", status_code=201)
    async def create(
        self, data: JSONBody[FollowUpCreate], principal: CurrentPrincipal, db_session: DbSession
    ) -> FollowUpView:
        """A reminder pushed to the caller at due_at."""
        return await FollowUpService(db_session, principal).create(data)

    @get("/")
    async def list_follow_ups(
        self, principal: CurrentPrincipal, db_session: DbSession
    ) -> FollowUpList:
        return await FollowUpService(db_session, principal).list_follow_ups()

    @post("/{follow_up_id:int}/done", status_code=200)
    async def done(
        self, follow_up_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> FollowUpView:
        return await FollowUpService(db_session, principal).done(follow_up_id)

    @delete("/{follow_up_id:int}", status_code=204)
    async def remove(
        self, follow_up_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> None:
        await FollowUpService(db_session, principal).delete(follow_up_id)
