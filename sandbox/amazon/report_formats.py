"""Rows and file text of the removal, fee preview, orders and settlement reports.

All are tab separated and unquoted, except the ledger summary, which quotes
every field like the ledger detail. Lines end with a newline, including the
last one. The removal and orders reports write UTC times as
2026-06-01T10:12:45+00:00. Settlement files write times as
2026-06-01 10:12:45 UTC in North America and as 01.06.2026 10:12:45 UTC in
Europe, where continental marketplaces also use a decimal comma.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from .marketplaces import Marketplace
from .report_files import LedgerRow, plain_text, utc_time

REMOVAL_ORDERS_HEADER = (
    "request-date", "order-id", "order-type", "service-speed", "order-status",
    "last-updated-date", "sku", "fnsku", "disposition", "requested-quantity",
    "cancelled-quantity", "disposed-quantity", "shipped-quantity",
    "in-process-quantity", "removal-fee", "currency",
)  # fmt: skip
REMOVAL_SHIPMENTS_HEADER = (
    "request-date", "order-id", "shipment-date", "sku", "fnsku", "disposition",
    "shipped-quantity", "carrier", "tracking-number", "removal-order-type",
)  # fmt: skip
FEE_PREVIEW_US_HEADER = (
    "sku", "fnsku", "asin", "amazon-store", "product-name", "product-group",
    "brand", "fulfilled-by", "your-price", "sales-price", "longest-side",
    "median-side", "shortest-side", "length-and-girth", "unit-of-dimension",
    "item-package-weight", "unit-of-weight", "product-size-tier", "currency",
    "estimated-fee-total", "estimated-referral-fee-per-unit",
    "estimated-variable-closing-fee", "estimated-order-handling-fee-per-order",
    "estimated-pick-pack-fee-per-unit", "estimated-weight-handling-fee-per-unit",
    "expected-fulfillment-fee-per-unit",
    "estimated-future-fee (Current Selling on Amazon + Future Fulfillment fees)",
    "estimated-future-order-handling-fee-per-order",
    "estimated-future-pick-pack-fee-per-unit",
    "estimated-future-weight-handling-fee-per-unit",
    "expected-future-fulfillment-fee-per-unit",
)  # fmt: skip
FEE_PREVIEW_EU_HEADER = (
    "sku", "fnsku", "asin", "product-name", "product-group", "brand",
    "fulfilled-by", "has-local-inventory", "your-price", "sales-price",
    "longest-side", "median-side", "shortest-side", "length-and-girth",
    "unit-of-dimension", "item-package-weight", "unit-of-weight",
    "product-size-weight-band", "currency", "estimated-fee-total",
    "estimated-referral-fee-per-unit", "estimated-variable-closing-fee",
    "expected-domestic-fulfilment-fee-per-unit",
    "expected-efn-fulfilment-fee-per-unit-uk",
    "expected-efn-fulfilment-fee-per-unit-de",
    "expected-efn-fulfilment-fee-per-unit-fr",
    "expected-efn-fulfilment-fee-per-unit-it",
    "expected-efn-fulfilment-fee-per-unit-es",
    "expected-efn-fulfilment-fee-per-unit-se",
)  # fmt: skip
ORDERS_HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
    "order-status", "fulfillment-channel", "sales-channel", "order-channel",
    "url", "ship-service-level", "product-name", "sku", "asin", "item-status",
    "quantity", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code",
    "ship-country", "promotion-ids", "is-business-order",
)  # fmt: skip
SETTLEMENT_HEADER = (
    "settlement-id", "settlement-start-date", "settlement-end-date",
    "deposit-date", "total-amount", "currency", "transaction-type", "order-id",
    "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id",
    "posted-date", "posted-date-time", "order-item-code",
    "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
    "quantity-purchased", "promotion-id",
)  # fmt: skip
LEDGER_SUMMARY_HEADER = (
    "Date", "FNSKU", "ASIN", "MSKU", "Title", "Disposition",
    "Starting Warehouse Balance", "In Transit Between Warehouses", "Receipts",
    "Customer Shipments", "Customer Returns", "Vendor Returns",
    "Warehouse Transfer In/Out", "Found", "Lost", "Damaged", "Disposed",
    "Other Events", "Ending Warehouse Balance", "Unknown Events", "Location",
)  # fmt: skip

_DECIMAL_COMMA_COUNTRIES = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "SE", "PL"})
_EUROPEAN_DATE_COUNTRIES = _DECIMAL_COMMA_COUNTRIES | {"GB"}


def _optional_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def uses_eu_fee_layout(market: Marketplace) -> bool:
    """Return True when the fee preview has the 29-column European layout.

    NOTE: marketplaces of the FE region get the North American layout here,
    which has not been checked against a real Japanese or Australian file.
    """
    return market.region == "eu" and market.country_code != "IN"


@dataclass(frozen=True)
class RemovalOrderRow:
    """One GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA row (an order line)."""

    request_date: datetime
    order_id: str
    order_type: str
    order_status: str
    last_updated: datetime
    sku: str
    fnsku: str
    disposition: str
    requested: int
    cancelled: int
    disposed: int
    shipped: int
    in_process: int
    removal_fee: Decimal | None
    currency: str
    service_speed: str = "Standard"


@dataclass(frozen=True)
class RemovalShipmentRow:
    """One GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA row (a package)."""

    request_date: datetime
    order_id: str
    shipment_date: datetime
    sku: str
    fnsku: str
    disposition: str
    shipped: int
    carrier: str
    tracking_number: str
    order_type: str


@dataclass(frozen=True)
class FeePreviewRow:
    """One SKU of the fee preview: measured size, size tier and expected fees."""

    sku: str
    fnsku: str
    asin: str
    product_name: str
    product_group: str
    brand: str
    currency: str
    price: Decimal
    longest_side: Decimal
    median_side: Decimal
    shortest_side: Decimal
    unit_of_dimension: str
    weight: Decimal
    unit_of_weight: str
    size_tier: str
    referral_fee: Decimal
    fulfillment_fee: Decimal
    store: str

    @property
    def length_and_girth(self) -> Decimal:
        """Return the longest side plus twice the sum of the other two."""
        return self.longest_side + 2 * (self.median_side + self.shortest_side)

    @property
    def fee_total(self) -> Decimal:
        """Referral fee plus fulfillment fee, per unit."""
        return self.referral_fee + self.fulfillment_fee


@dataclass(frozen=True)
class OrderRow:
    """One GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL row (an order item)."""

    amazon_order_id: str
    purchase_date: datetime
    last_updated: datetime
    order_status: str
    sales_channel: str
    product_name: str
    sku: str
    asin: str
    item_status: str
    quantity: int
    currency: str
    item_price: Decimal
    item_tax: Decimal
    ship_city: str
    ship_state: str
    ship_postal_code: str
    ship_country: str


@dataclass(frozen=True)
class SettlementLine:
    """One amount of a settlement: signed from the seller's view."""

    transaction_type: str
    order_id: str
    adjustment_id: str
    shipment_id: str
    amount_type: str
    amount_description: str
    amount: Decimal
    posted: datetime
    order_item_code: str
    merchant_adjustment_item_id: str
    sku: str
    quantity: int | None


