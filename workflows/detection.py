"""DetectionWorkflow: run the claim rules over a seller's stored report data."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.models import (
        DetectionStatus,
        DetectionWorkflowInput,
        RecordDetectionInput,
        RunDetectionInput,
        RunDetectionResult,
    )

_RECORD_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


@workflow.defn(name="DetectionWorkflow")
class DetectionWorkflow:
    def __init__(self) -> None:
        self._status: DetectionStatus | None = None

    @workflow.query(name="status")
    def status(self) -> DetectionStatus:
        if self._status is None:
            raise ApplicationError(
                "the detection has not started yet", type="not_started"
            )
        return self._status

    @workflow.run
    async def run(self, request: DetectionWorkflowInput) -> RunDetectionResult:
        self._status = DetectionStatus(
            detection_id=request.detection_id,
            status="running",
            stage="scanning",
            message="Scanning the synced reports",
            updated_at=workflow.now(),
        )
        workflow.set_current_details("Scanning the synced reports")
        await self._record(request, "running")
        try:
            result: RunDetectionResult = await workflow.execute_activity(
                "run_detection",
                RunDetectionInput(
                    user_id=request.user_id,
                    detection_id=request.detection_id,
                    sync_id=request.sync_id,
                    as_of=workflow.now(),
                ),
                result_type=RunDetectionResult,
                start_to_close_timeout=timedelta(minutes=30),
                heartbeat_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(
                    maximum_attempts=5, non_retryable_error_types=["invalid_data"]
                ),
            )
        except asyncio.CancelledError:
            await self._record(request, "cancelled")
            raise
        except ActivityError as error:
            message = str(error.cause or error)
            await self._record(request, "failed", message)
            raise ApplicationError(
                message, type="detection_failed", non_retryable=True
            ) from error

        self._status.status = "completed"
        self._status.stage = "completed"
        self._status.progress = 100
        self._status.findings = result.findings
        self._status.message = (
            f"{result.findings} open findings, {result.new_findings} new, "
            f"{result.resolved} resolved"
        )
        self._status.updated_at = workflow.now()
        workflow.set_current_details(self._status.message)
        return result

    async def _record(
        self, request: DetectionWorkflowInput, status: str, error: str | None = None
    ) -> None:
        await workflow.execute_activity(
            "record_detection",
            RecordDetectionInput(
                user_id=request.user_id,
                detection_id=request.detection_id,
                sync_id=request.sync_id,
                workflow_id=workflow.info().workflow_id,
                status=status,
                error=error,
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_RECORD_RETRY,
        )
