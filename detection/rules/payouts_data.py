"""DuckDB selection of the reimbursement, ledger, return and refund rows that the
payout rules (underpaid_reimbursement, reversal_without_return) judge."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from detection.rules.payout_rows import PAYOUT_COLUMNS_SQL, PayoutRow, payout_from_row
from detection.sales import from_epoch_us

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Every reimbursement row once by row_key, in PayoutRow columns, for the two
# queries below. The f-string only inserts the constant column list
# PAYOUT_COLUMNS_SQL.
_PAYOUT_TABLE_SQL = f"""
CREATE OR REPLACE TEMP TABLE payouts_keyed AS
SELECT {PAYOUT_COLUMNS_SQL}
FROM reimbursements
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
"""  # noqa: S608

# Reimbursements approved since `since`, with the given reasons and cash units,
# and the reversals that point back to them.
_PAID_SQL = """
WITH originals AS (
    SELECT * FROM payouts_keyed
    WHERE list_contains($reasons, reason_key) AND cash_quantity > 0
      AND approval_us >= $since_us
)
SELECT * FROM originals
UNION ALL
SELECT * FROM payouts_keyed
WHERE reason_key = 'reimbursementreversal'
  AND original_reimbursement_id IN (SELECT reimbursement_id FROM originals)
ORDER BY approval_us, source_line, row_key
"""

# Reversals approved since `since`, then every row they point back to.
_REVERSALS_SQL = """
WITH reversals AS (
    SELECT * FROM payouts_keyed
    WHERE reason_key = 'reimbursementreversal'
      AND original_reimbursement_id IS NOT NULL AND quantity < 0
      AND approval_us >= $since_us
)
SELECT * FROM reversals
UNION ALL
SELECT * FROM payouts_keyed
WHERE reason_key <> 'reimbursementreversal'
  AND reimbursement_id IN (SELECT original_reimbursement_id FROM reversals)
ORDER BY approval_us, source_line, row_key
"""

_SKU_SALES_SQL = """
SELECT trim(sku), trim(order_id),
       min(epoch_us(coalesce(posted_date_time, posted_date))) AS posted_us
FROM settlements
WHERE lower(replace(transaction_type, ' ', '')) = 'order'
  AND lower(replace(amount_type, ' ', '')) = 'itemprice'
  AND lower(replace(amount_description, ' ', '')) = 'principal'
  AND trim(sku) IN (SELECT unnest($skus))
  AND nullif(trim(order_id), '') IS NOT NULL
  AND epoch_us(coalesce(posted_date_time, posted_date)) BETWEEN $from_us AND $to_us
GROUP BY 1, 2
ORDER BY 1, posted_us
"""

# Ledger Adjustments of the given FNSKUs with one of the given reason codes.
_LEDGER_CODES_SQL = """
SELECT fnsku, epoch_us(occurred_at), quantity, upper(replace(reason, ' ', '')), row_key,
       source_line
FROM ledger_detail
WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'adjustments'
  AND fnsku IN (SELECT unnest($fnskus))
  AND list_contains($codes, upper(replace(reason, ' ', '')))
  AND occurred_at IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
ORDER BY fnsku, occurred_at, source_line
"""

_ORDER_RETURNS_SQL = """
SELECT trim(order_id), coalesce(trim(sku), ''), coalesce(trim(fnsku), ''),
       count(DISTINCT row_key)
FROM customer_returns
WHERE trim(order_id) IN (SELECT unnest($orders))
GROUP BY 1, 2, 3
"""

_ORDER_REFUNDS_SQL = """
SELECT trim(order_id), trim(sku), min(epoch_us(coalesce(posted_date_time, posted_date)))
FROM settlements
WHERE lower(replace(transaction_type, ' ', '')) = 'refund'
  AND lower(replace(amount_type, ' ', '')) = 'itemprice'
  AND lower(replace(amount_description, ' ', '')) = 'principal'
  AND trim(order_id) IN (SELECT unnest($orders))
  AND coalesce(posted_date_time, posted_date) IS NOT NULL
