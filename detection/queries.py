"""DuckDB SQL that selects the candidate rows of each rule from the report tables.

The queries run over the views that `detection.tables.register_tables` created.
They filter millions of rows down to the few that matter (by event type, reason code
and FNSKU) and return them as small typed records for the matching in Python.
Timestamps leave DuckDB as epoch microseconds so that no session time zone can
shift them.
"""

from __future__ import annotations

from collections.abc import Collection
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
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
)
SELECT * FROM candidates
WHERE fnsku IN (
    SELECT fnsku FROM candidates
    WHERE list_contains($loss_codes, reason_code) AND quantity < 0
)
"""

_WAREHOUSE_ADJUSTMENTS_SQL = """
SELECT
    row_key, source_line, occurred_us, fnsku, asin, msku, title, reference_id,
    quantity, fulfillment_center, reason_code, unreconciled_quantity
FROM warehouse_candidates
ORDER BY fnsku, occurred_us, source_line, row_key
"""

_WAREHOUSE_REIMBURSEMENTS_SQL = """
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
SELECT
    row_key, source_line, approval_us, reimbursement_id, case_id, reason,
    reason_key, sku, fnsku, quantity_reimbursed_total, original_reimbursement_id
FROM keyed
WHERE list_contains($reasons, reason_key)
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
ORDER BY fnsku, approval_us, source_line, row_key
"""

# Amazon's estimate of a unit's value: the amount per unit of the latest row with
# units reimbursed, whatever its reason.
_LATEST_ESTIMATES_SQL = """
SELECT fnsku, trim(amount_per_unit), currency_unit, epoch_us(approval_date),
       reimbursement_id
FROM reimbursements
WHERE fnsku IN (SELECT fnsku FROM warehouse_candidates)
  AND quantity_reimbursed_total > 0
  AND TRY_CAST(trim(amount_per_unit) AS DECIMAL(38, 10)) > 0
QUALIFY row_number() OVER (
    PARTITION BY fnsku ORDER BY approval_date DESC, row_key DESC
) = 1
"""


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
class WarehouseRows:
    """Candidate rows of the warehouse rules, limited to FNSKUs with a loss."""

    adjustments: list[LedgerAdjustment]
    """Loss, found and correction rows, by FNSKU and time."""
    reimbursements: list[ReimbursementRecord]
    """Reimbursement rows with one of the requested reasons, by FNSKU and time."""
    estimates: dict[str, AmazonEstimate]
    """Amazon's latest amount per unit, by FNSKU."""


def fetch_warehouse_rows(
    connection: duckdb.DuckDBPyConnection,
    *,
    loss_codes: Collection[str],
    found_codes: Collection[str],
    correction_codes: Collection[str],
    reimbursement_reasons: Collection[str],
) -> WarehouseRows:
    """Select the ledger and reimbursement rows that lost or damaged claims need.

    Ledger rows are Adjustments with a loss code and a negative quantity, a found
    code and a positive quantity, or a correction code and any non-zero quantity.
    Codes are compared in upper case without spaces, and reimbursement reasons in
    lower case without spaces or underscores. Only FNSKUs with at least one loss row
    are kept, and a row_key seen twice is read once.
    """
    connection.execute(
        _WAREHOUSE_CANDIDATES_SQL,
        {
            "loss_codes": sorted(loss_codes),
            "found_codes": sorted(found_codes),
            "correction_codes": sorted(correction_codes),
        },
    )
    adjustments = [
        _adjustment_from_row(row)
        for row in connection.execute(_WAREHOUSE_ADJUSTMENTS_SQL).fetchall()
    ]
    reimbursements = [
        _reimbursement_from_row(row)
        for row in connection.execute(
            _WAREHOUSE_REIMBURSEMENTS_SQL, {"reasons": sorted(reimbursement_reasons)}
        ).fetchall()
    ]
    estimates = _fetch_estimates(connection)
    connection.execute("DROP TABLE warehouse_candidates")
    return WarehouseRows(adjustments, reimbursements, estimates)


def _fetch_estimates(
    connection: duckdb.DuckDBPyConnection,
) -> dict[str, AmazonEstimate]:
    estimates: dict[str, AmazonEstimate] = {}
    for fnsku, amount, currency, approval_us, reimbursement_id in connection.execute(
        _LATEST_ESTIMATES_SQL
    ).fetchall():
        estimates[fnsku] = AmazonEstimate(
            amount_per_unit=Decimal(amount),
            currency=(currency or "").strip(),
            approval_date=_from_epoch_us(approval_us),
            reimbursement_id=reimbursement_id or "",
        )
    return estimates


def _adjustment_from_row(row: tuple[Any, ...]) -> LedgerAdjustment:
    # The query returns the fields in declaration order, text nulls as "".
    return LedgerAdjustment(row[0], row[1], _from_epoch_us(row[2]), *row[3:])


def _reimbursement_from_row(row: tuple[Any, ...]) -> ReimbursementRecord:
    # The query returns the fields in declaration order, blank ids as None.
    return ReimbursementRecord(row[0], row[1], _from_epoch_us(row[2]), *row[3:])


def _from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)
