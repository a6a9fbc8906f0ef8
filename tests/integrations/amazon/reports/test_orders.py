"""Parser tests for the all-orders flat file (by order date)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.amazon.reports import ReportParseError, parse_report

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"

SHIPPED = {
    "amazon-order-id": "111-0000000-0000001",
    "merchant-order-id": "",
    "purchase-date": "2024-05-14T16:32:04+00:00",
    "last-updated-date": "2024-05-16T02:11:45+00:00",
    "order-status": "Shipped",
    "fulfillment-channel": "Amazon",
    "sales-channel": "Amazon.com",
    "order-channel": "",
    "url": "",
    "ship-service-level": "Expedited",
    "product-name": "Cafe Mug",
    "sku": "MUG-12OZ",
    "asin": "B0ABCDE123",
    "item-status": "Shipped",
    "quantity": "2",
    "currency": "USD",
    "item-price": "39.98",
    "item-tax": "3.20",
    "shipping-price": "0.00",
    "shipping-tax": "0.00",
    "gift-wrap-price": "",
    "gift-wrap-tax": "",
    "item-promotion-discount": "",
    "ship-promotion-discount": "",
    "ship-city": "SEATTLE",
    "ship-state": "WA",
    "ship-postal-code": "98109",
    "ship-country": "US",
    "promotion-ids": "",
    "is-business-order": "false",
    "purchase-order-number": "",
    "price-designation": "",
}
PENDING = {
    **SHIPPED,
    "order-status": "Pending",
    "item-status": "Unshipped",
    "last-updated-date": "2024-05-14T16:40:00+00:00",
    "currency": "",
    "item-price": "",
    "item-tax": "",
    "shipping-price": "",
}


def _tsv(*rows: dict[str, str]) -> str:
    names = list(rows[0])
    lines = ["\t".join(names)] + ["\t".join(r[n] for n in names) for r in rows]
    return "\n".join(lines) + "\n"


def test_shipped_order_values() -> None:
    parsed = parse_report(_tsv(SHIPPED), report_type=ORDERS, marketplace_id=US)
    row = parsed.rows[0]
    assert parsed.table_name == "orders"
    assert row["purchase_date"] == datetime(2024, 5, 14, 16, 32, 4, tzinfo=UTC)
    assert row["quantity"] == 2
    assert row["item_price"] == "39.98"
    assert row["merchant_order_id"] == ""


def test_pending_order_has_null_prices() -> None:
    row = parse_report(_tsv(PENDING), report_type=ORDERS, marketplace_id=US).rows[0]
    assert row["item_price"] is None
    assert row["currency"] == ""


def test_each_order_state_has_own_key() -> None:
    parsed = parse_report(_tsv(PENDING, SHIPPED), report_type=ORDERS, marketplace_id=US)
    assert parsed.row_count == 2
    assert parsed.rows[0]["row_key"] != parsed.rows[1]["row_key"]


def test_unknown_column_ignored_and_key_kept() -> None:
    plain = parse_report(_tsv(SHIPPED), report_type=ORDERS, marketplace_id=US)
    extended = parse_report(
        _tsv({**SHIPPED, "signature-confirmation-recommended": "false"}),
        report_type=ORDERS,
        marketplace_id=US,
    )
    assert extended.rows[0]["row_key"] == plain.rows[0]["row_key"]
    assert extended.warnings


def test_header_drift_matches_camel_case() -> None:
    drifted = {
        ("AmazonOrderId" if k == "amazon-order-id" else k): v
        for k, v in SHIPPED.items()
    }
    row = parse_report(_tsv(drifted), report_type=ORDERS, marketplace_id=US).rows[0]
    assert row["amazon_order_id"] == "111-0000000-0000001"


def test_missing_quantity_column_rejected() -> None:
    row = {k: v for k, v in SHIPPED.items() if k != "quantity"}
    with pytest.raises(ReportParseError) as caught:
        parse_report(_tsv(row), report_type=ORDERS, marketplace_id=US)
    assert caught.value.column == "quantity"


def test_decimal_comma_price_in_german_marketplace() -> None:
    row = {**SHIPPED, "item-price": "39,98", "currency": "EUR"}
    parsed = parse_report(_tsv(row), report_type=ORDERS, marketplace_id=DE)
    assert parsed.rows[0]["item_price"] == "39.98"
