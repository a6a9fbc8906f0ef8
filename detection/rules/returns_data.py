"""DuckDB selection of the refund, return and restock rows the return rules judge.

Refunds are settlement rows of transaction type Refund, amount type ItemPrice and
description Principal. Refunded units are counted per refund adjustment (the
adjustment id, else the row): quantity-purchased when filled, else the refunded
Principal divided by the unit price of the sale rounded to whole units (at least
1), else 1. A partial refund for one of two units so counts once. The units of
an order item are capped by the units sold when the sale is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import duckdb

from detection.rules.payout_rows import (
    CUSTOMER_RETURN_KEY,
    CUSTOMER_SERVICE_KEY,
    PAYOUT_COLUMNS_SQL,
    PayoutRow,
    payout_from_row,
)
from detection.sales import from_epoch_us

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SETTLEMENTS_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
RETURNS_REPORT = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
LEDGER_REPORT = "GET_LEDGER_DETAIL_VIEW_DATA"

# Dispositions in upper case without spaces or underscores. DAMAGED and
# CARRIER_DAMAGED are Amazon's (or its carrier's) fault. CUSTOMER_DAMAGED,
# DEFECTIVE, EXPIRED and the rest are the seller's to remove and never selected.
AMAZON_DAMAGED_DISPOSITIONS = ("DAMAGED", "CARRIERDAMAGED")
SELLABLE_DISPOSITION = "SELLABLE"

# Returns older than this are past every claim window, which closes at most 18
# months after the refund, so they are not read.
_HORIZON_DAYS = 600
# A return whose refunded units were all back may still close an earlier finding
# when it arrived after the earliest day any return window opens.
_EARLIEST_OPENING_DAYS = 45

_REFUND_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE returns_refund_rows AS
SELECT
    row_key, source_line, trim(order_id) AS order_id, trim(sku) AS sku,
    coalesce(nullif(trim(adjustment_id), ''), row_key) AS adjustment,
    TRY_CAST(trim(amount) AS DECIMAL(38, 10)) AS amount,
    quantity_purchased,
    epoch_us(coalesce(posted_date_time, posted_date)) AS posted_us,
    coalesce(trim(currency), '') AS currency
FROM settlements
WHERE lower(replace(transaction_type, ' ', '')) = 'refund'
  AND lower(replace(amount_type, ' ', '')) = 'itemprice'
  AND lower(replace(amount_description, ' ', '')) = 'principal'
  AND nullif(trim(order_id), '') IS NOT NULL
  AND nullif(trim(sku), '') IS NOT NULL
  AND coalesce(posted_date_time, posted_date) IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
"""

_REFUND_GROUPS_SQL = """
WITH sold AS (
    SELECT
        trim(order_id) AS order_id, trim(sku) AS sku,
        sum(TRY_CAST(trim(amount) AS DECIMAL(38, 10))) AS principal,
        sum(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS units
    FROM settlements
    WHERE lower(replace(transaction_type, ' ', '')) = 'order'
      AND lower(replace(amount_type, ' ', '')) = 'itemprice'
      AND lower(replace(amount_description, ' ', '')) = 'principal'
      AND trim(order_id) IN (SELECT order_id FROM returns_refund_rows)
    GROUP BY 1, 2
),
ordered AS (
    SELECT
        trim(amazon_order_id) AS order_id, trim(sku) AS sku, quantity,
        TRY_CAST(trim(item_price) AS DECIMAL(38, 10)) AS item_price
    FROM orders
    WHERE trim(amazon_order_id) IN (SELECT order_id FROM returns_refund_rows)
    QUALIFY row_number() OVER (
        PARTITION BY trim(amazon_order_id), trim(sku)
        ORDER BY last_updated_date DESC NULLS LAST, source_line DESC, row_key DESC
    ) = 1
),
sale AS (
    SELECT
        coalesce(sold.order_id, ordered.order_id) AS order_id,
        coalesce(sold.sku, ordered.sku) AS sku,
        CASE WHEN sold.principal > 0 THEN coalesce(sold.units, ordered.quantity)
             WHEN ordered.item_price > 0 THEN ordered.quantity END AS units,
        CASE WHEN sold.principal > 0
                 THEN sold.principal / coalesce(sold.units, ordered.quantity, 1)
             WHEN ordered.item_price > 0 AND ordered.quantity > 0
                 THEN ordered.item_price / ordered.quantity END AS unit_price
    FROM sold FULL OUTER JOIN ordered USING (order_id, sku)
),
adjustments AS (
    SELECT
        order_id, sku, adjustment, -sum(amount) AS refunded,
        sum(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS quantity,
        min(posted_us) AS posted_us
    FROM returns_refund_rows
    GROUP BY order_id, sku, adjustment
),
refunds AS (
    SELECT
        adjustments.order_id, adjustments.sku,
        sum(CASE
            WHEN adjustments.quantity IS NOT NULL THEN adjustments.quantity
            WHEN sale.unit_price > 0 AND adjustments.refunded > 0
                THEN greatest(1, round(adjustments.refunded / sale.unit_price))
            ELSE 1 END) AS units,
        any_value(sale.units) AS sold_units,
        min(adjustments.posted_us) AS first_refund_us
    FROM adjustments
    LEFT JOIN sale USING (order_id, sku)
    GROUP BY adjustments.order_id, adjustments.sku
),
returned AS (
    SELECT
        trim(order_id) AS order_id, trim(sku) AS sku,
        sum(greatest(coalesce(quantity, 1), 1)) AS units,
        max(epoch_us(return_date)) AS last_return_us,
        max(fnsku) AS fnsku, max(asin) AS asin, max(product_name) AS product_name
    FROM (
        SELECT * FROM customer_returns
        WHERE trim(order_id) IN (SELECT order_id FROM returns_refund_rows)
        QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
    )
    GROUP BY 1, 2
)
SELECT
    refunds.order_id, refunds.sku,
    CAST(least(refunds.units, coalesce(refunds.sold_units, refunds.units)) AS BIGINT)
        AS units,
    refunds.first_refund_us, coalesce(returned.units, 0) AS returned_units,
    coalesce(returned.fnsku, '') AS fnsku, coalesce(returned.asin, '') AS asin,
    coalesce(returned.product_name, '') AS product_name
FROM refunds
LEFT JOIN returned USING (order_id, sku)
WHERE least(refunds.units, coalesce(refunds.sold_units, refunds.units))
        > coalesce(returned.units, 0)
   OR returned.last_return_us
        > refunds.first_refund_us + $earliest_opening_us
ORDER BY refunds.order_id, refunds.sku
"""

