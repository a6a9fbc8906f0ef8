"""DuckDB SQL that selects the candidate rows of each rule from the report tables.

The queries run over the views that `detection.tables.register_tables` created.
They filter millions of rows down to the few that matter (by event type, reason code
and FNSKU) and return them as small typed records for the matching in Python.
Timestamps leave DuckDB as epoch microseconds so that no session time zone can
shift them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from detection.valuation import AmazonEstimate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Values are compared in normalized forms. Reason codes lose their spaces and are
# upper-cased. Event types and reimbursement reasons lose spaces and underscores
# and are lower-cased, so "Adjustments" and "adjustments" are the same.
_WAREHOUSE_CANDIDATES_SQL = """
CREATE OR REPLACE TEMP TABLE warehouse_candidates AS
WITH adjustments AS (
    SELECT
        row_key, source_line, epoch_us(occurred_at) AS occurred_us, fnsku,
        coalesce(asin, '') AS asin, coalesce(msku, '') AS msku,
        coalesce(title, '') AS title, coalesce(reference_id, '') AS reference_id,
        quantity, coalesce(fulfillment_center, '') AS fulfillment_center,
        upper(replace(reason, ' ', '')) AS reason_code, unreconciled_quantity
    FROM ledger_detail
    WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'adjustments'
      AND fnsku IS NOT NULL AND fnsku <> ''
),
candidates AS (
    SELECT * FROM adjustments
    WHERE (list_contains($loss_codes, reason_code) AND quantity < 0)
       OR (list_contains($found_codes, reason_code) AND quantity > 0)
       OR (list_contains($correction_codes, reason_code) AND quantity <> 0)
)
SELECT * FROM candidates
WHERE fnsku IN (
    SELECT fnsku FROM candidates
    WHERE list_contains($loss_codes, reason_code) AND quantity < 0
      AND occurred_us >= $loss_since_us
)
"""

# The rows with one of the requested reasons.
_WAREHOUSE_REIMBURSEMENTS_SQL = """
CREATE OR REPLACE TEMP TABLE warehouse_reimbursements AS
WITH keyed AS (
    SELECT
        row_key, source_line, epoch_us(approval_date) AS approval_us,
        coalesce(reimbursement_id, '') AS reimbursement_id,
        nullif(trim(case_id), '') AS case_id, coalesce(reason, '') AS reason,
        lower(replace(replace(reason, ' ', ''), '_', '')) AS reason_key,
        coalesce(sku, '') AS sku, fnsku, quantity_reimbursed_total,
        nullif(trim(original_reimbursement_id), '') AS original_reimbursement_id
    FROM reimbursements
    WHERE fnsku IN (SELECT fnsku FROM warehouse_candidates)
)
SELECT * FROM keyed
WHERE list_contains($reasons, reason_key)
"""

# Stored tables never repeat a row_key, but tables handed in directly may. The
# check is a cheap count, and only a table with repeats pays for the rewrite.
_HAS_REPEATED_KEYS_SQL = 'SELECT count(*) <> count(DISTINCT row_key) FROM "{table}"'
_DROP_REPEATED_KEYS_SQL = """
CREATE OR REPLACE TEMP TABLE "{table}" AS
SELECT * FROM "{table}"
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
"""

# The candidate ledger rows and the reimbursements netted of their reversals, as
# one stream by FNSKU and time, with the columns the matching needs. A reversal
# points back through original_reimbursement_id to the rows with that
# reimbursement_id and FNSKU. The earliest of them absorb the reversed units
# first, as `net_reversals` does for records in Python, and `reversed` marks the
# earliest, which lists the reversals as evidence. Ledger rows come before
# reimbursements at the same time, line and key. `units` is the loss or credit
# size, after reversals for reimbursements, and `code` the ledger reason code or
# the reimbursement reason key.
_WAREHOUSE_STREAM_SQL = """
WITH reversed AS (
    SELECT original_reimbursement_id AS reimbursement_id, fnsku,
           greatest(-sum(quantity_reimbursed_total), 0) AS reversed_units
    FROM warehouse_reimbursements
    WHERE reason_key = $reversal_key AND original_reimbursement_id IS NOT NULL
    GROUP BY ALL
),
originals AS (
    SELECT
        rowid AS record_id, fnsku, approval_us, source_line, row_key, reason_key,
        reimbursement_id, quantity_reimbursed_total,
        greatest(quantity_reimbursed_total, 0) AS paid,
        coalesce(sum(greatest(quantity_reimbursed_total, 0)) OVER earlier, 0)
            AS paid_before,
        row_number() OVER chronological AS position
    FROM warehouse_reimbursements
    WHERE reason_key <> $reversal_key
    WINDOW chronological AS (
        PARTITION BY reimbursement_id, fnsku
        ORDER BY approval_us, source_line, row_key
    ),
    earlier AS (
        chronological ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    )
)
SELECT fnsku, origin, occurred_us, record_id, quantity, units, code, reversed
FROM (
    SELECT
        fnsku, 0 AS origin, occurred_us, rowid AS record_id, quantity,
        abs(quantity) AS units, reason_code AS code, false AS reversed,
        source_line, row_key
    FROM warehouse_candidates
    UNION ALL
    SELECT
        o.fnsku, 1, o.approval_us, o.record_id, o.quantity_reimbursed_total,
        o.paid - least(
            o.paid, greatest(coalesce(r.reversed_units, 0) - o.paid_before, 0)
        ),
        o.reason_key,
        o.position = 1 AND r.reimbursement_id IS NOT NULL,
        o.source_line, o.row_key
    FROM originals AS o LEFT JOIN reversed AS r USING (reimbursement_id, fnsku)
)
ORDER BY fnsku, occurred_us, source_line, row_key, origin
"""

# The whole candidate rows with the given row keys, fields in declaration order.
_WAREHOUSE_LEDGER_DETAILS_SQL = """
SELECT
    rowid, row_key, source_line, occurred_us, fnsku, asin, msku, title,
    reference_id, quantity, fulfillment_center, reason_code, unreconciled_quantity
