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
from typing import Any

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

# Damaged returns, and sellable ones with no CustomerReturns ledger row of the
# FNSKU that names the order and is dated from `lookback` before the return to
# `restock_days` after it.
_RETURN_ROWS_SQL = """
WITH returns AS (
    SELECT
        row_key, source_line, epoch_us(return_date) AS return_us,
        coalesce(trim(order_id), '') AS order_id, coalesce(trim(sku), '') AS sku,
        coalesce(asin, '') AS asin, coalesce(trim(fnsku), '') AS fnsku,
        coalesce(product_name, '') AS product_name,
        greatest(coalesce(quantity, 1), 1) AS quantity,
        coalesce(fulfillment_center_id, '') AS fulfillment_center,
        upper(replace(replace(detailed_disposition, ' ', ''), '_', ''))
            AS disposition,
        coalesce(license_plate_number, '') AS license_plate_number
    FROM customer_returns
    WHERE return_date IS NOT NULL AND epoch_us(return_date) >= $horizon_us
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
restocks AS (
    SELECT fnsku, trim(reference_id) AS reference_id, epoch_us(occurred_at) AS at_us
    FROM ledger_detail
    WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'customerreturns'
      AND quantity > 0
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
SELECT candidates.*, first_refund.refund_us
FROM candidates
LEFT JOIN first_refund USING (order_id, sku)
ORDER BY fnsku, return_us, source_line, row_key
"""

# CustomerReturns ledger rows of the given FNSKUs that name no returned order, so
# they may be the restock of any return of the FNSKU.
_FREE_RESTOCKS_SQL = """
SELECT row_key, source_line, epoch_us(occurred_at) AS at_us, fnsku,
       coalesce(reference_id, '') AS reference_id, quantity
FROM ledger_detail
WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'customerreturns'
  AND quantity > 0
  AND fnsku IN (SELECT unnest($fnskus))
  AND coalesce(trim(reference_id), '') NOT IN (
      SELECT DISTINCT trim(order_id) FROM customer_returns
      WHERE fnsku IN (SELECT unnest($fnskus)) AND order_id IS NOT NULL
  )
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
ORDER BY fnsku, at_us, source_line, row_key
"""

