"""Starting, reading and cancelling a seller's SyncWorkflow."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
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
from temporalio.service import RPCError

from api.errors import Conflict, NotFound, UpstreamUnavailable
from api.state import AppState
from store.models import SyncRun
from store.syncs import claim_sync
from store.users import get_amazon_connection
from workflows.client import KIND_ATTRIBUTE, USER_ID_ATTRIBUTE, sync_workflow_id
from workflows.models import SyncInput, SyncOptions, SyncStatus, SyncTrigger

logger = logging.getLogger(__name__)

FINISHED = frozenset({"completed", "failed", "cancelled"})
_QUERY_TIMEOUT = timedelta(seconds=3)
_START_GRACE = timedelta(minutes=2)
# How long a start waits for the workflow of a sync that just recorded its end.
_FINISHING_WAIT = timedelta(seconds=10)


def sync_options(state: AppState) -> SyncOptions:
    settings = state.settings
    return SyncOptions(
        history_days=settings.sync_history_days,
        poll_interval_seconds=settings.report_poll_interval_seconds,
        heartbeat_timeout_seconds=settings.report_heartbeat_timeout_seconds,
        fatal_retries=settings.report_fatal_retries,
        fatal_retry_delay_seconds=settings.report_fatal_retry_delay_seconds,
        detection_task_queue=settings.task_queue_detection,
    )


async def start_sync(
    state: AppState,
    db: AsyncSession,
    user_id: str,
    *,
    report_types: list[str] | None = None,
    since: datetime | None = None,
    trigger: SyncTrigger = "manual",
) -> SyncRun:
    """Start the seller's sync, or return the one already running (one per seller)."""
    connection = await get_amazon_connection(db, user_id)
    if connection is None:
        raise Conflict(
            "Connect your Amazon Seller Central account before syncing.",
            code="amazon_not_connected",
        )
    if connection.needs_reauth:
        raise Conflict(
            "Amazon no longer accepts this authorization; reconnect Amazon, then sync.",
            code="amazon_needs_reauth",
        )
    client = await state.temporal.get()
    workflow_id = sync_workflow_id(user_id)
    run, claimed = await claim_sync(
        db,
        user_id=user_id,
        workflow_id=workflow_id,
        trigger=trigger,
        since=since,
        reports=report_types,
    )
    if not claimed:
        # The active row may belong to a workflow that ended without recording it.
        await reconcile_sync(state, db, run)
        if run.status not in FINISHED:
            return run
        run, claimed = await claim_sync(
            db,
            user_id=user_id,
            workflow_id=workflow_id,
            trigger=trigger,
            since=since,
            reports=report_types,
        )
        if not claimed:
            return run

    request = SyncInput(
        user_id=user_id,
        sync_id=run.id,
        since=since,
        trigger=trigger,
        options=sync_options(state),
    )
    if report_types:
        request.report_types = list(report_types)
    for attempt in range(2):
        description, handle = await _start_workflow(client, state, db, run, request)
        memo: Mapping[str, Any] = await description.memo()
        running_id = str(memo.get("sync_id", ""))
        if not running_id or running_id == run.id:
            break
        # A workflow of an older row still runs under this id, although its row
        # is closed. It records its final status just before it ends, so a start
        # right after a sync finished waits a moment for it and tries once more.
        if attempt == 0 and await _wait_closed(handle, running_id):
            continue
        await db.execute(delete(SyncRun).where(SyncRun.id == run.id))
        await db.commit()
        logger.warning(
            "sync workflow %s runs for closed sync %s", workflow_id, running_id
        )
        raise Conflict(
            "A previous sync is still finishing for this account; try again shortly.",
            code="sync_running",
        )
    run.workflow_run_id = description.run_id
    await db.commit()
    logger.info("started sync %s (%s)", run.id, trigger)
    return run


async def _start_workflow(
    client: Client,
    state: AppState,
    db: AsyncSession,
    run: SyncRun,
    request: SyncInput,
) -> tuple[Any, WorkflowHandle[Any, Any]]:
    """Start the sync workflow, or find the one running under its id.

    Deletes the claimed row and raises UpstreamUnavailable when Temporal
    rejects the call.
    """
    since = request.since
    try:
        handle: WorkflowHandle[Any, Any] = await client.start_workflow(
            "SyncWorkflow",
            request,
            id=run.workflow_id,
            task_queue=state.settings.task_queue_sync,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            memo={"sync_id": run.id},
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(USER_ID_ATTRIBUTE, request.user_id),
                    SearchAttributePair(KIND_ATTRIBUTE, "sync"),
                ]
            ),
            static_summary=(
                f"Sync of Amazon reports for {request.user_id} ({request.trigger})"
            ),
            static_details=(
                f"Sync {run.id}: reports {', '.join(request.report_types)}; "
                f"since {since.isoformat() if since else 'the default history window'}."
            ),
        )
        description = await handle.describe()
    except RPCError as error:
        await db.execute(delete(SyncRun).where(SyncRun.id == run.id))
        await db.commit()
        logger.warning(
            "could not start the sync workflow for %s: %s", request.user_id, error
        )
        raise UpstreamUnavailable(
            "The workflow service did not accept the sync; try again."
        ) from error
    return description, handle