FROM warehouse_candidates
WHERE rowid IN (SELECT unnest($record_ids::BIGINT[]))
"""

_WAREHOUSE_REIMBURSEMENT_DETAILS_SQL = """
SELECT
    rowid, row_key, source_line, approval_us, reimbursement_id, case_id, reason,
    reason_key, sku, fnsku, quantity_reimbursed_total, original_reimbursement_id
FROM warehouse_reimbursements
WHERE rowid IN (SELECT unnest($record_ids::BIGINT[]))
"""

# The reversal rows that point back to the given reimbursement ids, in the order
# they are listed as evidence.
_WAREHOUSE_REVERSALS_SQL = """
SELECT
    row_key, source_line, approval_us, reimbursement_id, case_id, reason,
    reason_key, sku, fnsku, quantity_reimbursed_total, original_reimbursement_id
FROM warehouse_reimbursements
WHERE reason_key = $reversal_key
  AND list_contains($original_ids, original_reimbursement_id)
ORDER BY fnsku, approval_us, source_line, row_key
"""

# Amazon's estimate of a unit's value: the amount per unit of the latest row with
# units reimbursed, whatever its reason (latest by approval date, then row_key).
_LATEST_ESTIMATES_SQL = """
SELECT
    fnsku,
    arg_max(
        struct_pack(
            amount := trim(amount_per_unit), currency := currency_unit,
            approval_us := epoch_us(approval_date), id := reimbursement_id
        ),
        struct_pack(approval_date, row_key)
    ) AS latest
FROM reimbursements
WHERE fnsku IN (SELECT fnsku FROM warehouse_candidates)
  AND quantity_reimbursed_total > 0
  AND TRY_CAST(trim(amount_per_unit) AS DECIMAL(38, 10)) > 0
  AND approval_date IS NOT NULL
GROUP BY fnsku
"""

FROM_LEDGER = 0
"""`origin` of the stream rows from the ledger."""
FROM_REIMBURSEMENTS = 1
"""`origin` of the stream rows from the reimbursements."""


@dataclass(frozen=True, slots=True)
class LedgerAdjustment:
    """An Adjustments row of the ledger; `reason_code` is upper case without spaces."""

    row_key: str
    source_line: int
    occurred_at: datetime
    fnsku: str
    asin: str
    msku: str
    title: str
    reference_id: str
    quantity: int
    fulfillment_center: str
    reason_code: str
    unreconciled_quantity: int | None


@dataclass(frozen=True, slots=True)
class ReimbursementRecord:
    """A reimbursements row; `reason_key` is its reason in normalized form."""

    row_key: str
    source_line: int
    approval_date: datetime
    reimbursement_id: str
    case_id: str | None
    reason: str
    reason_key: str
    sku: str
    fnsku: str
    quantity: int
    original_reimbursement_id: str | None


@dataclass(frozen=True, slots=True)
class MatchingColumns:
    """The columns of the stream that the matching needs, one list per column."""

    fnskus: list[str]
    origins: list[int]
    moments_us: list[int]
    record_ids: list[int]
    """The row's rowid in its temporary table, which `records` reads it by."""
    quantities: list[int]
    units: list[int]
    codes: list[str]
    reversed: list[bool]


