"""Report type declarations and the Arrow schema of each normalized table.

Adding a report type is one ``ReportSpec``: its columns (header, kind, required,
nullable) and its row key, added to ``REPORT_SPECS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

from integrations.amazon.reports.columns import Column, Kind
from integrations.amazon.reports.errors import ReportParseError
from integrations.amazon.reports.keys import RowKey, first_filled, hash_row, join_fields

_ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.TEXT: pa.string(),
    Kind.INT: pa.int64(),
    Kind.DECIMAL: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True)
class ReportSpec:
    """The declaration of one report type: its columns, row key and table name.

    Every table ends with ``row_key`` (string) and ``source_line`` (int32, the
    1-based line in the file, header = line 1). ``replaces_table`` marks a report
    that describes a current state, whose new file replaces the stored table
    instead of adding to it.

    Raises:
        ValueError: the declaration is inconsistent: names repeat, an optional
            column could not be filled when absent, or a fallback is not an earlier
            required, non-nullable column.
    """

    report_type: str
    table_name: str
    columns: tuple[Column, ...]
    row_key: RowKey
    replaces_table: bool = False

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.report_type}: column names repeat")

        earlier: dict[str, Column] = {}
        for column in self.columns:
            self._check_column(column, earlier)
            earlier[column.name] = column

    def _check_column(self, column: Column, earlier: dict[str, Column]) -> None:
        if column.fallback is not None:
            source = earlier.get(column.fallback)
            if source is None or source.nullable or not source.required:
                raise ValueError(
                    f"{self.report_type}: fallback of {column.name!r} must be an "
                    "earlier required, non-nullable column"
                )
        can_be_absent = column.nullable or column.fallback or column.kind is Kind.TEXT
        if not column.required and not can_be_absent:
            raise ValueError(
                f"{self.report_type}: optional column {column.name!r} needs "
                "nullable=True or a fallback"
            )

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The table's Arrow schema, in declaration order."""
        fields: list[pa.Field] = []
        for column in self.columns:
            nullable = column.nullable
            fields.append(pa.field(column.name, _ARROW_TYPES[column.kind], nullable))
            if column.keeps_raw:
                fields.append(pa.field(f"{column.name}_raw", pa.string(), nullable))
        fields.append(pa.field("row_key", pa.string(), nullable=False))
        fields.append(pa.field("source_line", pa.int32(), nullable=False))
        return pa.schema(fields)


LEDGER_DETAIL = ReportSpec(
    report_type="GET_LEDGER_DETAIL_VIEW_DATA",
    table_name="ledger_detail",
    columns=(
        Column("date", "Date", Kind.DATE),
        # Without "Date and Time" the event happened at local midnight of "Date".
        Column(
            "occurred_at",
            "Date and Time",
            Kind.TIMESTAMP,
            required=False,
            fallback="date",
        ),
        Column("fnsku", "FNSKU"),
        Column("asin", "ASIN"),
        Column("msku", "MSKU"),
        Column("title", "Title"),
        Column("event_type", "Event Type"),
        Column("reference_id", "Reference ID"),
        Column("quantity", "Quantity", Kind.INT),
        Column("fulfillment_center", "Fulfillment Center"),
        Column("disposition", "Disposition"),
        Column("reason", "Reason"),
        Column("country", "Country"),
        Column("reconciled_quantity", "Reconciled Quantity", Kind.INT, nullable=True),
        Column(
            "unreconciled_quantity", "Unreconciled Quantity", Kind.INT, nullable=True
        ),
        Column("store", "Store", required=False, nullable=True),
    ),
    row_key=hash_row,
)

LEDGER_SUMMARY = ReportSpec(
    report_type="GET_LEDGER_SUMMARY_VIEW_DATA",
    table_name="ledger_summary",
    columns=(
        Column("date", "Date", Kind.DATE),
        Column("fnsku", "FNSKU"),
        Column("asin", "ASIN"),
        Column("msku", "MSKU"),
        Column("title", "Title"),
        Column("disposition", "Disposition"),
        Column("starting_warehouse_balance", "Starting Warehouse Balance", Kind.INT),
        Column(
            "in_transit_between_warehouses", "In Transit Between Warehouses", Kind.INT
        ),
        Column("receipts", "Receipts", Kind.INT),
        Column("customer_shipments", "Customer Shipments", Kind.INT),
        Column("customer_returns", "Customer Returns", Kind.INT),
        Column("vendor_returns", "Vendor Returns", Kind.INT),
        Column("warehouse_transfer_in_out", "Warehouse Transfer In/Out", Kind.INT),
        Column("found", "Found", Kind.INT),
        Column("lost", "Lost", Kind.INT),
        Column("damaged", "Damaged", Kind.INT),
        Column("disposed", "Disposed", Kind.INT),
        Column("other_events", "Other Events", Kind.INT),
        Column("ending_warehouse_balance", "Ending Warehouse Balance", Kind.INT),
        Column("unknown_events", "Unknown Events", Kind.INT),
        Column("location", "Location"),
    ),
    row_key=hash_row,
)