@dataclass(frozen=True)
class Settlement:
    """One settlement period and the amounts posted in it."""

    settlement_id: str
    start: datetime
    end: datetime
    deposit: datetime
    currency: str
    lines: tuple[SettlementLine, ...]

    @property
    def total(self) -> Decimal:
        """The amount deposited: the sum of every line."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def removal_orders_text(rows: Iterable[RemovalOrderRow]) -> str:
    """Return the removal order detail file."""
    return plain_text(
        REMOVAL_ORDERS_HEADER,
        (
            (
                utc_time(row.request_date),
                row.order_id,
                row.order_type,
                row.service_speed,
                row.order_status,
                utc_time(row.last_updated),
                row.sku,
                row.fnsku,
                row.disposition,
                str(row.requested),
                str(row.cancelled),
                str(row.disposed),
                str(row.shipped),
                str(row.in_process),
                _optional_money(row.removal_fee),
                row.currency,
            )
            for row in rows
        ),
    )


def removal_shipments_text(rows: Iterable[RemovalShipmentRow]) -> str:
    """Return the removal shipment detail file."""
    return plain_text(
        REMOVAL_SHIPMENTS_HEADER,
        (
            (
                utc_time(row.request_date),
                row.order_id,
                utc_time(row.shipment_date),
                row.sku,
                row.fnsku,
                row.disposition,
                str(row.shipped),
                row.carrier,
                row.tracking_number,
                row.order_type,
            )
            for row in rows
        ),
    )


def fee_preview_text(rows: Iterable[FeePreviewRow], market: Marketplace) -> str:
    """Return the fee preview in the layout of the marketplace's region."""
    if uses_eu_fee_layout(market):
        return plain_text(FEE_PREVIEW_EU_HEADER, (_eu_fee(row) for row in rows))
    return plain_text(FEE_PREVIEW_US_HEADER, (_us_fee(row) for row in rows))


