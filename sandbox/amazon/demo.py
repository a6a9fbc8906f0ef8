"""The generated demo seller: reports in Amazon's formats with planted cases.

The same seed, anchor day and marketplace always give byte-identical report
files.
"""

import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .config import DEMO_SEED
from .demo_catalog import Product
from .demo_generate import generated_rows
from .demo_planter import PlantedCase
from .marketplaces import MARKETPLACES, US, Marketplace
from .report_files import (
    LedgerRow,
    ReimbursementRow,
    ReturnRow,
    ledger_text,
    reimbursements_text,
    returns_text,
)
from .report_formats import (
    FeePreviewRow,
    OrderRow,
    RemovalOrderRow,
    RemovalShipmentRow,
    Settlement,
    fee_preview_text,
    ledger_summary_text,
    orders_text,
    removal_orders_text,
    removal_shipments_text,
    settlement_text,
)
from .report_jobs import iso_utc
from .sellers import (
    ALL_ORDERS,
    CUSTOMER_RETURNS,
    FEE_PREVIEW,
    LEDGER_DETAIL,
    LEDGER_SUMMARY,
    REIMBURSEMENTS,
    REMOVAL_ORDERS,
    REMOVAL_SHIPMENTS,
    SETTLEMENT,
    InboundShipment,
    ListedReport,
    ReportContent,
)

DEMO_SELLER_ID = "A1CLARIODEMO01"
DEMO_SELLER_NAME = "Clario Demo Store"

_CENT = Decimal("0.01")


@dataclass
class DemoDataset:
    """All rows of the demo seller and the planted cases among them."""

    anchor_date: date
    seed: int
    marketplace: Marketplace
    products: list[Product]
    ledger: list[LedgerRow]
    reimbursements: list[ReimbursementRow]
    returns: list[ReturnRow]
    cases: list[PlantedCase]
    orders: list[OrderRow] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)
    removal_orders: list[RemovalOrderRow] = field(default_factory=list)
    removal_shipments: list[RemovalShipmentRow] = field(default_factory=list)
    fee_preview: list[FeePreviewRow] = field(default_factory=list)
    inbound: list[InboundShipment] = field(default_factory=list)
    seller_costs: dict[str, Decimal] = field(default_factory=dict)
    added_reimbursements: list[ReimbursementRow] = field(default_factory=list)

    def unit_value(self, fnsku: str) -> Decimal | None:
        """Amazon's unit value for an FNSKU from the generated reimbursements.

        That is the amount per unit of the latest reimbursement with a positive
        total quantity, or None when there is none.
        """
        paid = [
            row
            for row in self.reimbursements
            if row.fnsku == fnsku and row.quantity_total > 0
        ]
        if not paid:
            return None
        return max(paid, key=lambda row: row.approval_date).amount_per_unit

    def manifest(self) -> list[dict[str, Any]]:
        """Return the planted cases as JSON-ready dicts (see planted_manifest)."""
        return [self._case_json(case) for case in self.cases]

    def _case_json(self, case: PlantedCase) -> dict[str, Any]:
        value = case.unit_value
        basis = case.value_basis
        if value is None:
            value = self.unit_value(case.product.fnsku)
            basis = None if value is None else "amazon_reimbursement_history"
        amount = Decimal("0.00")
        if value is not None:
            amount = (value * case.claimable_units).quantize(_CENT, ROUND_HALF_UP)
        return {
            "case": case.case,
            "type": case.type,
            "claimable": case.claimable,
            "fnsku": case.product.fnsku,
            "msku": case.product.msku,
            "reference_id": case.reference_id,
            "loss_date": iso_utc(case.event_at),
            "units_lost": case.units_lost,
            "claimable_units": case.claimable_units,
            "unit_value": None if value is None else f"{value:.2f}",
            "amount": f"{amount:.2f}",
            "why": case.why,
            "description": case.why,
            "currency": self.marketplace.currency,
            "value_basis": basis,
            "order_id": case.order_id,
            "shipment_id": case.shipment_id,
            "reimbursement_id": case.reimbursement_id,
            "ledger_reference_ids": list(case.ledger_reference_ids),
            "window_opens": iso_utc(case.window_opens),
            "window_closes": iso_utc(case.window_closes),
        }

    def unit_costs(self) -> list[dict[str, str]]:
        """Return the seller's own unit costs: [{"fnsku", "msku", "unit_cost"}]."""
        by_fnsku = {product.fnsku: product for product in self.products}
        return [
            {
                "fnsku": fnsku,
                "msku": by_fnsku[fnsku].msku,
                "unit_cost": f"{cost:.2f}",
            }
            for fnsku, cost in self.seller_costs.items()
        ]

    def all_reimbursements(self) -> list[ReimbursementRow]:
        """Generated and added reimbursements, by approval date."""
        rows = [*self.reimbursements, *self.added_reimbursements]
        return sorted(rows, key=lambda row: row.approval_date)

    def report_texts(self) -> dict[str, str]:
        """Return the full text of each report, unfiltered.

        The settlement entry joins every settlement file, one after the other.
        """
        return {
            LEDGER_DETAIL: ledger_text(self.ledger),
            REIMBURSEMENTS: reimbursements_text(self.all_reimbursements()),
            CUSTOMER_RETURNS: returns_text(self.returns),
            LEDGER_SUMMARY: ledger_summary_text(self.ledger, None, None) or "",
            REMOVAL_ORDERS: removal_orders_text(self.removal_orders),
            REMOVAL_SHIPMENTS: removal_shipments_text(self.removal_shipments),
            FEE_PREVIEW: fee_preview_text(self.fee_preview, self.marketplace),
            ALL_ORDERS: orders_text(self.orders),
            SETTLEMENT: "".join(
                settlement_text(settlement, self.marketplace)
                for settlement in self.settlements
            ),
        }


