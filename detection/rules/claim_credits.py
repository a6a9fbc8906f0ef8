"""Reimbursements matched to removal and inbound losses, by order or shipment id.

The removal and inbound rules share this: each loss belongs to one removal order
or one inbound shipment, and a reimbursement row may name that id in its
amazon_order_id column. A credit that names the id of a loss is given to the losses
of that id. A credit without an id is given to the losses of its FNSKU first in
first out, but never to a loss dated more than the lookback after it. Reversals are
netted into the rows they reverse before matching.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

import duckdb

from detection.models import EvidenceRow
from detection.queries import ReimbursementRecord
from detection.reversals import REVERSAL_REASON_KEY, NettedReimbursement, net_reversals
from detection.valuation import AmazonEstimate

REIMBURSEMENTS_REPORT = "GET_FBA_REIMBURSEMENTS_DATA"
LEDGER_REPORT = "GET_LEDGER_DETAIL_VIEW_DATA"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Reasons are compared lower case without spaces or underscores, as the warehouse
# rules do. The amazon_order_id column is optional in the stored table, so the
# query reads it only when the table has it.
_CREDITS_SQL = """
WITH keyed AS (
    SELECT
        row_key, source_line, epoch_us(approval_date) AS approval_us,
        coalesce(reimbursement_id, '') AS reimbursement_id,
        nullif(trim(case_id), '') AS case_id, coalesce(reason, '') AS reason,
        lower(replace(replace(coalesce(reason, ''), ' ', ''), '_', ''))
            AS reason_key,
        coalesce(sku, '') AS sku, fnsku,
        coalesce(quantity_reimbursed_total, 0) AS quantity,
        nullif(trim(original_reimbursement_id), '') AS original_reimbursement_id,
        {order_id} AS order_id
    FROM reimbursements
    WHERE fnsku IN (SELECT fnsku FROM {candidates})
      AND approval_date IS NOT NULL
)
SELECT
    row_key, source_line, approval_us, reimbursement_id, case_id, reason,
    reason_key, sku, fnsku, quantity, original_reimbursement_id, order_id
FROM keyed
WHERE list_contains($reasons, reason_key)
   OR ($prefix <> '' AND starts_with(reason_key, $prefix))
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
ORDER BY fnsku, approval_us, source_line, row_key
"""

# Amazon's estimate of a unit's value: the amount per unit of the latest row with
# units reimbursed, whatever its reason (the same choice as the warehouse rules).
_ESTIMATES_SQL = """
SELECT fnsku, trim(amount_per_unit), currency_unit, epoch_us(approval_date),
       reimbursement_id
FROM reimbursements
WHERE fnsku IN (SELECT fnsku FROM {candidates})
  AND quantity_reimbursed_total > 0
  AND approval_date IS NOT NULL
  AND TRY_CAST(trim(amount_per_unit) AS DECIMAL(38, 10)) > 0
QUALIFY row_number() OVER (
    PARTITION BY fnsku ORDER BY approval_date DESC, row_key DESC
) = 1
"""


@dataclass(frozen=True, slots=True)
class OrderCredit:
    """A reimbursement netted of its reversals, with the order id it names."""

    netted: NettedReimbursement
    order_id: str
    """The row's amazon_order_id, or "" when blank or absent."""

    @property
    def approval_date(self) -> datetime:
        """When Amazon approved the reimbursement."""
        return self.netted.original.approval_date


LossItem = TypeVar("LossItem")


@dataclass(slots=True)
class OrderLoss(Generic[LossItem]):
    """Units lost on one removal order or inbound shipment, and the credits given."""

    item: LossItem
    order_id: str
    """The removal order id or the inbound shipment id of the loss."""
    occurred_at: datetime
    sort_key: tuple[str, ...]
    units: int
    allocations: list[tuple[OrderCredit, int]] = field(default_factory=list)
    credited_units: int = 0

    @property
    def open_units(self) -> int:
        """Units lost minus units credited, never below zero."""
        return max(self.units - self.credited_units, 0)

    def add(self, credit: OrderCredit, units: int) -> None:
        """Record `units` of `credit` as paid against this loss."""
        self.allocations.append((credit, units))
        self.credited_units += units


def fetch_order_credits(
    connection: duckdb.DuckDBPyConnection,
    candidates: str,
    *,
    reasons: Collection[str],
    prefix: str = "",
) -> dict[str, list[OrderCredit]]:
    """Select the reimbursements of the FNSKUs in table `candidates`, by FNSKU.

    A row is kept when its normalized reason is in `reasons` or starts with a
    non-empty `prefix`. Reversal rows are always read so they can be netted.
    `candidates` is a temp table with an `fnsku` column, written by the caller.
    """
    columns = connection.table("reimbursements").columns
    order_id = (
        "coalesce(trim(amazon_order_id), '')" if "amazon_order_id" in columns else "''"
    )
    query = _CREDITS_SQL.format(order_id=order_id, candidates=candidates)
    rows = connection.execute(
        query,
        {
            "reasons": sorted({*reasons, REVERSAL_REASON_KEY}),
            "prefix": prefix,
        },
    ).fetchall()

    order_ids: dict[str, str] = {}
    records_by_fnsku: dict[str, list[ReimbursementRecord]] = defaultdict(list)
    for row in rows:
        record = ReimbursementRecord(
            row_key=row[0],
            source_line=row[1],
            approval_date=from_epoch_us(row[2]),
            reimbursement_id=row[3],
            case_id=row[4],
            reason=row[5],
            reason_key=row[6],
            sku=row[7],
            fnsku=row[8],
            quantity=int(row[9]),
            original_reimbursement_id=row[10],
        )
        records_by_fnsku[record.fnsku].append(record)
        order_ids[record.row_key] = row[11]

    credits: dict[str, list[OrderCredit]] = {}
    for fnsku, records in records_by_fnsku.items():
        credits[fnsku] = [
            OrderCredit(netted, order_ids[netted.original.row_key])
            for netted in net_reversals(records)
        ]
    return credits


