"""Builders of settlement, order, return and reimbursement rows for the return and
payout rule tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from detection import DetectionInput, DetectionResult, DetectionSettings, run_detection
from detection.tables import REQUIRED_COLUMNS

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
}

ORDER = "111-0000001-0000001"
SKU = "MUG-12OZ"
FNSKU = "X00ABCDE12"
# A refund after the 2024-11-01 proactive payouts and the 2024-10-23 windows.
REFUND_AT = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def sale_rows(
    *,
    order_id: str = ORDER,
    sku: str = SKU,
    at: datetime | None = None,
    principal: str = "20.00",
    commission: str = "-3.00",
    fba_fee: str = "-5.00",
    quantity: int | None = 1,
) -> list[dict[str, Any]]:
    """Return the settlement Order rows of one sale: Principal, Commission, FBA fee."""
    posted = at or datetime(2026, 2, 20, 10, tzinfo=UTC)
    rows = [
        _settlement(
            "Order", "ItemPrice", "Principal", principal, order_id, sku, posted
        ),
        _settlement(
            "Order", "ItemFees", "Commission", commission, order_id, sku, posted
        ),
        _settlement(
            "Order",
            "ItemFees",
            "FBAPerUnitFulfillmentFee",
            fba_fee,
            order_id,
            sku,
            posted,
        ),
        _settlement("Order", "ItemPrice", "Tax", "1.60", order_id, sku, posted),
    ]
    rows[0]["quantity_purchased"] = quantity
    return rows


def refund_row(
    *,
    order_id: str = ORDER,
    sku: str = SKU,
    at: datetime = REFUND_AT,
    principal: str = "-20.00",
    adjustment_id: str | None = "ADJ-1",
    quantity: int | None = None,
) -> dict[str, Any]:
    """Return one settlement Refund ItemPrice Principal row."""
    row = _settlement("Refund", "ItemPrice", "Principal", principal, order_id, sku, at)
    row["adjustment_id"] = adjustment_id
    row["quantity_purchased"] = quantity
    return row


def refund_commission_row(
    *, order_id: str = ORDER, sku: str = SKU, at: datetime = REFUND_AT
) -> dict[str, Any]:
    """Return the refunded Commission row that goes with a refund."""
    row = _settlement("Refund", "ItemFees", "Commission", "2.40", order_id, sku, at)
    row["adjustment_id"] = "ADJ-1"
    return row


def _settlement(
    transaction_type: str,
    amount_type: str,
    description: str,
    amount: str,
    order_id: str,
    sku: str,
    posted: datetime,
) -> dict[str, Any]:
    return {
        "settlement_id": "9000001",
        "currency": "USD",
        "transaction_type": transaction_type,
        "order_id": order_id,
        "amount_type": amount_type,
        "amount_description": description,
        "amount": amount,
        "posted_date": posted.replace(hour=0, minute=0),
        "posted_date_time": posted,
        "sku": sku,
    }


def order_row(
    *,
    order_id: str = ORDER,
    sku: str = SKU,
    item_price: str | None = "30.00",
    quantity: int = 1,
    status: str = "Shipped",
) -> dict[str, Any]:
    """Return one orders row."""
    return {
        "amazon_order_id": order_id,
        "purchase_date": datetime(2026, 2, 18, 9, tzinfo=UTC),
        "last_updated_date": datetime(2026, 2, 19, 9, tzinfo=UTC),
        "order_status": status,
        "fulfillment_channel": "Amazon",
        "sku": sku,
        "asin": "B0ABCDE123",
        "quantity": quantity,
        "currency": "USD",
        "item_price": item_price,
    }


def return_row(
    *,
    at: datetime,
    order_id: str = ORDER,
    sku: str = SKU,
    fnsku: str = FNSKU,
    disposition: str = "SELLABLE",
    plate: str | None = None,
    quantity: int | None = 1,
) -> dict[str, Any]:
    """Return one customer_returns row (one unit)."""
    return {
        "return_date": at,
        "order_id": order_id,
        "sku": sku,
        "asin": "B0ABCDE123",
        "fnsku": fnsku,
        "product_name": "Cafe Mug 12oz",
        "quantity": quantity,
        "fulfillment_center_id": "PHX7",
        "detailed_disposition": disposition,
        "reason": "UNWANTED_ITEM",
        "status": "Unit returned to inventory",
        "license_plate_number": plate or f"LPN{at:%Y%m%d%H%M%S}",
    }


def restock_row(
    *, at: datetime, fnsku: str = FNSKU, reference_id: str = ORDER, quantity: int = 1
) -> dict[str, Any]:
    """Return one ledger CustomerReturns row that puts a unit back in stock."""
    return {
        "occurred_at": at,
        "fnsku": fnsku,
        "asin": "B0ABCDE123",
        "msku": SKU,
        "title": "Cafe Mug 12oz",
        "event_type": "CustomerReturns",
        "reference_id": reference_id,
        "quantity": quantity,
        "fulfillment_center": "PHX7",
        "reason": None,
    }


def payout_row(
    *,
    at: datetime,
    reimbursement_id: str = "4000000001",
    reason: str = "CustomerReturn",
    order_id: str | None = ORDER,
    sku: str = SKU,
    fnsku: str = FNSKU,
    cash: int = 1,
    inventory: int = 0,
    amount_per_unit: str | None = "12.00",
    original_id: str | None = None,
    currency: str = "USD",
) -> dict[str, Any]:
    """Return one reimbursements row; a reversal passes negative `cash`."""
    return {
        "approval_date": at,
        "reimbursement_id": reimbursement_id,
        "reason": reason,
        "sku": sku,
        "fnsku": fnsku,
        "currency_unit": currency,
        "amount_per_unit": amount_per_unit,
        "quantity_reimbursed_total": cash + inventory,
        "quantity_reimbursed_cash": cash,
        "original_reimbursement_id": original_id,
        "amazon_order_id": order_id,
    }


def ledger_adjustment(
    *, at: datetime, reason: str, quantity: int, fnsku: str = FNSKU
) -> dict[str, Any]:
    """Return one ledger Adjustments row."""
    row = restock_row(at=at, fnsku=fnsku, reference_id="21188081", quantity=quantity)
    row["event_type"] = "Adjustments"
    row["reason"] = reason
    return row


def build_table(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a table with exactly the REQUIRED_COLUMNS of `name`.

    Rows keep their own row_key and source_line when given. Otherwise they get a
    content hash and a line number."""
    columns = REQUIRED_COLUMNS[name]
    built = []
    for index, row in enumerate(rows):
        full: dict[str, Any] = dict.fromkeys(columns)
        full.update(row)
        if full.get("source_line") is None and "source_line" in columns:
            full["source_line"] = index + 2
        if full.get("row_key") is None:
            text = repr(sorted((key, str(value)) for key, value in full.items()))
            full["row_key"] = hashlib.sha256(text.encode()).hexdigest()
        built.append(full)
    arrays = {
        column: pa.array([row.get(column) for row in built], type=_ARROW_TYPES[kind])
        for column, kind in columns.items()
    }
    return pa.table(arrays)


