"""Sync runs: claiming the one active sync a user may have, and reading them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from store.models import ReportDocument, SyncRun

ACTIVE_STATUSES = ("queued", "running")


async def active_sync(db: AsyncSession, user_id: str) -> SyncRun | None:
    return await db.scalar(
        select(SyncRun).where(
            SyncRun.user_id == user_id, SyncRun.status.in_(ACTIVE_STATUSES)
        )
    )


async def claim_sync(
    db: AsyncSession,
    *,
    user_id: str,
    workflow_id: str,
    trigger: str,
    since: datetime | None = None,
    reports: list[str] | None = None,
) -> tuple[SyncRun, bool]:
    """Insert a queued sync, unless one is already active for the user.

    Returns (run, True) for the new row, or (the active run, False). The partial
    unique index on active rows makes this safe across processes.
    """
    for _ in range(3):
        run = SyncRun(
            id=new_id("syn"),
            user_id=user_id,
            workflow_id=workflow_id,
            trigger=trigger,
            status="queued",
            stage="queued",
            since=since,
            requested_reports=list(reports or []),
        )
        db.add(run)
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
        else:
            return run, True
        existing = await active_sync(db, user_id)
        if existing is not None:
            return existing, False
    raise RuntimeError(
        f"could not claim a sync for {user_id}: the active one keeps changing"
    )


async def list_syncs(
    db: AsyncSession, user_id: str, limit: int, offset: int
) -> tuple[list[SyncRun], int]:
    query = select(SyncRun).where(SyncRun.user_id == user_id)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


async def ingested_report_types(db: AsyncSession, user_id: str) -> set[str]:
    """Return the report types synced for the user at least once, empty ones included.

    Every ingested report, a CANCELLED (empty) one too, leaves a ReportDocument row.
    A listed report type (settlements) for which Amazon listed no document leaves
    no such row, so the syncs' report entries marked `empty` count as well.
    Otherwise the coverage of a seller without settlements would keep asking for a
    sync that includes them.
    """
    rows = await db.scalars(
        select(ReportDocument.report_type)
        .where(ReportDocument.user_id == user_id)
        .distinct()
    )
    found = set(rows)
    runs = await db.scalars(select(SyncRun.reports).where(SyncRun.user_id == user_id))
    for reports in runs:
        for report in reports or []:
            if report.get("status") == "empty" and report.get("report_type"):
                found.add(str(report["report_type"]))
    return found
