"""Users, sessions and Amazon connections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from store.models import AmazonConnection, Session, User
from store.types import utcnow


async def upsert_user_from_amazon(
    db: AsyncSession, *, amazon_user_id: str, email: str, name: str
) -> User:
    """Create the user for an Amazon account, or refresh its profile and login time."""
    user = await db.scalar(select(User).where(User.amazon_user_id == amazon_user_id))
    now = utcnow()
    if user is None:
        user = User(
            id=new_id("usr"),
            amazon_user_id=amazon_user_id,
            email=email,
            name=name,
            created_at=now,
            last_login_at=now,
        )
        db.add(user)
    else:
        user.email = email
        user.name = name
        user.last_login_at = now
    await db.flush()
    return user


async def get_user(db: AsyncSession, user_id: str) -> User | None:
    return await db.get(User, user_id)


async def add_session(
    db: AsyncSession,
    *,
    session_id: str,
    user_id: str,
    expires_at: datetime,
    user_agent: str | None,
) -> None:
    db.add(
        Session(
            id=session_id,
            user_id=user_id,
            expires_at=expires_at,
            user_agent=(user_agent or "")[:300] or None,
        )
    )


async def session_is_active(db: AsyncSession, session_id: str, user_id: str) -> bool:
    row = await db.get(Session, session_id)
    return (
        row is not None
        and row.user_id == user_id
        and row.revoked_at is None
        and row.expires_at > utcnow()
    )


async def revoke_session(db: AsyncSession, session_id: str) -> None:
    await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def get_amazon_connection(
    db: AsyncSession, user_id: str
) -> AmazonConnection | None:
    """Return the user's Amazon connection (one region per user for now)."""
    return await db.scalar(
        select(AmazonConnection)
        .where(AmazonConnection.user_id == user_id)
        .order_by(AmazonConnection.connected_at.desc())
        .limit(1)
    )


async def save_amazon_connection(
    db: AsyncSession,
    *,
    user_id: str,
    selling_partner_id: str,
    region: str,
    refresh_token_sealed: str,
    marketplaces: list[dict[str, object]],
) -> AmazonConnection:
    """Store a new authorization, replacing the previous one for that region."""
    connection = await db.scalar(
        select(AmazonConnection).where(
            AmazonConnection.user_id == user_id, AmazonConnection.region == region
        )
    )
    now = utcnow()
    if connection is None:
        connection = AmazonConnection(id=new_id("con"), user_id=user_id, region=region)
        db.add(connection)
    connection.selling_partner_id = selling_partner_id
    connection.refresh_token_sealed = refresh_token_sealed
    connection.access_token_sealed = None
    connection.access_token_expires_at = None
    connection.marketplaces = list(marketplaces)
    connection.connected_at = now
    connection.needs_reauth = False
    connection.reauth_reason = None
    await db.flush()
    return connection


DEFAULT_CURRENCY = "USD"


def marketplace_currency(connection: AmazonConnection | None) -> str:
    """Return the currency of the seller's first participating marketplace.

    The currency comes from the Sellers API's `defaultCurrencyCode`, stored with the
    marketplaces at each sync. USD when no marketplace has been recorded yet.
    """
    marketplaces = connection.marketplaces if connection else []
    ordered = sorted(marketplaces, key=lambda m: not m.get("is_participating", True))
    for marketplace in ordered:
        currency = marketplace.get("currency")
        if isinstance(currency, str) and len(currency) == 3:
            return currency.upper()
    return DEFAULT_CURRENCY
