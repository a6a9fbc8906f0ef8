"""Builders of settlement and fee preview rows for the fee rule tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from detection import (
    DetectionInput,
    DetectionResult,
    DetectionSettings,
    Finding,
    Resolution,
    run_detection,
)
from tests.detection.builders import TIMESTAMP

SETTLEMENT_SCHEMA = pa.schema(
    [
        ("settlement_id", pa.string()),
        ("settlement_start_date", TIMESTAMP),
        ("settlement_end_date", TIMESTAMP),
        ("deposit_date", TIMESTAMP),
        ("total_amount", pa.string()),
        ("currency", pa.string()),
        ("transaction_type", pa.string()),
        ("order_id", pa.string()),
        ("merchant_order_id", pa.string()),
        ("adjustment_id", pa.string()),
        ("shipment_id", pa.string()),
        ("marketplace_name", pa.string()),
        ("amount_type", pa.string()),
        ("amount_description", pa.string()),
        ("amount", pa.string()),
        ("fulfillment_id", pa.string()),
        ("posted_date", TIMESTAMP),
        ("posted_date_raw", pa.string()),
        ("posted_date_time", TIMESTAMP),
        ("posted_date_time_raw", pa.string()),
        ("order_item_code", pa.string()),
        ("merchant_order_item_id", pa.string()),
        ("merchant_adjustment_item_id", pa.string()),
        ("sku", pa.string()),
        ("quantity_purchased", pa.int64()),
        ("row_key", pa.string()),
        ("source_line", pa.int32()),
    ]
)

FEE_PREVIEW_SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("fnsku", pa.string()),
        ("asin", pa.string()),
        ("product_name", pa.string()),
        ("currency", pa.string()),
        ("your_price", pa.string()),
        ("longest_side", pa.string()),
        ("median_side", pa.string()),
        ("shortest_side", pa.string()),
        ("length_and_girth", pa.string()),
        ("unit_of_dimension", pa.string()),
        ("item_package_weight", pa.string()),
        ("unit_of_weight", pa.string()),
        ("product_size_tier", pa.string()),
        ("estimated_fee_total", pa.string()),
        ("expected_fulfillment_fee_per_unit", pa.string()),
        ("row_key", pa.string()),
        ("source_line", pa.int32()),
    ]
)

SKU = "MUG-12OZ"
FNSKU = "X00ABCDE12"
ORDER = "111-1234567-1234567"
ITEM = "52551362836402"
# A Wednesday at 15:30 UTC; charges and refunds happen at this time.
T0 = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)

_LINES = itertools.count(2)


def settlement_row(
    *,
    transaction_type: str = "Order",
    amount_type: str = "ItemFees",
    description: str = "FBAPerUnitFulfillmentFee",
    amount: str | None = "-5.40",
    at: datetime | None = T0,
    posted_date: datetime | None = None,
    order_id: str | None = ORDER,
    item: str | None = ITEM,
    sku: str | None = SKU,
    quantity: int | None = 1,
    adjustment_id: str | None = None,
    currency: str = "USD",
    marketplace: str | None = "Amazon.com",
    settlement_id: str = "12345678901",
    line: int | None = None,
) -> dict[str, Any]:
    """One settlement row; `at` is posted_date_time, `posted_date` the bare date."""
    source_line = line if line is not None else next(_LINES)
    return {
        "settlement_id": settlement_id,
        "settlement_start_date": None,
        "settlement_end_date": None,
        "deposit_date": None,
        "total_amount": None,
        "currency": currency,
        "transaction_type": transaction_type,
        "order_id": order_id,
        "merchant_order_id": None,
        "adjustment_id": adjustment_id,
        "shipment_id": None,
        "marketplace_name": marketplace,
        "amount_type": amount_type,
        "amount_description": description,
        "amount": amount,
        "fulfillment_id": "AFN",
        "posted_date": posted_date,
        "posted_date_raw": None,
        "posted_date_time": at,
        "posted_date_time_raw": None,
        "order_item_code": item,
        "merchant_order_item_id": None,
        "merchant_adjustment_item_id": None,
        "sku": sku,
        "quantity_purchased": quantity,
        "row_key": f"{settlement_id}|{source_line}",
        "source_line": source_line,
    }


def sale_rows(
    *,
    principal: str = "20.00",
    commission: str = "-3.00",
    fee: str | None = "-5.40",
    quantity: int | None = 1,
    at: datetime = T0,
    **common: Any,
) -> list[dict[str, Any]]:
    """The Principal, Commission and fulfillment fee rows of one order item."""
    rows = [
        settlement_row(
            amount_type="ItemPrice",
            description="Principal",
            amount=principal,
            quantity=quantity,
            at=at,
            **common,
        ),
        settlement_row(
            description="Commission", amount=commission, quantity=None, at=at, **common
        ),
    ]
    if fee is not None:
        rows.append(settlement_row(amount=fee, quantity=None, at=at, **common))
    return rows


def refund_rows(
    *,
    principal: str | None = "-20.00",
    commission: str | None = "3.00",
    admin_fee: str | None = "-0.60",
    at: datetime = T0,
    adjustment_id: str = "amzn1.adj.1",
    quantity: int | None = None,
    **common: Any,
) -> list[dict[str, Any]]:
    """The Refund rows of one order item: Principal, Commission, RefundCommission."""
    rows = []
    for amount_type, description, amount in (
        ("ItemPrice", "Principal", principal),
        ("ItemFees", "Commission", commission),
        ("ItemFees", "RefundCommission", admin_fee),
    ):
        if amount is None:
            continue
        rows.append(
            settlement_row(
                transaction_type="Refund",
                amount_type=amount_type,
                description=description,
                amount=amount,
                at=at,
                adjustment_id=adjustment_id,
                quantity=quantity if description == "Principal" else None,
                **common,
            )
        )
    return rows


def preview_row(
    *,
    sku: str = SKU,
    expected: str | None = "4.00",
    tier: str = "Large standard-size",
    sides: tuple[str, str, str] = ("10.0", "8.0", "2.0"),
    dimension_unit: str = "inches",
    weight: str = "0.90",
    weight_unit: str = "pounds",
    currency: str = "USD",
    fnsku: str = FNSKU,
) -> dict[str, Any]:
    """One fee preview row, by default a large standard-size unit."""
    line = next(_LINES)
    return {
        "sku": sku,
        "fnsku": fnsku,
        "asin": "B0ABCDE123",
        "product_name": "Cafe Mug 12oz",
        "currency": currency,
        "your_price": "20.00",
        "longest_side": sides[0],
        "median_side": sides[1],
        "shortest_side": sides[2],
        "length_and_girth": None,
        "unit_of_dimension": dimension_unit,
        "item_package_weight": weight,
        "unit_of_weight": weight_unit,
        "product_size_tier": tier,
        "estimated_fee_total": None,
        "expected_fulfillment_fee_per_unit": expected,
        "row_key": f"{sku}|{fnsku}|B0ABCDE123|{line}",
        "source_line": line,
    }


def settlement_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SETTLEMENT_SCHEMA)


def preview_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=FEE_PREVIEW_SCHEMA)


def detect_fees(
    settlements: Iterable[Mapping[str, Any]] = (),
    preview: Iterable[Mapping[str, Any]] = (),
    *,
    as_of: datetime,
    settings: DetectionSettings | None = None,
    unsynced: Iterable[str] = (),
) -> DetectionResult:
    """Run detection over settlement and fee preview tables built from the rows."""
    tables: dict[str, pa.Table | None] = {}
    if "settlements" not in unsynced:
        tables["settlements"] = settlement_table(settlements)
    if "fee_preview" not in unsynced:
        tables["fee_preview"] = preview_table(preview)
    data = DetectionInput(tables=tables, as_of=as_of, unsynced=frozenset(unsynced))
    return run_detection(data, settings)


def of_type(result: DetectionResult, kind: str) -> list[Finding]:
    """The findings of one type."""
    return [finding for finding in result.findings if finding.type == kind]


def resolved_of_type(result: DetectionResult, kind: str) -> list[Resolution]:
    """The resolutions of one type."""
    return [resolution for resolution in result.resolved if resolution.type == kind]


def money(text: str) -> Decimal:
    return Decimal(text)
