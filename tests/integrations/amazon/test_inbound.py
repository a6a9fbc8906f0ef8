"""Inbound shipment and item tables built from Fulfillment Inbound v0 objects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.amazon.inbound import (
    ITEMS_SCHEMA,
    SHIPMENTS_SCHEMA,
    items_table,
    shipments_table,
)

US = "ATVPDKIKX0DER"
MORNING = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
EVENING = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)
SHIPMENT = {
    "ShipmentId": "FBA15DJ9SVVD",
    "ShipmentName": "Mugs May",
    "ShipmentStatus": "RECEIVING",
    "DestinationFulfillmentCenterId": "ACY1",
    "AreCasesRequired": False,
    "ShipFromAddress": {"Name": "Warehouse"},
}
ITEM = {
    "ShipmentId": "FBA15DJ9SVVD",
    "SellerSKU": "MUG-12OZ",
    "FulfillmentNetworkSKU": "X00ABCDE12",
    "QuantityShipped": 24,
    "QuantityReceived": 22,
}


def test_shipment_row_values() -> None:
    table = shipments_table([SHIPMENT], US, MORNING)
    row = table.to_pylist()[0]
    assert table.schema == SHIPMENTS_SCHEMA
    assert row["shipment_status"] == "RECEIVING"
    assert row["destination_fulfillment_center_id"] == "ACY1"
    assert row["marketplace_id"] == US
    assert row["observed_at"] == MORNING
    assert row["source_line"] == 0


def test_unchanged_shipment_keeps_key() -> None:
    first = shipments_table([SHIPMENT], US, MORNING).to_pylist()[0]
    later = shipments_table([SHIPMENT], US, EVENING).to_pylist()[0]
    assert first["row_key"] == later["row_key"]


def test_status_change_gives_new_key() -> None:
    first = shipments_table([SHIPMENT], US, MORNING).to_pylist()[0]
    closed = {**SHIPMENT, "ShipmentStatus": "CLOSED"}
    later = shipments_table([closed], US, EVENING).to_pylist()[0]
    assert first["row_key"] != later["row_key"]


def test_repeated_shipment_stored_once() -> None:
    assert shipments_table([SHIPMENT, SHIPMENT], US, MORNING).num_rows == 1


def test_shipment_without_id_rejected() -> None:
    with pytest.raises(ValueError, match="ShipmentId"):
        shipments_table([{**SHIPMENT, "ShipmentId": ""}], US, MORNING)


def test_item_row_values() -> None:
    table = items_table({"FBA15DJ9SVVD": [ITEM]}, MORNING)
    row = table.to_pylist()[0]
    assert table.schema == ITEMS_SCHEMA
    assert row["seller_sku"] == "MUG-12OZ"
    assert row["quantity_shipped"] == 24
    assert row["quantity_received"] == 22
    assert row["quantity_in_case"] is None


def test_item_takes_requested_shipment_id() -> None:
    item = {k: v for k, v in ITEM.items() if k != "ShipmentId"}
    row = items_table({"FBA15DJ9SVVD": [item]}, MORNING).to_pylist()[0]
    assert row["shipment_id"] == "FBA15DJ9SVVD"


def test_item_missing_received_is_zero() -> None:
    item = {k: v for k, v in ITEM.items() if k != "QuantityReceived"}
    row = items_table({"FBA1": [item]}, MORNING).to_pylist()[0]
    assert row["quantity_received"] == 0


def test_item_received_change_gives_new_key() -> None:
    first = items_table({"FBA1": [ITEM]}, MORNING).to_pylist()[0]
    more = items_table({"FBA1": [{**ITEM, "QuantityReceived": 24}]}, EVENING)
    assert more.to_pylist()[0]["row_key"] != first["row_key"]


def test_item_non_integer_quantity_rejected() -> None:
    with pytest.raises(ValueError, match="QuantityShipped"):
        items_table({"FBA1": [{**ITEM, "QuantityShipped": "24"}]}, MORNING)
