"""Typed dependencies: the app state, a database session and the signed-in user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Forbidden, Unauthenticated
from api.sessions import InvalidSession, SessionClaims
from api.state import AppState
from core.logging import user_id_var
from store.models import User
from store.users import get_user, session_is_active

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.clario
    return state


State = Annotated[AppState, Depends(get_state)]


async def get_db(state: State) -> AsyncIterator[AsyncSession]:
    """A session per request, committed when the handler returns without error."""
    async with state.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


Db = Annotated[AsyncSession, Depends(get_db)]


def read_token(request: Request, cookie_name: str) -> tuple[str | None, bool]:
    """Return the session token and whether it came from the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(cookie_name)
    return (cookie, True) if cookie else (None, False)


def check_origin(request: Request, state: AppState) -> None:
    """Reject a cookie-authenticated unsafe request from a foreign origin (CSRF)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        raise Forbidden(
            "Cookie-authenticated requests that change state need an Origin header; "
            "send it, or use a Bearer token.",
            code="csrf_failed",
        )
    parts = urlsplit(origin)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else origin[:100]
    own = urlsplit(state.settings.public_url)
    allowed = {*state.settings.cors_origins, f"{own.scheme}://{own.netloc}"}
    if origin not in allowed:
        raise Forbidden(
            f"Origin {origin} is not allowed to change state with this session.",
            code="csrf_failed",
        )


async def authenticate(
    request: Request, state: AppState, db: AsyncSession
) -> SessionClaims:
    token, from_cookie = read_token(request, state.settings.session_cookie_name)
    if token is None:
        raise Unauthenticated(
            "Sign in first: no session cookie or Bearer token was sent."
        )
    try:
        claims = state.tokens.verify(token)
    except InvalidSession as error:
        raise Unauthenticated(
            "The session token is invalid or expired; sign in again.",
            details={"reason": str(error)},
        ) from error
    if not await session_is_active(db, claims.session_id, claims.user_id):
        raise Unauthenticated(
            "This session was signed out or has expired; sign in again."
        )
    if from_cookie and request.method in _UNSAFE_METHODS:
        check_origin(request, state)
    user_id_var.set(claims.user_id)
    return claims


async def get_claims(request: Request, state: State, db: Db) -> SessionClaims:
    return await authenticate(request, state, db)


Claims = Annotated[SessionClaims, Depends(get_claims)]


async def get_current_user(claims: Claims, db: Db) -> User:
    user = await get_user(db, claims.user_id)
    if user is None:
        raise Unauthenticated(
            "The account for this session no longer exists; sign in again."
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
