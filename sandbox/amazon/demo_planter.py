"""Building blocks for planted cases: dated ledger rows, payouts, case records."""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .demo_catalog import IdSource, Product
from .report_files import LedgerRow, ReimbursementRow

LOST = "lost_inventory"
DAMAGED = "damaged_inventory"
LOST_WAIT_BUSINESS_DAYS = 5
DAMAGED_WAIT_DAYS = 10
WAREHOUSE_WINDOW_DAYS = 60


@dataclass(frozen=True)
class PlantedCase:
    """One planted case: the rows it is about and what detection must find.

    `claimable_units` is 0 for a case that must yield no finding. `reference_id`
    is the key a finding carries: the ledger Reference ID for ledger cases, else
    the order, shipment or reimbursement id that the case type names.
    `unit_value` set means the case states its own value per claimable unit;
    None leaves it to the reimbursement history (lost and damaged cases).
    """

    case: str
    type: str
    claimable: bool
    product: Product
    loss_row: LedgerRow | None
    units_lost: int
    claimable_units: int
    why: str
    reference_id: str
    event_at: datetime
    window_opens: datetime
    window_closes: datetime
    order_id: str | None = None
    shipment_id: str | None = None
    reimbursement_id: str | None = None
    unit_value: Decimal | None = None
    value_basis: str | None = None
    ledger_reference_ids: tuple[str, ...] = field(default=())


def add_business_days(moment: datetime, days: int) -> datetime:
    """Return `moment` moved forward by `days` weekdays (Monday to Friday)."""
    result = moment
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result


class CasePlanter:
    """Collects the rows and records of planted cases, dated from an anchor day."""

    def __init__(
        self,
        anchor: date,
        zone: ZoneInfo,
        ids: IdSource,
        currency: str,
        country: str = "US",
    ) -> None:
        self.anchor = anchor
        self.zone = zone
        self.ids = ids
        self.currency = currency
        self.country = country
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
            country=self.country,
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
        order_id: str | None = None,
        amount_per_unit: Decimal | None = None,
    ) -> ReimbursementRow:
        """Add a reimbursement approved at 07:12 local time that day.

        The amount per unit is the product's unit value unless given, and the
        order id is `order_id`, or a new one `with_order`.
        """
        # Ids are drawn in this order (reimbursement, case, order), so existing
        # seeds keep their ids.
        reimbursement_id = self.ids.reimbursement_id()
        case_id = self.ids.case_id() if with_case else ""
        if order_id is None and with_order:
            order_id = self.ids.order_id()
        if amount_per_unit is None:
            amount_per_unit = product.unit_cost
        row = ReimbursementRow(
            approval_date=self.at(days_before, 7, 12),
            reimbursement_id=reimbursement_id,
            reason=reason,
            sku=product.msku,
            fnsku=product.fnsku,
            asin=product.asin,
            product_name=product.title,
            currency=self.currency,
            amount_per_unit=amount_per_unit,
            quantity_cash=cash,
            quantity_inventory=inventory,
            case_id=case_id,
            amazon_order_id=order_id or "",
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
        """Record a planted case about `loss_row` (0 claimable units: no finding).

        The claim window opens 5 business days (lost) or 10 days (damaged) after
        the adjustment and closes 60 days after it. Days are 24 hours and weekdays
        are those of the UTC date, as the detection rules count them, so a window
        keeps its length across a daylight saving change.
        """
        loss_at = loss_row.occurred_at
        utc_loss = loss_at.astimezone(UTC)
        if case_type == DAMAGED:
            opens = utc_loss + timedelta(days=DAMAGED_WAIT_DAYS)
        else:
            opens = add_business_days(utc_loss, LOST_WAIT_BUSINESS_DAYS)
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
                reference_id=loss_row.reference_id,
                event_at=loss_at,
                window_opens=opens,
                window_closes=utc_loss + timedelta(days=WAREHOUSE_WINDOW_DAYS),
                ledger_reference_ids=(loss_row.reference_id,),
            )
        )
