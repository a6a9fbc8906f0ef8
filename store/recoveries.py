"""Recoveries: upserts from detection runs and the seller-scoped reads of the API."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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

# Causes the engine gives for a loss that needs no claim any more. A recovery that
# detection cancelled for one of them is reopened when a later run reports it again,
# for example after Amazon reversed the reimbursement that offset it.
CANCEL_CAUSES = frozenset({"units_found", "reimbursed", "offset", "below_minimum"})
WINDOW_CLOSED = "window_closed"

SORT_COLUMNS = {
    "detected_at": Recovery.detected_at,
    "amount": Recovery.amount_minor,
    "claim_deadline": Recovery.claim_deadline,
    "updated_at": Recovery.updated_at,
    # Short names for the two columns sellers sort by most.
    "deadline": Recovery.claim_deadline,
    "date": Recovery.detected_at,
}

_CLOSING_DESCRIPTIONS = {
    "units_found": "Closed: Amazon found the units again.",
    "reimbursed": "Closed: Amazon reimbursed the units.",
    "offset": "Closed: corrections and payouts cover every unit.",
    "below_minimum": "Closed: the open amount is below the minimum claim value.",
    WINDOW_CLOSED: "Expired: the claim window closed before a claim was filed.",
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
    order_id: str | None = None
    shipment_id: str | None = None
    marketplace_id: str | None = None
    unit_value_source: str | None = None
    confidence_reason: str | None = None


@dataclass(frozen=True)
class ClosedFinding:
    """A finding key the engine resolved, with its cause and a sentence for the seller.

    `cause` is the engine's value: units_found, reimbursed, offset, below_minimum
    (the recovery is cancelled) or window_closed (it expires).
    """

    key: str
    cause: str
    reason: str = ""


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    resolved: int
    expired: int = 0
    reopened: int = 0


async def upsert_findings(
    db: AsyncSession,
    *,
    user_id: str,
    detection_id: str,
    findings: Sequence[FindingRow],
    resolved: Iterable[ClosedFinding],
    as_of: datetime | None = None,
) -> UpsertCounts:
    """Reconcile the user's recoveries with one detection run.

    New keys are inserted as `detected`, and `detected` ones are refreshed in place:
    the unique (user_id, finding_key) constraint keeps a rerun from duplicating them.
    A resolved key closes its `detected` recovery: `cancelled` for a cause in
    CANCEL_CAUSES, `expired` for window_closed, with the cause in `closed_reason`.
    Then every `detected` recovery whose claim deadline is before `as_of` (default
    now) expires, even when this run no longer reports it. Each status change
    appends a timeline entry. Recoveries past `detected` belong to their claim and
    are left alone.
    """
    resolved = list(resolved)
    now = as_of or utcnow()
    keys = [f.key for f in findings] + [closed.key for closed in resolved]
    existing = await _by_keys(db, user_id, keys)
    created = updated = reopened = 0
    for finding in findings:
        recovery = existing.get(finding.key)
        if recovery is None:
            recovery = Recovery(
                id=new_id("rec"),
                user_id=user_id,
                finding_key=finding.key,
                status="detected",
                detected_at=now,
                timeline=[_entry("detected", now, "Found by claim detection.")],
            )
            db.add(recovery)
            existing[finding.key] = recovery
            created += 1
        elif _reopens(recovery, finding, now):
            _transition(
                recovery,
                "detected",
                now,
                "Reopened: newer report data shows units still owed.",
            )
            recovery.closed_reason = None
            reopened += 1
        elif recovery.status not in OPEN_FOR_DETECTION:
            continue
        else:
            updated += 1
        _apply(recovery, finding, detection_id)

    cancelled = expired = 0
    for closed in resolved:
        recovery = existing.get(closed.key)
        if recovery is None or recovery.status not in OPEN_FOR_DETECTION:
            continue
        if closed.cause == WINDOW_CLOSED:
            expired += 1
            status = "expired"
        else:
            cancelled += 1
            status = "cancelled"
        description = closed.reason or _CLOSING_DESCRIPTIONS.get(
            closed.cause, f"Closed by claim detection ({closed.cause})."
        )
        _transition(recovery, status, now, description)
        recovery.closed_reason = closed.cause
    await db.flush()
    expired += await _expire_past_deadline(db, user_id, now)
    return UpsertCounts(created, updated, cancelled, expired, reopened)


def _entry(status: str, at: datetime, description: str) -> dict[str, Any]:
    return {"status": status, "at": at.isoformat(), "description": description}


def _transition(
    recovery: Recovery, status: str, at: datetime, description: str
) -> None:
    recovery.status = status
    recovery.updated_at = at
    # A new list, so SQLAlchemy detects the change of the JSON column.
    recovery.timeline = [*recovery.timeline, _entry(status, at, description)]


def _reopens(recovery: Recovery, finding: FindingRow, now: datetime) -> bool:
    return (
        recovery.status == "cancelled"
        and recovery.closed_reason in CANCEL_CAUSES
        and finding.claim_deadline >= now
    )


async def _expire_past_deadline(db: AsyncSession, user_id: str, now: datetime) -> int:
    """Expire the user's `detected` recoveries whose claim deadline has passed."""
    rows = await db.scalars(
        select(Recovery).where(
            Recovery.user_id == user_id,
            Recovery.status.in_(OPEN_FOR_DETECTION),
            Recovery.claim_deadline < now,
        )
    )
    count = 0
    for recovery in rows:
        deadline = recovery.claim_deadline
        assert deadline is not None
        _transition(
            recovery,
            "expired",
            now,
            f"Expired: the claim window closed on {deadline.date().isoformat()} "
            "before a claim was filed.",
        )
        recovery.closed_reason = WINDOW_CLOSED
        count += 1
    await db.flush()
    return count


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
    recovery.unit_value_source = finding.unit_value_source
    recovery.confidence = finding.confidence
    recovery.confidence_reason = finding.confidence_reason
    recovery.quantity = finding.quantity
    recovery.sku = finding.sku
    recovery.fnsku = finding.fnsku
    recovery.asin = finding.asin
    recovery.product_name = finding.product_name
    recovery.reference_id = finding.reference_id
    recovery.order_id = finding.order_id
    recovery.shipment_id = finding.shipment_id
    recovery.marketplace_id = finding.marketplace_id
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
    statuses: Collection[str] = (),
    types: Collection[str] = (),
    limit: int,
    offset: int,
    sort: str,
) -> tuple[list[Recovery], int]:
    """Return one page of the user's recoveries and the total count.

    An empty `statuses` or `types` does not filter. `sort` is a SORT_COLUMNS key,
    with a leading '-' for descending. Rows without a value (no claim deadline) come
    last in both directions, and ties are ordered by id, so pages never overlap.
    """
    query = select(Recovery).where(Recovery.user_id == user_id)
    if statuses:
        query = query.where(Recovery.status.in_(sorted(statuses)))
    if types:
        query = query.where(Recovery.type.in_(sorted(types)))
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    descending = sort.startswith("-")
    column = SORT_COLUMNS[sort.lstrip("-")]
    order = column.desc() if descending else column.asc()
    tie_break = Recovery.id.desc() if descending else Recovery.id.asc()
    rows = await db.scalars(
        query.order_by(order.nulls_last(), tie_break).limit(limit).offset(offset)
    )
    return list(rows), int(total)


async def get_recovery(
    db: AsyncSession, user_id: str, recovery_id: str
) -> Recovery | None:
    """Return the recovery only when it belongs to `user_id`."""
    return await db.scalar(
        select(Recovery).where(Recovery.id == recovery_id, Recovery.user_id == user_id)
    )
