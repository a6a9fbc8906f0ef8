"""Recoveries: the seller's claims against Amazon, from detection to payout."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import CurrentUser, Db
from api.envelope import MAX_OFFSET, Envelope, Page, ok, page
from api.errors import NotFound, ValidationFailed
from store.models import Recovery
from store.recoveries import from_minor, get_recovery, list_recoveries

router = APIRouter(prefix="/api/recoveries", tags=["recoveries"])

RecoveryStatus = Literal[
    "detected",
    "submitted",
    "filed",
    "needs_info",
    "approved",
    "paid",
    "denied",
    "expired",
    "cancelled",
]
RecoveryType = Literal[
    "lost_inventory",
    "damaged_inventory",
    "disposed_without_order",
    "refund_not_returned",
    "return_damaged_by_amazon",
    "inbound_shortage",
    "removal_lost",
    "fee_overcharge",
    "refund_admin_fee",
    "underpaid_reimbursement",
    "reversal_without_return",
]
SortKey = Literal[
    "detected_at",
    "-detected_at",
    "amount",
    "-amount",
    "claim_deadline",
    "-claim_deadline",
    "updated_at",
    "-updated_at",
    "deadline",
    "-deadline",
    "date",
    "-date",
]


RECOVERY_STATUSES: tuple[str, ...] = get_args(RecoveryStatus)
RECOVERY_TYPES: tuple[str, ...] = get_args(RecoveryType)


def parse_choices(field: str, raw: str | None, allowed: tuple[str, ...]) -> set[str]:
    """Split a comma-separated query value and check each part against `allowed`.

    Raises ValidationFailed naming the field, the unknown values and the allowed ones.
    An absent or empty value selects everything (an empty set).
    """
    values = {part.strip() for part in (raw or "").split(",") if part.strip()}
    unknown = sorted(values - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Invalid value for {field}: {', '.join(unknown)}; "
            f"use one or more of {', '.join(allowed)}, separated by commas.",
            details=[
                {
                    "field": field,
                    "location": "query",
                    "message": f"unknown values {unknown}",
                    "type": "enum",
                    "allowed": list(allowed),
                }
            ],
        )
    return values


class Money(BaseModel):
    value: str
    currency: str


class TimelineEntry(BaseModel):
    status: str
    at: datetime
    description: str


class EvidenceItem(BaseModel):
    report_type: str
    row_key: str
    source_line: int | None = None
    occurred_at: datetime | None = None
    quantity: int | None = None
    reference_id: str | None = None
    description: str


class RecoveryView(BaseModel):
    id: str
    type: str
    status: str
    amount: Money
    recovered_amount: Money
    confidence: str
    sku: str | None
    fnsku: str | None
    asin: str | None
    product_name: str | None
    order_id: str | None
    shipment_id: str | None
    reference_id: str | None
    fulfillment_center: str | None
    quantity: int
    unit_value: str | None
    unit_value_source: str | None
    marketplace_id: str | None
    confidence_reason: str | None
    closed_reason: str | None
    occurred_at: datetime | None
    detected_at: datetime
    updated_at: datetime
    claim_window_opens: datetime | None
    claim_deadline: datetime | None
    amazon_case_id: str | None
    expected_payout_date: datetime | None
    amazon_expected_to_pay: bool
    evidence_count: int
    auto_submit_ready: bool
    reason: str
    timeline: list[TimelineEntry]


class RecoveryDetail(RecoveryView):
    evidence: list[EvidenceItem]


def _view_fields(recovery: Recovery) -> dict[str, Any]:
    return {
        "id": recovery.id,
        "type": recovery.type,
        "status": recovery.status,
        "amount": Money(
            value=from_minor(recovery.amount_minor), currency=recovery.currency
        ),
        "recovered_amount": Money(
            value=from_minor(recovery.recovered_minor), currency=recovery.currency
        ),
        "confidence": recovery.confidence,
        "sku": recovery.sku,
        "fnsku": recovery.fnsku,
        "asin": recovery.asin,
        "product_name": recovery.product_name,
        "order_id": recovery.order_id,
        "shipment_id": recovery.shipment_id,
        "reference_id": recovery.reference_id,
        "fulfillment_center": recovery.fulfillment_center,
        "quantity": recovery.quantity,
        "unit_value": recovery.unit_value,
        "unit_value_source": recovery.unit_value_source,
        "marketplace_id": recovery.marketplace_id,
        "confidence_reason": recovery.confidence_reason,
        "closed_reason": recovery.closed_reason,
        "occurred_at": recovery.occurred_at,
        "detected_at": recovery.detected_at,
        "updated_at": recovery.updated_at,
        "claim_window_opens": recovery.claim_window_opens,
        "claim_deadline": recovery.claim_deadline,
        "amazon_case_id": recovery.amazon_case_id,
        "expected_payout_date": recovery.expected_payout_date,
        "amazon_expected_to_pay": recovery.amazon_expected_to_pay,
        "evidence_count": len(recovery.evidence),
        "auto_submit_ready": recovery.auto_submit_ready,
        "reason": recovery.reason,
        "timeline": [TimelineEntry.model_validate(t) for t in recovery.timeline],
    }


@router.get("", response_model=Envelope[Page[RecoveryView]])
async def list_all(
    user: CurrentUser,
    db: Db,
    status: Annotated[
        str | None,
        Query(
            max_length=500,
            description=f"Comma-separated statuses: {', '.join(RECOVERY_STATUSES)}",
        ),
    ] = None,
    type: Annotated[
        str | None,
        Query(
            max_length=500,
            description=f"Comma-separated types: {', '.join(RECOVERY_TYPES)}",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    sort: Annotated[
        SortKey, Query(description="Column, '-' first for descending")
    ] = "-detected_at",
) -> Envelope[Page[RecoveryView]]:
    """List the seller's recoveries, paged; ties in the sort are ordered by id."""
    statuses = parse_choices("status", status, RECOVERY_STATUSES)
    types = parse_choices("type", type, RECOVERY_TYPES)
    rows, total = await list_recoveries(
        db,
        user.id,
        statuses=statuses,
        types=types,
        limit=limit,
        offset=offset,
        sort=sort,
    )
    items = [RecoveryView(**_view_fields(r)) for r in rows]
    return page(items, total=total, limit=limit, offset=offset)


@router.get("/{recovery_id}", response_model=Envelope[RecoveryDetail])
async def get_one(
    user: CurrentUser, db: Db, recovery_id: Annotated[str, Path(max_length=64)]
) -> Envelope[RecoveryDetail]:
    """Return one recovery with its timeline and evidence."""
    recovery = await get_recovery(db, user.id, recovery_id)
    if recovery is None:
        raise NotFound(f"No recovery {recovery_id} was found for this account.")
    return ok(
        RecoveryDetail(
            **_view_fields(recovery),
            evidence=[EvidenceItem.model_validate(e) for e in recovery.evidence],
        )
    )
