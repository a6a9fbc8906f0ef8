"""Recoveries: upserts from detection runs and the seller-scoped reads of the API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from store.models import Recovery
from store.types import utcnow

CENT = Decimal("0.01")
_KEY_BATCH = 500

# Statuses a newer detection run may still change; later ones belong to the claim.
OPEN_FOR_DETECTION = frozenset({"detected"})

SORT_COLUMNS = {
    "detected_at": Recovery.detected_at,
    "amount": Recovery.amount_minor,
    "claim_deadline": Recovery.claim_deadline,
    "updated_at": Recovery.updated_at,
}


def to_minor(amount: Decimal) -> int:
    return int((amount.quantize(CENT) * 100).to_integral_value())


def from_minor(minor: int) -> str:
    return str((Decimal(minor) / 100).quantize(CENT))


@dataclass(frozen=True)
class FindingRow:
    """A detection finding, flattened for storage."""

    key: str
    type: str
    amount: Decimal
    currency: str
    unit_value: Decimal | None
    confidence: str
    quantity: int
    sku: str | None
    fnsku: str | None
    asin: str | None
    product_name: str | None
    reference_id: str | None
    fulfillment_center: str | None
    occurred_at: datetime
    claim_window_opens: datetime
    claim_deadline: datetime
    amazon_expected_to_pay: bool
    reason: str
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    resolved: int


async def upsert_findings(
    db: AsyncSession,
    *,
    user_id: str,
    detection_id: str,
    findings: Sequence[FindingRow],
    resolved: Iterable[tuple[str, str]],
) -> UpsertCounts:
    """Insert new findings, refresh open ones, and cancel open ones now resolved.

    `resolved` contains (finding key, reason) pairs. The unique (user_id, finding_key)
    constraint is what keeps a rerun from creating duplicates.
    """
    resolved = list(resolved)
    keys = [f.key for f in findings] + [key for key, _ in resolved]
    existing = await _by_keys(db, user_id, keys)
    now = utcnow()
    created = updated = closed = 0
    for finding in findings:
        recovery = existing.get(finding.key)
        if recovery is None:
            recovery = Recovery(
                id=new_id("rec"),
                user_id=user_id,
                finding_key=finding.key,
                status="detected",
                detected_at=now,
                timeline=[
                    {
                        "status": "detected",
                        "at": now.isoformat(),
                        "description": "Found by claim detection",
                    }
                ],
            )
            db.add(recovery)
            created += 1
        elif recovery.status not in OPEN_FOR_DETECTION:
            continue
        else:
            updated += 1
        _apply(recovery, finding, detection_id)
    for key, reason in resolved:
        recovery = existing.get(key)
        if recovery is None or recovery.status not in OPEN_FOR_DETECTION:
            continue
        recovery.status = "cancelled"
        recovery.updated_at = now
        recovery.timeline = [
            *recovery.timeline,
            {
                "status": "cancelled",
                "at": now.isoformat(),
                "description": reason,
            },
        ]
        closed += 1
    await db.flush()
    return UpsertCounts(created, updated, closed)


async def _by_keys(
    db: AsyncSession, user_id: str, keys: Sequence[str]
) -> dict[str, Recovery]:
    """Load the user's recoveries with these finding keys, in batches.

    Batches keep each query under the bound-parameter limits of SQLite and asyncpg,
    since a rerun over 18 months of ledger can resolve tens of thousands of keys.
    """
    found: dict[str, Recovery] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _KEY_BATCH):
        batch = unique[start : start + _KEY_BATCH]
        rows = await db.scalars(
            select(Recovery).where(
                Recovery.user_id == user_id, Recovery.finding_key.in_(batch)
            )
        )
        found.update((row.finding_key, row) for row in rows)
    return found


def _apply(recovery: Recovery, finding: FindingRow, detection_id: str) -> None:
    recovery.detection_run_id = detection_id
    recovery.type = finding.type
    recovery.amount_minor = to_minor(finding.amount)
    recovery.currency = finding.currency
    recovery.unit_value = (
        str(finding.unit_value) if finding.unit_value is not None else None
    )
    recovery.confidence = finding.confidence
    recovery.quantity = finding.quantity
    recovery.sku = finding.sku
    recovery.fnsku = finding.fnsku
    recovery.asin = finding.asin
    recovery.product_name = finding.product_name
    recovery.reference_id = finding.reference_id
    recovery.fulfillment_center = finding.fulfillment_center
    recovery.occurred_at = finding.occurred_at
    recovery.claim_window_opens = finding.claim_window_opens
    recovery.claim_deadline = finding.claim_deadline
    recovery.amazon_expected_to_pay = finding.amazon_expected_to_pay
    recovery.reason = finding.reason
    recovery.evidence = finding.evidence
    recovery.updated_at = utcnow()


async def list_recoveries(
    db: AsyncSession,
    user_id: str,
    *,
    status: str | None,
    type_: str | None,
    limit: int,
    offset: int,
    sort: str,
) -> tuple[list[Recovery], int]:
    """Return one page of the user's recoveries and the total count."""
    query = select(Recovery).where(Recovery.user_id == user_id)
    if status:
        query = query.where(Recovery.status == status)
    if type_:
        query = query.where(Recovery.type == type_)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    descending = sort.startswith("-")
    column = SORT_COLUMNS[sort.lstrip("-")]
    order = column.desc() if descending else column.asc()
    rows = await db.scalars(
        query.order_by(order, Recovery.id).limit(limit).offset(offset)
    )
    return list(rows), int(total)


async def get_recovery(
    db: AsyncSession, user_id: str, recovery_id: str
) -> Recovery | None:
    """Return the recovery only when it belongs to `user_id`."""
    return await db.scalar(
        select(Recovery).where(Recovery.id == recovery_id, Recovery.user_id == user_id)
    )