def generate_demo(
    today: date, seed: int = DEMO_SEED, marketplace_id: str = US.id
) -> DemoDataset:
    """Generate the demo seller's data anchored on `today` (the detection day).

    Ledger rows cover the LEDGER_DAYS days before `today`, and no row is dated
    `today` or later. Each call returns a new dataset, so rows added to one
    never show in another. Raises KeyError for an unknown marketplace id.
    """
    generated = generated_rows(today, seed, MARKETPLACES[marketplace_id])
    return DemoDataset(
        anchor_date=today,
        seed=seed,
        marketplace=generated.marketplace,
        products=list(generated.products),
        ledger=list(generated.ledger),
        reimbursements=list(generated.reimbursements),
        returns=list(generated.returns),
        cases=list(generated.cases),
        orders=list(generated.orders),
        settlements=list(generated.settlements),
        removal_orders=list(generated.removal_orders),
        removal_shipments=list(generated.removal_shipments),
        fee_preview=list(generated.fee_preview),
        inbound=list(generated.inbound),
        seller_costs=dict(generated.seller_costs),
    )


def planted_manifest(
    today: date, seed: int = DEMO_SEED, marketplace_id: str = US.id
) -> list[dict[str, Any]]:
    """Return the demo seller's planted cases for an anchor day and seed.

    Each item has "case", "type" (a detection category), "claimable", "fnsku",
    "msku", "reference_id" (the key a finding carries: ledger Reference ID,
    order id, inbound shipment id, removal order id or reimbursement id),
    "loss_date" (the time of the event the case is about, ISO 8601 in UTC),
    "units_lost", "claimable_units", "unit_value" (decimal string or None),
    "amount" (decimal string: claimable units times unit value, "0.00" when
    not claimable or the value is unknown), "why" and the same text as
    "description", "currency", "value_basis" (where the unit value comes from:
    amazon_reimbursement_history, seller_unit_cost, sale_price_minus_fees,
    fee_difference, seller_unit_cost_minus_paid or reversed_amount_per_unit),
    "order_id",
    "shipment_id", "reimbursement_id" (each None when the case has none),
    "ledger_reference_ids" (the Reference IDs of the case's ledger rows) and
    "window_opens" and "window_closes" (ISO 8601 in UTC).
    """
    return generate_demo(today, seed, marketplace_id).manifest()


def demo_report_files(
    today: date, seed: int = DEMO_SEED, marketplace_id: str = US.id
) -> dict[str, bytes]:
    """Return each full demo report, UTF-8 encoded and uncompressed, by report type."""
    texts = generate_demo(today, seed, marketplace_id).report_texts()
    return {report_type: text.encode("utf-8") for report_type, text in texts.items()}


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment <= end)


def _ledger_within(
    rows: Iterable[LedgerRow],
    start: datetime | None,
    end: datetime | None,
    zone: tzinfo,
) -> list[LedgerRow]:
    """Keep rows whose local Date lies in the bounds' local dates, both included."""
    first = start.astimezone(zone).date() if start is not None else None
    last = end.astimezone(zone).date() if end is not None else None
    return [
        row
        for row in rows
        if (first is None or row.occurred_at.date() >= first)
        and (last is None or row.occurred_at.date() <= last)
    ]


_REQUESTABLE = frozenset(
    {
        LEDGER_DETAIL,
        REIMBURSEMENTS,
        CUSTOMER_RETURNS,
        LEDGER_SUMMARY,
        REMOVAL_ORDERS,
        REMOVAL_SHIPMENTS,
        FEE_PREVIEW,
        ALL_ORDERS,
    }
)


