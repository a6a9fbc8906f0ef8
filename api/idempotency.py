"""Replay of `POST` responses by `Idempotency-Key`, per user and route."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import IdempotencyRecord


async def replay_or_none(
    db: AsyncSession, user_id: str, route: str, key: str
) -> JSONResponse | None:
    record = await db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.route == route,
            IdempotencyRecord.key == key,
        )
    )
    if record is None:
        return None
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
                )
            )
    except IntegrityError:
        pass