def _us_fee(row: FeePreviewRow) -> tuple[str, ...]:
    fee = f"{row.fulfillment_fee:.2f}"
    return (
        row.sku, row.fnsku, row.asin, row.store, row.product_name,
        row.product_group, row.brand, "Amazon", f"{row.price:.2f}",
        f"{row.price:.2f}", f"{row.longest_side:.2f}", f"{row.median_side:.2f}",
        f"{row.shortest_side:.2f}", f"{row.length_and_girth:.2f}",
        row.unit_of_dimension, f"{row.weight:.2f}", row.unit_of_weight,
        row.size_tier, row.currency, f"{row.fee_total:.2f}",
        f"{row.referral_fee:.2f}", "0.00", "0.00", fee, "0.00", fee,
        f"{row.fee_total:.2f}", "0.00", fee, "0.00", fee,
    )  # fmt: skip


def _eu_fee(row: FeePreviewRow) -> tuple[str, ...]:
    other_markets = ("--",) * 6
    return (
        row.sku, row.fnsku, row.asin, row.product_name, row.product_group,
        row.brand, "AMAZON_EU", "Yes", f"{row.price:.2f}", f"{row.price:.2f}",
        f"{row.longest_side:.2f}", f"{row.median_side:.2f}",
        f"{row.shortest_side:.2f}", f"{row.length_and_girth:.2f}",
        row.unit_of_dimension, f"{row.weight:.2f}", row.unit_of_weight,
        row.size_tier, row.currency, f"{row.fee_total:.2f}",
        f"{row.referral_fee:.2f}", "0.00", f"{row.fulfillment_fee:.2f}",
        *other_markets,
    )  # fmt: skip


def orders_text(rows: Iterable[OrderRow]) -> str:
    """Return the all-orders flat file, one row per order item."""
    return plain_text(
        ORDERS_HEADER,
        (
            (
                row.amazon_order_id,
                row.amazon_order_id,
                utc_time(row.purchase_date),
                utc_time(row.last_updated),
                row.order_status,
                "Amazon",
                row.sales_channel,
                "",
                "",
                "Expedited",
                row.product_name,
                row.sku,
                row.asin,
                row.item_status,
                str(row.quantity),
                row.currency,
                f"{row.item_price:.2f}",
                f"{row.item_tax:.2f}",
                "0.00",
                "0.00",
                "",
                "",
                "",
                "",
                row.ship_city,
                row.ship_state,
                row.ship_postal_code,
                row.ship_country,
                "",
                "false",
            )
            for row in rows
        ),
    )


class SettlementStyle:
    """The number and date formats of a marketplace's settlement file."""

    def __init__(self, market: Marketplace) -> None:
        self.decimal_comma = market.country_code in _DECIMAL_COMMA_COUNTRIES
        self.european_dates = market.country_code in _EUROPEAN_DATE_COUNTRIES
        self.zone: tzinfo = market.zone
        self.market_name = market.name

    def money(self, value: Decimal) -> str:
        """Format an amount with two decimals and the marketplace's separator."""
        text = f"{value:.2f}"
        return text.replace(".", ",") if self.decimal_comma else text

    def time(self, moment: datetime) -> str:
        """Format a time in UTC as 2026-06-01 10:12:45 UTC or 01.06.2026 ... UTC."""
        utc = moment.astimezone(UTC)
        if self.european_dates:
            return utc.strftime("%d.%m.%Y %H:%M:%S UTC")
        return utc.strftime("%Y-%m-%d %H:%M:%S UTC")

    def day(self, moment: datetime) -> str:
        """Format the local date of a time as 2026-06-01 or 01.06.2026."""
        local = moment.astimezone(self.zone)
        return local.strftime("%d.%m.%Y" if self.european_dates else "%Y-%m-%d")


