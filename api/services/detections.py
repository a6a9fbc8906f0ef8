"""Starting and reading a seller's DetectionWorkflow runs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.common import (
    QueryRejectCondition,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import Conflict, NotFound, UpstreamUnavailable
from api.state import AppState
from store.detections import active_detection, claim_detection, get_detection
from store.models import DetectionRun
from store.users import get_amazon_connection
from workflows.client import KIND_ATTRIBUTE, USER_ID_ATTRIBUTE, detection_workflow_id
from workflows.models import DetectionStatus, DetectionWorkflowInput

logger = logging.getLogger(__name__)

FINISHED = frozenset({"completed", "failed", "cancelled"})
_QUERY_TIMEOUT = timedelta(seconds=3)
_START_GRACE = timedelta(minutes=2)


async def start_detection(
    state: AppState, db: AsyncSession, user_id: str
) -> DetectionRun:
    """Start a detection over the seller's synced data, or return the running one.

    Any active run counts, including one a sync started, because both scan the same
    stored reports. Raises Conflict (amazon_not_connected) without a connection.
    """
    if await get_amazon_connection(db, user_id) is None:
        raise Conflict(
            "Connect your Amazon Seller Central account and sync it before "
            "running detection.",
            code="amazon_not_connected",
        )
    client = await state.temporal.get()
    running = await active_detection(db, user_id)
    if running is not None:
        # The active row may belong to a workflow that ended without recording it.
        await reconcile_detection(state, db, running)
        if running.status not in FINISHED:
            return running

    run, claimed = await _claim(db, user_id)
    if not claimed:
        await reconcile_detection(state, db, run)
        if run.status not in FINISHED:
            return run
        run, claimed = await _claim(db, user_id)
        if not claimed:
            return run

    try:
        handle = await client.start_workflow(
            "DetectionWorkflow",
            DetectionWorkflowInput(user_id=user_id, detection_id=run.id),
            id=run.workflow_id,
            task_queue=state.settings.task_queue_detection,
            # The id names this one run, so it is never reused.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            memo={"detection_id": run.id},
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(USER_ID_ATTRIBUTE, user_id),
                    SearchAttributePair(KIND_ATTRIBUTE, "detection"),
                ]
            ),
            static_summary=f"Detection for {user_id} (manual)",
            static_details=(
                f"Detection {run.id}, started by the seller over the stored reports."
            ),
        )
    except (RPCError, WorkflowAlreadyStartedError) as error:
        await db.execute(delete(DetectionRun).where(DetectionRun.id == run.id))
        await db.commit()
        logger.warning(
            "could not start the detection workflow for %s: %s", user_id, error
        )
        raise UpstreamUnavailable(
            "The workflow service did not accept the detection; try again."
        ) from error
    run.workflow_run_id = handle.result_run_id
    await db.commit()
    logger.info("started detection %s for %s", run.id, user_id)
    return run


async def _claim(db: AsyncSession, user_id: str) -> tuple[DetectionRun, bool]:
    return await claim_detection(
        db,
        user_id=user_id,
        workflow_id_for=lambda run_id: detection_workflow_id(user_id, run_id),
    )


async def find_detection(
    db: AsyncSession, user_id: str, detection_id: str
) -> DetectionRun:
    run = await get_detection(db, user_id, detection_id)
    if run is None:
        raise NotFound(f"No detection {detection_id} was found for this account.")
    return run


async def live_status(state: AppState, run: DetectionRun) -> DetectionStatus | None:
    """Query the running workflow; return None when it ended or the query failed."""
    if run.status in FINISHED or state.temporal.connected is None:
        return None
    handle = _handle(state.temporal.connected, run)
    try:
        status: DetectionStatus = await handle.query(
            "status",
            result_type=DetectionStatus,
            reject_condition=QueryRejectCondition.NOT_OPEN,
            rpc_timeout=_QUERY_TIMEOUT,
        )
    except (RPCError, WorkflowQueryRejectedError, WorkflowQueryFailedError) as error:
        logger.debug("detection %s status query failed: %s", run.id, error)
        return None
    return status if status.detection_id == run.id else None


_CLOSED_STATUS = {
    WorkflowExecutionStatus.COMPLETED: ("completed", None),
    WorkflowExecutionStatus.FAILED: (
        "failed",
        "The detection failed; see the Temporal UI.",
    ),
    WorkflowExecutionStatus.CANCELED: ("cancelled", None),
    WorkflowExecutionStatus.TERMINATED: (
        "failed",
        "The detection was terminated by an operator before it finished.",
    ),
    WorkflowExecutionStatus.TIMED_OUT: ("failed", "The detection timed out."),
}


async def reconcile_detection(
    state: AppState, db: AsyncSession, run: DetectionRun
) -> None:
    """Close a stored run whose workflow ended without recording it.

    A workflow terminated from the Temporal UI, or one that timed out, never runs its
    final activity, so its row would otherwise stay active and block new runs.
    """
    if run.status in FINISHED or state.temporal.connected is None:
        return
    try:
        description = await _handle(state.temporal.connected, run).describe(
            rpc_timeout=_QUERY_TIMEOUT
        )
    except RPCError as error:
        if (
            error.status == RPCStatusCode.NOT_FOUND
            and datetime.now(UTC) - run.started_at > _START_GRACE
        ):
            # The request that claimed the row died before the workflow started.
            await _close(db, run, "failed", "The detection workflow never started.")
        else:
            logger.debug("detection %s could not be described: %s", run.id, error)
        return
    run.workflow_run_id = run.workflow_run_id or description.run_id
    closed = _CLOSED_STATUS.get(description.status) if description.status else None
    if closed is None:
        await db.commit()
        return
    status, message = closed
    await _close(db, run, status, message, description.close_time)


async def _close(
    db: AsyncSession,
    run: DetectionRun,
    status: str,
    message: str | None,
    closed_at: datetime | None = None,
) -> None:
    await db.refresh(run)
    if run.status in FINISHED:
        return
    run.status = status
    run.error = message
    run.completed_at = closed_at or datetime.now(UTC)
    await db.commit()
    logger.warning("detection %s ended outside the workflow: %s", run.id, status)


def _handle(client: Client, run: DetectionRun) -> WorkflowHandle[Any, Any]:
    # Runs a sync started have no stored run id; their workflow id names one run.
    return client.get_workflow_handle(run.workflow_id, run_id=run.workflow_run_id)
