"""Inputs, results and progress models shared by workflows, activities and the gateway.

Each workflow and activity takes one model and returns one model, so fields can be added
later without breaking recorded histories.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

RunStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
ReportStatus = Literal[
    "pending",
    "requested",
    "processing",
    "downloading",
    "completed",
    "empty",
    "failed",
    "cancelled",
]

SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FEE_PREVIEW_REPORT = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
# Not a report: the sync reads inbound shipments from the Fulfillment Inbound API,
# and tracks them in the sync status under this name.
INBOUND_SHIPMENTS = "FBA_INBOUND_SHIPMENTS"

SYNC_REPORT_TYPES = (
    "GET_LEDGER_DETAIL_VIEW_DATA",
    "GET_FBA_REIMBURSEMENTS_DATA",
    "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
    "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
    FEE_PREVIEW_REPORT,
    SETTLEMENT_REPORT,
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    INBOUND_SHIPMENTS,
)
# Reports that Amazon generates on its own schedule: the sync lists them with
# getReports and ingests each new one instead of requesting it.
LISTED_REPORTS = frozenset({SETTLEMENT_REPORT})
# Reports that are requested or listed once per region. The reimbursements report
# covers the whole region whatever marketplaceIds contains. Settlements are listed
# for all marketplaces at once. The fee preview replaces its whole table, so one
# file per sync must describe it.
# NOTE: so the fee preview covers only the seller's first marketplace.
REGION_WIDE_REPORTS = frozenset(
    {"GET_FBA_REIMBURSEMENTS_DATA", SETTLEMENT_REPORT, FEE_PREVIEW_REPORT}
)


SyncTrigger = Literal["manual", "connect", "schedule"]


class SyncOptions(BaseModel):
    """Tunables that the gateway reads from settings and hands to the workflow, so
    workflow code stays deterministic."""

    history_days: int = 540
    poll_interval_seconds: float = 15.0
    heartbeat_timeout_seconds: float = 60.0
    fatal_retries: int = 2
    fatal_retry_delay_seconds: float = 1800.0
    detection_task_queue: str = "detection"


class SyncInput(BaseModel):
    """Input of SyncWorkflow. An empty `sync_id` (a scheduled run) makes the workflow
    claim its own sync row first, and skip when another sync is active."""

    user_id: str
    sync_id: str = ""
    report_types: list[str] = Field(default_factory=lambda: list(SYNC_REPORT_TYPES))
    since: datetime | None = None
    trigger: SyncTrigger = "manual"
    options: SyncOptions = Field(default_factory=SyncOptions)


class ReportProgress(BaseModel):
    report_type: str
    marketplace_id: str
    status: ReportStatus = "pending"
    report_id: str | None = None
    rows: int = 0
    rows_added: int = 0
    attempts: int = 0
    error: str | None = None


class SyncStatus(BaseModel):
    sync_id: str
    user_id: str
    status: RunStatus = "queued"
    stage: str = "queued"
    progress: int = 0
    message: str = ""
    reports: list[ReportProgress] = Field(default_factory=list)
    errors: list[dict[str, str]] = Field(default_factory=list)
    detection_id: str | None = None
    updated_at: datetime | None = None


class SyncResult(BaseModel):
    sync_id: str
    status: RunStatus | Literal["skipped"]
    rows: int
    rows_added: int
    detection_id: str | None = None


class ClaimSyncInput(BaseModel):
    user_id: str


class ClaimSyncResult(BaseModel):
    sync_id: str | None = None
    reason: str = ""


class SellerContext(BaseModel):
    """The seller's Amazon connection details a sync needs."""

    selling_partner_id: str
    region: str
    marketplace_ids: list[str]


class PrepareSyncInput(BaseModel):
    user_id: str
    sync_id: str


class CreateReportInput(BaseModel):
    user_id: str
    report_type: str
    marketplace_id: str
    data_start: datetime | None = None
    data_end: datetime | None = None


class CreateReportResult(BaseModel):
    report_id: str


class WaitReportInput(BaseModel):
    user_id: str
    report_id: str
    poll_interval_seconds: float


class WaitReportResult(BaseModel):
    processing_status: Literal["DONE", "CANCELLED", "FATAL"]
    document_id: str | None = None


class IngestReportInput(BaseModel):
    user_id: str
    sync_id: str
    report_type: str
    marketplace_id: str
    report_id: str
    document_id: str | None = None
    processing_status: Literal["DONE", "CANCELLED"] = "DONE"
    data_start: datetime | None = None
    data_end: datetime | None = None


class ListReportsInput(BaseModel):
    """Input of ``list_reports``: the reports of one type created in a window.

    ``marketplace_id`` is the marketplace used to parse a listed report that names
    no known marketplace.
    """

    user_id: str
    report_type: str
    marketplace_id: str
    created_since: datetime
    created_until: datetime


class ListedReport(BaseModel):
    """A finished report that Amazon generated and the seller has not ingested."""

    report_id: str
    document_id: str
    marketplace_id: str
    data_start: datetime | None = None
    data_end: datetime | None = None


class ListReportsResult(BaseModel):
    """The new reports, oldest first."""

    reports: list[ListedReport] = Field(default_factory=list)


class InboundSyncInput(BaseModel):
    """Input of ``sync_inbound_shipments``: a marketplace and a last-updated window."""

    user_id: str
    sync_id: str
    marketplace_id: str
    updated_after: datetime
    updated_before: datetime


class InboundSyncResult(BaseModel):
    shipments: int
    items: int
    rows: int
    rows_added: int


class IngestReportResult(BaseModel):
    rows: int
    rows_added: int
    sha256: str | None = None
    warnings: list[str] = Field(default_factory=list)


class RecordSyncInput(BaseModel):
    status: SyncStatus
    final: bool = False


class DetectionWorkflowInput(BaseModel):
    user_id: str
    detection_id: str
    sync_id: str | None = None


class DetectionStatus(BaseModel):
    detection_id: str
    status: RunStatus = "queued"
    stage: str = "queued"
    progress: int = 0
    message: str = ""
    findings: int = 0
    updated_at: datetime | None = None


class RunDetectionInput(BaseModel):
    user_id: str
    detection_id: str
    sync_id: str | None = None
    as_of: datetime


class RunDetectionResult(BaseModel):
    findings: int
    new_findings: int
    resolved: int
    total_amount: dict[str, str]
    by_type: dict[str, int]


class RecordDetectionInput(BaseModel):
    user_id: str
    detection_id: str
    sync_id: str | None = None
    workflow_id: str
    status: RunStatus
    error: str | None = None
