"""Detection activity: run the engine over stored rows and upsert recoveries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from temporalio import activity

from activities.deps import ActivityDeps
from detection import DetectionInput, DetectionSettings, Finding, run_detection
from detection.policy import PolicyRegion, policy_region
from detection.tables import TABLE_SOURCES
from integrations.amazon.reports import MARKETPLACES, get_marketplace
from store.models import AmazonConnection, DetectionRun
from store.recoveries import ClosedFinding, FindingRow, upsert_findings
from store.syncs import ingested_report_types
from store.types import utcnow
from store.unit_costs import unit_costs_by_sku
from store.users import get_amazon_connection, marketplace_currency
from workflows.models import RunDetectionInput, RunDetectionResult

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Tables filled from the Fulfillment Inbound API, not from a report: no
# ReportDocument row records them, so their file is the only sign of a sync.
INBOUND_TABLES = frozenset({"inbound_shipments", "inbound_shipment_items"})


def _finding_row(finding: Finding) -> FindingRow:
    return FindingRow(
        key=finding.key,
        type=finding.type,
        amount=finding.amount,
        currency=finding.currency,
        unit_value=finding.unit_value,
        confidence=finding.confidence,
        quantity=finding.open_units,
        sku=finding.sku or None,
        fnsku=finding.fnsku or None,
        asin=finding.asin or None,
        product_name=finding.product_name or None,
        reference_id=finding.reference_id or None,
        fulfillment_center=finding.fulfillment_center or None,
        occurred_at=finding.occurred_at,
        claim_window_opens=finding.claim_window_opens,
        claim_deadline=finding.claim_window_closes,
        amazon_expected_to_pay=finding.amazon_expected_to_pay,
        reason=finding.reason,
        evidence=[row.model_dump(mode="json") for row in finding.evidence],
        order_id=finding.order_id or None,
        shipment_id=finding.shipment_id or None,
        marketplace_id=finding.marketplace_id or None,
        unit_value_source=finding.unit_value_source or None,
        confidence_reason=finding.confidence_reason or None,
    )


@dataclass(frozen=True)
class SellerContext:
    """Seller details the engine needs besides the report tables."""

    marketplace_id: str | None
    currency: str
    region: PolicyRegion
    ingested_reports: set[str]
    unit_costs: dict[str, Decimal]


def _main_marketplace(connection: AmazonConnection | None) -> str | None:
    """Return the seller's first participating marketplace this service supports."""
    marketplaces = connection.marketplaces if connection else []
    ordered = sorted(marketplaces, key=lambda m: not m.get("is_participating", True))
    for marketplace in ordered:
        if marketplace.get("id") in MARKETPLACES:
            return str(marketplace["id"])
    return None


def table_sources(
    paths: Mapping[str, Path], ingested_reports: set[str]
) -> tuple[dict[str, Path | None], frozenset[str]]:
    """Return each table's Parquet file (None when synced without rows) and the
    tables that were never synced.

    A report table counts as synced once its report type was ingested, an empty
    report included, or when its file exists.
    """
    sources: dict[str, Path | None] = {}
    unsynced: set[str] = set()
    for table, path in paths.items():
        exists = path.exists()
        sources[table] = path if exists else None
        synced = exists or (
            table not in INBOUND_TABLES and TABLE_SOURCES[table] in ingested_reports
        )
        if not synced:
            unsynced.add(table)
    return sources, frozenset(unsynced)


class DetectionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    async def _seller_context(self, user_id: str) -> SellerContext:
        async with self._deps.sessions() as db:
            connection = await get_amazon_connection(db, user_id)
            marketplace_id = _main_marketplace(connection)
            currency = (
                get_marketplace(marketplace_id).currency
                if marketplace_id
                else marketplace_currency(connection)
            )
            ingested = await ingested_report_types(db, user_id)
            # NOTE: costs in another currency than the marketplace's are skipped,
            # because the engine values every unit in the marketplace currency.
            costs = await unit_costs_by_sku(db, user_id, currency)
        region: PolicyRegion = "US"
        if connection is not None:
            try:
                region = policy_region(connection.region)
            except ValueError:
                logger.warning("unknown SP-API region %r", connection.region)
        return SellerContext(marketplace_id, currency, region, ingested, costs)

    @activity.defn(name="run_detection")
    async def run_detection(self, request: RunDetectionInput) -> RunDetectionResult:
        """Scan every stored table of the seller; reconcile the recoveries."""
        seller = await self._seller_context(request.user_id)
        store = self._deps.report_data
        paths = {table: store.path(request.user_id, table) for table in TABLE_SOURCES}
        tables, unsynced = table_sources(paths, seller.ingested_reports)
        data = DetectionInput(
            tables=tables,
            unsynced=unsynced,
            as_of=request.as_of,
            unit_costs=seller.unit_costs,
        )
        settings = DetectionSettings(
            min_claim_value=self._deps.settings.min_claim_value,
            marketplace_currency=seller.currency,
            region=seller.region,
        )
        if seller.marketplace_id:
            settings = settings.model_copy(
                update={"marketplace_id": seller.marketplace_id}
            )
        result = await _with_heartbeats(
            asyncio.to_thread(run_detection, data, settings), "scanning"
        )
        activity.heartbeat("storing")

        async with self._deps.sessions() as db, db.begin():
            counts = await upsert_findings(
                db,
                user_id=request.user_id,
                detection_id=request.detection_id,
                findings=[_finding_row(f) for f in result.findings],
                resolved=[
                    ClosedFinding(r.key, r.cause, r.reason) for r in result.resolved
                ],
                as_of=request.as_of,
            )
            run = await db.get(DetectionRun, request.detection_id)
            if run is not None and run.user_id == request.user_id:
                run.status = "completed"
                run.completed_at = utcnow()
                run.findings = len(result.findings)
                run.new_findings = counts.created
                run.resolved = counts.resolved
                run.totals = {k: str(v) for k, v in result.totals.amount.items()}
                run.by_type = {
                    k: {
                        "count": v.count,
                        "amount": {c: str(a) for c, a in v.amount.items()},
                    }
                    for k, v in result.totals.by_type.items()
                }
                run.by_confidence = {
                    str(k): v for k, v in result.totals.by_confidence.items()
                }
                run.duration_ms = result.duration_ms
                run.coverage = [
                    entry.model_dump(mode="json") for entry in result.coverage
                ]
        logger.info(
            "detection %s: %d findings, %d new, %d resolved, %d expired; "
            "unsynced tables %s",
            request.detection_id,
            len(result.findings),
            counts.created,
            counts.resolved,
            counts.expired,
            sorted(unsynced),
        )
        return RunDetectionResult(
            findings=len(result.findings),
            new_findings=counts.created,
            resolved=counts.resolved,
            total_amount={
                k: str(v.quantize(Decimal("0.01")))
                for k, v in result.totals.amount.items()
            },
            by_type={k: v.count for k, v in result.totals.by_type.items()},
        )


_HEARTBEAT_SECONDS = 5.0


async def _with_heartbeats(work: Awaitable[T], detail: str) -> T:
    """Await `work` while heartbeating every few seconds, so a worker that dies
    mid-scan is noticed within the heartbeat timeout, not after the whole scan."""
    task = asyncio.ensure_future(work)
    while True:
        activity.heartbeat(detail)
        done, _pending = await asyncio.wait({task}, timeout=_HEARTBEAT_SECONDS)
        if done:
            return task.result()
