"""The generated demo seller: reports in Amazon's formats with planted cases.

The same seed and anchor day always give byte-identical report files.
"""

import functools
import gzip
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .config import DEMO_SEED
from .demo_cases import CASE_PRODUCTS, plant_cases
from .demo_catalog import MAX_PRODUCTS, IdSource, Product, make_catalog
from .demo_planter import CasePlanter, PlantedCase
from .demo_traffic import TrafficGenerator, background_reimbursements
from .marketplaces import US, Marketplace
from .report_files import (
    LedgerRow,
    ReimbursementRow,
    ReturnRow,
    ledger_text,
    reimbursements_text,
    returns_text,
)
from .report_jobs import iso_utc
from .sellers import CUSTOMER_RETURNS, LEDGER_DETAIL, REIMBURSEMENTS, ReportContent

DEMO_SELLER_ID = "A1CLARIODEMO01"
DEMO_SELLER_NAME = "Clario Demo Store"
LEDGER_DAYS = 150
"""Days of ledger history before the anchor day."""

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
        value = self.unit_value(case.product.fnsku)
        amount = Decimal("0.00")
        if value is not None:
            amount = (value * case.claimable_units).quantize(_CENT, ROUND_HALF_UP)
        return {
            "case": case.case,
            "type": case.type,
            "claimable": case.claimable,
            "fnsku": case.product.fnsku,
            "msku": case.product.msku,
            "reference_id": case.loss_row.reference_id,
            "loss_date": iso_utc(case.loss_row.occurred_at),
            "units_lost": case.units_lost,
            "claimable_units": case.claimable_units,
            "unit_value": None if value is None else f"{value:.2f}",
            "amount": f"{amount:.2f}",
            "why": case.why,
        }

    def all_reimbursements(self) -> list[ReimbursementRow]:
        """Generated and added reimbursements, by approval date."""
        rows = [*self.reimbursements, *self.added_reimbursements]
        return sorted(rows, key=lambda row: row.approval_date)

    def report_texts(self) -> dict[str, str]:
        """Return the full text of each report, unfiltered."""
        return {
            LEDGER_DETAIL: ledger_text(self.ledger),
            REIMBURSEMENTS: reimbursements_text(self.all_reimbursements()),
            CUSTOMER_RETURNS: returns_text(self.returns),
        }


def generate_demo(today: date, seed: int = DEMO_SEED) -> DemoDataset:
    """Generate the demo seller's data anchored on `today` (the detection day).

    Ledger rows cover the LEDGER_DAYS days before `today`, and no row is dated
    `today` or later. Each call returns a new dataset, so rows added to one
    never show in another.
    """
    generated = _generated(today, seed)
    return DemoDataset(
        anchor_date=today,
        seed=seed,
        marketplace=generated.marketplace,
        products=list(generated.products),
        ledger=list(generated.ledger),
        reimbursements=list(generated.reimbursements),
        returns=list(generated.returns),
        cases=list(generated.cases),
    )


@dataclass(frozen=True)
class _Generated:
    marketplace: Marketplace
    products: tuple[Product, ...]
    ledger: tuple[LedgerRow, ...]
    reimbursements: tuple[ReimbursementRow, ...]
    returns: tuple[ReturnRow, ...]
    cases: tuple[PlantedCase, ...]


@functools.lru_cache(maxsize=8)
def _generated(today: date, seed: int) -> _Generated:
    """Generate the immutable rows once per anchor and seed."""
    rng = random.Random(seed)
    ids = IdSource(rng)
    market = US
    products = make_catalog(rng, ids, MAX_PRODUCTS)
    planter = CasePlanter(today, market.zone, ids, market.currency)
    plant_cases(planter, products)
    background_reimbursements(planter, rng, products[CASE_PRODUCTS:])
    traffic = TrafficGenerator(rng, ids, today, market.zone)
    for product in products:
        traffic.run(product, LEDGER_DAYS)
    ledger = sorted([*traffic.ledger, *planter.ledger], key=lambda r: r.occurred_at)
    return _Generated(
        marketplace=market,
        products=tuple(products),
        ledger=tuple(ledger),
        reimbursements=tuple(
            sorted(planter.reimbursements, key=lambda r: r.approval_date)
        ),
        returns=tuple(sorted(traffic.returns, key=lambda r: r.return_date)),
        cases=tuple(planter.cases),
    )


def planted_manifest(today: date, seed: int = DEMO_SEED) -> list[dict[str, Any]]:
    """Return the demo seller's planted cases for an anchor day and seed.

    Each item is {"case", "type" ("lost_inventory" or "damaged_inventory"),
    "claimable", "fnsku", "msku", "reference_id", "loss_date" (the loss row's
    Date and Time as ISO 8601 in UTC), "units_lost", "claimable_units",
    "unit_value" (decimal string or None), "amount" (decimal string: claimable
    units times unit value, "0.00" when not claimable or the value is unknown),
    "why"}.
    """
    return generate_demo(today, seed).manifest()


def demo_report_files(today: date, seed: int = DEMO_SEED) -> dict[str, bytes]:
    """Return each full demo report, UTF-8 encoded and uncompressed, by report type."""
    texts = generate_demo(today, seed).report_texts()
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
        """The US marketplace."""
        return self.dataset.marketplace

    def report_types(self) -> frozenset[str]:
        """Return the three generated report types."""
        return frozenset({LEDGER_DETAIL, REIMBURSEMENTS, CUSTOMER_RETURNS})

    def build_report(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> ReportContent | None:
        """Return the rows in the bounds in the report's format, or None if none.

        Ledger rows are selected by their local Date and the document is gzip
        compressed. The other two are selected by their timestamp and sent plain.
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