def run(
    *,
    as_of: datetime,
    settlements: Iterable[Mapping[str, Any]] = (),
    orders: Iterable[Mapping[str, Any]] = (),
    returns: Iterable[Mapping[str, Any]] = (),
    reimbursements: Iterable[Mapping[str, Any]] = (),
    ledger: Iterable[Mapping[str, Any]] = (),
    unit_costs: Mapping[str, Decimal] | None = None,
    settings: DetectionSettings | None = None,
    unsynced: Iterable[str] = (),
) -> DetectionResult:
    """Run detection over tables built from the given rows."""
    tables = {
        "settlements": build_table("settlements", settlements),
        "orders": build_table("orders", orders),
        "customer_returns": build_table("customer_returns", returns),
        "reimbursements": build_table("reimbursements", reimbursements),
        "ledger_detail": build_table("ledger_detail", ledger),
    }
    skipped = frozenset(unsynced)
    data = DetectionInput(
        tables={
            name: None if name in skipped else table for name, table in tables.items()
        },
        as_of=as_of,
        unit_costs=unit_costs or {},
        unsynced=skipped,
    )
    return run_detection(data, settings)


def of_type(result: DetectionResult, finding_type: str) -> list[Any]:
    """Return the findings of one type."""
    return [finding for finding in result.findings if finding.type == finding_type]


def resolved_of_type(result: DetectionResult, finding_type: str) -> list[Any]:
    """Return the resolutions of one type."""
    return [entry for entry in result.resolved if entry.type == finding_type]