GROUP BY 1, 2
"""


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """A ledger Adjustments row; `reason_code` is upper case without spaces."""

    fnsku: str
    occurred_at: datetime
    quantity: int
    reason_code: str
    row_key: str
    source_line: int


def create_payout_table(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary table of reimbursement rows that `fetch_paid_rows` and
    `fetch_reversal_rows` read, so the report is scanned once."""
    connection.execute(_PAYOUT_TABLE_SQL)


def drop_payout_table(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the table of `create_payout_table`."""
    connection.execute("DROP TABLE IF EXISTS payouts_keyed")


def fetch_paid_rows(
    connection: duckdb.DuckDBPyConnection, reasons: Collection[str], since: datetime
) -> list[PayoutRow]:
    """Select cash reimbursements with the reasons since `since`, with reversals."""
    parameters = {"reasons": sorted(reasons), "since_us": to_epoch_us(since)}
    return [
        payout_from_row(row)
        for row in connection.execute(_PAID_SQL, parameters).fetchall()
    ]


def fetch_reversal_rows(
    connection: duckdb.DuckDBPyConnection, since: datetime
) -> list[PayoutRow]:
    """Select reversals approved since `since` and the rows they point back to."""
    parameters = {"since_us": to_epoch_us(since)}
    return [
        payout_from_row(row)
        for row in connection.execute(_REVERSALS_SQL, parameters).fetchall()
    ]


def fetch_sku_sales(
    connection: duckdb.DuckDBPyConnection,
    skus: Collection[str],
    start: datetime,
    end: datetime,
) -> dict[str, list[tuple[datetime, str]]]:
    """Return the (posted_at, order_id) of each SKU's sales between start and end."""
    sales: dict[str, list[tuple[datetime, str]]] = {}
    if not skus:
        return sales
    parameters = {
        "skus": sorted(skus),
        "from_us": to_epoch_us(start),
        "to_us": to_epoch_us(end),
    }
    for sku, order_id, posted_us in connection.execute(
        _SKU_SALES_SQL, parameters
    ).fetchall():
        sales.setdefault(sku, []).append((from_epoch_us(posted_us), order_id))
    return sales


def fetch_ledger_events(
    connection: duckdb.DuckDBPyConnection,
    fnskus: Collection[str],
    codes: Collection[str],
) -> dict[str, list[LedgerEvent]]:
    """Return the Adjustments rows of the FNSKUs with the codes, by FNSKU and time."""
    events: dict[str, list[LedgerEvent]] = {}
    if not fnskus:
        return events
    parameters = {"fnskus": sorted(fnskus), "codes": sorted(codes)}
    for row in connection.execute(_LEDGER_CODES_SQL, parameters).fetchall():
        event = _ledger_event(row)
        events.setdefault(event.fnsku, []).append(event)
    return events


def fetch_order_returns(
    connection: duckdb.DuckDBPyConnection, orders: Collection[str]
) -> dict[str, list[tuple[str, str, int]]]:
    """Return the (sku, fnsku, returned units) of each order's customer returns."""
    returns: dict[str, list[tuple[str, str, int]]] = {}
    if not orders:
        return returns
    for order_id, sku, fnsku, units in connection.execute(
        _ORDER_RETURNS_SQL, {"orders": sorted(orders)}
    ).fetchall():
        returns.setdefault(order_id, []).append((sku, fnsku, int(units)))
    return returns


def fetch_order_refunds(
    connection: duckdb.DuckDBPyConnection, orders: Collection[str]
) -> dict[tuple[str, str], datetime]:
    """Return the first refund of each (order_id, sku) of the orders."""
    if not orders:
        return {}
    return {
        (order_id, sku): from_epoch_us(posted_us)
        for order_id, sku, posted_us in connection.execute(
            _ORDER_REFUNDS_SQL, {"orders": sorted(orders)}
        ).fetchall()
    }


def _ledger_event(row: tuple[Any, ...]) -> LedgerEvent:
    fnsku, occurred_us, quantity, code, row_key, line = row
    return LedgerEvent(
        fnsku, from_epoch_us(occurred_us), int(quantity or 0), code or "", row_key, line
    )


def to_epoch_us(moment: datetime) -> int:
    """Return a moment as DuckDB epoch microseconds."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
