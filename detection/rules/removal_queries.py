"""DuckDB SQL of the removal rules: disposals, removal orders and removal shipments.

A removal order's row changes as Amazon works on it, and every version is stored,
so the rules read the latest version per natural key (order_id, sku, fnsku,
disposition), by last_updated_date, then the later source line. Order types and
statuses are compared lower case without spaces or underscores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from detection.rules.claim_credits import from_epoch_us, optional_time

_REMOVAL_LATEST_SQL = """
CREATE OR REPLACE TEMP TABLE removal_latest AS
WITH versions AS (
    SELECT
        row_key, source_line, epoch_us(request_date) AS request_us,
        trim(order_id) AS order_id, coalesce(order_type, '') AS order_type,
        lower(replace(replace(coalesce(order_type, ''), ' ', ''), '_', ''))
            AS type_key,
        coalesce(order_status, '') AS order_status,
        lower(replace(replace(coalesce(order_status, ''), ' ', ''), '_', ''))
            AS status_key,
        last_updated_date, epoch_us(last_updated_date) AS updated_us,
        coalesce(sku, '') AS sku, trim(fnsku) AS fnsku,
        coalesce(disposition, '') AS disposition,
        coalesce(requested_quantity, 0) AS requested,
        coalesce(cancelled_quantity, 0) AS cancelled,
        coalesce(disposed_quantity, 0) AS disposed,
        coalesce(shipped_quantity, 0) AS shipped,
        coalesce(in_process_quantity, 0) AS in_process,
        coalesce(currency, '') AS currency
    FROM removal_orders
    WHERE nullif(trim(order_id), '') IS NOT NULL
      AND nullif(trim(fnsku), '') IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
)
SELECT
    *,
    requested - cancelled - disposed - shipped - in_process AS missing,
    bool_or(
        status_key = 'completed'
        AND requested - cancelled - disposed - shipped - in_process > 0
    ) OVER natural_key AS ever_incomplete
FROM versions
WINDOW natural_key AS (PARTITION BY order_id, sku, fnsku, disposition)
QUALIFY row_number() OVER (
    PARTITION BY order_id, sku, fnsku, disposition
    ORDER BY last_updated_date DESC NULLS LAST, source_line DESC, row_key DESC
) = 1
"""

_DISPOSAL_CANDIDATES_SQL = """
CREATE OR REPLACE TEMP TABLE disposal_candidates AS
SELECT
    row_key, source_line, epoch_us(occurred_at) AS occurred_us, trim(fnsku) AS fnsku,
    coalesce(asin, '') AS asin, coalesce(msku, '') AS msku,
    coalesce(title, '') AS title, coalesce(reference_id, '') AS reference_id,
    quantity, coalesce(fulfillment_center, '') AS fulfillment_center,
    upper(replace(reason, ' ', '')) AS reason_code
FROM ledger_detail
WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'adjustments'
  AND list_contains($codes, upper(replace(reason, ' ', '')))
  AND quantity < 0
  AND occurred_at IS NOT NULL
  AND nullif(trim(fnsku), '') IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
"""

_DISPOSALS_SQL = """
SELECT row_key, source_line, occurred_us, fnsku, asin, msku, title, reference_id,
       quantity, fulfillment_center, reason_code
FROM disposal_candidates
ORDER BY fnsku, occurred_us, source_line, row_key
"""

_DISPOSAL_ORDERS_SQL = """
SELECT row_key, source_line, request_us, order_id, order_type, type_key,
       order_status, status_key, sku, fnsku, disposition, requested, cancelled,
       disposed, shipped, in_process
FROM removal_latest
WHERE fnsku IN (SELECT fnsku FROM disposal_candidates)
  AND list_contains($order_types, type_key)
ORDER BY fnsku, request_us NULLS FIRST, order_id, source_line
"""

_INCOMPLETE_SQL = """
SELECT row_key, source_line, request_us, order_id, order_type, type_key,
       order_status, status_key, sku, fnsku, disposition, requested, cancelled,
       disposed, shipped, in_process, updated_us, missing, ever_incomplete