_REFUND_EVIDENCE_SQL = """
SELECT row_key, source_line, order_id, sku, adjustment, amount, quantity_purchased,
       posted_us
FROM returns_refund_rows
WHERE order_id IN (SELECT unnest($orders))
ORDER BY order_id, sku, posted_us, source_line
"""

# Every CustomerReturns ledger row that put units back in stock. The candidate
# and free-restock queries below both read it, so the ledger is scanned once.
_RESTOCK_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE returns_restock_rows AS
SELECT row_key, source_line, fnsku, reference_id,
       epoch_us(occurred_at) AS at_us, CAST(quantity AS BIGINT) AS quantity
FROM ledger_detail
WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'customerreturns'
  AND quantity > 0
"""

# Damaged returns, and sellable ones with no CustomerReturns ledger row of the
# FNSKU that names the order and is dated from `lookback` before the return to
# `restock_days` after it.
_CANDIDATES_SQL = """
CREATE OR REPLACE TEMP TABLE returns_candidates AS
WITH returns AS (
    SELECT
        row_key, source_line, epoch_us(return_date) AS return_us,
        coalesce(trim(order_id), '') AS order_id, coalesce(trim(sku), '') AS sku,
        coalesce(asin, '') AS asin, coalesce(trim(fnsku), '') AS fnsku,
        coalesce(product_name, '') AS product_name,
        CAST(greatest(coalesce(quantity, 1), 1) AS BIGINT) AS quantity,
        coalesce(fulfillment_center_id, '') AS fulfillment_center,
        coalesce(upper(replace(replace(detailed_disposition, ' ', ''), '_', '')), '')
            AS disposition,
        coalesce(license_plate_number, '') AS license_plate_number
    FROM customer_returns
    WHERE return_date IS NOT NULL AND epoch_us(return_date) >= $horizon_us
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
restocks AS (
    SELECT fnsku, trim(reference_id) AS reference_id, at_us
    FROM returns_restock_rows
),
candidates AS (
    SELECT * FROM returns
    WHERE list_contains($damaged, disposition)
       OR (disposition = $sellable AND NOT EXISTS (
           SELECT 1 FROM restocks
           WHERE restocks.fnsku = returns.fnsku
             AND restocks.reference_id = returns.order_id
             AND restocks.at_us BETWEEN returns.return_us - $lookback_us
                 AND returns.return_us + $restock_us
       ))
),
first_refund AS (
    SELECT order_id, sku, min(posted_us) AS refund_us
    FROM returns_refund_rows
    GROUP BY order_id, sku
)
SELECT
    candidates.*, first_refund.refund_us,
    CAST(fdiv(coalesce(first_refund.refund_us, candidates.return_us), $day_us)
        AS BIGINT) AS anchor_day
FROM candidates
LEFT JOIN first_refund USING (order_id, sku)
"""

# The sellable candidates the restock matching needs, in matching order.
_SELLABLE_SQL = """
SELECT row_key, fnsku, return_us, quantity
FROM returns_candidates
WHERE disposition = $sellable
ORDER BY fnsku, return_us, source_line, row_key
"""

_ANCHOR_DAYS_SQL = "SELECT DISTINCT anchor_day FROM returns_candidates"

# Every candidate of the order items with a row whose case may count from one of
# the given UTC days.
_CANDIDATE_ROWS_SQL = """
WITH items AS (
    SELECT DISTINCT order_id, sku FROM returns_candidates
    WHERE list_contains($days, anchor_day)
)
SELECT row_key, source_line, return_us, order_id, sku, asin, fnsku, product_name,
       quantity, fulfillment_center, disposition, license_plate_number, refund_us
FROM returns_candidates
SEMI JOIN items USING (order_id, sku)
ORDER BY fnsku, return_us, source_line, row_key
"""

# CustomerReturns ledger rows of the FNSKUs of sellable candidates that name no
# returned order, so they may be the restock of any return of the FNSKU.
_FREE_RESTOCKS_SQL = """
WITH fnskus AS (
    SELECT DISTINCT fnsku FROM returns_candidates WHERE disposition = $sellable
)
SELECT fnsku, at_us, quantity
FROM returns_restock_rows
WHERE fnsku IN (SELECT fnsku FROM fnskus)
  AND coalesce(trim(reference_id), '') NOT IN (
      SELECT DISTINCT trim(order_id) FROM customer_returns
      WHERE fnsku IN (SELECT fnsku FROM fnskus) AND order_id IS NOT NULL
  )
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
ORDER BY fnsku, at_us, source_line, row_key
"""

# CustomerReturn and CustomerServiceIssue reimbursements of every order with a
# refund or a candidate return, and the reversals that point back to them. The
# f-string only inserts the constant column list PAYOUT_COLUMNS_SQL.
_ORDER_PAYOUTS_SQL = f"""
WITH keyed AS (
    SELECT {PAYOUT_COLUMNS_SQL}
    FROM reimbursements
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
orders AS (
    SELECT order_id FROM returns_refund_rows
    UNION
    SELECT order_id FROM returns_candidates WHERE order_id <> ''
),
originals AS (
    SELECT * FROM keyed
    WHERE list_contains($reasons, reason_key)
      AND order_id IN (SELECT order_id FROM orders)
)
SELECT * FROM originals
UNION ALL
SELECT * FROM keyed
WHERE reason_key = 'reimbursementreversal'
  AND original_reimbursement_id IN (SELECT reimbursement_id FROM originals)
ORDER BY approval_us, source_line, row_key
"""  # noqa: S608

_TEMP_TABLES = ("returns_refund_rows", "returns_restock_rows", "returns_candidates")


@dataclass(frozen=True, slots=True)
class RefundGroup:
    """The refunds of one order item, with the units returned for it."""

    order_id: str
    sku: str
    units: int
    refunded_us: int
    """The first refund of the item, in epoch microseconds: its claim window
    counts from here."""
    returned_units: int
    fnsku: str
    asin: str
    product_name: str

    @property
    def refunded_at(self) -> datetime:
        """The first refund of the item."""
        return from_epoch_us(self.refunded_us)


@dataclass(frozen=True, slots=True)
class RefundRow:
    """One settlement Refund Principal row, for the evidence."""

    row_key: str
    source_line: int
    order_id: str
    sku: str
    adjustment: str
    amount: Decimal | None
    quantity: int | None
    posted_at: datetime


class ReturnRow(NamedTuple):
    """One customer_returns row; `disposition` is upper case without separators.

    Times stay epoch microseconds, as DuckDB returns them, and become datetimes
    only for the rows that make a case.
    """

    row_key: str
    source_line: int
    returned_us: int
    order_id: str
    sku: str
    asin: str
    fnsku: str
    product_name: str
    quantity: int
    fulfillment_center: str
    disposition: str
    license_plate_number: str
    refunded_us: int | None
    """The first refund of the order item, when the settlement has one."""

    @property
    def returned_at(self) -> datetime:
        """When the customer return was recorded."""
        return from_epoch_us(self.returned_us)

    @property
    def refunded_at(self) -> datetime | None:
        """The first refund of the order item, when the settlement has one."""
        return None if self.refunded_us is None else from_epoch_us(self.refunded_us)


class SellableReturn(NamedTuple):
    """The fields of a sellable candidate return that the restock matching reads."""

    row_key: str
    fnsku: str
    returned_us: int
    quantity: int


class RestockRow(NamedTuple):
    """A CustomerReturns ledger row that put returned units back in stock."""

    fnsku: str
    occurred_us: int
    quantity: int


@dataclass(frozen=True, slots=True)
class ReturnRows:
    """Every candidate row of the return rules."""

    refunds: list[RefundGroup]
    sellable: list[SellableReturn]
    """Every sellable return not restocked under its order, by FNSKU, return
    time, source line and row key."""
    restocks: list[RestockRow]
    """Restocks that name no returned order, of the FNSKUs of sellable returns,
    by FNSKU, time, source line and row key."""
    payouts: list[PayoutRow]
    """CustomerReturn and CustomerServiceIssue rows of the candidate orders, and
    the reversals that point back to them."""
    anchor_days: list[int]
    """The UTC days (days since 1970-01-01) the return cases may count from."""


def fetch_return_rows(
    connection: duckdb.DuckDBPyConnection,
    *,
    as_of: datetime,
    lookback: timedelta,
    restock_days: int,
) -> ReturnRows:
    """Select refunds, unrestocked sellable returns, restocks and payouts.

    Leaves the temporary tables that `fetch_candidates` and `fetch_refund_rows`
    read; call `drop_return_tables` when done.
    """
    connection.execute(_REFUND_ROWS_SQL)
    connection.execute(_RESTOCK_ROWS_SQL)
    refunds = [
        _refund_group(row)
        for row in connection.execute(
            _REFUND_GROUPS_SQL,
            {"earliest_opening_us": _days_us(_EARLIEST_OPENING_DAYS)},
        ).fetchall()
    ]
    connection.execute(
        _CANDIDATES_SQL,
        {
            "horizon_us": _to_epoch_us(as_of) - _days_us(_HORIZON_DAYS),
            "damaged": list(AMAZON_DAMAGED_DISPOSITIONS),
            "sellable": SELLABLE_DISPOSITION,
            "lookback_us": int(lookback.total_seconds() * 1_000_000),
            "restock_us": _days_us(restock_days),
            "day_us": _days_us(1),
        },
    )
    parameters = {"sellable": SELLABLE_DISPOSITION}
    sellable = list(
        map(
            SellableReturn._make,
            connection.execute(_SELLABLE_SQL, parameters).fetchall(),
        )
    )
    restocks = list(
        map(
            RestockRow._make,
            connection.execute(_FREE_RESTOCKS_SQL, parameters).fetchall(),
        )
    )
    payouts = [
        payout_from_row(row)
        for row in connection.execute(
            _ORDER_PAYOUTS_SQL,
            {"reasons": [CUSTOMER_RETURN_KEY, CUSTOMER_SERVICE_KEY]},
        ).fetchall()
    ]
    anchor_days = [day for (day,) in connection.execute(_ANCHOR_DAYS_SQL).fetchall()]
    return ReturnRows(refunds, sellable, restocks, payouts, anchor_days)


def fetch_candidates(
    connection: duckdb.DuckDBPyConnection, days: list[int]
) -> list[ReturnRow]:
    """Return every candidate of the order items with a row whose return case
    counts from one of `days`, by FNSKU, return time, source line and row key.

    Reads the temporary table that `fetch_return_rows` created.
    """
    if not days:
        return []
    result = connection.execute(_CANDIDATE_ROWS_SQL, {"days": days}).fetchall()
    return list(map(ReturnRow._make, result))


def fetch_refund_rows(
    connection: duckdb.DuckDBPyConnection, orders: list[str]
) -> dict[tuple[str, str], list[RefundRow]]:
    """Return the Refund Principal rows of the orders by (order_id, sku), for the
    evidence. Reads the temporary table that `fetch_return_rows` created."""
    rows: dict[tuple[str, str], list[RefundRow]] = {}
    if not orders:
        return rows
    result = connection.execute(_REFUND_EVIDENCE_SQL, {"orders": orders}).fetchall()
    for key, line, order_id, sku, adjustment, amount, quantity, posted_us in result:
        refund = RefundRow(
            key,
            line,
            order_id,
            sku,
            adjustment,
            None if amount is None else Decimal(amount),
            quantity,
            from_epoch_us(posted_us),
        )
        rows.setdefault((order_id, sku), []).append(refund)
    return rows


def drop_return_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables of `fetch_return_rows`."""
    for table in _TEMP_TABLES:
        # The names are the constants of _TEMP_TABLES.
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def _refund_group(row: tuple[Any, ...]) -> RefundGroup:
    order_id, sku, units, first_us, returned, fnsku, asin, name = row
    return RefundGroup(
        order_id, sku, int(units), first_us, int(returned), fnsku, asin, name
    )


def _days_us(days: int) -> int:
    return days * 86_400 * 1_000_000


def _to_epoch_us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)