async def _wait_closed(handle: WorkflowHandle[Any, Any], sync_id: str) -> bool:
    """Wait up to _FINISHING_WAIT for a workflow to end; return whether it ended."""
    try:
        await asyncio.wait_for(handle.result(), timeout=_FINISHING_WAIT.total_seconds())
    except TimeoutError:
        logger.info("the workflow of sync %s is still running", sync_id)
        return False
    except (WorkflowFailureError, RPCError) as error:
        # A failed, cancelled or terminated run has ended too.
        logger.info("the workflow of sync %s ended with %s", sync_id, error)
    return True


async def find_sync(db: AsyncSession, user_id: str, sync_id: str | None) -> SyncRun:
    query = select(SyncRun).where(SyncRun.user_id == user_id)
    query = (
        query.where(SyncRun.id == sync_id)
        if sync_id
        else query.order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
    )
    run = await db.scalar(query.limit(1))
    if run is None:
        raise NotFound(
            "No sync was found." if sync_id else "No sync has run for this account yet."
        )
    return run


async def live_status(state: AppState, run: SyncRun) -> SyncStatus | None:
    """Query the running workflow; return None when it ended or the query failed."""
    if run.status in FINISHED or state.temporal.connected is None:
        return None
    handle = _handle(state.temporal.connected, run)
    try:
        # A closed workflow still returns its last state to queries, so reject them.
        # The caller then reconciles the row with how the workflow ended.
        status: SyncStatus = await handle.query(
            "status",
            result_type=SyncStatus,
            reject_condition=QueryRejectCondition.NOT_OPEN,
            rpc_timeout=_QUERY_TIMEOUT,
        )
    except (RPCError, WorkflowQueryRejectedError, WorkflowQueryFailedError) as error:
        logger.debug("sync %s status query failed: %s", run.id, error)
        return None
    return status if status.sync_id == run.id else None


_CLOSED_STATUS = {
    WorkflowExecutionStatus.COMPLETED: ("completed", "The sync completed."),
    WorkflowExecutionStatus.FAILED: ("failed", "The sync failed; see the Temporal UI."),
    WorkflowExecutionStatus.CANCELED: ("cancelled", "The sync was cancelled."),
    WorkflowExecutionStatus.TERMINATED: (
        "failed",
        "The sync was terminated by an operator before it finished.",
    ),
    WorkflowExecutionStatus.TIMED_OUT: ("failed", "The sync timed out."),
}


async def reconcile_sync(state: AppState, db: AsyncSession, run: SyncRun) -> None:
    """Close a stored sync whose workflow ended without recording it.

    A workflow terminated from the Temporal UI, or one that timed out, never runs its
    final activity, so its row would otherwise stay `running` forever.
    """
    if run.status in FINISHED or state.temporal.connected is None:
        return
    if run.workflow_run_id is None:
        # Still being started by another request, unless that request died.
        if datetime.now(UTC) - run.started_at > _START_GRACE:
            run.status, run.stage = "failed", "failed"
            run.message = "The sync workflow never started; start a new sync."
            run.completed_at = datetime.now(UTC)
            await db.commit()
        return
    try:
        description = await _handle(state.temporal.connected, run).describe(
            rpc_timeout=_QUERY_TIMEOUT
        )
    except RPCError as error:
        logger.debug("sync %s could not be described: %s", run.id, error)
        return
    closed = _CLOSED_STATUS.get(description.status) if description.status else None
    if closed is None:
        return
    await db.refresh(run)
    if run.status in FINISHED:
        return
    run.status, run.message = closed
    run.stage = run.status
    run.completed_at = description.close_time or datetime.now(UTC)
    await db.commit()
    logger.warning("sync %s ended outside the workflow: %s", run.id, run.status)


async def cancel_sync(state: AppState, run: SyncRun) -> None:
    if run.status in FINISHED:
        raise Conflict(
            f"Sync {run.id} already ended with status {run.status}; nothing to cancel.",
            code="sync_finished",
        )
    client = await state.temporal.get()
    handle = _handle(client, run)
    try:
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            raise Conflict(f"Sync {run.id} is no longer running.", code="sync_finished")
        await handle.cancel()
    except RPCError as error:
        raise UpstreamUnavailable(
            "The workflow service did not accept the cancel."
        ) from error
    logger.info("cancel requested for sync %s", run.id)


def _handle(client: Client, run: SyncRun) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(run.workflow_id, run_id=run.workflow_run_id)