REIMBURSEMENTS = ReportSpec(
    report_type="GET_FBA_REIMBURSEMENTS_DATA",
    table_name="reimbursements",
    columns=(
        Column("approval_date", "approval-date", Kind.TIMESTAMP),
        Column("reimbursement_id", "reimbursement-id"),
        Column("case_id", "case-id", nullable=True),
        Column("amazon_order_id", "amazon-order-id", nullable=True),
        Column("reason", "reason"),
        Column("sku", "sku"),
        Column("fnsku", "fnsku"),
        Column("asin", "asin"),
        Column("product_name", "product-name"),
        Column("condition", "condition"),
        Column("currency_unit", "currency-unit"),
        Column("amount_per_unit", "amount-per-unit", Kind.DECIMAL, nullable=True),
        Column("amount_total", "amount-total", Kind.DECIMAL, nullable=True),
        Column("quantity_reimbursed_cash", "quantity-reimbursed-cash", Kind.INT),
        Column(
            "quantity_reimbursed_inventory", "quantity-reimbursed-inventory", Kind.INT
        ),
        Column("quantity_reimbursed_total", "quantity-reimbursed-total", Kind.INT),
        Column("original_reimbursement_id", "original-reimbursement-id", nullable=True),
        Column(
            "original_reimbursement_type", "original-reimbursement-type", nullable=True
        ),
    ),
    row_key=join_fields(
        "reimbursement_id", "sku", "fnsku", "reason", "approval_date_raw"
    ),
)

CUSTOMER_RETURNS = ReportSpec(
    report_type="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    table_name="customer_returns",
    columns=(
        Column("return_date", "return-date", Kind.TIMESTAMP),
        Column("order_id", "order-id"),
        Column("sku", "sku"),
        Column("asin", "asin"),
        Column("fnsku", "fnsku"),
        Column("product_name", "product-name"),
        Column("quantity", "quantity", Kind.INT),
        Column("fulfillment_center_id", "fulfillment-center-id"),
        Column("detailed_disposition", "detailed-disposition"),
        Column("reason", "reason"),
        Column("status", "status"),
        Column("license_plate_number", "license-plate-number", nullable=True),
        Column("customer_comments", "customer-comments", nullable=True),
    ),
    # Each row is one returned unit, and its license plate number names that unit.
    row_key=first_filled(
        "license_plate_number", join_fields("order_id", "fnsku", "return_date_raw")
    ),
)

REMOVAL_ORDERS = ReportSpec(
    report_type="GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
    table_name="removal_orders",
    columns=(
        Column("request_date", "request-date", Kind.TIMESTAMP),
        Column("order_id", "order-id"),
        Column("order_type", "order-type"),
        Column("service_speed", "service-speed"),
        Column("order_status", "order-status"),
        Column("last_updated_date", "last-updated-date", Kind.TIMESTAMP),
        Column("sku", "sku"),
        Column("fnsku", "fnsku"),
        Column("disposition", "disposition"),
        Column("requested_quantity", "requested-quantity", Kind.INT),
        Column("cancelled_quantity", "cancelled-quantity", Kind.INT),
        Column("disposed_quantity", "disposed-quantity", Kind.INT),
        Column("shipped_quantity", "shipped-quantity", Kind.INT),
        Column("in_process_quantity", "in-process-quantity", Kind.INT),
        Column("removal_fee", "removal-fee", Kind.DECIMAL, nullable=True),
        Column("currency", "currency"),
    ),
    # An order's row changes as Amazon works on it, so each state is its own row.
    row_key=hash_row,
)

REMOVAL_SHIPMENTS = ReportSpec(
    report_type="GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
    table_name="removal_shipments",
    columns=(
        Column("request_date", "request-date", Kind.TIMESTAMP),
        Column("order_id", "order-id"),
        Column("shipment_date", "shipment-date", Kind.TIMESTAMP),
        Column("sku", "sku"),
        Column("fnsku", "fnsku"),
        Column("disposition", "disposition"),
        Column("shipped_quantity", "shipped-quantity", Kind.INT),
        Column("carrier", "carrier"),
        Column("tracking_number", "tracking-number"),
        Column("removal_order_type", "removal-order-type"),
    ),
    row_key=hash_row,
)

# The fee preview writes "--" where Amazon has no measurement or estimate.
_NO_ESTIMATE = ("--",)


def _fee(name: str, header: str, *aliases: str) -> Column:
    return Column(
        name,
        header,
        Kind.DECIMAL,
        nullable=True,
        aliases=aliases,
        blanks=_NO_ESTIMATE,
    )