def fetch_estimates(
    connection: duckdb.DuckDBPyConnection, candidates: str
) -> dict[str, AmazonEstimate]:
    """Return Amazon's latest amount per unit for each FNSKU in table `candidates`."""
    estimates: dict[str, AmazonEstimate] = {}
    query = _ESTIMATES_SQL.format(candidates=candidates)
    for fnsku, amount, currency, approval_us, reimbursement_id in connection.execute(
        query
    ).fetchall():
        estimates[fnsku] = AmazonEstimate(
            amount_per_unit=Decimal(amount),
            currency=(currency or "").strip(),
            approval_date=from_epoch_us(approval_us),
            reimbursement_id=reimbursement_id or "",
        )
    return estimates


def allocate_order_credits(
    losses: Iterable[OrderLoss[LossItem]],
    credits: Iterable[OrderCredit],
    lookback: timedelta,
    *,
    trust_order_ids: bool = False,
) -> list[OrderLoss[LossItem]]:
    """Give the credits of one FNSKU to its losses; return the losses in time order.

    Credits naming the order id of a loss go to the losses of that id only. Other
    credits go first in first out to losses dated no later than the credit's
    approval plus `lookback`. With `trust_order_ids`, a credit naming an id that no
    loss has belongs to that other order and is not used. A fully reversed credit
    (0 units) is attached to the loss it names, so it still shows as evidence.
    """
    ordered = sorted(losses, key=lambda loss: (loss.occurred_at, loss.sort_key))
    by_order: dict[str, list[OrderLoss[LossItem]]] = defaultdict(list)
    for loss in ordered:
        by_order[loss.order_id].append(loss)

    for credit in sorted(credits, key=_credit_order):
        remaining = credit.netted.units
        named = by_order.get(credit.order_id, []) if credit.order_id else []
        if named and remaining == 0:
            named[0].add(credit, 0)
        elif named:
            _give(named, credit, remaining)
        elif not (trust_order_ids and credit.order_id):
            latest = credit.approval_date + lookback
            eligible = [loss for loss in ordered if loss.occurred_at <= latest]
            _give(eligible, credit, remaining)
    return ordered


def _give(
    losses: Iterable[OrderLoss[LossItem]], credit: OrderCredit, units: int
) -> int:
    remaining = units
    for loss in losses:
        if remaining == 0:
            break
        share = min(remaining, loss.open_units)
        if share:
            loss.add(credit, share)
            remaining -= share
    return remaining


def _credit_order(credit: OrderCredit) -> tuple[datetime, int, str]:
    original = credit.netted.original
    return (original.approval_date, original.source_line, original.row_key)


def credit_evidence(
    allocations: Iterable[tuple[OrderCredit, int]],
) -> list[EvidenceRow]:
    """List each matched reimbursement row and its reversals as evidence."""
    rows: list[EvidenceRow] = []
    for credit, units in allocations:
        original = credit.netted.original
        case = f", case {original.case_id}" if original.case_id else ""
        order = f", order {credit.order_id}" if credit.order_id else ""
        rows.append(
            _reimbursement_row(
                original,
                f"Reimbursement {original.reimbursement_id} ({original.reason}"
                f"{case}{order}): {count_units(original.quantity)} paid, "
                f"{count_units(units)} applied to this loss.",
            )
        )
        for reversal in credit.netted.reversals:
            rows.append(
                _reimbursement_row(
                    reversal,
                    f"Reversal {reversal.reimbursement_id} of reimbursement "
                    f"{original.reimbursement_id}: {reversal.quantity:+d} units.",
                )
            )
    return rows


def _reimbursement_row(row: ReimbursementRecord, description: str) -> EvidenceRow:
    return EvidenceRow(
        report_type=REIMBURSEMENTS_REPORT,
        row_key=row.row_key,
        source_line=row.source_line,
        occurred_at=row.approval_date,
        quantity=row.quantity,
        reference_id=row.reimbursement_id or None,
        description=description,
    )


def reversed_ids(allocations: Iterable[tuple[OrderCredit, int]]) -> list[str]:
    """Return the ids of matched reimbursements that Amazon reversed."""
    return [
        credit.netted.original.reimbursement_id
        for credit, _units in allocations
        if credit.netted.reversals
    ]


def from_epoch_us(value: int) -> datetime:
    """Convert epoch microseconds from DuckDB to an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=value)


def optional_time(value: Any) -> datetime | None:
    """Convert epoch microseconds, or None, to an aware UTC datetime or None."""
    return None if value is None else from_epoch_us(int(value))


def count_units(count: int) -> str:
    """Write a unit count in words: "1 unit", "3 units"."""
    return f"{count} unit" if count == 1 else f"{count} units"


def day(moment: datetime) -> str:
    """Write the UTC date of a moment as YYYY-MM-DD."""
    return moment.astimezone(UTC).date().isoformat()


def money(amount: Decimal) -> str:
    """Write an amount with two decimals, rounded half up."""
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"
