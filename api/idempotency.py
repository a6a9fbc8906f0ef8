"""Replay of `POST` responses by `Idempotency-Key`, per user and route."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import ValidationFailed
from store.models import IdempotencyRecord

logger = logging.getLogger(__name__)


def request_fingerprint(body: Any) -> str:
    """Hash a request body, given as JSON-ready data, independently of key order."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def replay_or_none(
    db: AsyncSession,
    user_id: str,
    route: str,
    key: str,
    fingerprint: str | None = None,
) -> JSONResponse | None:
    """Return the stored response for the key, or None when the key is new.

    Raises ValidationFailed when the key was used with another request body,
    because replaying the first response would hide that the new request was
    not carried out.
    """
    record = await db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.route == route,
            IdempotencyRecord.key == key,
        )
    )
    if record is None:
        return None
    if (
        fingerprint is not None
        and record.request_sha256 is not None
        and record.request_sha256 != fingerprint
    ):
        logger.info(
            "idempotency key reused with another body on %s",
            route,
            extra={"user_id": user_id},
        )
        message = (
            f"The Idempotency-Key {key!r} was already used with a different request "
            "body; send a new key for a new request."
        )
        raise ValidationFailed(
            message,
            code="idempotency_key_reused",
            details=[
                {
                    "field": "idempotency-key",
                    "location": "header",
                    "message": "already used with a different request body",
                    "type": "idempotency_key_reused",
                }
            ],
        )
    return JSONResponse(
        record.body,
        status_code=record.status_code,
        headers={"Idempotent-Replayed": "true"},
    )


async def remember(
    db: AsyncSession,
    user_id: str,
    route: str,
    key: str,
    status_code: int,
    body: dict[str, Any],
    fingerprint: str | None = None,
) -> None:
    """Store the response; a concurrent request with the same key keeps the first."""
    try:
        async with db.begin_nested():
            db.add(
                IdempotencyRecord(
                    user_id=user_id,
                    route=route,
                    key=key,
                    status_code=status_code,
                    body=body,
                    request_sha256=fingerprint,
                )
            )
    except IntegrityError:
        pass
