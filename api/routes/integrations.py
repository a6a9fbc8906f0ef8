"""Seller Central connection: status, consent URL and the consent callback."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from temporalio.service import RPCError

from api.deps import CurrentUser, Db, State, authenticate
from api.envelope import Envelope, ok
from api.errors import ApiError, Unauthenticated
from api.ratelimit import login_limit, rate_limit
from api.redirects import frontend_url
from api.services.syncs import start_sync, sync_options
from api.sessions import InvalidSession
from api.state import AppState
from integrations.amazon.lwa import LwaClient, LwaRequestFailed
from integrations.amazon.lwa_errors import LwaError
from integrations.circuit import CircuitOpen
from store.users import get_amazon_connection, save_amazon_connection
from workflows.schedules import ensure_sync_schedule, sync_schedule

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])

STATE_TTL_SECONDS = 600
# Merchant tokens are upper-case letters and digits, such as A2EXAMPLE1X3Q.
_SELLER_ID = re.compile(r"[A-Z0-9]{8,32}")
DOC_PROVIDERS = ("gmail", "outlook", "gdrive", "dropbox")


class AmazonStatus(BaseModel):
    connected: bool
    selling_partner_id: str | None
    marketplaces: list[dict[str, Any]]
    region: str | None
    connected_at: datetime | None
    needs_reauth: bool
    last_sync_at: datetime | None


class DocsProviderStatus(BaseModel):
    connected: bool
    connected_at: datetime | None


class IntegrationsStatus(BaseModel):
    amazon: AmazonStatus
    docs: dict[str, DocsProviderStatus]
    amazon_connected: bool
    docs_connected: bool


class AuthUrl(BaseModel):
    auth_url: str


def _callback_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/api/v1/integrations/amazon/callback"


async def _schedule_syncs(state: AppState, user_id: str) -> None:
    """Create or refresh the seller's recurring sync; a failure is logged, not fatal."""
    settings = state.settings
    if not settings.sync_schedule_enabled:
        return
    schedule = sync_schedule(
        user_id,
        task_queue=settings.task_queue_sync,
        every=timedelta(hours=settings.sync_schedule_interval_hours),
        jitter=timedelta(minutes=settings.sync_schedule_jitter_minutes),
        options=sync_options(state),
    )
    try:
        await ensure_sync_schedule(await state.temporal.get(), user_id, schedule)
    except (ApiError, RPCError) as error:
        logger.warning("the recurring sync schedule was not saved: %s", error)


@router.get("/status", response_model=Envelope[IntegrationsStatus])
async def status(user: CurrentUser, db: Db) -> Envelope[IntegrationsStatus]:
    """Show what the seller has connected."""
    connection = await get_amazon_connection(db, user.id)
    amazon = AmazonStatus(
        connected=connection is not None,
        selling_partner_id=connection.selling_partner_id if connection else None,
        marketplaces=connection.marketplaces if connection else [],
        region=connection.region if connection else None,
        connected_at=connection.connected_at if connection else None,
        needs_reauth=connection.needs_reauth if connection else False,
        last_sync_at=connection.last_sync_at if connection else None,
    )
    docs = {
        p: DocsProviderStatus(connected=False, connected_at=None) for p in DOC_PROVIDERS
    }
    return ok(
        IntegrationsStatus(
            amazon=amazon,
            docs=docs,
            amazon_connected=amazon.connected and not amazon.needs_reauth,
            docs_connected=False,
        )
    )


@router.get("/connect-amazon", response_model=Envelope[AuthUrl])
async def connect_amazon(user: CurrentUser, state: State) -> Envelope[AuthUrl]:
    """Return the Seller Central consent URL for the region, with a fresh state."""
    settings = state.settings
    signed_state = state.tokens.sign_state(
        {
            "sub": user.id,
            "purpose": "amazon_connect",
            "nonce": secrets.token_urlsafe(16),
        },
        ttl_seconds=STATE_TTL_SECONDS,
    )
    query = {
        "application_id": settings.amazon_application_id,
        "state": signed_state,
        "redirect_uri": _callback_url(settings.public_url),
    }
    if settings.amazon_app_is_draft:
        query["version"] = "beta"
    base = settings.amazon_seller_central_url.rstrip("/")
    return ok(AuthUrl(auth_url=f"{base}/apps/authorize/consent?{urlencode(query)}"))


@router.get(
    "/amazon/callback",
    dependencies=[Depends(rate_limit("consent", login_limit))],
    response_class=RedirectResponse,
    status_code=302,
    responses={
        302: {
            "description": "Redirect to the frontend with ?amazon=connected or ?error="
        }
    },
)
async def amazon_callback(
    request: Request,
    state: State,
    db: Db,
    spapi_oauth_code: Annotated[str | None, Query(max_length=2000)] = None,
    consent_state: Annotated[str | None, Query(alias="state", max_length=4000)] = None,
    selling_partner_id: Annotated[str | None, Query(max_length=64)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Store the seller's refresh token (sealed) and start the first sync."""
    settings = state.settings

    def back(**query: str) -> RedirectResponse:
        return RedirectResponse(frontend_url(settings, "/integrations", **query), 302)

    try:
        claims = await authenticate(request, state, db)
    except Unauthenticated:
        return back(error="unauthenticated")
    if error:
        logger.info("Seller Central consent was not given: %s", error[:60])
        return back(error="access_denied")
    try:
        opened = state.tokens.open_state(consent_state or "")
    except InvalidSession:
        logger.warning(
            "Amazon consent callback with an invalid state",
            extra={"user_id": claims.user_id},
        )
        return back(error="invalid_state")
    if opened.get("purpose") != "amazon_connect" or opened.get("sub") != claims.user_id:
        logger.warning("Amazon consent state was issued to another session")
        return back(error="invalid_state")
    if not spapi_oauth_code or not selling_partner_id:
        return back(error="missing_code")
    if not _SELLER_ID.fullmatch(selling_partner_id):
        logger.warning("Amazon consent callback with a malformed selling_partner_id")
        return back(error="invalid_seller")

    lwa = LwaClient(
        state.http,
        token_url=settings.amazon_lwa_token_url,
        client_id=settings.amazon_client_id,
        client_secret=settings.amazon_client_secret.get_secret_value(),
        breaker=state.circuits.get("amazon_lwa"),
    )
    try:
        tokens = await lwa.exchange_code(
            spapi_oauth_code, _callback_url(settings.public_url)
        )
    except (LwaError, LwaRequestFailed, CircuitOpen) as exc:
        logger.warning("Amazon consent code exchange failed: %s", type(exc).__name__)
        return back(error="amazon_connect_failed")
    assert tokens.refresh_token is not None
    await save_amazon_connection(
        db,
        user_id=claims.user_id,
        selling_partner_id=selling_partner_id,
        region=settings.amazon_region,
        refresh_token_sealed=state.secrets.seal(tokens.refresh_token),
        marketplaces=[],
    )
    await db.commit()
    logger.info("Amazon connected for seller %s", selling_partner_id)
    await _schedule_syncs(state, claims.user_id)
    try:
        await start_sync(state, db, claims.user_id, trigger="connect")
    except ApiError as exc:
        logger.warning("the first sync did not start: %s", exc.code)
        return back(amazon="connected", sync="not_started")
    return back(amazon="connected")
