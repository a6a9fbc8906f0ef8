"""SyncWorkflow on the time-skipping server, with activities mocked by name."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from workflows.detection import DetectionWorkflow
from workflows.models import (
    SYNC_REPORT_TYPES,
    ClaimSyncInput,
    ClaimSyncResult,
    CreateReportInput,
    CreateReportResult,
    InboundSyncInput,
    InboundSyncResult,
    IngestReportInput,
    IngestReportResult,
    ListedReport,
    ListReportsInput,
    ListReportsResult,
    PrepareSyncInput,
    RecordDetectionInput,
    RecordSyncInput,
    ReportProgress,
    RunDetectionInput,
    RunDetectionResult,
    SellerContext,
    SyncInput,
    SyncOptions,
    SyncResult,
    SyncStatus,
    WaitReportInput,
    WaitReportResult,
)
from workflows.sync import SyncWorkflow

LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FEE_PREVIEW = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
INBOUND = "FBA_INBOUND_SHIPMENTS"
# The reports of the first recorded histories, which the older tests sync.
REQUESTED_REPORTS = (LEDGER, REIMBURSEMENTS, RETURNS)
US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"


@dataclass
class FakeAmazon:
    """Fake activities that return scripted outcomes and record their inputs."""

    outcomes: dict[str, list[str]] = field(default_factory=dict)
    prepare_error: str | None = None
    block_wait: asyncio.Event | None = None
    created: list[str] = field(default_factory=list)
    records: list[RecordSyncInput] = field(default_factory=list)
    detections: list[RunDetectionInput] = field(default_factory=list)
    wait_cancelled: bool = False
    claim: ClaimSyncResult = field(
        default_factory=lambda: ClaimSyncResult(sync_id="syn_claimed")
    )
    marketplace_ids: list[str] = field(default_factory=lambda: [US])
    listed: list[ListedReport] = field(default_factory=list)
    list_requests: list[ListReportsInput] = field(default_factory=list)
    ingested: list[IngestReportInput] = field(default_factory=list)
    failing_reports: set[str] = field(default_factory=set)
    inbound_requests: list[InboundSyncInput] = field(default_factory=list)

    def activities(self) -> list[Callable[..., object]]:
        @activity.defn(name="prepare_sync")
        async def prepare_sync(request: PrepareSyncInput) -> SellerContext:
            if self.prepare_error:
                raise ApplicationError(
                    "rejected", type=self.prepare_error, non_retryable=True
                )
            return SellerContext(
                selling_partner_id="A1SELLER",
                region="NA",
                marketplace_ids=self.marketplace_ids,
            )

        @activity.defn(name="create_report")
        async def create_report(request: CreateReportInput) -> CreateReportResult:
            self.created.append(request.report_type)
            return CreateReportResult(
                report_id=f"{request.report_type}-{len(self.created)}"
            )

        @activity.defn(name="wait_for_report")
        async def wait_for_report(request: WaitReportInput) -> WaitReportResult:
            if self.block_wait is not None:
                try:
                    while not self.block_wait.is_set():
                        activity.heartbeat("IN_PROGRESS")
                        await asyncio.sleep(0.1)
                except asyncio.CancelledError:
                    self.wait_cancelled = True
                    raise
            report_type = request.report_id.rsplit("-", 1)[0]
            script = self.outcomes.get(report_type, [])
            status = script.pop(0) if script else "DONE"
            document = None if status == "CANCELLED" else f"doc-{request.report_id}"
            return WaitReportResult(processing_status=status, document_id=document)

        @activity.defn(name="ingest_report")
        async def ingest_report(request: IngestReportInput) -> IngestReportResult:
            self.ingested.append(request)
            if request.report_id in self.failing_reports:
                raise ApplicationError(
                    "unreadable", type="invalid_report", non_retryable=True
                )
            if request.processing_status == "CANCELLED":
                return IngestReportResult(rows=0, rows_added=0)
            return IngestReportResult(rows=10, rows_added=7)

        @activity.defn(name="list_reports")
        async def list_reports(request: ListReportsInput) -> ListReportsResult:
            self.list_requests.append(request)
            return ListReportsResult(reports=self.listed)

        @activity.defn(name="sync_inbound_shipments")
        async def sync_inbound_shipments(
            request: InboundSyncInput,
        ) -> InboundSyncResult:
            self.inbound_requests.append(request)
            return InboundSyncResult(shipments=2, items=3, rows=5, rows_added=4)

        @activity.defn(name="record_sync")
        async def record_sync(request: RecordSyncInput) -> None:
            self.records.append(request)

        @activity.defn(name="claim_scheduled_sync")
        async def claim_scheduled_sync(request: ClaimSyncInput) -> ClaimSyncResult:
            return self.claim

        return [
            prepare_sync,
            create_report,
            wait_for_report,
            ingest_report,
            list_reports,
            sync_inbound_shipments,
            record_sync,
            claim_scheduled_sync,
        ]

    def detection_activities(self) -> list[Callable[..., object]]:
        @activity.defn(name="run_detection")
        async def run_detection(request: RunDetectionInput) -> RunDetectionResult:
            self.detections.append(request)
            return RunDetectionResult(
                findings=3,
                new_findings=3,
                resolved=0,
                total_amount={"USD": "30.00"},
                by_type={"lost_inventory": 3},
            )

        @activity.defn(name="record_detection")
        async def record_detection(request: RecordDetectionInput) -> None:
            return None

        return [run_detection, record_detection]


@dataclass
class Harness:
    env: WorkflowEnvironment
    amazon: FakeAmazon
    task_queue: str
    detection_queue: str
    started: list[WorkflowHandle[SyncWorkflow, SyncResult]] = field(
        default_factory=list
    )

    async def settle(self) -> None:
        """Wait for every started sync and its detection child to end.

        The time-skipping server only skips time while no task is outstanding, so an
        open child left behind by one test would stall the timers of the next.
        """
        for handle in self.started:
            try:
                result = await handle.result()
            except WorkflowFailureError:
                continue
            if result.detection_id:
                child = self.env.client.get_workflow_handle(
                    f"detection-usr_test-{result.detection_id}"
                )
                await child.result()

    async def start(
        self,
        sync_id: str | None = None,
        report_types: Sequence[str] = REQUESTED_REPORTS,
        **options: object,
    ) -> WorkflowHandle[SyncWorkflow, SyncResult]:
        request = SyncInput(
            user_id="usr_test",
            sync_id=f"syn_{uuid.uuid4().hex[:8]}" if sync_id is None else sync_id,
            report_types=list(report_types),
            options=SyncOptions(
                detection_task_queue=self.detection_queue,
                poll_interval_seconds=0.1,
                heartbeat_timeout_seconds=2,
                **options,
            ),
        )
        handle = await self.env.client.start_workflow(
            SyncWorkflow.run,
            request,
            id=f"sync-{request.sync_id or uuid.uuid4().hex[:8]}",
            task_queue=self.task_queue,
        )
        self.started.append(handle)
        return handle


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[Harness]:
    amazon = FakeAmazon()
    queue = f"sync-{uuid.uuid4().hex[:8]}"
    detection_queue = f"detection-{uuid.uuid4().hex[:8]}"
    client = time_skipping_env.client
    async with (
        Worker(
            client,
            task_queue=queue,
            workflows=[SyncWorkflow],
            activities=amazon.activities(),
        ),
        Worker(
            client,
            task_queue=detection_queue,
            workflows=[DetectionWorkflow],
            activities=amazon.detection_activities(),
        ),
    ):
        harness = Harness(time_skipping_env, amazon, queue, detection_queue)
        yield harness
        await harness.settle()


async def test_sync_stores_every_report(harness: Harness) -> None:
    handle = await harness.start()
    result = await handle.result()
    assert result.status == "completed"
    assert sorted(harness.amazon.created) == sorted([LEDGER, REIMBURSEMENTS, RETURNS])
    assert result.rows == 30
    assert result.rows_added == 21


async def test_sync_starts_detection(harness: Harness) -> None:
    handle = await harness.start()
    result = await handle.result()
    assert result.detection_id is not None
    detection = harness.env.client.get_workflow_handle(
        f"detection-usr_test-{result.detection_id}"
    )
    outcome = await detection.result()
    assert outcome["findings"] == 3
    assert harness.amazon.detections[0].sync_id is not None


async def test_cancelled_report_counts_as_empty(harness: Harness) -> None:
    harness.amazon.outcomes[RETURNS] = ["CANCELLED"]
    handle = await harness.start()
    result = await handle.result()
    status = await handle.query(SyncWorkflow.status)
    returns = next(r for r in status.reports if r.report_type == RETURNS)
    assert result.status == "completed"
    assert returns.status == "empty"
    assert returns.rows == 0


async def test_fatal_report_retried_after_regeneration_window(harness: Harness) -> None:
    harness.amazon.outcomes[LEDGER] = ["FATAL"]
    handle = await harness.start(fatal_retries=2, fatal_retry_delay_seconds=1800)
    result = await handle.result()
    status = await handle.query(SyncWorkflow.status)
    ledger = next(r for r in status.reports if r.report_type == LEDGER)
    assert result.status == "completed"
    assert ledger.status == "completed"
    assert ledger.attempts == 2
    assert harness.amazon.created.count(LEDGER) == 2


async def test_fatal_retries_exhausted_fail_report(harness: Harness) -> None:
    harness.amazon.outcomes[LEDGER] = ["FATAL", "FATAL"]
    handle = await harness.start(fatal_retries=1, fatal_retry_delay_seconds=60)
    result = await handle.result()
    status = await handle.query(SyncWorkflow.status)
    ledger = next(r for r in status.reports if r.report_type == LEDGER)
    assert result.status == "completed"
    assert ledger.status == "failed"
    assert "FATAL" in (ledger.error or "")
    assert any(e["code"] == "report_failed" for e in status.errors)


async def test_invalid_grant_fails_sync(harness: Harness) -> None:
    harness.amazon.prepare_error = "invalid_grant"
    handle = await harness.start()
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "invalid_grant"
    final = harness.amazon.records[-1]
    assert final.final
    assert final.status.status == "failed"


async def test_status_query_shows_progress(harness: Harness) -> None:
    harness.amazon.block_wait = asyncio.Event()
    handle = await harness.start()
    status = await _poll_status(
        handle, lambda s: all(r.status == "processing" for r in s.reports)
    )
    assert status.stage == "syncing"
    assert len(status.reports) == 3
    assert 0 < status.progress < 100
    harness.amazon.block_wait.set()
    assert (await handle.result()).status == "completed"


async def test_cancel_reaches_running_activity(harness: Harness) -> None:
    harness.amazon.block_wait = asyncio.Event()
    handle = await harness.start()
    await _poll_status(
        handle, lambda s: any(r.status == "processing" for r in s.reports)
    )
    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    assert harness.amazon.wait_cancelled
    final = harness.amazon.records[-1]
    assert final.final
    assert final.status.status == "cancelled"


async def _poll_status(
    handle: WorkflowHandle[SyncWorkflow, SyncResult],
    ready: Callable[[SyncStatus], bool],
) -> SyncStatus:
    for _ in range(100):
        try:
            status = await handle.query(SyncWorkflow.status)
        except Exception:
            status = None
        if status is not None and status.reports and ready(status):
            return status
        await asyncio.sleep(0.1)
    raise AssertionError("the sync never reached the expected state")


async def test_scheduled_run_claims_its_sync(harness: Harness) -> None:
    handle = await harness.start(sync_id="")
    result = await handle.result()
    assert result.status == "completed"
    assert result.sync_id == "syn_claimed"
    assert harness.amazon.records[-1].status.sync_id == "syn_claimed"


async def test_scheduled_run_skips_when_sync_active(harness: Harness) -> None:
    harness.amazon.claim = ClaimSyncResult(reason="sync syn_other is already active")
    handle = await harness.start(sync_id="")
    result = await handle.result()
    assert result.status == "skipped"
    assert harness.amazon.created == []
    assert harness.amazon.records == []


def _listed(report_id: str, marketplace_id: str = US) -> ListedReport:
    return ListedReport(
        report_id=report_id,
        document_id=f"doc-{report_id}",
        marketplace_id=marketplace_id,
        data_start=datetime(2024, 5, 1, tzinfo=UTC),
        data_end=datetime(2024, 5, 15, tzinfo=UTC),
    )


async def _report(
    handle: WorkflowHandle[SyncWorkflow, SyncResult], report_type: str
) -> list[ReportProgress]:
    status = await handle.query(SyncWorkflow.status)
    return [r for r in status.reports if r.report_type == report_type]


async def test_default_sync_covers_every_source(harness: Harness) -> None:
    harness.amazon.listed = [_listed("S1")]
    handle = await harness.start(report_types=SYNC_REPORT_TYPES)
    result = await handle.result()
    requested = set(SYNC_REPORT_TYPES) - {SETTLEMENTS, INBOUND}
    assert result.status == "completed"
    assert sorted(harness.amazon.created) == sorted(requested)
    assert len(harness.amazon.list_requests) == 1
    assert len(harness.amazon.inbound_requests) == 1


async def test_settlements_listed_and_each_ingested(harness: Harness) -> None:
    harness.amazon.listed = [_listed("S1"), _listed("S2", CA)]
    handle = await harness.start(report_types=[SETTLEMENTS])
    result = await handle.result()
    (settlement,) = await _report(handle, SETTLEMENTS)
    ingested = harness.amazon.ingested
    assert harness.amazon.created == []
    assert [i.report_id for i in ingested] == ["S1", "S2"]
    assert [i.document_id for i in ingested] == ["doc-S1", "doc-S2"]
    assert [i.marketplace_id for i in ingested] == [US, CA]
    assert ingested[0].data_start == datetime(2024, 5, 1, tzinfo=UTC)
    assert settlement.status == "completed"
    assert settlement.rows == 20
    assert settlement.rows_added == 14
    assert result.rows_added == 14


async def test_settlement_listing_uses_history_window(harness: Harness) -> None:
    handle = await harness.start(report_types=[SETTLEMENTS], history_days=100)
    await handle.result()
    (listing,) = harness.amazon.list_requests
    assert listing.report_type == SETTLEMENTS
    assert listing.marketplace_id == US
    assert listing.created_until - listing.created_since == timedelta(days=100)


async def test_settlements_listed_once_per_region(harness: Harness) -> None:
    harness.amazon.marketplace_ids = [US, CA]
    handle = await harness.start(report_types=[SETTLEMENTS])
    await handle.result()
    assert len(harness.amazon.list_requests) == 1
    assert len(await _report(handle, SETTLEMENTS)) == 1


async def test_no_new_settlement_is_empty(harness: Harness) -> None:
    handle = await harness.start(report_types=[SETTLEMENTS])
    result = await handle.result()
    (settlement,) = await _report(handle, SETTLEMENTS)
    assert result.status == "completed"
    assert settlement.status == "empty"
    assert harness.amazon.ingested == []


async def test_failed_settlement_keeps_the_others(harness: Harness) -> None:
    harness.amazon.listed = [_listed("S1"), _listed("S2"), _listed("S3")]
    harness.amazon.failing_reports = {"S2"}
    handle = await harness.start(report_types=[LEDGER, SETTLEMENTS])
    result = await handle.result()
    (settlement,) = await _report(handle, SETTLEMENTS)
    status = await handle.query(SyncWorkflow.status)
    assert [
        i.report_id for i in harness.amazon.ingested if i.report_type == SETTLEMENTS
    ] == [
        "S1",
        "S2",
        "S3",
    ]
    assert settlement.status == "failed"
    assert settlement.rows == 20
    assert "S2" in (settlement.error or "")
    assert any(e["code"] == "report_failed" for e in status.errors)
    assert result.status == "completed"


async def test_inbound_synced_per_marketplace(harness: Harness) -> None:
    harness.amazon.marketplace_ids = [US, CA]
    handle = await harness.start(report_types=[INBOUND], history_days=30)
    result = await handle.result()
    inbound = await _report(handle, INBOUND)
    requests = harness.amazon.inbound_requests
    assert harness.amazon.created == []
    assert sorted(r.marketplace_id for r in requests) == [CA, US]
    assert all(r.sync_id == result.sync_id for r in requests)
    assert all(
        r.updated_before - r.updated_after == timedelta(days=30) for r in requests
    )
    assert [r.status for r in inbound] == ["completed", "completed"]
    assert [r.rows for r in inbound] == [5, 5]
    assert result.rows_added == 8


async def test_fee_preview_requested_once_per_region(harness: Harness) -> None:
    harness.amazon.marketplace_ids = [US, CA]
    handle = await harness.start(report_types=[FEE_PREVIEW, LEDGER])
    await handle.result()
    assert harness.amazon.created.count(FEE_PREVIEW) == 1
    assert harness.amazon.created.count(LEDGER) == 2
