"""Benchmark of run_detection over a generated ledger of about a million rows.

Run on demand from the repository root (it is not a test):

    .venv/bin/python -m bench.bench_detection [--rows 1000000] [--repeat 3]

The script generates a ledger_detail and a reimbursements table with DuckDB
(deterministic hashes of the row number, so every run builds the same data),
writes them as Parquet into a temporary directory and reads them back as Arrow
tables. It times run_detection on the Arrow tables and on the Parquet files, and
a baseline in the same process: a plain DuckDB count of the Adjustments rows of
the same Arrow table. It prints the median of each, the ratio to the baseline and
the rows scanned per second.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from detection import DetectionInput, DetectionResult, run_detection

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
FNSKU_COUNT = 20_000

# Event types by share of rows: about 7% are Adjustments, as in a seller's ledger
# where shipments dominate.
_LEDGER_SQL = """
COPY (
    WITH numbered AS (
        SELECT
            i,
            hash(i, 'event') % 100 AS event_bucket,
            hash(i, 'reason') % 100 AS reason_bucket,
            hash(i, 'fnsku') % $fnskus AS product
        FROM range($rows) AS r(i)
    )
    SELECT
        CAST(occurred_at AS DATE) AS date,
        strftime(occurred_at, '%m/%d/%Y') AS date_raw,
        occurred_at,
        strftime(occurred_at, '%Y-%m-%dT%H:%M:%S+0000') AS occurred_at_raw,
        'X' || lpad(CAST(product AS VARCHAR), 9, '0') AS fnsku,
        'B' || lpad(CAST(product AS VARCHAR), 9, '0') AS asin,
        'SKU-' || CAST(product AS VARCHAR) AS msku,
        'Product ' || CAST(product AS VARCHAR) AS title,
        event_type,
        CAST(hash(i, 'reference') % 100000000 AS VARCHAR) AS reference_id,
        CASE
            WHEN event_type <> 'Adjustments' THEN -1
            WHEN reason IN ('F', 'N', 'P', '4') THEN 1
            ELSE -1 - CAST(hash(i, 'units') % 3 AS BIGINT)
        END AS quantity,
        'FC' || CAST(hash(i, 'fc') % 40 AS VARCHAR) AS fulfillment_center,
        'SELLABLE' AS disposition,
        reason,
        'US' AS country,
        CAST(NULL AS BIGINT) AS reconciled_quantity,
        CASE WHEN hash(i, 'cap') % 10 = 0 THEN 1 END AS unreconciled_quantity,
        CAST(NULL AS VARCHAR) AS store,
        sha256(CAST(i AS VARCHAR)) AS row_key,
        CAST(i + 2 AS INTEGER) AS source_line
    FROM (
        SELECT
            *,
            TIMESTAMPTZ '2024-12-01 00:00:00+00'
                + to_seconds(CAST(hash(i, 'time') % 47000000 AS BIGINT))
                AS occurred_at,
            CASE
                WHEN event_bucket < 70 THEN 'Shipments'
                WHEN event_bucket < 80 THEN 'CustomerReturns'
                WHEN event_bucket < 90 THEN 'Receipts'
                WHEN event_bucket < 93 THEN 'WhseTransfers'
                ELSE 'Adjustments'
            END AS event_type,
            CASE
                WHEN event_bucket < 93 THEN ''
                WHEN reason_bucket < 25 THEN 'M'
                WHEN reason_bucket < 30 THEN '5'
                WHEN reason_bucket < 40 THEN 'E'
                WHEN reason_bucket < 45 THEN 'H'
                WHEN reason_bucket < 60 THEN 'F'
                WHEN reason_bucket < 65 THEN 'N'
                WHEN reason_bucket < 70 THEN 'O'
                WHEN reason_bucket < 80 THEN 'P'
                WHEN reason_bucket < 85 THEN 'Q'
                WHEN reason_bucket < 90 THEN '4'
                WHEN reason_bucket < 95 THEN 'D'
                ELSE 'Z'
            END AS reason
        FROM numbered
    )
) TO '{path}' (FORMAT parquet)
"""

_REIMBURSEMENTS_SQL = """
COPY (
    SELECT
        approval_date,
        strftime(approval_date, '%Y-%m-%dT%H:%M:%S+00:00') AS approval_date_raw,
        CAST(3000000000 + i AS VARCHAR) AS reimbursement_id,
        CAST(NULL AS VARCHAR) AS case_id,
        CAST(NULL AS VARCHAR) AS amazon_order_id,
        reason,
        'SKU-' || CAST(product AS VARCHAR) AS sku,
        'X' || lpad(CAST(product AS VARCHAR), 9, '0') AS fnsku,
        'B' || lpad(CAST(product AS VARCHAR), 9, '0') AS asin,
        'Product ' || CAST(product AS VARCHAR) AS product_name,
        'New' AS condition,
        'USD' AS currency_unit,
        CAST(5 + hash(i, 'price') % 40 AS VARCHAR) || '.99' AS amount_per_unit,
        CAST(NULL AS VARCHAR) AS amount_total,
        quantity AS quantity_reimbursed_cash,
        CAST(0 AS BIGINT) AS quantity_reimbursed_inventory,
        quantity AS quantity_reimbursed_total,
        CASE WHEN quantity < 0 THEN CAST(3000000000 + i - 1 AS VARCHAR) END
            AS original_reimbursement_id,
        CASE WHEN quantity < 0 THEN 'Lost_Warehouse' END
            AS original_reimbursement_type,
        CAST(3000000000 + i AS VARCHAR) || '|' || reason AS row_key,
        CAST(i + 2 AS INTEGER) AS source_line
    FROM (
        SELECT
            i,
            hash(i, 'fnsku') % $fnskus AS product,
            TIMESTAMPTZ '2024-12-01 00:00:00+00'
                + to_seconds(CAST(hash(i, 'time') % 47000000 AS BIGINT))
                AS approval_date,
            CASE
                WHEN hash(i, 'reason') % 10 < 5 THEN 'Lost_Warehouse'
                WHEN hash(i, 'reason') % 10 < 7 THEN 'Damaged_Warehouse'
                WHEN hash(i, 'reason') % 10 < 9 THEN 'CustomerReturn'
                ELSE 'Reimbursement_Reversal'
            END AS reason,
            CASE WHEN hash(i, 'reason') % 10 = 9 THEN -1 ELSE 1 END AS quantity
        FROM range($rows) AS r(i)
    )
) TO '{path}' (FORMAT parquet)
"""


def generate(directory: Path, ledger_rows: int) -> tuple[Path, Path]:
    """Write the generated ledger and reimbursements (5% as many rows) as Parquet."""
    ledger_path = directory / "ledger_detail.parquet"
    reimbursements_path = directory / "reimbursements.parquet"
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(
            _LEDGER_SQL.format(path=ledger_path),
            {"rows": ledger_rows, "fnskus": FNSKU_COUNT},
        )
        connection.execute(
            _REIMBURSEMENTS_SQL.format(path=reimbursements_path),
            {"rows": max(ledger_rows // 20, 1), "fnskus": FNSKU_COUNT},
        )
    finally:
        connection.close()
    return ledger_path, reimbursements_path


def count_adjustments(table: pa.Table) -> int:
    """Baseline: count the Adjustments rows of the Arrow table with DuckDB."""
    connection = duckdb.connect(":memory:")
    try:
        connection.register("ledger_detail", table)
        query = "SELECT count(*) FROM ledger_detail WHERE event_type = 'Adjustments'"
        return int(connection.execute(query).fetchall()[0][0])
    finally:
        connection.close()


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Run `action` `repeat` times and return the median wall time in seconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    """Generate the data, time the runs and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="ledger rows to generate"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per case (median)"
    )
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-detection-") as name:
        ledger_path, reimbursements_path = generate(Path(name), arguments.rows)
        ledger = pq.read_table(ledger_path)
        reimbursements = pq.read_table(reimbursements_path)
        from_tables = DetectionInput(
            ledger_detail=ledger, reimbursements=reimbursements, as_of=AS_OF
        )
        from_files = DetectionInput(
            ledger_detail=ledger_path, reimbursements=reimbursements_path, as_of=AS_OF
        )

        repeat = arguments.repeat
        result: DetectionResult = run_detection(from_tables)
        baseline = median_seconds(lambda: count_adjustments(ledger), repeat)
        arrow_time = median_seconds(lambda: run_detection(from_tables), repeat)
        parquet_time = median_seconds(lambda: run_detection(from_files), repeat)

    scanned = sum(result.rows_scanned.values())
    print(f"rows scanned: {result.rows_scanned}")
    print(f"findings: {len(result.findings)}, resolved: {len(result.resolved)}")
    print(f"baseline (DuckDB count of Adjustments rows): {baseline:.3f} s")
    cases = (("Arrow tables", arrow_time), ("Parquet files", parquet_time))
    for label, seconds in cases:
        print(
            f"run_detection on {label}: {seconds:.3f} s, "
            f"{seconds / baseline:.1f}x baseline, {scanned / seconds:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
