"""Registration of the normalized report tables as DuckDB views.

Each table is checked for the columns the rules read. A missing table, or an Arrow
table without columns, becomes an empty table with those columns so every query runs
the same way on no data.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from detection.models import TableSource

logger = logging.getLogger(__name__)

LEDGER_DETAIL = "ledger_detail"
LEDGER_SUMMARY = "ledger_summary"
REIMBURSEMENTS = "reimbursements"
CUSTOMER_RETURNS = "customer_returns"
REMOVAL_ORDERS = "removal_orders"
REMOVAL_SHIPMENTS = "removal_shipments"
FEE_PREVIEW = "fee_preview"
SETTLEMENTS = "settlements"
ORDERS = "orders"
INBOUND_SHIPMENTS = "inbound_shipments"
INBOUND_SHIPMENT_ITEMS = "inbound_shipment_items"

# The Amazon source of each table, for messages about what is missing.
TABLE_SOURCES: Mapping[str, str] = {
    LEDGER_DETAIL: "GET_LEDGER_DETAIL_VIEW_DATA",
    LEDGER_SUMMARY: "GET_LEDGER_SUMMARY_VIEW_DATA",
    REIMBURSEMENTS: "GET_FBA_REIMBURSEMENTS_DATA",
    CUSTOMER_RETURNS: "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    REMOVAL_ORDERS: "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
    REMOVAL_SHIPMENTS: "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
    FEE_PREVIEW: "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    SETTLEMENTS: "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
    ORDERS: "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    INBOUND_SHIPMENTS: "Fulfillment Inbound API shipments",
    INBOUND_SHIPMENT_ITEMS: "Fulfillment Inbound API shipment items",
}

# Columns the rules read, with the DuckDB type used for an empty stand-in table.
REQUIRED_COLUMNS: Mapping[str, Mapping[str, str]] = {
    LEDGER_DETAIL: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "occurred_at": "TIMESTAMPTZ",
        "fnsku": "VARCHAR",
        "asin": "VARCHAR",
        "msku": "VARCHAR",
        "title": "VARCHAR",
        "event_type": "VARCHAR",
        "reference_id": "VARCHAR",
        "quantity": "BIGINT",
        "fulfillment_center": "VARCHAR",
        "reason": "VARCHAR",
        "unreconciled_quantity": "BIGINT",
    },
    REIMBURSEMENTS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "approval_date": "TIMESTAMPTZ",
        "reimbursement_id": "VARCHAR",
        "case_id": "VARCHAR",
        "reason": "VARCHAR",
        "sku": "VARCHAR",
        "fnsku": "VARCHAR",
        "currency_unit": "VARCHAR",
        "amount_per_unit": "VARCHAR",
        "quantity_reimbursed_total": "BIGINT",
        "original_reimbursement_id": "VARCHAR",
        "amazon_order_id": "VARCHAR",
        "quantity_reimbursed_cash": "BIGINT",
    },
    LEDGER_SUMMARY: {
        "row_key": "VARCHAR",
        "date": "DATE",
        "fnsku": "VARCHAR",
        "msku": "VARCHAR",
        "disposition": "VARCHAR",
        "found": "BIGINT",
        "lost": "BIGINT",
        "damaged": "BIGINT",
        "disposed": "BIGINT",
        "ending_warehouse_balance": "BIGINT",
    },
    CUSTOMER_RETURNS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "return_date": "TIMESTAMPTZ",
        "order_id": "VARCHAR",
        "sku": "VARCHAR",
        "asin": "VARCHAR",
        "fnsku": "VARCHAR",
        "product_name": "VARCHAR",
        "quantity": "BIGINT",
        "fulfillment_center_id": "VARCHAR",
        "detailed_disposition": "VARCHAR",
        "reason": "VARCHAR",
        "status": "VARCHAR",
        "license_plate_number": "VARCHAR",
    },
    REMOVAL_ORDERS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "request_date": "TIMESTAMPTZ",
        "order_id": "VARCHAR",
        "order_type": "VARCHAR",
        "order_status": "VARCHAR",
        "last_updated_date": "TIMESTAMPTZ",
        "sku": "VARCHAR",
        "fnsku": "VARCHAR",
        "disposition": "VARCHAR",
        "requested_quantity": "BIGINT",
        "cancelled_quantity": "BIGINT",
        "disposed_quantity": "BIGINT",
        "shipped_quantity": "BIGINT",
        "in_process_quantity": "BIGINT",
        "removal_fee": "VARCHAR",
        "currency": "VARCHAR",
    },
    REMOVAL_SHIPMENTS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "request_date": "TIMESTAMPTZ",
        "order_id": "VARCHAR",
        "shipment_date": "TIMESTAMPTZ",
        "sku": "VARCHAR",
        "fnsku": "VARCHAR",
        "disposition": "VARCHAR",
        "shipped_quantity": "BIGINT",
        "carrier": "VARCHAR",
        "tracking_number": "VARCHAR",
        "removal_order_type": "VARCHAR",
    },
    FEE_PREVIEW: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "sku": "VARCHAR",
        "fnsku": "VARCHAR",
        "asin": "VARCHAR",
        "product_name": "VARCHAR",
        "currency": "VARCHAR",
        "longest_side": "VARCHAR",
        "median_side": "VARCHAR",
        "shortest_side": "VARCHAR",
        "unit_of_dimension": "VARCHAR",
        "item_package_weight": "VARCHAR",
        "unit_of_weight": "VARCHAR",
        "product_size_tier": "VARCHAR",
        "expected_fulfillment_fee_per_unit": "VARCHAR",
    },
    SETTLEMENTS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "settlement_id": "VARCHAR",
        "currency": "VARCHAR",
        "transaction_type": "VARCHAR",
        "order_id": "VARCHAR",
        "adjustment_id": "VARCHAR",
        "shipment_id": "VARCHAR",
        "marketplace_name": "VARCHAR",
        "amount_type": "VARCHAR",
        "amount_description": "VARCHAR",
        "amount": "VARCHAR",
        "posted_date": "TIMESTAMPTZ",
        "posted_date_time": "TIMESTAMPTZ",
        "order_item_code": "VARCHAR",
        "sku": "VARCHAR",
        "quantity_purchased": "BIGINT",
    },
    ORDERS: {
        "row_key": "VARCHAR",
        "source_line": "INTEGER",
        "amazon_order_id": "VARCHAR",
        "purchase_date": "TIMESTAMPTZ",
        "last_updated_date": "TIMESTAMPTZ",
        "order_status": "VARCHAR",
        "fulfillment_channel": "VARCHAR",
        "sku": "VARCHAR",
        "asin": "VARCHAR",
        "quantity": "BIGINT",
        "currency": "VARCHAR",
        "item_price": "VARCHAR",
    },
    INBOUND_SHIPMENTS: {
        "row_key": "VARCHAR",
        "shipment_id": "VARCHAR",
        "shipment_name": "VARCHAR",
        "shipment_status": "VARCHAR",
        "destination_fulfillment_center_id": "VARCHAR",
        "marketplace_id": "VARCHAR",
        "observed_at": "TIMESTAMPTZ",
    },
    INBOUND_SHIPMENT_ITEMS: {
        "row_key": "VARCHAR",
        "shipment_id": "VARCHAR",
        "seller_sku": "VARCHAR",
        "fulfillment_network_sku": "VARCHAR",
        "quantity_shipped": "BIGINT",
        "quantity_received": "BIGINT",
        "observed_at": "TIMESTAMPTZ",
    },
}


def register_tables(
    connection: duckdb.DuckDBPyConnection, sources: Mapping[str, TableSource]
) -> dict[str, int]:
    """Register each source as a view named after its table and count its rows.

    Raises ValueError when a table lacks a column of REQUIRED_COLUMNS, or names an
    unknown table, and FileNotFoundError when a Parquet path does not exist.
    Returns the row count by table name.
    """
    rows: dict[str, int] = {}
    for name, source in sources.items():
        if name not in REQUIRED_COLUMNS:
            known = sorted(REQUIRED_COLUMNS)
            raise ValueError(f"unknown table {name!r}; known tables: {known}")
        rows[name] = _register_table(connection, name, source)
    return rows


def _register_table(
    connection: duckdb.DuckDBPyConnection, name: str, source: TableSource
) -> int:
    if source is None or (isinstance(source, pa.Table) and source.num_columns == 0):
        _create_empty_table(connection, name)
        return 0

    if isinstance(source, pa.Table):
        connection.register(name, source)
    else:
        path = Path(os.fspath(source))
        if not path.is_file():
            raise FileNotFoundError(
                f"Parquet file for table {name!r} not found: {path}"
            )
        connection.read_parquet(str(path)).create_view(name)

    _check_columns(name, connection.table(name).columns)
    # The name is one of the fixed table names in REQUIRED_COLUMNS.
    query = f'SELECT count(*) FROM "{name}"'  # noqa: S608
    rows = int(connection.execute(query).fetchall()[0][0])
    logger.debug("registered table %s with %d rows", name, rows)
    return rows


def _create_empty_table(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    columns = ", ".join(
        f'"{column}" {column_type}'
        for column, column_type in REQUIRED_COLUMNS[name].items()
    )
    connection.execute(f'CREATE TEMP TABLE "{name}" ({columns})')


def _check_columns(name: str, columns: list[str]) -> None:
    present = set(columns)
    for column in REQUIRED_COLUMNS[name]:
        if column not in present:
            raise ValueError(
                f"table {name!r} is missing required column {column!r}; "
                f"columns present: {sorted(present)}"
            )
