"""Tests for report type declarations and their Arrow schemas."""

from __future__ import annotations

import pyarrow as pa
import pytest

from integrations.amazon.reports import REPORT_SPECS, parse_report
from integrations.amazon.reports.columns import Column, Kind
from integrations.amazon.reports.keys import join_fields
from integrations.amazon.reports.schemas import ReportSpec

REMOVALS = ReportSpec(
    report_type="GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
    table_name="removal_orders",
    columns=(
        Column("request_date", "request-date", Kind.TIMESTAMP),
        Column("order_id", "order-id"),
        Column("shipped_quantity", "shipped-quantity", Kind.INT),
        Column("removal_fee", "removal-fee", Kind.DECIMAL, nullable=True),
    ),
    row_key=join_fields("order_id", "request_date_raw"),
)


def test_new_report_type_is_one_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REPORT_SPECS, REMOVALS.report_type, REMOVALS)
    text = (
        "request-date\torder-id\tshipped-quantity\tremoval-fee\n"
        "2024-11-01T00:00:00+00:00\tR1\t3\t0.97\n"
    )
    parsed = parse_report(
        text, report_type=REMOVALS.report_type, marketplace_id="ATVPDKIKX0DER"
    )
    assert parsed.table_name == "removal_orders"
    assert parsed.rows[0]["shipped_quantity"] == 3
    assert parsed.rows[0]["row_key"] == "R1|2024-11-01T00:00:00+00:00"


def test_ledger_detail_schema_types() -> None:
    schema = REPORT_SPECS["GET_LEDGER_DETAIL_VIEW_DATA"].arrow_schema
    assert schema.field("date").type == pa.date32()
    assert schema.field("occurred_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("quantity").type == pa.int64()
    assert schema.field("reconciled_quantity").nullable
    assert not schema.field("quantity").nullable
    assert schema.field("source_line").type == pa.int32()
    assert schema.names[-2:] == ["row_key", "source_line"]


def test_reimbursement_money_is_string() -> None:
    schema = REPORT_SPECS["GET_FBA_REIMBURSEMENTS_DATA"].arrow_schema
    assert schema.field("amount_total").type == pa.string()
    assert schema.field("approval_date_raw").type == pa.string()


def test_ledger_summary_schema_names() -> None:
    schema = REPORT_SPECS["GET_LEDGER_SUMMARY_VIEW_DATA"].arrow_schema
    assert schema.names[:3] == ["date", "date_raw", "fnsku"]
    assert schema.field("warehouse_transfer_in_out").type == pa.int64()
    assert schema.field("location").type == pa.string()


@pytest.mark.parametrize(
    "columns",
    [
        (Column("a", "A"), Column("a", "B")),
        (Column("n", "N", Kind.INT, required=False),),
        (Column("t", "T", Kind.TIMESTAMP, fallback="d"), Column("d", "D", Kind.DATE)),
        (
            Column("d", "D", Kind.DATE, nullable=True),
            Column("t", "T", Kind.TIMESTAMP, fallback="d"),
        ),
    ],
    ids=[
        "repeated-name",
        "optional-not-nullable",
        "later-fallback",
        "nullable-fallback",
    ],
)
def test_inconsistent_declaration_rejected(columns: tuple[Column, ...]) -> None:
    with pytest.raises(ValueError, match="TEST_REPORT"):
        ReportSpec("TEST_REPORT", "test", columns, join_fields("a"))