class DemoSeller:
    """The generated demo seller, served with date filtering."""

    def __init__(self, dataset: DemoDataset) -> None:
        self.dataset = dataset

    @property
    def selling_partner_id(self) -> str:
        """The demo seller's id."""
        return DEMO_SELLER_ID

    @property
    def name(self) -> str:
        """The demo store's name."""
        return DEMO_SELLER_NAME

    @property
    def marketplace(self) -> Marketplace:
        """The marketplace of the dataset, US unless configured."""
        return self.dataset.marketplace

    def report_types(self) -> frozenset[str]:
        """Return the generated report types, settlements included."""
        return _REQUESTABLE | {SETTLEMENT}

    def listed_reports(self) -> list[ListedReport]:
        """Return one settlement report per period, created an hour after its end.

        Settlement files are sent without a charset, encoded in the
        marketplace's codec.
        """
        return [
            ListedReport(
                report_type=SETTLEMENT,
                created=settlement.end + timedelta(hours=1),
                content=ReportContent(
                    settlement_text(settlement, self.marketplace).encode(
                        self.marketplace.codec
                    ),
                    gzip=False,
                    charset=None,
                ),
                data_start=settlement.start,
                data_end=settlement.end,
            )
            for settlement in self.dataset.settlements
        ]

    def inbound_shipments(self) -> list[InboundShipment]:
        """Return the inbound shipments, oldest update first."""
        return list(self.dataset.inbound)

    def build_report(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> ReportContent | None:
        """Return the rows in the bounds in the report's format, or None if none.

        Ledger detail and summary rows are selected by their local Date, and
        the ledger detail document is gzip compressed. Removal orders are
        selected by last-updated-date, removal shipments by shipment-date and
        orders by purchase-date. The fee preview is the current state and
        ignores the bounds. Settlement reports are not built on request.
        """
        text = self._text(report_type, start, end)
        if text is None:
            return None
        body = text.encode(self.marketplace.codec)
        compressed = report_type == LEDGER_DETAIL
        if compressed:
            body = gzip.compress(body, mtime=0)
        return ReportContent(body, compressed, self.marketplace.charset)

    def _text(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> str | None:
        data = self.dataset
        if report_type == LEDGER_DETAIL:
            ledger = _ledger_within(data.ledger, start, end, data.marketplace.zone)
            return ledger_text(ledger) if ledger else None
        if report_type == REIMBURSEMENTS:
            paid = [
                row
                for row in data.all_reimbursements()
                if _within(row.approval_date, start, end)
            ]
            return reimbursements_text(paid) if paid else None
        if report_type == CUSTOMER_RETURNS:
            returned = [
                row for row in data.returns if _within(row.return_date, start, end)
            ]
            return returns_text(returned) if returned else None
        return self._commerce_text(report_type, start, end)

    def _commerce_text(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> str | None:
        data = self.dataset
        if report_type == LEDGER_SUMMARY:
            zone = data.marketplace.zone
            first = start.astimezone(zone).date() if start is not None else None
            last = end.astimezone(zone).date() if end is not None else None
            return ledger_summary_text(data.ledger, first, last)
        if report_type == REMOVAL_ORDERS:
            orders = [
                row
                for row in data.removal_orders
                if _within(row.last_updated, start, end)
            ]
            return removal_orders_text(orders) if orders else None
        if report_type == REMOVAL_SHIPMENTS:
            shipped = [
                row
                for row in data.removal_shipments
                if _within(row.shipment_date, start, end)
            ]
            return removal_shipments_text(shipped) if shipped else None
        if report_type == FEE_PREVIEW:
            return fee_preview_text(data.fee_preview, data.marketplace)
        if report_type == ALL_ORDERS:
            sold = [
                row for row in data.orders if _within(row.purchase_date, start, end)
            ]
            return orders_text(sold) if sold else None
        return None

    def planted_cases(self) -> list[dict[str, Any]] | None:
        """Return the manifest of planted cases."""
        return self.dataset.manifest()

    def next_reimbursement_id(self) -> str:
        """Return a reimbursement id no row of this seller uses yet."""
        used = {row.reimbursement_id for row in self.dataset.all_reimbursements()}
        candidate = 9_900_000_000 + len(self.dataset.added_reimbursements)
        while str(candidate) in used:
            candidate += 1
        return str(candidate)

    def add_reimbursement(self, row: ReimbursementRow) -> None:
        """Append a reimbursement, as when Amazon pays a filed claim."""
        self.dataset.added_reimbursements.append(row)

    def product(self, fnsku: str) -> Product | None:
        """Return the demo product with that FNSKU, or None."""
        return next((p for p in self.dataset.products if p.fnsku == fnsku), None)
