"""Access tokens for a seller's SP-API calls, cached sealed in the database.

Only the token's expiry ever reaches workflow history; the token itself stays in the
database, sealed, and in activity memory.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from integrations.amazon.lwa import LwaRequestFailed
from integrations.amazon.lwa_errors import LwaError
from integrations.circuit import CircuitOpen
from store.models import AmazonConnection
from store.types import utcnow
from store.users import get_amazon_connection

logger = logging.getLogger(__name__)

_EARLY_REFRESH = timedelta(minutes=5)


async def load_connection(deps: ActivityDeps, user_id: str) -> AmazonConnection:
    async with deps.sessions() as db:
        connection = await get_amazon_connection(db, user_id)
    if connection is None:
        raise ApplicationError(
            f"user {user_id} has no Amazon connection",
            type="not_connected",
            non_retryable=True,
        )
    if connection.needs_reauth:
        raise ApplicationError(
            "the seller must authorize Amazon again",
            type="invalid_grant",
            non_retryable=True,
        )
    return connection


async def access_token_for(
    deps: ActivityDeps, user_id: str
) -> tuple[str, AmazonConnection]:
    """Return a valid LWA access token and the connection it belongs to.

    Refreshes through LWA when the cached token expires within five minutes. An
    `invalid_grant` marks the connection as needing re-authorization and raises a
    non-retryable `ApplicationError` of type `invalid_grant`.
    """
    connection = await load_connection(deps, user_id)
    expires = connection.access_token_expires_at
    if (
        connection.access_token_sealed
        and expires
        and expires - _EARLY_REFRESH > utcnow()
    ):
        return deps.secrets.open(connection.access_token_sealed), connection

    refresh_token = deps.secrets.open(connection.refresh_token_sealed)
    try:
        tokens = await deps.lwa.refresh(refresh_token)
    except LwaError as error:
        if error.is_invalid_grant:
            await _mark_needs_reauth(
                deps, connection.id, error.description or error.error
            )
            raise ApplicationError(
                "Amazon rejected the refresh token (revoked or expired consent); "
                "the seller must reconnect Amazon",
                type="invalid_grant",
                non_retryable=True,
            ) from error
        raise ApplicationError(
            f"LWA rejected the refresh: {error.error}",
            type="lwa_error",
            non_retryable=True,
        ) from error
    except (LwaRequestFailed, CircuitOpen) as error:
        raise ApplicationError(str(error), type="lwa_unavailable") from error

    async with deps.sessions() as db, db.begin():
        stored = await db.get(AmazonConnection, connection.id)
        if stored is not None:
            stored.access_token_sealed = deps.secrets.seal(tokens.access_token)
            stored.access_token_expires_at = utcnow() + timedelta(
                seconds=tokens.expires_in
            )
    logger.info("refreshed the LWA access token for %s", user_id)
    return tokens.access_token, connection


async def _mark_needs_reauth(
    deps: ActivityDeps, connection_id: str, reason: str
) -> None:
    async with deps.sessions() as db, db.begin():
        stored = await db.get(AmazonConnection, connection_id)
        if stored is not None:
            stored.needs_reauth = True
            stored.reauth_reason = reason[:300]
            stored.access_token_sealed = None
            stored.access_token_expires_at = None
    logger.warning(
        "Amazon connection %s needs re-authorization: %s", connection_id, reason
    )
