"""Login with Amazon, the current user and logout."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Annotated, Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel

from api.deps import CurrentUser, Db, State, check_origin, read_token
from api.envelope import Envelope, ok
from api.errors import UpstreamUnavailable
from api.ratelimit import login_limit, rate_limit
from api.redirects import checked_redirect_path, frontend_url
from api.sessions import InvalidSession
from api.state import AppState
from store.users import (
    add_session,
    get_amazon_connection,
    revoke_session,
    session_is_active,
    upsert_user_from_amazon,
)

logger = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])


login_rate_limit = Depends(rate_limit("sign-in", login_limit))

FLOW_COOKIE = "clario_login_flow"
FLOW_COOKIE_PATH = "/api/auth/amazon"
FLOW_TTL_SECONDS = 600


class AuthUrl(BaseModel):
    auth_url: str


class Me(BaseModel):
    id: str
    email: str
    name: str
    amazon_connected: bool
    stripe_connected: bool
    created_at: datetime
    last_login_at: datetime | None


class LoggedOut(BaseModel):
    logged_out: bool


def _oauth_client(state: AppState) -> AsyncOAuth2Client:
    settings = state.settings
    return AsyncOAuth2Client(
        client_id=settings.amazon_client_id,
        client_secret=settings.amazon_client_secret.get_secret_value(),
        scope="profile",
        redirect_uri=f"{settings.public_url.rstrip('/')}/api/auth/amazon/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        timeout=settings.amazon_http_timeout_seconds,
    )


@router.get(
    "/auth/amazon/start",
    dependencies=[login_rate_limit],
    response_model=Envelope[AuthUrl],
    responses={302: {"description": "Redirect to the Login with Amazon page"}},
)
async def start_login(
    request: Request, state: State, redirect: Annotated[str | None, Query()] = None
) -> Response:
    """Begin Login with Amazon (302 to the authorize page, or `{auth_url}` as JSON)."""
    landing = checked_redirect_path(state.settings, redirect)
    login_state = generate_token(32)
    verifier = generate_token(64)
    async with _oauth_client(state) as client:
        url, _ = client.create_authorization_url(
            state.settings.amazon_lwa_authorize_url,
            state=login_state,
            code_verifier=verifier,
        )
    flow = state.tokens.sign_state(
        {"state": login_state, "verifier": verifier, "redirect": landing},
        ttl_seconds=FLOW_TTL_SECONDS,
    )
    response: Response
    if "application/json" in request.headers.get("accept", ""):
        response = JSONResponse(ok(AuthUrl(auth_url=url)).model_dump())
    else:
        response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        FLOW_COOKIE,
        flow,
        max_age=FLOW_TTL_SECONDS,
        path=FLOW_COOKIE_PATH,
        httponly=True,
        secure=state.settings.session_cookie_secure,
        samesite="lax",
    )
    return response


@router.get(
    "/api/auth/amazon/callback",
    dependencies=[login_rate_limit],
    responses={
        302: {"description": "Redirect to the frontend, signed in or with ?error="}
    },
    response_class=RedirectResponse,
    status_code=302,
)
async def login_callback(
    request: Request,
    state: State,
    db: Db,
    code: str | None = None,
    login_state: Annotated[str | None, Query(alias="state")] = None,
    error: str | None = None,
) -> RedirectResponse:
    """Finish Login with Amazon: check state, exchange the code, sign the user in."""
    settings = state.settings
    flow = _read_flow(request, state)
    landing = str(flow.get("redirect", "/")) if flow else "/"
    if error:
        logger.info("Amazon login was not completed: %s", error[:60])
        return _login_failed(state, landing, "access_denied")
    if (
        flow is None
        or not login_state
        or not secrets.compare_digest(str(flow.get("state", "")), login_state)
    ):
        logger.warning("Amazon login callback with a missing or mismatched state")
        return _login_failed(state, landing, "invalid_state")
    if not code:
        return _login_failed(state, landing, "missing_code")

    try:
        profile = await _exchange_and_fetch_profile(state, code, str(flow["verifier"]))
    except (
        OAuthError,
        httpx.HTTPError,
        UpstreamUnavailable,
        KeyError,
        ValueError,
    ) as exc:
        logger.warning(
            "Amazon login failed during the code exchange: %s", type(exc).__name__
        )
        return _login_failed(state, landing, "amazon_login_failed")

    user = await upsert_user_from_amazon(
        db,
        amazon_user_id=str(profile["user_id"]),
        email=str(profile.get("email") or ""),
        name=str(profile.get("name") or ""),
    )
    token, claims = state.tokens.issue(user.id)
    await add_session(
        db,
        session_id=claims.session_id,
        user_id=user.id,
        expires_at=claims.expires_at,
        user_agent=request.headers.get("user-agent"),
    )
    await db.commit()
    logger.info("signed in", extra={"user_id": user.id})
    response = RedirectResponse(frontend_url(settings, landing), status_code=302)
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=settings.session_ttl_seconds,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
    return response


def _read_flow(request: Request, state: AppState) -> dict[str, Any] | None:
    raw = request.cookies.get(FLOW_COOKIE)
    if not raw:
        return None
    try:
        return state.tokens.open_state(raw)
    except InvalidSession:
        return None


def _login_failed(state: AppState, landing: str, code: str) -> RedirectResponse:
    response = RedirectResponse(frontend_url(state.settings, landing, error=code), 302)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
    return response


async def _exchange_and_fetch_profile(
    state: AppState, code: str, verifier: str
) -> dict[str, Any]:
    async with _oauth_client(state) as client:
        token = await client.fetch_token(
            state.settings.amazon_lwa_token_url, code=code, code_verifier=verifier
        )
    response = await state.http.get(
        state.settings.amazon_profile_url,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    if response.status_code != 200:
        raise UpstreamUnavailable(f"profile request failed with {response.status_code}")
    profile: dict[str, Any] = response.json()
    if not profile.get("user_id"):
        raise ValueError("profile without user_id")
    return profile


@router.get("/api/auth/me", response_model=Envelope[Me])
async def me(user: CurrentUser, db: Db) -> Envelope[Me]:
    """Return the signed-in user and what they have connected."""
    connection = await get_amazon_connection(db, user.id)
    return ok(
        Me(
            id=user.id,
            email=user.email,
            name=user.name,
            amazon_connected=connection is not None and not connection.needs_reauth,
            stripe_connected=user.stripe_customer_id is not None,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )
    )


@router.post("/api/auth/logout", response_model=Envelope[LoggedOut])
async def logout(request: Request, state: State, db: Db) -> Response:
    """Revoke the session and clear the cookie; calling it again is harmless."""
    token, from_cookie = read_token(request, state.settings.session_cookie_name)
    if token and from_cookie:
        check_origin(request, state)
    if token:
        try:
            claims = state.tokens.verify(token)
        except InvalidSession:
            claims = None
        if claims and await session_is_active(db, claims.session_id, claims.user_id):
            await revoke_session(db, claims.session_id)
            logger.info("signed out", extra={"user_id": claims.user_id})
    response = JSONResponse(ok(LoggedOut(logged_out=True)).model_dump())
    response.delete_cookie(state.settings.session_cookie_name, path="/")
    return response
