"""Detection activity: run the engine over stored rows and upsert recoveries."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

from temporalio import activity

from activities.deps import ActivityDeps
from detection import DetectionInput, DetectionSettings, Finding, run_detection
from integrations.amazon.reports import MARKETPLACES, get_marketplace
from store.models import DetectionRun
from store.recoveries import ClosedFinding, FindingRow, upsert_findings
from store.types import utcnow
from store.users import get_amazon_connection
from workflows.models import RunDetectionInput, RunDetectionResult

logger = logging.getLogger(__name__)


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
    )


class DetectionActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    async def _currency(self, user_id: str) -> str:
        """Return the currency of the seller's first marketplace (USD when unknown)."""
        async with self._deps.sessions() as db:
            connection = await get_amazon_connection(db, user_id)
        for marketplace in connection.marketplaces if connection else []:
            if marketplace.get("id") in MARKETPLACES:
                return get_marketplace(str(marketplace["id"])).currency
        return "USD"

    @activity.defn(name="run_detection")
    async def run_detection(self, request: RunDetectionInput) -> RunDetectionResult:
        """Scan the seller's stored ledger and reimbursements; upsert the findings."""
        store = self._deps.report_data
        paths = {
            table: store.path(request.user_id, table)
            for table in ("ledger_detail", "reimbursements")
        }
        data = DetectionInput(
            ledger_detail=paths["ledger_detail"]
            if paths["ledger_detail"].exists()
            else None,
            reimbursements=paths["reimbursements"]
            if paths["reimbursements"].exists()
            else None,
            as_of=request.as_of,
        )
        settings = DetectionSettings(
            min_claim_value=self._deps.settings.min_claim_value
        )
        activity.heartbeat("scanning")
        result = await asyncio.to_thread(run_detection, data, settings)
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
        logger.info(
            "detection %s: %d findings, %d new, %d resolved",
            request.detection_id,
            len(result.findings),
            counts.created,
            counts.resolved,
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
