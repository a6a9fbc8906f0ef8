"""Tests for header normalization and header mapping."""

from __future__ import annotations

import pytest

from integrations.amazon.reports.columns import (
    Column,
    Kind,
    map_header,
    normalize_header,
)


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["Event Type", "EventType", "event-type", "EVENT_TYPE"], "eventtype"),
        (
            ["Starting Warehouse Balance", "Starting_Warehouse_Balance"],
            "startingwarehousebalance",
        ),
        (
            ["Warehouse Transfer In/Out", "Warehouse_Transfer_In_Out"],
            "warehousetransferinout",
        ),
        (['"Reference ID"', "ReferenceID", "\ufeffreference id"], "referenceid"),
    ],
    ids=["event-type", "balance", "transfer", "reference-id"],
)
def test_normalize_header_spellings(spellings: list[str], expected: str) -> None:
    assert {normalize_header(s) for s in spellings} == {expected}


COLUMNS = (
    Column("date", "Date", Kind.DATE),
    Column("quantity", "Quantity", Kind.INT),
    Column("store", "Store", required=False, nullable=True),
    Column("sku", "seller-sku", aliases=("sku",)),
)


def test_map_header_positions() -> None:
    header_map = map_header(["Quantity", "DATE", "SKU"], COLUMNS)
    assert header_map.positions == {"quantity": 0, "date": 1, "sku": 2}
    assert header_map.missing_required == ()


def test_map_header_lists_unknown() -> None:
    header_map = map_header(["Date", "Quantity", "sku", "Extra One", ""], COLUMNS)
    assert header_map.unknown == ("Extra One",)


def test_map_header_lists_missing_required() -> None:
    header_map = map_header(["Store"], COLUMNS)
    assert header_map.missing_required == ("Date", "Quantity", "seller-sku")


def test_map_header_lists_ambiguous() -> None:
    header_map = map_header(["Date", "Quantity", "sku", "seller_sku"], COLUMNS)
    assert header_map.ambiguous == ("seller-sku",)
    assert header_map.positions["sku"] == 2
