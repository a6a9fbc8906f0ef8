"""The recurring sync Schedule of each connected seller."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows.client import KIND_ATTRIBUTE, USER_ID_ATTRIBUTE, sync_workflow_id
from workflows.models import SyncInput, SyncOptions

logger = logging.getLogger(__name__)


def sync_schedule_id(user_id: str) -> str:
    return f"sync-schedule-{user_id}"


def sync_schedule(
    user_id: str,
    *,
    task_queue: str,
    every: timedelta,
    jitter: timedelta,
    options: SyncOptions,
) -> Schedule:
    """Build the seller's Schedule.

    Each run starts SyncWorkflow with an empty sync id, so the workflow claims the
    seller's one active sync itself and skips while a manual sync runs. The skip
    overlap policy alone would not see a manual sync, which has another workflow id.
    """
    return Schedule(
        action=ScheduleActionStartWorkflow(
            "SyncWorkflow",
            SyncInput(user_id=user_id, trigger="schedule", options=options),
            id=sync_workflow_id(user_id),
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(USER_ID_ATTRIBUTE, user_id),
                    SearchAttributePair(KIND_ATTRIBUTE, "sync"),
                ]
            ),
            static_summary=f"Scheduled sync of Amazon reports for {user_id}",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)], jitter=jitter),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=f"Recurring Amazon report sync for {user_id}"),
    )


async def ensure_sync_schedule(
    client: Client, user_id: str, schedule: Schedule
) -> None:
    """Create the seller's Schedule, or replace its definition and unpause it."""
    schedule_id = sync_schedule_id(user_id)
    try:
        await client.create_schedule(schedule_id, schedule)
        logger.info("created schedule %s", schedule_id)
        return
    except ScheduleAlreadyRunningError:
        pass

    def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=schedule)

    handle = client.get_schedule_handle(schedule_id)
    await handle.update(replace)
    logger.info("updated schedule %s", schedule_id)
