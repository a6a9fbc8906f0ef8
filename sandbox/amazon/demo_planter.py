"""Building blocks for planted cases: dated ledger rows, payouts, case records."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .demo_catalog import IdSource, Product
from .report_files import LedgerRow, ReimbursementRow

LOST = "lost_inventory"
DAMAGED = "damaged_inventory"


@dataclass(frozen=True)
class PlantedCase:
    """One planted case: the ledger row it is about and what detection must find.

    `claimable_units` is 0 for a case that must yield no finding.
    """

    case: str
    type: str
    claimable: bool
    product: Product
    loss_row: LedgerRow
    units_lost: int
    claimable_units: int
    why: str


class CasePlanter:
    """Collects the rows and records of planted cases, dated from an anchor day."""

    def __init__(
        self, anchor: date, zone: ZoneInfo, ids: IdSource, currency: str
    ) -> None:
        self.anchor = anchor
        self.zone = zone
        self.ids = ids
        self.currency = currency
        self.ledger: list[LedgerRow] = []
        self.reimbursements: list[ReimbursementRow] = []
        self.cases: list[PlantedCase] = []

    def at(self, days_before: int, hour: int, minute: int = 0) -> datetime:
        """Return local time `hour:minute` on the day `days_before` the anchor."""
        day = self.anchor - timedelta(days=days_before)
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def loss(
        self,
        product: Product,
        when: datetime,
        reason: str,
        units: int,
        unreconciled: int | None,
        disposition: str = "SELLABLE",
    ) -> LedgerRow:
        """Add an Adjustments row that removes `units` for `reason`.

        Reconciled Quantity is units minus `unreconciled`, and both are blank when
        `unreconciled` is None.
        """
        reconciled = None if unreconciled is None else units - unreconciled
        row = self._adjustment_row(product, when, reason, -units, disposition)
        row = replace(row, reconciled=reconciled, unreconciled=unreconciled)
        self.ledger.append(row)
        return row

    def adjustment(
        self,
        product: Product,
        when: datetime,
        reason: str,
        quantity: int,
        disposition: str = "SELLABLE",
        reference_id: str | None = None,
    ) -> LedgerRow:
        """Add an Adjustments row without reconciliation counts."""
        row = self._adjustment_row(
            product, when, reason, quantity, disposition, reference_id
        )
        self.ledger.append(row)
        return row

    def _adjustment_row(
        self,
        product: Product,
        when: datetime,
        reason: str,
        quantity: int,
        disposition: str,
        reference_id: str | None = None,
    ) -> LedgerRow:
        return LedgerRow(
            occurred_at=when,
            fnsku=product.fnsku,
            asin=product.asin,
            msku=product.msku,
            title=product.title,
            event_type="Adjustments",
            reference_id=reference_id or self.ids.reference_id(),
            quantity=quantity,
            fulfillment_center=product.home_center,
            disposition=disposition,
            reason=reason,
        )

    def reimburse(
        self,
        product: Product,
        days_before: int,
        reason: str,
        cash: int,
        inventory: int = 0,
        *,
        with_order: bool = False,
        with_case: bool = False,
    ) -> ReimbursementRow:
        """Add a reimbursement approved at 07:12 local time that day."""
        row = ReimbursementRow(
            approval_date=self.at(days_before, 7, 12),
            reimbursement_id=self.ids.reimbursement_id(),
            reason=reason,
            sku=product.msku,
            fnsku=product.fnsku,
            asin=product.asin,
            product_name=product.title,
            currency=self.currency,
            amount_per_unit=product.unit_cost,
            quantity_cash=cash,
            quantity_inventory=inventory,
            case_id=self.ids.case_id() if with_case else "",
            amazon_order_id=self.ids.order_id() if with_order else "",
        )
        self.reimbursements.append(row)
        return row

    def reverse(self, original: ReimbursementRow, days_before: int) -> ReimbursementRow:
        """Add the Reimbursement_Reversal that takes back all of `original`."""
        row = ReimbursementRow(
            approval_date=self.at(days_before, 7, 12),
            reimbursement_id=self.ids.reimbursement_id(),
            reason="Reimbursement_Reversal",
            sku=original.sku,
            fnsku=original.fnsku,
            asin=original.asin,
            product_name=original.product_name,
            currency=original.currency,
            amount_per_unit=original.amount_per_unit,
            quantity_cash=-original.quantity_cash,
            quantity_inventory=-original.quantity_inventory,
            original_reimbursement_id=original.reimbursement_id,
            original_reimbursement_type=original.reason,
        )
        self.reimbursements.append(row)
        return row

    def record(
        self,
        case: str,
        case_type: str,
        product: Product,
        loss_row: LedgerRow,
        claimable_units: int,
        why: str,
    ) -> None:
        """Record a planted case about `loss_row` (0 claimable units: no finding)."""
        self.cases.append(
            PlantedCase(
                case=case,
                type=case_type,
                claimable=claimable_units > 0,
                product=product,
                loss_row=loss_row,
                units_lost=abs(loss_row.quantity),
                claimable_units=claimable_units,
                why=why,
            )
        )
