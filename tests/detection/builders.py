"""Builders of small normalized report tables in the stored Arrow shape."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from detection import DetectionInput, DetectionResult, DetectionSettings, run_detection

TIMESTAMP = pa.timestamp("us", tz="UTC")

LEDGER_SCHEMA = pa.schema(
    [
        ("date", pa.date32()),
        ("date_raw", pa.string()),
        ("occurred_at", TIMESTAMP),
        ("occurred_at_raw", pa.string()),
        ("fnsku", pa.string()),
        ("asin", pa.string()),
        ("msku", pa.string()),
        ("title", pa.string()),
        ("event_type", pa.string()),
        ("reference_id", pa.string()),
        ("quantity", pa.int64()),
        ("fulfillment_center", pa.string()),
        ("disposition", pa.string()),
        ("reason", pa.string()),
        ("country", pa.string()),
        ("reconciled_quantity", pa.int64()),
        ("unreconciled_quantity", pa.int64()),
        ("store", pa.string()),
        ("row_key", pa.string()),
        ("source_line", pa.int32()),
    ]
)

REIMBURSEMENT_SCHEMA = pa.schema(
    [
        ("approval_date", TIMESTAMP),
        ("approval_date_raw", pa.string()),
        ("reimbursement_id", pa.string()),
        ("case_id", pa.string()),
        ("amazon_order_id", pa.string()),
        ("reason", pa.string()),
        ("sku", pa.string()),
        ("fnsku", pa.string()),
        ("asin", pa.string()),
        ("product_name", pa.string()),
        ("condition", pa.string()),
        ("currency_unit", pa.string()),
        ("amount_per_unit", pa.string()),
        ("amount_total", pa.string()),
        ("quantity_reimbursed_cash", pa.int64()),
        ("quantity_reimbursed_inventory", pa.int64()),
        ("quantity_reimbursed_total", pa.int64()),
        ("original_reimbursement_id", pa.string()),
        ("original_reimbursement_type", pa.string()),
        ("row_key", pa.string()),
        ("source_line", pa.int32()),
    ]
)

FNSKU = "X00ABCDE12"
SKU = "MUG-12OZ"
# A Wednesday, so its 5 business days end on the next Wednesday at 15:30.
T0 = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def days(count: float) -> timedelta:
    """Return a timedelta of `count` days."""
    return timedelta(days=count)


def ledger_row(
    *,
    at: datetime = T0,
    quantity: int = -1,
    reason: str = "M",
    event_type: str = "Adjustments",
    fnsku: str = FNSKU,
    sku: str = SKU,
    unreconciled: int | None = None,
    reconciled: int | None = None,
    reference_id: str = "21188081",
    fulfillment_center: str = "ACY1",
    line: int | None = None,
) -> dict[str, Any]:
    """Return one ledger_detail row as a dict, numbered on build when `line` is None."""
    return {
        "date": at.date(),
        "date_raw": f"{at:%m/%d/%Y}",
        "occurred_at": at,
        "occurred_at_raw": at.isoformat(),
        "fnsku": fnsku,
        "asin": "B0ABCDE123",
        "msku": sku,
        "title": "Cafe Mug 12oz",
        "event_type": event_type,
        "reference_id": reference_id,
        "quantity": quantity,
        "fulfillment_center": fulfillment_center,
        "disposition": "SELLABLE",
        "reason": reason,
        "country": "US",
        "reconciled_quantity": reconciled,
        "unreconciled_quantity": unreconciled,
        "store": None,
        "source_line": line,
    }


def reimbursement_row(
    *,
    at: datetime = T0,
    reimbursement_id: str = "3000000001",
    reason: str = "Lost_Warehouse",
    quantity: int = 1,
    inventory: int = 0,
    amount_per_unit: str | None = "7.41",
    currency: str = "USD",
    fnsku: str = FNSKU,
    sku: str = SKU,
    original_id: str | None = None,
    case_id: str | None = None,
    line: int | None = None,
) -> dict[str, Any]:
    """Return one reimbursements row with `quantity` cash and `inventory` units."""
    total = quantity + inventory
    amount_total = None
    if amount_per_unit is not None:
        amount_total = str(Decimal(amount_per_unit) * quantity)
    raw_date = at.isoformat()
    return {
        "approval_date": at,
        "approval_date_raw": raw_date,
        "reimbursement_id": reimbursement_id,
        "case_id": case_id,
        "amazon_order_id": None,
        "reason": reason,
        "sku": sku,
        "fnsku": fnsku,
        "asin": "B0ABCDE123",
        "product_name": "Cafe Mug 12oz",
        "condition": "New",
        "currency_unit": currency,
        "amount_per_unit": amount_per_unit,
        "amount_total": amount_total,
        "quantity_reimbursed_cash": quantity,
        "quantity_reimbursed_inventory": inventory,
        "quantity_reimbursed_total": total,
        "original_reimbursement_id": original_id,
        "original_reimbursement_type": "Lost_Warehouse" if original_id else None,
        "row_key": f"{reimbursement_id}|{sku}|{fnsku}|{reason}|{raw_date}",
        "source_line": line,
    }


def ledger_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a ledger_detail table, row_key hashing each row, numbered from line 2."""
    built = []
    for index, row in enumerate(rows):
        full = dict(row)
        if full["source_line"] is None:
            full["source_line"] = index + 2
        full["row_key"] = _row_hash(full)
        built.append(full)
    return pa.Table.from_pylist(built, schema=LEDGER_SCHEMA)


def reimbursement_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a reimbursements table, numbered from line 2."""
    built = []
    for index, row in enumerate(rows):
        full = dict(row)
        if full["source_line"] is None:
            full["source_line"] = index + 2
        built.append(full)
    return pa.Table.from_pylist(built, schema=REIMBURSEMENT_SCHEMA)


def detect(
    ledger: Iterable[Mapping[str, Any]] = (),
    reimbursements: Iterable[Mapping[str, Any]] = (),
    *,
    as_of: datetime,
    unit_costs: Mapping[str, Decimal] | None = None,
    settings: DetectionSettings | None = None,
) -> DetectionResult:
    """Run detection over tables built from the given rows."""
    data = DetectionInput(
        ledger_detail=ledger_table(ledger),
        reimbursements=reimbursement_table(reimbursements),
        as_of=as_of,
        unit_costs=unit_costs or {},
    )
    return run_detection(data, settings)


def _row_hash(row: Mapping[str, Any]) -> str:
    parts = []
    for name in sorted(row):
        if name in ("row_key", "source_line"):
            continue
        value = row[name]
        if isinstance(value, date | datetime):
            value = value.isoformat()
        parts.append(f"{name}={'' if value is None else value}")
    text = "\t".join(parts) + f"\tline={row['source_line']}"
    return hashlib.sha256(text.encode()).hexdigest()