FROM removal_latest
WHERE (status_key = 'completed' AND missing > 0) OR ever_incomplete
ORDER BY fnsku, updated_us, order_id, source_line
"""

# Shipped units of each (order, FNSKU) against the units of its shipment rows with
# a tracking number; a row without one proves no delivery.
_TRANSIT_SQL = """
WITH shipments AS (
    SELECT
        row_key, source_line, trim(order_id) AS order_id, trim(fnsku) AS fnsku,
        epoch_us(shipment_date) AS shipment_us,
        coalesce(shipped_quantity, 0) AS shipped,
        coalesce(trim(tracking_number), '') AS tracking_number,
        coalesce(carrier, '') AS carrier
    FROM removal_shipments
    WHERE nullif(trim(order_id), '') IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
ordered AS (
    SELECT
        order_id, fnsku, sum(shipped) AS shipped, max(updated_us) AS updated_us,
        min(request_us) AS request_us,
        list(struct_pack(row_key, source_line, sku, disposition, order_type,
                         order_status, shipped, updated_us)
             ORDER BY source_line, row_key) AS lines
    FROM removal_latest
    WHERE shipped > 0
    GROUP BY order_id, fnsku
),
tracked AS (
    SELECT
        order_id, fnsku,
        coalesce(sum(shipped) FILTER (WHERE tracking_number <> ''), 0)
            AS tracked_units,
        min(shipment_us) FILTER (WHERE tracking_number = '') AS untracked_us,
        max(shipment_us) AS last_shipment_us,
        list(struct_pack(row_key, source_line, shipment_us, shipped,
                         tracking_number, carrier)
             ORDER BY shipment_us, source_line) AS shipments
    FROM shipments
    GROUP BY order_id, fnsku
)
SELECT
    o.order_id, o.fnsku, o.shipped, o.updated_us, o.request_us, o.lines,
    coalesce(t.tracked_units, 0), t.untracked_us, t.last_shipment_us,
    coalesce(t.shipments, [])
FROM ordered AS o
LEFT JOIN tracked AS t USING (order_id, fnsku)
WHERE o.shipped > coalesce(t.tracked_units, 0)
ORDER BY o.fnsku, o.order_id
"""

_REMOVAL_LOST_FNSKUS_SQL = """
CREATE OR REPLACE TEMP TABLE removal_lost_fnskus AS
SELECT DISTINCT fnsku FROM (SELECT unnest($fnskus::VARCHAR[]) AS fnsku)
"""


@dataclass(frozen=True, slots=True)
class Disposal:
    """A ledger Adjustments row with reason D or G and a negative quantity."""

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


@dataclass(frozen=True, slots=True)
class RemovalOrderLine:
    """The latest version of one removal order line (order, SKU, FNSKU, disposition)."""

    row_key: str
    source_line: int
    request_date: datetime | None
    order_id: str
    order_type: str
    type_key: str
    order_status: str
    status_key: str
    sku: str
    fnsku: str
    disposition: str
    requested: int
    cancelled: int
    disposed: int
    shipped: int
    in_process: int


@dataclass(frozen=True, slots=True)
class IncompleteLine:
    """A removal order line whose latest or an earlier Completed version is short."""

    line: RemovalOrderLine
    last_updated: datetime | None
    missing: int
    """requested - cancelled - disposed - shipped - in-process of the latest version."""
    ever_incomplete: bool


@dataclass(frozen=True, slots=True)
class RemovalShipmentRow:
    """One removal shipment row of an order and FNSKU."""

    row_key: str
    source_line: int
    shipment_date: datetime | None
    shipped: int
    tracking_number: str
    carrier: str


@dataclass(frozen=True, slots=True)
class ShippedOrder:
    """Units an order reports as shipped for one FNSKU, with its shipment rows."""

    order_id: str
    fnsku: str
    shipped: int
    last_updated: datetime | None
    request_date: datetime | None
    lines: tuple[dict[str, Any], ...]
    """The order's lines with shipped units, as row_key, source_line, sku, ..."""
    tracked_units: int
    untracked_at: datetime | None
    """The earliest shipment row without a tracking number."""
    last_shipment_at: datetime | None
    shipments: tuple[RemovalShipmentRow, ...]

    @property
    def sku(self) -> str:
        """The seller SKU of the order's first line."""
        return str(self.lines[0]["sku"]) if self.lines else ""


@dataclass(frozen=True, slots=True)
class DisposalRows:
    """Disposals and the disposal or liquidation orders of their FNSKUs."""

    disposals: list[Disposal]
    orders: list[RemovalOrderLine]


@dataclass(frozen=True, slots=True)
class RemovalLostRows:
    """Removal order lines with missing units and orders with untracked units."""

    incomplete: list[IncompleteLine]
    shipped: list[ShippedOrder]


def prepare_removal_orders(connection: duckdb.DuckDBPyConnection) -> None:
    """Write temp table removal_latest: the latest version of every order line."""
    connection.execute(_REMOVAL_LATEST_SQL)


def fetch_disposals(
    connection: duckdb.DuckDBPyConnection,
    *,
    codes: list[str],
    order_types: list[str],
) -> DisposalRows:
    """Select disposal rows and the removal orders that may cover them.

    Writes temp table disposal_candidates (FNSKUs with a disposal) for the credit
    queries; removal_latest must exist.
    """
    connection.execute(_DISPOSAL_CANDIDATES_SQL, {"codes": codes})
    disposals = [
        Disposal(row[0], row[1], from_epoch_us(row[2]), *row[3:])
        for row in connection.execute(_DISPOSALS_SQL).fetchall()
    ]
    orders = [
        _order_line(row)
        for row in connection.execute(
            _DISPOSAL_ORDERS_SQL, {"order_types": order_types}
        ).fetchall()
    ]
    return DisposalRows(disposals, orders)


def fetch_removal_losses(connection: duckdb.DuckDBPyConnection) -> RemovalLostRows:
    """Select short order lines and untracked shipped units.

    Writes temp table removal_lost_fnskus (their FNSKUs); removal_latest must exist.
    """
    incomplete = [
        IncompleteLine(
            _order_line(row[:16]), optional_time(row[16]), int(row[17]), bool(row[18])
        )
        for row in connection.execute(_INCOMPLETE_SQL).fetchall()
    ]
    shipped = [
        ShippedOrder(
            order_id=row[0],
            fnsku=row[1],
            shipped=int(row[2]),
            last_updated=optional_time(row[3]),
            request_date=optional_time(row[4]),
            lines=tuple(row[5]),
            tracked_units=int(row[6]),
            untracked_at=optional_time(row[7]),
            last_shipment_at=optional_time(row[8]),
            shipments=tuple(
                RemovalShipmentRow(
                    item["row_key"],
                    item["source_line"],
                    optional_time(item["shipment_us"]),
                    int(item["shipped"]),
                    item["tracking_number"],
                    item["carrier"],
                )
                for item in row[9]
            ),
        )
        for row in connection.execute(_TRANSIT_SQL).fetchall()
    ]
    fnskus = sorted(
        {item.line.fnsku for item in incomplete} | {item.fnsku for item in shipped}
    )
    connection.execute(_REMOVAL_LOST_FNSKUS_SQL, {"fnskus": fnskus})
    return RemovalLostRows(incomplete, shipped)


def _order_line(row: tuple[Any, ...]) -> RemovalOrderLine:
    # The queries return the fields in declaration order.
    return RemovalOrderLine(
        row[0], row[1], optional_time(row[2]), *row[3:11], *map(int, row[11:16])
    )
