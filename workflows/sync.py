"""SyncWorkflow: pull a seller's FBA reports from SP-API and store them.

For each report (and marketplace, unless the report covers the whole region) it requests
the report, waits for Amazon to produce it, then downloads, decodes, parses and
stores it. Reports that Amazon generates on its own (settlements) are listed instead,
and each one not ingested before is ingested. Inbound shipments come from the
Fulfillment Inbound API, one activity per marketplace.
Reports run in parallel; SP-API pacing happens in the activities. When every report is
done it starts a DetectionWorkflow, which outlives this one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
)
from temporalio.workflow import ActivityCancellationType, ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from workflows.client import (
        KIND_ATTRIBUTE,
        USER_ID_ATTRIBUTE,
        detection_workflow_id,
    )
    from workflows.ids import workflow_id_for
    from workflows.models import (
        INBOUND_SHIPMENTS,
        LISTED_REPORTS,
        REGION_WIDE_REPORTS,
        ClaimSyncInput,
        ClaimSyncResult,
        CreateReportInput,
        CreateReportResult,
        DetectionWorkflowInput,
        InboundSyncInput,
        InboundSyncResult,
        IngestReportInput,
        IngestReportResult,
        ListReportsInput,
        ListReportsResult,
        PrepareSyncInput,
        RecordSyncInput,
        ReportProgress,
        SellerContext,
        SyncInput,
        SyncResult,
        SyncStatus,
        WaitReportInput,
        WaitReportResult,
    )

_STAGE_PERCENT = {
    "pending": 0,
    "requested": 15,
    "processing": 40,
    "downloading": 75,
    "completed": 100,
    "empty": 100,
    "failed": 100,
    "cancelled": 100,
}
_SHORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=8,
    non_retryable_error_types=["invalid_grant", "not_connected", "invalid_report"],
)
# Patch ids of commands that recorded histories do not have.
_LISTED_REPORTS_PATCH = "sync-listed-reports"
_INBOUND_SHIPMENTS_PATCH = "sync-inbound-shipments"


@workflow.defn(name="SyncWorkflow")
class SyncWorkflow:
    def __init__(self) -> None:
        self._status: SyncStatus | None = None

    @workflow.query(name="status")
    def status(self) -> SyncStatus:
        """Return the sync's live progress: stage, percent and each report's state."""
        if self._status is None:
            raise ApplicationError("the sync has not started yet", type="not_started")
        return self._status

    @workflow.run
    async def run(self, request: SyncInput) -> SyncResult:
        if not request.sync_id:
            claim = await workflow.execute_activity(
                "claim_scheduled_sync",
                ClaimSyncInput(user_id=request.user_id),
                result_type=ClaimSyncResult,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_SHORT_RETRY,
            )
            if claim.sync_id is None:
                workflow.logger.info("scheduled sync skipped: %s", claim.reason)
                workflow.set_current_details(f"Skipped: {claim.reason}")
                return SyncResult(sync_id="", status="skipped", rows=0, rows_added=0)
            request = request.model_copy(update={"sync_id": claim.sync_id})
        self._status = SyncStatus(
            sync_id=request.sync_id,
            user_id=request.user_id,
            status="running",
            stage="authorizing",
            message="Checking the Amazon authorization",
            updated_at=workflow.now(),
        )
        try:
            return await self._run(request)
        except asyncio.CancelledError:
            await self._finish(
                "cancelled", "The sync was cancelled; stored reports are kept."
            )
            raise
        except ActivityError as error:
            cause = error.cause
            code = (
                cause.type
                if isinstance(cause, ApplicationError) and cause.type
                else "error"
            )
            message = str(
                cause.message if isinstance(cause, ApplicationError) else error
            )
            self._status.errors.append({"code": code, "message": message})
            await self._finish("failed", f"The sync failed: {message}")
            raise ApplicationError(message, type=code, non_retryable=True) from error

    async def _run(self, request: SyncInput) -> SyncResult:
        assert self._status is not None
        await self._record()
        seller = await workflow.execute_activity(
            "prepare_sync",
            PrepareSyncInput(user_id=request.user_id, sync_id=request.sync_id),
            result_type=SellerContext,
            start_to_close_timeout=timedelta(minutes=15),
            heartbeat_timeout=timedelta(
                seconds=request.options.heartbeat_timeout_seconds
            ),
            retry_policy=_SHORT_RETRY,
        )
        self._status.reports = [
            ReportProgress(report_type=report_type, marketplace_id=marketplace_id)
            for report_type in request.report_types
            for marketplace_id in (
                seller.marketplace_ids[:1]
                if report_type in REGION_WIDE_REPORTS
                else seller.marketplace_ids
            )
        ]
        self._set_stage("syncing", f"Requesting {len(self._status.reports)} reports")
        workflow.set_current_details(f"Syncing {len(self._status.reports)} reports")
        await self._record()

        end = workflow.now()
        start = request.since or end - timedelta(days=request.options.history_days)
        await asyncio.gather(
            *(
                self._sync_report(request, report, start, end)
                for report in self._status.reports
            )
        )

        failed = [r for r in self._status.reports if r.status == "failed"]
        if failed and len(failed) == len(self._status.reports):
            raise ApplicationError(
                f"every report failed; first error: {failed[0].error}",
                type="all_reports_failed",
            )
        detection_id = await self._start_detection(request)
        rows = sum(r.rows for r in self._status.reports)
        added = sum(r.rows_added for r in self._status.reports)
        count = len(self._status.reports)
        summary = f"Stored {added} new rows ({rows} read) from {count} reports"
        if failed:
            summary += f"; {len(failed)} failed"
        await self._finish("completed", summary)
        return SyncResult(
            sync_id=request.sync_id,
            status="completed",
            rows=rows,
            rows_added=added,
            detection_id=detection_id,
        )

    async def _sync_report(
        self, request: SyncInput, report: ReportProgress, start: datetime, end: datetime
    ) -> None:
        try:
            if report.report_type in LISTED_REPORTS and workflow.patched(
                _LISTED_REPORTS_PATCH
            ):
                await self._sync_listed_report(request, report, start, end)
            elif report.report_type == INBOUND_SHIPMENTS and workflow.patched(
                _INBOUND_SHIPMENTS_PATCH
            ):
                await self._sync_inbound_shipments(request, report, start, end)
            else:
                await self._sync_requested_report(request, report, start, end)
        except ActivityError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.type == "invalid_grant":
                raise
            if isinstance(cause, CancelledError):
                # The sync was cancelled and the activity stopped: not a failure.
                self._set_report(report, "cancelled")
                return
            report.error = str(
                cause.message if isinstance(cause, ApplicationError) else error
            )
            self._set_report(report, "failed")
            self._status_errors(report)
            workflow.logger.warning(
                "report %s failed: %s", report.report_type, report.error
            )
        except asyncio.CancelledError:
            self._set_report(report, "cancelled")
            raise

    async def _sync_requested_report(
        self, request: SyncInput, report: ReportProgress, start: datetime, end: datetime
    ) -> None:
        """Request the report, wait for it and ingest it (createReport path)."""
        options = request.options
        for attempt in range(options.fatal_retries + 1):
            report.attempts = attempt + 1
            created = await workflow.execute_activity(
                "create_report",
                CreateReportInput(
                    user_id=request.user_id,
                    report_type=report.report_type,
                    marketplace_id=report.marketplace_id,
                    data_start=start,
                    data_end=end,
                ),
                result_type=CreateReportResult,
                start_to_close_timeout=timedelta(minutes=15),
                heartbeat_timeout=timedelta(seconds=options.heartbeat_timeout_seconds),
                retry_policy=_SHORT_RETRY,
            )
            report.report_id = created.report_id
            self._set_report(report, "processing")
            waited = await workflow.execute_activity(
                "wait_for_report",
                WaitReportInput(
                    user_id=request.user_id,
                    report_id=created.report_id,
                    poll_interval_seconds=options.poll_interval_seconds,
                ),
                result_type=WaitReportResult,
                start_to_close_timeout=timedelta(hours=2),
                heartbeat_timeout=timedelta(seconds=options.heartbeat_timeout_seconds),
                retry_policy=_SHORT_RETRY,
                cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
            if waited.processing_status != "FATAL":
                break
            report.error = (
                f"Amazon could not generate the report (FATAL, attempt {attempt + 1})"
            )
            if attempt < options.fatal_retries:
                await workflow.sleep(
                    timedelta(seconds=options.fatal_retry_delay_seconds)
                )
        else:
            self._set_report(report, "failed")
            self._status_errors(report)
            return

        self._set_report(report, "downloading")
        result = await self._ingest(
            request,
            IngestReportInput(
                user_id=request.user_id,
                sync_id=request.sync_id,
                report_type=report.report_type,
                marketplace_id=report.marketplace_id,
                report_id=created.report_id,
                document_id=waited.document_id,
                processing_status=waited.processing_status,
                data_start=start,
                data_end=end,
            ),
        )
        report.rows = result.rows
        report.rows_added = result.rows_added
        report.error = None
        self._set_report(
            report,
            "empty" if waited.processing_status == "CANCELLED" else "completed",
        )

    async def _sync_listed_report(
        self, request: SyncInput, report: ReportProgress, start: datetime, end: datetime
    ) -> None:
        """List the reports Amazon generated in the window and ingest the new ones.

        A document that fails is recorded and the others are still ingested, so
        one unreadable settlement does not hold back the rest.
        """
        options = request.options
        report.attempts = 1
        self._set_report(report, "requested")
        listed = await workflow.execute_activity(
            "list_reports",
            ListReportsInput(
                user_id=request.user_id,
                report_type=report.report_type,
                marketplace_id=report.marketplace_id,
                created_since=start,
                created_until=end,
            ),
            result_type=ListReportsResult,
            start_to_close_timeout=timedelta(minutes=15),
            heartbeat_timeout=timedelta(seconds=options.heartbeat_timeout_seconds),
            retry_policy=_SHORT_RETRY,
        )
        if not listed.reports:
            self._set_report(report, "empty")
            return

        self._set_report(report, "downloading")
        failures: list[str] = []
        for document in listed.reports:
            report.report_id = document.report_id
            try:
                result = await self._ingest(
                    request,
                    IngestReportInput(
                        user_id=request.user_id,
                        sync_id=request.sync_id,
                        report_type=report.report_type,
                        marketplace_id=document.marketplace_id,
                        report_id=document.report_id,
                        document_id=document.document_id,
                        data_start=document.data_start,
                        data_end=document.data_end,
                    ),
                )
            except ActivityError as error:
                cause = error.cause
                if isinstance(cause, CancelledError) or (
                    isinstance(cause, ApplicationError)
                    and cause.type == "invalid_grant"
                ):
                    raise
                message = cause.message if isinstance(cause, ApplicationError) else ""
                failures.append(f"report {document.report_id}: {message or error}")
                continue
            report.rows += result.rows
            report.rows_added += result.rows_added

        if failures:
            report.error = "; ".join(failures)
            self._set_report(report, "failed")
            self._status_errors(report)
            return
        report.error = None
        self._set_report(report, "completed")

    async def _sync_inbound_shipments(
        self, request: SyncInput, report: ReportProgress, start: datetime, end: datetime
    ) -> None:
        """Store the marketplace's inbound shipments and items updated in the window."""
        self._set_report(report, "downloading")
        report.attempts = 1
        result = await workflow.execute_activity(
            "sync_inbound_shipments",
            InboundSyncInput(
                user_id=request.user_id,
                sync_id=request.sync_id,
                marketplace_id=report.marketplace_id,
                updated_after=start,
                updated_before=end,
            ),
            result_type=InboundSyncResult,
            start_to_close_timeout=timedelta(hours=1),
            heartbeat_timeout=timedelta(
                seconds=request.options.heartbeat_timeout_seconds
            ),
            retry_policy=_SHORT_RETRY,
            cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        report.rows = result.rows
        report.rows_added = result.rows_added
        self._set_report(report, "completed" if result.shipments else "empty")

    async def _ingest(
        self, request: SyncInput, ingest: IngestReportInput
    ) -> IngestReportResult:
        """Download, parse and store one report document."""
        result: IngestReportResult = await workflow.execute_activity(
            "ingest_report",
            ingest,
            result_type=IngestReportResult,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(
                seconds=request.options.heartbeat_timeout_seconds
            ),
            retry_policy=_SHORT_RETRY,
            cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        return result

    async def _start_detection(self, request: SyncInput) -> str | None:
        assert self._status is not None
        detection_id = workflow_id_for("det")
        self._set_stage("detecting", "Starting claim detection")
        try:
            await workflow.start_child_workflow(
                "DetectionWorkflow",
                DetectionWorkflowInput(
                    user_id=request.user_id,
                    detection_id=detection_id,
                    sync_id=request.sync_id,
                ),
                id=detection_workflow_id(request.user_id, detection_id),
                task_queue=request.options.detection_task_queue,
                parent_close_policy=ParentClosePolicy.ABANDON,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(USER_ID_ATTRIBUTE, request.user_id),
                        SearchAttributePair(KIND_ATTRIBUTE, "detection"),
                    ]
                ),
                static_summary=(
                    f"Detection for {request.user_id} after sync {request.sync_id}"
                ),
            )
        except ChildWorkflowError as error:
            workflow.logger.warning("detection could not start: %s", error)
            return None
        self._status.detection_id = detection_id
        return detection_id

    def _set_report(self, report: ReportProgress, status: str) -> None:
        assert self._status is not None
        report.status = status  # type: ignore[assignment]
        reports = self._status.reports
        self._status.progress = round(
            sum(_STAGE_PERCENT[r.status] for r in reports) * 0.95 / max(len(reports), 1)
        )
        done = sum(1 for r in reports if _STAGE_PERCENT[r.status] == 100)
        self._status.message = f"{done} of {len(reports)} reports done"
        self._status.updated_at = workflow.now()
        workflow.set_current_details(self._status.message)

    def _status_errors(self, report: ReportProgress) -> None:
        assert self._status is not None
        self._status.errors.append(
            {
                "code": "report_failed",
                "message": (
                    report.error
                    if report.error and report.report_type in report.error
                    else f"{report.report_type}: {report.error}"
                ),
            }
        )

    def _set_stage(self, stage: str, message: str) -> None:
        assert self._status is not None
        self._status.stage = stage
        self._status.message = message
        self._status.updated_at = workflow.now()

    async def _record(self, *, final: bool = False) -> None:
        assert self._status is not None
        await workflow.execute_activity(
            "record_sync",
            RecordSyncInput(status=self._status, final=final),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
        )

    async def _finish(self, status: str, message: str) -> None:
        assert self._status is not None
        self._status.status = status  # type: ignore[assignment]
        self._status.stage = status
        self._status.message = message
        if status == "completed":
            self._status.progress = 100
        self._status.updated_at = workflow.now()
        workflow.set_current_details(message)
        await self._record(final=True)