# US files have 31 columns and EU files 29. The columns below are in both layouts,
# with the EU spellings as aliases. The other columns of either layout are ignored.
FEE_PREVIEW = ReportSpec(
    report_type="GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    table_name="fee_preview",
    columns=(
        Column("sku", "sku"),
        Column("fnsku", "fnsku"),
        Column("asin", "asin"),
        Column("product_name", "product-name"),
        Column("currency", "currency"),
        _fee("your_price", "your-price"),
        _fee("sales_price", "sales-price"),
        _fee("longest_side", "longest-side"),
        _fee("median_side", "median-side"),
        _fee("shortest_side", "shortest-side"),
        _fee("length_and_girth", "length-and-girth"),
        Column("unit_of_dimension", "unit-of-dimension"),
        _fee("item_package_weight", "item-package-weight"),
        Column("unit_of_weight", "unit-of-weight"),
        Column(
            "product_size_tier",
            "product-size-tier",
            aliases=("product-size-weight-band",),
        ),
        _fee("estimated_fee_total", "estimated-fee-total"),
        _fee("estimated_referral_fee_per_unit", "estimated-referral-fee-per-unit"),
        _fee(
            "expected_fulfillment_fee_per_unit",
            "expected-fulfillment-fee-per-unit",
            "expected-domestic-fulfilment-fee-per-unit",
        ),
    ),
    row_key=join_fields("sku", "fnsku", "asin"),
    # The row key does not change when Amazon remeasures an item, so an upsert
    # would keep the first estimate forever.
    replaces_table=True,
)

# The first data row is the settlement's summary: the id, the dates, the total and
# the currency, with every transaction field blank. Later rows leave the summary
# fields blank. So every column but the settlement id may be blank.
SETTLEMENTS = ReportSpec(
    report_type="GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
    table_name="settlements",
    columns=(
        Column("settlement_id", "settlement-id"),
        Column(
            "settlement_start_date",
            "settlement-start-date",
            Kind.TIMESTAMP,
            nullable=True,
        ),
        Column(
            "settlement_end_date", "settlement-end-date", Kind.TIMESTAMP, nullable=True
        ),
        Column("deposit_date", "deposit-date", Kind.TIMESTAMP, nullable=True),
        Column("total_amount", "total-amount", Kind.DECIMAL, nullable=True),
        Column("currency", "currency"),
        Column("transaction_type", "transaction-type"),
        Column("order_id", "order-id"),
        Column("merchant_order_id", "merchant-order-id"),
        Column("adjustment_id", "adjustment-id"),
        Column("shipment_id", "shipment-id"),
        Column("marketplace_name", "marketplace-name"),
        Column("amount_type", "amount-type"),
        Column("amount_description", "amount-description"),
        Column("amount", "amount", Kind.DECIMAL, nullable=True),
        Column("fulfillment_id", "fulfillment-id"),
        Column("posted_date", "posted-date", Kind.TIMESTAMP, nullable=True),
        Column("posted_date_time", "posted-date-time", Kind.TIMESTAMP, nullable=True),
        Column("order_item_code", "order-item-code"),
        Column("merchant_order_item_id", "merchant-order-item-id"),
        Column("merchant_adjustment_item_id", "merchant-adjustment-item-id"),
        Column("sku", "sku"),
        Column("quantity_purchased", "quantity-purchased", Kind.INT, nullable=True),
        Column("promotion_id", "promotion-id", required=False),
    ),
    # Two rows of one settlement can be identical (two units charged alike), so
    # the row's position in the file distinguishes them.
    row_key=join_fields("settlement_id", "source_line"),
)

ORDERS = ReportSpec(
    report_type="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    table_name="orders",
    columns=(
        Column("amazon_order_id", "amazon-order-id"),
        Column("merchant_order_id", "merchant-order-id"),
        Column("purchase_date", "purchase-date", Kind.TIMESTAMP),
        Column("last_updated_date", "last-updated-date", Kind.TIMESTAMP),
        Column("order_status", "order-status"),
        Column("fulfillment_channel", "fulfillment-channel"),
        Column("sales_channel", "sales-channel"),
        Column("sku", "sku"),
        Column("asin", "asin"),
        Column("item_status", "item-status"),
        Column("quantity", "quantity", Kind.INT),
        Column("currency", "currency"),
        # Pending orders have no price yet.
        Column("item_price", "item-price", Kind.DECIMAL, nullable=True),
        Column("item_tax", "item-tax", Kind.DECIMAL, nullable=True),
        Column("shipping_price", "shipping-price", Kind.DECIMAL, nullable=True),
    ),
    # An order's row changes with its status, so each state is its own row.
    row_key=hash_row,
)

REPORT_SPECS: dict[str, ReportSpec] = {
    spec.report_type: spec
    for spec in (
        LEDGER_DETAIL,
        LEDGER_SUMMARY,
        REIMBURSEMENTS,
        CUSTOMER_RETURNS,
        REMOVAL_ORDERS,
        REMOVAL_SHIPMENTS,
        FEE_PREVIEW,
        SETTLEMENTS,
        ORDERS,
    )
}


def get_report_spec(report_type: str) -> ReportSpec:
    """Return the declaration of a supported report type.

    Raises:
        ReportParseError: the report type has no parser.
    """
    try:
        return REPORT_SPECS[report_type]
    except KeyError:
        supported = ", ".join(sorted(REPORT_SPECS))
        raise ReportParseError(
            f"report type {report_type!r} is not supported; supported types: "
            f"{supported}",
            report_type=report_type,
        ) from None
