"""Detection runs: claiming the one active run a seller may start, and reading them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from store.models import DetectionRun

ACTIVE_STATUSES = ("queued", "running")


async def active_detection(db: AsyncSession, user_id: str) -> DetectionRun | None:
    """Return the user's newest queued or running detection, from a sync or not."""
    return await db.scalar(
        select(DetectionRun)
        .where(
            DetectionRun.user_id == user_id,
            DetectionRun.status.in_(ACTIVE_STATUSES),
        )
        .order_by(DetectionRun.started_at.desc(), DetectionRun.id.desc())
        .limit(1)
    )


async def claim_detection(
    db: AsyncSession, *, user_id: str, workflow_id_for: Callable[[str], str]
) -> tuple[DetectionRun, bool]:
    """Insert a queued detection started by the seller, unless one is active.

    `workflow_id_for` maps the new run id to its workflow id. Returns (run, True)
    for the new row, or (the active run, False). The partial unique index on the
    seller's active runs makes this safe across processes.
    """
    for _ in range(3):
        detection_id = new_id("det")
        run = DetectionRun(
            id=detection_id,
            user_id=user_id,
            workflow_id=workflow_id_for(detection_id),
            status="queued",
        )
        db.add(run)
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
        else:
            return run, True
        existing = await active_detection(db, user_id)
        if existing is not None:
            return existing, False
    raise RuntimeError(
        f"could not claim a detection for {user_id}: the active one keeps changing"
    )


async def get_detection(
    db: AsyncSession, user_id: str, detection_id: str
) -> DetectionRun | None:
    """Return the run only when it belongs to `user_id`."""
    return await db.scalar(
        select(DetectionRun).where(
            DetectionRun.id == detection_id, DetectionRun.user_id == user_id
        )
    )


async def list_detections(
    db: AsyncSession, user_id: str, limit: int, offset: int
) -> tuple[list[DetectionRun], int]:
    """Return one page of the user's runs, newest first, and the total count."""
    query = select(DetectionRun).where(DetectionRun.user_id == user_id)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(DetectionRun.started_at.desc(), DetectionRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)
