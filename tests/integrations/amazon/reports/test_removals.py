"""Parser tests for the removal order detail and removal shipment detail reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.amazon.reports import ReportParseError, parse_report

US = "ATVPDKIKX0DER"
ORDERS = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"

ORDER_HEADER = (
    "request-date\torder-id\torder-type\tservice-speed\torder-status\t"
    "last-updated-date\tsku\tfnsku\tdisposition\trequested-quantity\t"
    "cancelled-quantity\tdisposed-quantity\tshipped-quantity\tin-process-quantity\t"
    "removal-fee\tcurrency\n"
)
ORDER_PENDING = (
    "2024-05-14T16:32:04+00:00\tRMV-0001\tReturn\tStandard\tPending\t"
    "2024-05-14T16:32:04+00:00\tMUG-12OZ\tX00ABCDE12\tSellable\t5\t0\t0\t0\t5\t\tUSD\n"
)
ORDER_COMPLETED = (
    "2024-05-14T16:32:04+00:00\tRMV-0001\tReturn\tStandard\tCompleted\t"
    "2024-05-20T09:10:11+00:00\tMUG-12OZ\tX00ABCDE12\tSellable\t5\t0\t0\t3\t0\t"
    "2.52\tUSD\n"
)
SHIPMENT_HEADER = (
    "request-date\torder-id\tshipment-date\tsku\tfnsku\tdisposition\t"
    "shipped-quantity\tcarrier\ttracking-number\tremoval-order-type\n"
)
SHIPMENT_ROW = (
    "2024-05-14T16:32:04+00:00\tRMV-0001\t2024-05-18T20:01:00+00:00\tMUG-12OZ\t"
    "X00ABCDE12\tSellable\t3\tUPS\t1Z999AA10123456784\tReturn\n"
)


def test_removal_order_values() -> None:
    row = parse_report(
        ORDER_HEADER + ORDER_COMPLETED, report_type=ORDERS, marketplace_id=US
    ).rows[0]
    assert row["order_id"] == "RMV-0001"
    assert row["order_status"] == "Completed"
    assert row["last_updated_date"] == datetime(2024, 5, 20, 9, 10, 11, tzinfo=UTC)
    assert row["requested_quantity"] == 5
    assert row["shipped_quantity"] == 3
    assert row["removal_fee"] == "2.52"
    assert row["source_line"] == 2


def test_removal_order_blank_fee_is_null() -> None:
    row = parse_report(
        ORDER_HEADER + ORDER_PENDING, report_type=ORDERS, marketplace_id=US
    ).rows[0]
    assert row["removal_fee"] is None
    assert row["in_process_quantity"] == 5


def test_removal_order_each_state_has_own_key() -> None:
    text = ORDER_HEADER + ORDER_PENDING + ORDER_COMPLETED
    parsed = parse_report(text, report_type=ORDERS, marketplace_id=US)
    assert parsed.row_count == 2
    assert parsed.rows[0]["row_key"] != parsed.rows[1]["row_key"]


def test_removal_order_header_drift() -> None:
    drifted = ORDER_HEADER.replace("order-status", "Order Status").replace(
        "last-updated-date", "last_updated_date"
    )
    row = parse_report(
        drifted + ORDER_COMPLETED, report_type=ORDERS, marketplace_id=US
    ).rows[0]
    assert row["order_status"] == "Completed"


def test_removal_order_missing_column_named() -> None:
    header = ORDER_HEADER.replace("\tdisposed-quantity", "")
    row = ORDER_COMPLETED.replace("\t0\t3\t0\t2.52", "\t0\t3\t2.52")
    with pytest.raises(ReportParseError) as caught:
        parse_report(header + row, report_type=ORDERS, marketplace_id=US)
    assert caught.value.column == "disposed-quantity"
    assert "'disposed-quantity'" in caught.value.message


def test_removal_order_extra_column_ignored() -> None:
    header = ORDER_HEADER.replace("\n", "\torder-source\n")
    row = ORDER_COMPLETED.replace("\n", "\tSeller Central\n")
    parsed = parse_report(header + row, report_type=ORDERS, marketplace_id=US)
    plain = parse_report(
        ORDER_HEADER + ORDER_COMPLETED, report_type=ORDERS, marketplace_id=US
    )
    assert "order_source" not in parsed.table.column_names
    assert "'order-source'" in parsed.warnings[0]
    assert parsed.rows[0]["row_key"] == plain.rows[0]["row_key"]


def test_removal_shipment_values() -> None:
    row = parse_report(
        SHIPMENT_HEADER + SHIPMENT_ROW, report_type=SHIPMENTS, marketplace_id=US
    ).rows[0]
    assert row["shipment_date"] == datetime(2024, 5, 18, 20, 1, tzinfo=UTC)
    assert row["shipment_date_raw"] == "2024-05-18T20:01:00+00:00"
    assert row["shipped_quantity"] == 3
    assert row["carrier"] == "UPS"
    assert row["removal_order_type"] == "Return"
    assert len(row["row_key"]) == 64


def test_removal_shipment_missing_tracking_rejected() -> None:
    header = SHIPMENT_HEADER.replace("tracking-number\t", "")
    row = SHIPMENT_ROW.replace("1Z999AA10123456784\t", "")
    with pytest.raises(ReportParseError, match="'tracking-number'"):
        parse_report(header + row, report_type=SHIPMENTS, marketplace_id=US)
