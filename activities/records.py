"""Activities that write a workflow's progress and outcome to the database."""

from __future__ import annotations

import logging

from sqlalchemy import select
from temporalio import activity

from activities.deps import ActivityDeps
from store.models import AmazonConnection, DetectionRun, SyncRun
from store.syncs import claim_sync
from store.types import utcnow
from store.users import get_amazon_connection
from workflows.models import (
    ClaimSyncInput,
    ClaimSyncResult,
    RecordDetectionInput,
    RecordSyncInput,
)

logger = logging.getLogger(__name__)


class RecordActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="claim_scheduled_sync")
    async def claim_scheduled_sync(self, request: ClaimSyncInput) -> ClaimSyncResult:
        """Claim the user's one active sync for a scheduled run, or give the reason."""
        info = activity.info()
        async with self._deps.sessions() as db:
            connection = await get_amazon_connection(db, request.user_id)
            if connection is None:
                return ClaimSyncResult(reason="Amazon is not connected")
            if connection.needs_reauth:
                return ClaimSyncResult(reason="Amazon needs to be authorized again")
            run, claimed = await claim_sync(
                db,
                user_id=request.user_id,
                workflow_id=str(info.workflow_id),
                trigger="schedule",
            )
            # A retry after a crash finds the row this run already claimed.
            if not claimed and run.workflow_run_id != info.workflow_run_id:
                return ClaimSyncResult(reason=f"sync {run.id} is already active")
            run.workflow_run_id = info.workflow_run_id
            await db.commit()
            logger.info("scheduled sync %s claimed by %s", run.id, info.workflow_id)
            return ClaimSyncResult(sync_id=run.id)

    @activity.defn(name="record_sync")
    async def record_sync(self, request: RecordSyncInput) -> None:
        """Copy the sync's status onto its `sync_runs` row."""
        status = request.status
        async with self._deps.sessions() as db, db.begin():
            run = await db.get(SyncRun, status.sync_id)
            if run is None or run.user_id != status.user_id:
                logger.warning("sync %s has no row to record into", status.sync_id)
                return
            if run.completed_at is not None and not request.final:
                return
            run.status = status.status
            run.stage = status.stage
            run.progress = status.progress
            run.message = status.message
            run.reports = [report.model_dump(mode="json") for report in status.reports]
            run.errors = list(status.errors)
            run.detection_run_id = status.detection_id or run.detection_run_id
            run.workflow_run_id = run.workflow_run_id or activity.info().workflow_run_id
            if request.final:
                run.completed_at = utcnow()
                if status.status == "completed":
                    connection = await db.scalar(
                        select(AmazonConnection).where(
                            AmazonConnection.user_id == run.user_id
                        )
                    )
                    if connection is not None:
                        connection.last_sync_at = run.completed_at

    @activity.defn(name="record_detection")
    async def record_detection(self, request: RecordDetectionInput) -> None:
        """Create or update the `detection_runs` row of a detection workflow."""
        async with self._deps.sessions() as db, db.begin():
            run = await db.get(DetectionRun, request.detection_id)
            if run is None:
                run = DetectionRun(
                    id=request.detection_id,
                    user_id=request.user_id,
                    sync_run_id=request.sync_id,
                    workflow_id=request.workflow_id,
                )
                db.add(run)
            elif run.user_id != request.user_id:
                raise ValueError(
                    f"detection {request.detection_id} belongs to another user"
                )
            if run.completed_at is None:
                run.status = request.status
                run.error = request.error
                if request.status in ("completed", "failed", "cancelled"):
                    run.completed_at = utcnow()
