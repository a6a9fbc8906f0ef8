"""Rows of the three FBA reports and their text in Amazon's file formats.

The ledger detail quotes every field and writes "Date and Time" in local time
with an offset without a colon (2026-07-06T23:30:00-0700). The reimbursements
and customer returns reports are unquoted, with dash-separated headers and UTC
times written as 2024-11-04T07:12:45+00:00. Lines end with a newline,
including the last one.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

LEDGER_HEADER = (
    "Date", "FNSKU", "ASIN", "MSKU", "Title", "Event Type", "Reference ID",
    "Quantity", "Fulfillment Center", "Disposition", "Reason", "Country",
    "Reconciled Quantity", "Unreconciled Quantity", "Date and Time", "Store",
)  # fmt: skip
REIMBURSEMENTS_HEADER = (
    "approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason",
    "sku", "fnsku", "asin", "product-name", "condition", "currency-unit",
    "amount-per-unit", "amount-total", "quantity-reimbursed-cash",
    "quantity-reimbursed-inventory", "quantity-reimbursed-total",
    "original-reimbursement-id", "original-reimbursement-type",
)  # fmt: skip
RETURNS_HEADER = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
    "fulfillment-center-id", "detailed-disposition", "reason", "status",
    "license-plate-number", "customer-comments",
)  # fmt: skip


@dataclass(frozen=True)
class LedgerRow:
    """One GET_LEDGER_DETAIL_VIEW_DATA row, with `occurred_at` in local time."""

    occurred_at: datetime
    fnsku: str
    asin: str
    msku: str
    title: str
    event_type: str
    reference_id: str
    quantity: int
    fulfillment_center: str
    disposition: str
    reason: str = ""
    reconciled: int | None = None
    unreconciled: int | None = None
    country: str = "US"
    store: str = ""


@dataclass(frozen=True)
class ReimbursementRow:
    """One GET_FBA_REIMBURSEMENTS_DATA row: Decimal money, signed quantities."""

    approval_date: datetime
    reimbursement_id: str
    reason: str
    sku: str
    fnsku: str
    asin: str
    product_name: str
    currency: str
    amount_per_unit: Decimal
    quantity_cash: int
    quantity_inventory: int = 0
    case_id: str = ""
    amazon_order_id: str = ""
    condition: str = "New"
    original_reimbursement_id: str = ""
    original_reimbursement_type: str = ""

    @property
    def quantity_total(self) -> int:
        """Cash plus inventory units."""
        return self.quantity_cash + self.quantity_inventory

    @property
    def amount_total(self) -> Decimal:
        """The cash amount: amount per unit times the cash units."""
        return self.amount_per_unit * self.quantity_cash


@dataclass(frozen=True)
class ReturnRow:
    """One GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA row (one returned unit)."""

    return_date: datetime
    order_id: str
    sku: str
    asin: str
    fnsku: str
    product_name: str
    fulfillment_center: str
    detailed_disposition: str
    reason: str
    status: str
    license_plate_number: str
    customer_comments: str = ""
    quantity: int = 1


def local_offset_time(moment: datetime) -> str:
    """Format a local time as 2026-07-06T23:30:00-0700."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def utc_time(moment: datetime) -> str:
    """Format a time in UTC as 2024-11-04T07:12:45+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def ledger_text(rows: Iterable[LedgerRow]) -> str:
    """Return the ledger detail file: tab separated, every field quoted."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writerow(LEDGER_HEADER)
    for row in rows:
        writer.writerow(
            (
                row.occurred_at.strftime("%m/%d/%Y"),
                row.fnsku,
                row.asin,
                row.msku,
                row.title,
                row.event_type,
                row.reference_id,
                str(row.quantity),
                row.fulfillment_center,
                row.disposition,
                row.reason,
                row.country,
                _optional(row.reconciled),
                _optional(row.unreconciled),
                local_offset_time(row.occurred_at),
                row.store,
            )
        )
    return buffer.getvalue()


def plain_text(header: Sequence[str], lines: Iterable[Sequence[str]]) -> str:
    """Join a header and rows with tabs, unquoted.

    Raises ValueError for a field that contains a tab or a newline.
    """
    out = ["\t".join(header)]
    for fields in lines:
        if any("\t" in field or "\n" in field for field in fields):
            raise ValueError(f"a report field contains a tab or newline: {fields}")
        out.append("\t".join(fields))
    return "\n".join(out) + "\n"


def reimbursements_text(rows: Iterable[ReimbursementRow]) -> str:
    """Return the reimbursements file: tab separated, unquoted."""
    return plain_text(
        REIMBURSEMENTS_HEADER,
        (
            (
                utc_time(row.approval_date),
                row.reimbursement_id,
                row.case_id,
                row.amazon_order_id,
                row.reason,
                row.sku,
                row.fnsku,
                row.asin,
                row.product_name,
                row.condition,
                row.currency,
                f"{row.amount_per_unit:.2f}",
                f"{row.amount_total:.2f}",
                str(row.quantity_cash),
                str(row.quantity_inventory),
                str(row.quantity_total),
                row.original_reimbursement_id,
                row.original_reimbursement_type,
            )
            for row in rows
        ),
    )


def returns_text(rows: Iterable[ReturnRow]) -> str:
    """Return the customer returns file: tab separated, unquoted."""
    return plain_text(
        RETURNS_HEADER,
        (
            (
                utc_time(row.return_date),
                row.order_id,
                row.sku,
                row.asin,
                row.fnsku,
                row.product_name,
                str(row.quantity),
                row.fulfillment_center,
                row.detailed_disposition,
                row.reason,
                row.status,
                row.license_plate_number,
                row.customer_comments,
            )
            for row in rows
        ),
    )