# The f-string only inserts the constant column list PAYOUT_COLUMNS_SQL.
_ORDER_PAYOUTS_SQL = f"""
WITH keyed AS (
    SELECT {PAYOUT_COLUMNS_SQL}
    FROM reimbursements
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
originals AS (
    SELECT * FROM keyed
    WHERE list_contains($reasons, reason_key)
      AND order_id IN (SELECT unnest($orders))
)
SELECT * FROM originals
UNION ALL
SELECT * FROM keyed
WHERE reason_key = 'reimbursementreversal'
  AND original_reimbursement_id IN (SELECT reimbursement_id FROM originals)
ORDER BY approval_us, source_line, row_key
"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class RefundGroup:
    """The refunds of one order item, with the units returned for it."""

    order_id: str
    sku: str
    units: int
    refunded_at: datetime
    """The first refund of the item: its claim window counts from here."""
    returned_units: int
    fnsku: str
    asin: str
    product_name: str


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


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """One customer_returns row; `disposition` is upper case without separators."""

    row_key: str
    source_line: int
    returned_at: datetime
    order_id: str
    sku: str
    asin: str
    fnsku: str
    product_name: str
    quantity: int
    fulfillment_center: str
    disposition: str
    license_plate_number: str
    refunded_at: datetime | None
    """The first refund of the order item, when the settlement has one."""


@dataclass(frozen=True, slots=True)
class RestockRow:
    """A CustomerReturns ledger row that put returned units back in stock."""

    row_key: str
    source_line: int
    occurred_at: datetime
    fnsku: str
    reference_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ReturnRows:
    """Every candidate row of the return rules."""

    refunds: list[RefundGroup]
    refund_rows: dict[tuple[str, str], list[RefundRow]]
    returns: list[ReturnRow]
    """Damaged returns and sellable returns not restocked under their order."""
    restocks: list[RestockRow]
    payouts: list[PayoutRow]
    """CustomerReturn and CustomerServiceIssue rows of the candidate orders, and
    the reversals that point back to them."""


def fetch_return_rows(
    connection: duckdb.DuckDBPyConnection,
    *,
    as_of: datetime,
    lookback: timedelta,
    restock_days: int,
) -> ReturnRows:
    """Select refunds, damaged or unrestocked returns and their payouts."""
    connection.execute(_REFUND_ROWS_SQL)
    try:
        refunds = [
            _refund_group(row)
            for row in connection.execute(
                _REFUND_GROUPS_SQL,
                {"earliest_opening_us": _days_us(_EARLIEST_OPENING_DAYS)},
            ).fetchall()
        ]
        refund_orders = sorted({group.order_id for group in refunds})
        refund_rows = _refund_evidence(connection, refund_orders)
        returns = [
            _return_row(row)
            for row in connection.execute(
                _RETURN_ROWS_SQL,
                {
                    "horizon_us": _to_epoch_us(as_of) - _days_us(_HORIZON_DAYS),
                    "damaged": list(AMAZON_DAMAGED_DISPOSITIONS),
                    "sellable": SELLABLE_DISPOSITION,
                    "lookback_us": int(lookback.total_seconds() * 1_000_000),
                    "restock_us": _days_us(restock_days),
                },
            ).fetchall()
        ]
    finally:
        connection.execute("DROP TABLE IF EXISTS returns_refund_rows")

    sellable_fnskus = sorted(
        {row.fnsku for row in returns if row.disposition == SELLABLE_DISPOSITION}
    )
    restocks = _free_restocks(connection, sellable_fnskus)
    orders = sorted(set(refund_orders) | {row.order_id for row in returns})
    payouts = [
        payout_from_row(row)
        for row in connection.execute(
            _ORDER_PAYOUTS_SQL,
            {
                "reasons": [CUSTOMER_RETURN_KEY, CUSTOMER_SERVICE_KEY],
                "orders": [order for order in orders if order],
            },
        ).fetchall()
    ]
    return ReturnRows(refunds, refund_rows, returns, restocks, payouts)


def _refund_evidence(
    connection: duckdb.DuckDBPyConnection, orders: list[str]
) -> dict[tuple[str, str], list[RefundRow]]:
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


def _free_restocks(
    connection: duckdb.DuckDBPyConnection, fnskus: list[str]
) -> list[RestockRow]:
    if not fnskus:
        return []
    return [
        RestockRow(key, line, from_epoch_us(at_us), fnsku, reference, int(quantity))
        for key, line, at_us, fnsku, reference, quantity in connection.execute(
            _FREE_RESTOCKS_SQL, {"fnskus": fnskus}
        ).fetchall()
    ]


def _refund_group(row: tuple[Any, ...]) -> RefundGroup:
    order_id, sku, units, first_us, returned, fnsku, asin, name = row
    return RefundGroup(
        order_id,
        sku,
        int(units),
        from_epoch_us(first_us),
        int(returned),
        fnsku,
        asin,
        name,
    )


def _return_row(row: tuple[Any, ...]) -> ReturnRow:
    refund_us = row[12]
    return ReturnRow(
        row_key=row[0],
        source_line=row[1],
        returned_at=from_epoch_us(row[2]),
        order_id=row[3],
        sku=row[4],
        asin=row[5],
        fnsku=row[6],
        product_name=row[7],
        quantity=int(row[8]),
        fulfillment_center=row[9],
        disposition=row[10] or "",
        license_plate_number=row[11],
        refunded_at=None if refund_us is None else from_epoch_us(refund_us),
    )


def _days_us(days: int) -> int:
    return days * 86_400 * 1_000_000


def _to_epoch_us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)
