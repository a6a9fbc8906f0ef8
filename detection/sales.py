"""Sale values of sold units: sale price, fees and net proceeds per order item.

Amazon reimburses a unit lost after a customer order (refunded but never returned,
returned damaged by Amazon, or a customer-service case) at its sale price minus
fees. The settlement report gives both: the Order rows of an order item carry the
Principal (the price) and the fees Amazon withheld (Commission and the FBA
fulfilment fees). When an order has no settlement row yet, the orders report's
item price is used and the fees are unknown, so taken as zero.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import duckdb

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PER_UNIT = Decimal("0.0001")

SaleSource = Literal["settlement", "orders"]

# Settlement values are compared in lower case with spaces and underscores
# removed. Fees are the ItemFees rows named Commission or starting with FBA
# (FBAPerUnitFulfillmentFee, FBAPerOrderFulfillmentFee, FBAWeightBasedFee).
# Signs follow the seller's view: the Principal of a sale is positive and a fee
# withheld is negative, so the fees are the negated sum.
_SALE_VALUES_SQL = """
WITH order_rows AS (
    SELECT
        trim(order_id) AS order_id, trim(sku) AS sku,
        nullif(trim(currency), '') AS currency,
        lower(replace(replace(amount_type, ' ', ''), '_', '')) AS amount_type_key,
        lower(replace(replace(amount_description, ' ', ''), '_', ''))
            AS description_key,
        TRY_CAST(trim(amount) AS DECIMAL(38, 10)) AS amount,
        quantity_purchased,
        epoch_us(coalesce(posted_date_time, posted_date)) AS posted_us
    FROM settlements
    WHERE lower(replace(transaction_type, ' ', '')) = 'order'
      AND nullif(trim(order_id), '') IS NOT NULL
      AND nullif(trim(sku), '') IS NOT NULL
      AND (NOT $filtered OR trim(order_id) IN (SELECT unnest($orders)))
),
settled AS (
    SELECT
        order_id, sku, max(currency) AS currency,
        sum(amount) FILTER (
            WHERE amount_type_key = 'itemprice' AND description_key = 'principal'
        ) AS principal,
        coalesce(-sum(amount) FILTER (
            WHERE amount_type_key = 'itemfees'
              AND (description_key = 'commission' OR description_key LIKE 'fba%')
        ), 0) AS fees,
        sum(quantity_purchased) FILTER (
            WHERE amount_type_key = 'itemprice' AND description_key = 'principal'
              AND quantity_purchased > 0
        ) AS units,
        min(posted_us) AS posted_us
    FROM order_rows
    GROUP BY order_id, sku
),
ordered AS (
    SELECT
        trim(amazon_order_id) AS order_id, trim(sku) AS sku,
        nullif(trim(currency), '') AS currency,
        TRY_CAST(trim(item_price) AS DECIMAL(38, 10)) AS item_price,
        quantity, epoch_us(purchase_date) AS purchase_us,
        lower(coalesce(order_status, '')) AS status
    FROM orders
    WHERE nullif(trim(amazon_order_id), '') IS NOT NULL
      AND nullif(trim(sku), '') IS NOT NULL
      AND (NOT $filtered OR trim(amazon_order_id) IN (SELECT unnest($orders)))
    QUALIFY row_number() OVER (
        PARTITION BY trim(amazon_order_id), trim(sku)
        ORDER BY last_updated_date DESC NULLS LAST, source_line DESC, row_key DESC
    ) = 1
)
SELECT
    settled.order_id, settled.sku,
    coalesce(settled.units, ordered.quantity, 1) AS units,
    settled.principal, settled.fees,
    coalesce(settled.currency, ordered.currency, '') AS currency,
    coalesce(settled.posted_us, ordered.purchase_us) AS posted_us,
    'settlement' AS source
FROM settled
LEFT JOIN ordered USING (order_id, sku)
WHERE settled.principal > 0
UNION ALL
SELECT
    ordered.order_id, ordered.sku, ordered.quantity, ordered.item_price, 0,
    coalesce(ordered.currency, ''), ordered.purchase_us, 'orders'
FROM ordered
WHERE ordered.item_price > 0 AND ordered.quantity > 0
  AND ordered.status <> 'cancelled'
  AND NOT EXISTS (
      SELECT 1 FROM settled
      WHERE settled.order_id = ordered.order_id AND settled.sku = ordered.sku
        AND settled.principal > 0
  )
"""


@dataclass(frozen=True, slots=True)
class SaleValue:
    """The per-unit proceeds of one order item (an order id and a seller SKU)."""

    order_id: str
    sku: str
    units: int
    """Units sold: quantity-purchased of the Principal rows, else the order's
    quantity, else 1."""
    principal: Decimal
    """Sale price per unit, before fees."""
    fees: Decimal
    """Commission and FBA fees per unit, as a positive number."""
    net: Decimal
    """principal - fees: the value Amazon pays for a unit lost after the order."""
    currency: str
    posted_at: datetime
    """When the sale posted in the settlement, or the purchase date from orders."""
    source: SaleSource
    """settlement, or orders when no settlement row exists (fees unknown, zero)."""

    @property
    def fees_known(self) -> bool:
        """True when the fees come from the settlement, not assumed zero."""
        return self.source == "settlement"


def sale_values(
    connection: duckdb.DuckDBPyConnection,
    order_ids: Collection[str] | None = None,
) -> dict[tuple[str, str], SaleValue]:
    """Return the sale value of each order item, keyed by (order_id, sku).

    Reads the settlements Order rows and, for items without a settlement Principal,
    the latest orders row (cancelled orders and blank prices skipped). Per-unit
    amounts are the item's totals divided by its units, rounded half up to four
    decimals. `order_ids` limits the result to those orders; None reads all.
    """
    if order_ids is not None and not order_ids:
        return {}
    parameters = {
        "filtered": order_ids is not None,
        "orders": sorted(set(order_ids or ())),
    }
    rows = connection.execute(_SALE_VALUES_SQL, parameters).fetchall()

    values: dict[tuple[str, str], SaleValue] = {}
    for order_id, sku, units, principal, fees, currency, posted_us, source in rows:
        values[(order_id, sku)] = _sale_value(
            order_id, sku, int(units), principal, fees, currency, posted_us, source
        )
    return values


def _sale_value(
    order_id: str,
    sku: str,
    units: int,
    principal_total: Decimal,
    fees_total: Decimal,
    currency: str,
    posted_us: int | None,
    source: SaleSource,
) -> SaleValue:
    units = max(units, 1)
    principal = _per_unit(principal_total, units)
    fees = _per_unit(fees_total, units)
    return SaleValue(
        order_id=order_id,
        sku=sku,
        units=units,
        principal=principal,
        fees=fees,
        net=principal - fees,
        currency=currency,
        posted_at=from_epoch_us(posted_us) if posted_us is not None else _EPOCH,
        source=source,
    )


def _per_unit(total: Decimal, units: int) -> Decimal:
    return (Decimal(total) / units).quantize(_PER_UNIT, rounding=ROUND_HALF_UP)


def from_epoch_us(value: int) -> datetime:
    """Return the aware UTC datetime of a DuckDB epoch_us value."""
    return _EPOCH + timedelta(microseconds=value)


def to_epoch_us(moment: datetime) -> int:
    """Return an aware datetime as DuckDB epoch microseconds."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
