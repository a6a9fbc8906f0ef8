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
REIMBURSEMENTS = "reimbursements"

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
