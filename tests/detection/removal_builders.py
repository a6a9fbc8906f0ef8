"""Builders of removal and inbound tables for the removal and inbound rule tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from detection import DetectionInput, DetectionResult, DetectionSettings, run_detection
from detection.tables import REQUIRED_COLUMNS
from tests.detection.builders import (
    FNSKU,
    SKU,
    T0,
    ledger_table,
    reimbursement_row,
    reimbursement_table,
)

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
}
ORDER_ID = "RMV-0001"
SHIPMENT_ID = "FBA15ABCDEF"


def removal_order(
    *,
    requested: int = 3,
    cancelled: int = 0,
    disposed: int = 0,
    shipped: int = 0,
    in_process: int = 0,
    order_type: str = "Return",
    status: str = "Completed",
    requested_at: datetime = T0,
    updated_at: datetime | None = T0,
    order_id: str = ORDER_ID,
    sku: str = SKU,
    fnsku: str = FNSKU,
    disposition: str = "Sellable",
) -> dict[str, Any]:
    """Return one removal_orders row."""
    return {
        "request_date": requested_at,
        "order_id": order_id,
        "order_type": order_type,
        "order_status": status,
        "last_updated_date": updated_at,
        "sku": sku,
        "fnsku": fnsku,
        "disposition": disposition,
        "requested_quantity": requested,
        "cancelled_quantity": cancelled,
        "disposed_quantity": disposed,
        "shipped_quantity": shipped,
        "in_process_quantity": in_process,
        "removal_fee": "0.52",
        "currency": "USD",
    }


def removal_shipment(
    *,
    shipped: int = 3,
    shipped_at: datetime | None = T0,
    tracking: str | None = "1Z999AA10123456784",
    order_id: str = ORDER_ID,
    sku: str = SKU,
    fnsku: str = FNSKU,
) -> dict[str, Any]:
    """Return one removal_shipments row."""
    return {
        "request_date": T0,
        "order_id": order_id,
        "shipment_date": shipped_at,
        "sku": sku,
        "fnsku": fnsku,
        "disposition": "Sellable",
        "shipped_quantity": shipped,
        "carrier": "UPS",
        "tracking_number": tracking,
        "removal_order_type": "Return",
    }


def inbound_shipment(
    *,
    status: str = "CLOSED",
    observed_at: datetime = T0,
    shipment_id: str = SHIPMENT_ID,
) -> dict[str, Any]:
    """Return one inbound_shipments row (one observation of the shipment)."""
    return {
        "shipment_id": shipment_id,
        "shipment_name": "Spring restock",
        "shipment_status": status,
        "destination_fulfillment_center_id": "PHX7",
        "marketplace_id": "ATVPDKIKX0DER",
        "observed_at": observed_at,
    }


def inbound_item(
    *,
    shipped: int = 10,
    received: int | None = 8,
    observed_at: datetime = T0,
    shipment_id: str = SHIPMENT_ID,
    sku: str = SKU,
    fnsku: str | None = FNSKU,
) -> dict[str, Any]:
    """Return one inbound_shipment_items row."""
    return {
        "shipment_id": shipment_id,
        "seller_sku": sku,
        "fulfillment_network_sku": fnsku,
        "quantity_shipped": shipped,
        "quantity_received": received,
        "observed_at": observed_at,
    }


def order_reimbursement(
    *, order_id: str | None = ORDER_ID, reason: str = "RemovalOrderLost", **values: Any
) -> dict[str, Any]:
    """Return a reimbursements row naming `order_id` in amazon_order_id."""
    row = reimbursement_row(reason=reason, **values)
    row["amazon_order_id"] = order_id
    return row


def table(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a table of REQUIRED_COLUMNS; row_key is a row hash, lines start at 2."""
    columns = dict(REQUIRED_COLUMNS[name])
    columns.setdefault("source_line", "INTEGER")
    built = []
    for index, row in enumerate(rows):
        full = dict.fromkeys(columns) | dict(row)
        full["source_line"] = full["source_line"] or index + 2
        if full.get("row_key") is None:
            text = repr(sorted((key, str(value)) for key, value in full.items()))
            full["row_key"] = hashlib.sha256(text.encode()).hexdigest()
        built.append(full)
    return pa.table(
        {
            column: pa.array(
                [row.get(column) for row in built], type=_ARROW_TYPES[kind]
            )
            for column, kind in columns.items()
        }
    )


def detect_all(
    *,
    as_of: datetime,
    ledger: Iterable[Mapping[str, Any]] = (),
    reimbursements: Iterable[Mapping[str, Any]] = (),
    removal_orders: Iterable[Mapping[str, Any]] = (),
    removal_shipments: Iterable[Mapping[str, Any]] = (),
    inbound_shipments: Iterable[Mapping[str, Any]] = (),
    inbound_items: Iterable[Mapping[str, Any]] = (),
    unit_costs: Mapping[str, Decimal] | None = None,
    settings: DetectionSettings | None = None,
    unsynced: Iterable[str] = (),
) -> DetectionResult:
    """Run detection over tables built from the given rows; all synced by default."""
    unsynced = frozenset(unsynced)
    tables: dict[str, pa.Table | None] = {
        "ledger_detail": ledger_table(ledger),
        "reimbursements": reimbursement_table(reimbursements),
        "removal_orders": table("removal_orders", removal_orders),
        "removal_shipments": table("removal_shipments", removal_shipments),
        "inbound_shipments": table("inbound_shipments", inbound_shipments),
        "inbound_shipment_items": table("inbound_shipment_items", inbound_items),
    }
    for name in unsynced:
        tables[name] = None
    data = DetectionInput(
        tables=tables,
        as_of=as_of,
        unit_costs=unit_costs if unit_costs is not None else {SKU: Decimal("9.50")},
        unsynced=unsynced,
    )
    return run_detection(data, settings)


def of_type(result: DetectionResult, kind: str) -> list[Any]:
    """Return the findings of one type."""
    return [finding for finding in result.findings if finding.type == kind]


def resolved_of_type(result: DetectionResult, kind: str) -> list[Any]:
    """Return the resolutions of one type."""
    return [resolution for resolution in result.resolved if resolution.type == kind]


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(year, month, day, hour, tzinfo=UTC)