def settlement_text(settlement: Settlement, market: Marketplace) -> str:
    """Return a settlement flat file: the summary row first, then each amount."""
    style = SettlementStyle(market)
    summary = (
        settlement.settlement_id,
        style.time(settlement.start),
        style.time(settlement.end),
        style.time(settlement.deposit),
        style.money(settlement.total),
        settlement.currency,
        *("",) * (len(SETTLEMENT_HEADER) - 6),
    )
    lines = [summary]
    for line in settlement.lines:
        lines.append(
            (
                settlement.settlement_id,
                "",
                "",
                "",
                "",
                "",
                line.transaction_type,
                line.order_id,
                line.order_id,
                line.adjustment_id,
                line.shipment_id,
                style.market_name,
                line.amount_type,
                line.amount_description,
                style.money(line.amount),
                "AFN",
                style.day(line.posted),
                style.time(line.posted),
                line.order_item_code,
                "",
                line.merchant_adjustment_item_id,
                line.sku,
                "" if line.quantity is None else str(line.quantity),
                "",
            )
        )
    return plain_text(SETTLEMENT_HEADER, lines)


_SUMMARY_COLUMNS = (
    "Receipts",
    "Customer Shipments",
    "Customer Returns",
    "Vendor Returns",
    "Warehouse Transfer In/Out",
    "Found",
    "Lost",
    "Damaged",
    "Disposed",
    "Other Events",
)
_EVENT_COLUMNS = {
    "Receipts": "Receipts",
    "Shipments": "Customer Shipments",
    "CustomerReturns": "Customer Returns",
    "VendorReturns": "Vendor Returns",
    "WhseTransfers": "Warehouse Transfer In/Out",
}
_REASON_COLUMNS = {
    **dict.fromkeys(("F", "N"), "Found"),
    **dict.fromkeys(("M", "5"), "Lost"),
    **dict.fromkeys(("E", "6", "7", "H", "K", "U"), "Damaged"),
    **dict.fromkeys(("D", "G"), "Disposed"),
}


def _summary_column(row: LedgerRow) -> str:
    if row.event_type == "Adjustments":
        return _REASON_COLUMNS.get(row.reason, "Other Events")
    return _EVENT_COLUMNS.get(row.event_type, "Other Events")


def ledger_summary_text(
    rows: Sequence[LedgerRow], first: date | None, last: date | None
) -> str | None:
    """Return the daily ledger summary of `rows` from `first` to `last`, or None.

    There is one row per FNSKU, disposition and local day, from the day the
    pair first has an event to the last day with any event. Balances count
    from the first event, so the first Starting Warehouse Balance is 0.
    Every field is quoted. Returns None when no day lies in the bounds.
    """
    days: dict[tuple[str, str], dict[date, dict[str, int]]] = defaultdict(dict)
    products: dict[str, LedgerRow] = {}
    for row in rows:
        key = (row.fnsku, row.disposition)
        day = row.occurred_at.date()
        totals = days[key].setdefault(day, dict.fromkeys(_SUMMARY_COLUMNS, 0))
        totals[_summary_column(row)] += row.quantity
        products.setdefault(row.fnsku, row)
    if not days:
        return None
    final_day = max(row.occurred_at.date() for row in rows)
    out: list[tuple[str, ...]] = []
    for (fnsku, disposition), by_day in sorted(days.items()):
        product = products[fnsku]
        balance = 0
        day = min(by_day)
        while day <= final_day:
            totals = by_day.get(day, dict.fromkeys(_SUMMARY_COLUMNS, 0))
            ending = balance + sum(totals.values())
            if (first is None or day >= first) and (last is None or day <= last):
                out.append(
                    (
                        day.strftime("%m/%d/%Y"),
                        fnsku,
                        product.asin,
                        product.msku,
                        product.title,
                        disposition,
                        str(balance),
                        "0",
                        *(str(totals[column]) for column in _SUMMARY_COLUMNS),
                        str(ending),
                        "0",
                        product.country,
                    )
                )
            balance = ending
            day += timedelta(days=1)
    if not out:
        return None
    out.sort(key=lambda fields: (fields[0][6:], fields[0], fields[1], fields[5]))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writerow(LEDGER_SUMMARY_HEADER)
    writer.writerows(out)
    return buffer.getvalue()