class WarehouseRows:
    """Candidate rows of the warehouse rules, limited to FNSKUs with a loss.

    The loss, found and correction ledger rows and the reimbursement rows stay in
    temporary DuckDB tables. The matching reads a few columns of every row
    (`columns`), and `records` reads whole rows only for the positions that make
    findings and resolutions.
    """

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, reversal_key: str
    ) -> None:
        self._connection = connection
        self._reversal_key = reversal_key
        table = connection.sql(
            _WAREHOUSE_STREAM_SQL, params={"reversal_key": reversal_key}
        ).to_arrow_table()
        self.columns = MatchingColumns(
            *(column.to_pylist() for column in table.columns)
        )
        self.estimates = _fetch_estimates(connection)
        """Amazon's latest amount per unit, by FNSKU."""

    def reversals(
        self, originals: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], list[ReimbursementRecord]]:
        """Return the reversal rows of each (reimbursement id, FNSKU) in `originals`."""
        found: dict[tuple[str, str], list[ReimbursementRecord]] = {}
        if not originals:
            return found
        ids = sorted({reimbursement_id for reimbursement_id, _ in originals})
        for row in self._connection.execute(
            _WAREHOUSE_REVERSALS_SQL,
            {"reversal_key": self._reversal_key, "original_ids": ids},
        ).fetchall():
            record = _reimbursement_from_row(row)
            key = (str(record.original_reimbursement_id), record.fnsku)
            if key in originals:
                found.setdefault(key, []).append(record)
        return found

    def records(
        self, positions: Collection[int]
    ) -> dict[int, LedgerAdjustment | ReimbursementRecord]:
        """Return the ledger or reimbursement row at each stream position."""
        columns = self.columns
        requested: dict[tuple[int, int], int] = {
            (columns.origins[position], columns.record_ids[position]): position
            for position in positions
        }
        found: dict[int, LedgerAdjustment | ReimbursementRecord] = {}
        queries = (
            (FROM_LEDGER, _WAREHOUSE_LEDGER_DETAILS_SQL, _adjustment_from_row),
            (
                FROM_REIMBURSEMENTS,
                _WAREHOUSE_REIMBURSEMENT_DETAILS_SQL,
                _reimbursement_from_row,
            ),
        )
        for origin, sql, build in queries:
            ids = sorted(record for kind, record in requested if kind == origin)
            if not ids:
                continue
            for row in self._connection.execute(sql, {"record_ids": ids}).fetchall():
                found[requested[(origin, row[0])]] = build(row[1:])
        return found


@contextmanager
def warehouse_rows(
    connection: duckdb.DuckDBPyConnection,
    *,
    loss_codes: Collection[str],
    found_codes: Collection[str],
    correction_codes: Collection[str],
    reimbursement_reasons: Collection[str],
    reversal_key: str,
    loss_since: datetime,
) -> Iterator[WarehouseRows]:
    """Select the ledger and reimbursement rows that lost or damaged claims need.

    Ledger rows are Adjustments with a loss code and a negative quantity, a found
    code and a positive quantity, or a correction code and any non-zero quantity.
    Codes are compared in upper case without spaces, and reimbursement reasons in
    lower case without spaces or underscores; `reversal_key` is the reason of
    reversals. Only FNSKUs with at least one loss row at or after `loss_since` are
    kept, with all their rows of any date, because the first-in first-out matching
    needs every earlier loss and credit. A row_key seen twice is read once. The
    temporary tables are dropped when the block ends.
    """
    connection.execute(
        _WAREHOUSE_CANDIDATES_SQL,
        {
            "loss_codes": sorted(loss_codes),
            "found_codes": sorted(found_codes),
            "correction_codes": sorted(correction_codes),
            "loss_since_us": to_epoch_us(loss_since),
        },
    )
    try:
        _drop_repeated_keys(connection, "warehouse_candidates")
        connection.execute(
            _WAREHOUSE_REIMBURSEMENTS_SQL,
            {"reasons": sorted({*reimbursement_reasons, reversal_key})},
        )
        _drop_repeated_keys(connection, "warehouse_reimbursements")
        yield WarehouseRows(connection, reversal_key)
    finally:
        connection.execute("DROP TABLE IF EXISTS warehouse_reimbursements")
        connection.execute("DROP TABLE IF EXISTS warehouse_candidates")


def _drop_repeated_keys(connection: duckdb.DuckDBPyConnection, table: str) -> None:
    """Keep the first row (by source_line) of each row_key of a temporary table."""
    # The table names are the fixed temporary tables of this module.
    rows = connection.execute(_HAS_REPEATED_KEYS_SQL.format(table=table)).fetchall()
    if rows[0][0]:
        connection.execute(_DROP_REPEATED_KEYS_SQL.format(table=table))


def _fetch_estimates(
    connection: duckdb.DuckDBPyConnection,
) -> dict[str, AmazonEstimate]:
    estimates: dict[str, AmazonEstimate] = {}
    for fnsku, latest in connection.execute(_LATEST_ESTIMATES_SQL).fetchall():
        estimates[fnsku] = AmazonEstimate(
            amount_per_unit=Decimal(latest["amount"]),
            currency=(latest["currency"] or "").strip(),
            approval_date=from_epoch_us(latest["approval_us"]),
            reimbursement_id=latest["id"] or "",
        )
    return estimates


def _adjustment_from_row(row: tuple[Any, ...]) -> LedgerAdjustment:
    # The query returns the fields in declaration order, text nulls as "".
    return LedgerAdjustment(row[0], row[1], from_epoch_us(row[2]), *row[3:])


def _reimbursement_from_row(row: tuple[Any, ...]) -> ReimbursementRecord:
    # The query returns the fields in declaration order, blank ids as None.
    return ReimbursementRecord(row[0], row[1], from_epoch_us(row[2]), *row[3:])


def from_epoch_us(value: int) -> datetime:
    """Return the aware UTC datetime of `value` microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def to_epoch_us(moment: datetime) -> int:
    """Return the microseconds since the epoch of an aware datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
