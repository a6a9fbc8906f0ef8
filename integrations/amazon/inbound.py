"""Normalize Fulfillment Inbound v0 shipments and items into Arrow tables.

Shipments change status over time, and the API shows only the current state, so
each sync stores what it observed with ``observed_at``. The row key hashes the
fields without ``observed_at``, so an unchanged shipment is stored once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

SHIPMENTS_TABLE = "inbound_shipments"
ITEMS_TABLE = "inbound_shipment_items"

# Every ShipmentStatus of the v0 model, so a listing covers the whole lifecycle.
SHIPMENT_STATUSES = (
    "WORKING",
    "READY_TO_SHIP",
    "SHIPPED",
    "IN_TRANSIT",
    "DELIVERED",
    "CHECKED_IN",
    "RECEIVING",
    "CLOSED",
    "CANCELLED",
    "DELETED",
    "ERROR",
)

_TIMESTAMP = pa.timestamp("us", tz="UTC")
_TAIL = [
    pa.field("observed_at", _TIMESTAMP, nullable=False),
    pa.field("row_key", pa.string(), nullable=False),
    pa.field("source_line", pa.int32(), nullable=False),
]
SHIPMENTS_SCHEMA = pa.schema(
    [
        pa.field("shipment_id", pa.string(), nullable=False),
        pa.field("shipment_name", pa.string(), nullable=False),
        pa.field("shipment_status", pa.string(), nullable=False),
        pa.field("destination_fulfillment_center_id", pa.string(), nullable=False),
        pa.field("marketplace_id", pa.string(), nullable=False),
        *_TAIL,
    ]
)
ITEMS_SCHEMA = pa.schema(
    [
        pa.field("shipment_id", pa.string(), nullable=False),
        pa.field("seller_sku", pa.string(), nullable=False),
        pa.field("fulfillment_network_sku", pa.string(), nullable=False),
        pa.field("quantity_shipped", pa.int64(), nullable=False),
        pa.field("quantity_received", pa.int64(), nullable=False),
        pa.field("quantity_in_case", pa.int64(), nullable=True),
        *_TAIL,
    ]
)


def shipments_table(
    shipments: Iterable[Mapping[str, Any]], marketplace_id: str, observed_at: datetime
) -> pa.Table:
    """Build the ``inbound_shipments`` rows from ``InboundShipmentInfo`` objects.

    Raises:
        ValueError: a shipment has no ``ShipmentId``.
    """
    rows = []
    for shipment in shipments:
        shipment_id = _text(shipment.get("ShipmentId"))
        if not shipment_id:
            raise ValueError("an inbound shipment has no ShipmentId")
        rows.append(
            {
                "shipment_id": shipment_id,
                "shipment_name": _text(shipment.get("ShipmentName")),
                "shipment_status": _text(shipment.get("ShipmentStatus")),
                "destination_fulfillment_center_id": _text(
                    shipment.get("DestinationFulfillmentCenterId")
                ),
                "marketplace_id": marketplace_id,
            }
        )
    return _table(rows, SHIPMENTS_SCHEMA, observed_at)


def items_table(
    items_by_shipment: Mapping[str, Iterable[Mapping[str, Any]]],
    observed_at: datetime,
) -> pa.Table:
    """Build the ``inbound_shipment_items`` rows from ``InboundShipmentItem`` objects.

    Items are keyed by the shipment they were requested for, because that is the
    shipment they belong to even where an item's own ``ShipmentId`` is missing. A
    missing ``QuantityReceived`` means nothing was received yet (0).

    Raises:
        ValueError: an item has no ``SellerSKU`` or a quantity is not an integer.
    """
    rows = []
    for shipment_id, items in items_by_shipment.items():
        for item in items:
            seller_sku = _text(item.get("SellerSKU"))
            if not seller_sku:
                raise ValueError(f"an item of shipment {shipment_id} has no SellerSKU")
            rows.append(
                {
                    "shipment_id": shipment_id,
                    "seller_sku": seller_sku,
                    "fulfillment_network_sku": _text(item.get("FulfillmentNetworkSKU")),
                    "quantity_shipped": _quantity(item, "QuantityShipped", 0),
                    "quantity_received": _quantity(item, "QuantityReceived", 0),
                    "quantity_in_case": _quantity(item, "QuantityInCase", None),
                }
            )
    return _table(rows, ITEMS_SCHEMA, observed_at)


def _table(
    rows: list[dict[str, Any]], schema: pa.Schema, observed_at: datetime
) -> pa.Table:
    """Add ``observed_at``, ``row_key`` and ``source_line`` and build the table.

    Rows with a repeated key (the same state listed twice) are dropped.
    """
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(_row_key(row), row)
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for key, row in unique.items():
        for name, value in row.items():
            columns[name].append(value)
        columns["observed_at"].append(observed_at)
        columns["row_key"].append(key)
        columns["source_line"].append(0)
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _row_key(row: Mapping[str, Any]) -> str:
    """Return the sha256 hex digest of the row's fields, sorted by name.

    A field encodes as "\\0name\\0value", and None as an empty value.
    """
    encoded = "".join(
        f"\0{name}\0{'' if row[name] is None else row[name]}" for name in sorted(row)
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _quantity(item: Mapping[str, Any], name: str, missing: int | None) -> int | None:
    value = item.get(name)
    if value is None:
        return missing
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, not {value!r}")
    return value
